// SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB.
#include "actors/client/connection.hpp"
#include "actors/server/server.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

connection& conn_of(exec_context& c) {
  return *static_cast<connection*>(c.client.endpoint);
}

std::vector<std::string_view> rest(exec_context& c, size_t from) {
  return std::vector<std::string_view>(c.argv.begin() + long(from), c.argv.end());
}

void cmd_subscribe(exec_context& c) {
  conn_of(c).subscribe(rest(c, 1), false);
}
void cmd_psubscribe(exec_context& c) {
  conn_of(c).subscribe(rest(c, 1), true);
}
void cmd_unsubscribe(exec_context& c) {
  conn_of(c).unsubscribe(rest(c, 1), false);
}
void cmd_punsubscribe(exec_context& c) {
  conn_of(c).unsubscribe(rest(c, 1), true);
}

void cmd_publish(exec_context& c) {
  // No connection needed: PUBLISH also arrives from replication and AOF replays.
  reactor* here = current_reactor();
  c.out.integer(
      static_cast<server&>(c.srv).pubsub().publish(c.arg(1), c.arg(2), here ? here->index() : -1));
}

void cmd_pubsub(exec_context&) {}

void cmd_pubsub_channels(exec_context& c) {
  if (c.argc() > 3) return c.subcommand_syntax_error();
  auto names =
      static_cast<server&>(c.srv).pubsub().channels(c.argc() == 3 ? c.arg(2) : "", c.argc() == 2);
  c.out.array(names.size());
  for (auto& n : names) c.out.bulk(n);
}

void cmd_pubsub_numsub(exec_context& c) {
  pubsub_hub& hub = static_cast<server&>(c.srv).pubsub();
  c.out.map(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    c.out.bulk(c.arg(i));
    c.out.integer(hub.numsub(std::string(c.arg(i))));
  }
}

void cmd_pubsub_numpat(exec_context& c) {
  c.out.integer(static_cast<server&>(c.srv).pubsub().numpat());
}

void cmd_pubsub_help(exec_context& c) {
  static const char* lines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    Return the currently active channels matching a <pattern> (default: '*').",
      "NUMPAT",
      "    Return number of subscriptions to patterns.",
      "NUMSUB [<channel> ...]",
      "    Return the number of subscribers for the specified channels, excluding",
      "    pattern subscriptions(default: no channels).",
      "SHARDCHANNELS [<pattern>]",
      "    Return the currently active shard level channels matching a <pattern> (default: '*').",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Return the number of subscribers for the specified shard level channel(s)",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

const command_def pubsub_commands[] = {
    {"subscribe", -2, "pubsub noscript loading stale subscriber_ok", 0, 0, 0, "", cmd_subscribe,
     "Listen for messages published to the given channels", "2.0.0",
     "O(N) where N is the number of channels to subscribe to.", "channel [channel ...]"},
    {"unsubscribe", -1, "pubsub noscript loading stale subscriber_ok", 0, 0, 0, "", cmd_unsubscribe,
     "Stop listening for messages posted to the given channels", "2.0.0",
     "O(N) where N is the number of clients already subscribed to a channel.",
     "[channel [channel ...]]"},
    {"psubscribe", -2, "pubsub noscript loading stale subscriber_ok", 0, 0, 0, "", cmd_psubscribe,
     "Listen for messages published to channels matching the given patterns", "2.0.0",
     "O(N) where N is the number of patterns the client is already subscribed to.",
     "pattern [pattern ...]"},
    {"punsubscribe", -1, "pubsub noscript loading stale subscriber_ok", 0, 0, 0, "",
     cmd_punsubscribe, "Stop listening for messages posted to channels matching the given patterns",
     "2.0.0",
     "O(N+M) where N is the number of patterns the client is already subscribed and M is the "
     "number of total patterns subscribed in the system (by any client).",
     "[pattern [pattern ...]]"},
    {"publish", 3, "pubsub loading stale fast may_replicate sentinel", 0, 0, 0, "", cmd_publish,
     "Post a message to a channel", "2.0.0",
     "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the "
     "total number of subscribed patterns (by any client).",
     "channel message"},
    {"pubsub", -2, "", 0, 0, 0, "-@pubsub", cmd_pubsub, "A container for Pub/Sub commands", "2.8.0",
     "Depends on subcommand.", ""},
    {"pubsub|channels", -2, "pubsub loading stale", 0, 0, 0, "", cmd_pubsub_channels,
     "List active channels", "2.8.0",
     "O(N) where N is the number of active channels, and assuming constant time pattern "
     "matching (relatively short channels and patterns)",
     "[pattern]"},
    {"pubsub|numsub", -2, "pubsub loading stale", 0, 0, 0, "", cmd_pubsub_numsub,
     "Get the count of subscribers for channels", "2.8.0",
     "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
     "[channel [channel ...]]"},
    {"pubsub|numpat", 2, "pubsub loading stale", 0, 0, 0, "", cmd_pubsub_numpat,
     "Get the count of unique patterns pattern subscriptions", "2.8.0", "O(1)", ""},
    {"pubsub|help", 2, "loading stale", 0, 0, 0, "-@pubsub", cmd_pubsub_help,
     "Show helpful text about the different subcommands", "6.2.0", "O(1)", ""},
};

}  // namespace

void register_pubsub_family(command_table& t) {
  t.add_all("pubsub", pubsub_commands);
}

}  // namespace troupe
