#include "storage/dispatch/command_checks.hpp"

#include "protocol/commands/command_table.hpp"
#include "storage/dispatch/server_services.hpp"
#include "storage/dispatch/session.hpp"

namespace troupe {
namespace {

using check = std::optional<std::string> (*)(const check_input&);

std::optional<std::string> authenticated(const check_input& in) {
  if (in.client.authenticated || (in.cmd.flags & cmd_no_auth) || !in.srv.auth_required())
    return std::nullopt;
  return "NOAUTH Authentication required.";
}

std::optional<std::string> allowed_in_multi(const check_input& in) {
  if (!in.client.has(client_multi) || !(in.cmd.flags & cmd_no_multi)) return std::nullopt;
  return "ERR Command not allowed inside a transaction";
}

std::optional<std::string> disk_can_take_writes(const check_input& in) {
  if (!(in.cmd.flags & cmd_write) || !in.srv.writes_refused()) return std::nullopt;
  return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
         "persist to disk. Commands that may modify the data set are disabled, because this "
         "instance is configured to report errors during writes if RDB snapshotting fails "
         "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
         "the RDB error.";
}

// A RESP2 subscriber's connection carries messages: it may only manage its
// subscriptions (RESP3 has push messages, so anything goes).
std::optional<std::string> subscriber_context(const check_input& in) {
  if (in.client.resp != 2 || !in.client.has(client_pubsub) || (in.cmd.flags & cmd_subscriber_ok))
    return std::nullopt;
  return "ERR Can't execute '" + in.cmd.full_name() +
         "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
         "context";
}

// In the order of Redis's processCommand, so that a command failing two checks
// gets the same error.
constexpr check chain[] = {
    authenticated,
    allowed_in_multi,
    disk_can_take_writes,
    subscriber_context,
};

}  // namespace

std::optional<std::string> check_command(const check_input& in) {
  for (check c : chain)
    if (auto err = c(in)) return err;
  return std::nullopt;
}

}  // namespace troupe
