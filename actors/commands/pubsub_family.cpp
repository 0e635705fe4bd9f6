// SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH PUBSUB, and sharded
// pub/sub: SSUBSCRIBE SUNSUBSCRIBE SPUBLISH (a namespace of their own; in a
// cluster the owner of the channel's slot serves them).
#include "actors/client/connection.hpp"
#include "actors/commands/command_families.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
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
  conn_of(c).subscribe(rest(c, 1), sub_kind::channel);
}
void cmd_psubscribe(exec_context& c) {
  conn_of(c).subscribe(rest(c, 1), sub_kind::pattern);
}
void cmd_unsubscribe(exec_context& c) {
  conn_of(c).unsubscribe(rest(c, 1), sub_kind::channel);
}
void cmd_punsubscribe(exec_context& c) {
  conn_of(c).unsubscribe(rest(c, 1), sub_kind::pattern);
}
// Redis refuses SSUBSCRIBE where a reply per command is expected (inside
// EXEC), where SUBSCRIBE is let through.
void cmd_ssubscribe(exec_context& c) {
  if (c.origin == command_origin::transaction)
    return c.out.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  conn_of(c).subscribe(rest(c, 1), sub_kind::shard);
}
void cmd_sunsubscribe(exec_context& c) {
  conn_of(c).unsubscribe(rest(c, 1), sub_kind::shard);
}

void cmd_publish(exec_context& c) {
  if (command_table::sentinel_mode() && sentinel_publish(c)) return;
  // No connection needed: PUBLISH also arrives from replication and AOF replays.
  reactor* here = current_reactor();
  server& srv = static_cast<server&>(c.srv);
  // Cluster mode: every node's subscribers get it, over the bus.
  if (cluster_control* cl = srv.cluster()) cl->publish(c.arg(1), c.arg(2), false);
  c.out.integer(srv.pubsub().publish(c.arg(1), c.arg(2), here ? here->index() : -1));
}

void cmd_spublish(exec_context& c) {
  reactor* here = current_reactor();
  server& srv = static_cast<server&>(c.srv);
  // Cluster mode: the shard's other nodes (its replicas) get it too.
  if (cluster_control* cl = srv.cluster()) cl->publish(c.arg(1), c.arg(2), true);
  c.out.integer(srv.pubsub().spublish(c.arg(1), c.arg(2), here ? here->index() : -1));
}

void cmd_pubsub(exec_context&) {}

void pubsub_channels(exec_context& c, sub_kind kind) {
  if (c.argc() > 3) return c.subcommand_syntax_error();
  auto names = static_cast<server&>(c.srv).pubsub().channels(kind, c.argc() == 3 ? c.arg(2) : "",
                                                             c.argc() == 2);
  c.out.array(names.size());
  for (auto& n : names) c.out.bulk(n);
}

// A flat array of name, count pairs (an array in RESP3 too, as Redis 7.0).
void pubsub_numsub(exec_context& c, sub_kind kind) {
  pubsub_hub& hub = static_cast<server&>(c.srv).pubsub();
  c.out.array((c.argc() - 2) * 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    c.out.bulk(c.arg(i));
    c.out.integer(hub.numsub(kind, std::string(c.arg(i))));
  }
}

void cmd_pubsub_channels(exec_context& c) {
  pubsub_channels(c, sub_kind::channel);
}
void cmd_pubsub_shardchannels(exec_context& c) {
  pubsub_channels(c, sub_kind::shard);
}
void cmd_pubsub_numsub(exec_context& c) {
  pubsub_numsub(c, sub_kind::channel);
}
void cmd_pubsub_shardnumsub(exec_context& c) {
  pubsub_numsub(c, sub_kind::shard);
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
    {"subscribe", -2, "pubsub noscript loading stale subscriber_ok sentinel", 0, 0, 0, "",
     cmd_subscribe, "Listen for messages published to the given channels", "2.0.0",
     "O(N) where N is the number of channels to subscribe to.", "channel [channel ...]"},
    {"unsubscribe", -1, "pubsub noscript loading stale subscriber_ok sentinel", 0, 0, 0, "",
     cmd_unsubscribe, "Stop listening for messages posted to the given channels", "2.0.0",
     "O(N) where N is the number of clients already subscribed to a channel.",
     "[channel [channel ...]]"},
    {"psubscribe", -2, "pubsub noscript loading stale subscriber_ok sentinel", 0, 0, 0, "",
     cmd_psubscribe, "Listen for messages published to channels matching the given patterns",
     "2.0.0", "O(N) where N is the number of patterns the client is already subscribed to.",
     "pattern [pattern ...]"},
    {"punsubscribe", -1, "pubsub noscript loading stale subscriber_ok sentinel", 0, 0, 0, "",
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
    {"ssubscribe", -2, "pubsub noscript loading stale subscriber_ok channel_keys", 1, -1, 1, "",
     cmd_ssubscribe, "Listen for messages published to the given shard channels", "7.0.0",
     "O(N) where N is the number of shard channels to subscribe to.",
     "shardchannel [shardchannel ...]"},
    {"sunsubscribe", -1, "pubsub noscript loading stale subscriber_ok channel_keys", 1, -1, 1, "",
     cmd_sunsubscribe, "Stop listening for messages posted to the given shard channels", "7.0.0",
     "O(N) where N is the number of clients already subscribed to a shard channel.",
     "[shardchannel [shardchannel ...]]"},
    {"spublish", 3, "pubsub loading stale fast channel_keys", 1, 1, 1, "", cmd_spublish,
     "Post a message to a shard channel", "7.0.0",
     "O(N) where N is the number of clients subscribed to the receiving shard channel.",
     "shardchannel message"},
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
    {"pubsub|shardchannels", -2, "pubsub loading stale", 0, 0, 0, "", cmd_pubsub_shardchannels,
     "List active shard channels", "7.0.0",
     "O(N) where N is the number of active shard channels, and assuming constant time pattern "
     "matching (relatively short shard channels).",
     "[pattern]"},
    {"pubsub|shardnumsub", -2, "pubsub loading stale", 0, 0, 0, "", cmd_pubsub_shardnumsub,
     "Get the count of subscribers for shard channels", "7.0.0",
     "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
     "[shardchannel [shardchannel ...]]"},
    {"pubsub|help", 2, "loading stale", 0, 0, 0, "-@pubsub", cmd_pubsub_help,
     "Show helpful text about the different subcommands", "6.2.0", "O(1)", ""},
};

}  // namespace

void register_pubsub_family(command_table& t) {
  t.add_all("pubsub", pubsub_commands);
}

}  // namespace troupe
