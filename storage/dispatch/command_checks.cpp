#include "storage/dispatch/command_checks.hpp"

#include "storage/acl/acl_denial.hpp"
#include "storage/keyspace/clock.hpp"

#include "protocol/commands/command_table.hpp"
#include "protocol/config/server_config.hpp"
#include "storage/dispatch/server_services.hpp"
#include "storage/dispatch/session.hpp"
#include "storage/dispatch/slot_check.hpp"

namespace troupe {
namespace {

using check = std::optional<std::string> (*)(const check_input&);

// The flags the checks go by: a script's own (EVAL with a shebang, FCALL)
// replace the command's.
uint32_t flags_of(const check_input& in) {
  return in.flags != 0 ? in.flags : in.cmd.flags;
}

// MODULE LOAD, LOADEX and UNLOAD ("protected" in Redis 7.0) run only where
// enable-module-command allows them: always, or from local connections.
std::optional<std::string> protected_command_allowed(const check_input& in) {
  if (!(flags_of(in) & cmd_protected)) return std::nullopt;
  // DEBUG and MODULE, each behind its own directive.
  bool debug = in.cmd.name == "debug";
  protected_mode mode = debug ? in.srv.config().enable_debug_command.get()
                              : in.srv.config().enable_module_command.get();
  const std::string& addr = in.client.addr;
  bool local = in.client.has(client_unix_socket) || addr.rfind("127.0.0.1:", 0) == 0 ||
               addr.rfind("::1:", 0) == 0;
  if (mode == protected_mode::yes || (mode == protected_mode::local && local)) return std::nullopt;
  return std::string("ERR ") + (debug ? "DEBUG" : "MODULE") + " command not allowed. If the " +
         (debug ? "enable-debug-command" : "enable-module-command") +
         " option is set to \"local\", you can run it from a local connection, otherwise you "
         "need to set this option in the configuration file, and then restart the server.";
}

std::optional<std::string> authenticated(const check_input& in) {
  if (in.client.authenticated || (flags_of(in) & cmd_no_auth) || !in.srv.auth_required())
    return std::nullopt;
  return "NOAUTH Authentication required.";
}

std::optional<std::string> allowed_in_multi(const check_input& in) {
  if (!in.client.has(client_multi) || !(flags_of(in) & cmd_no_multi)) return std::nullopt;
  return "ERR Command not allowed inside a transaction";
}

// ACL: the client's user may run this command on these keys and channels
// (denials are logged in ACL LOG). The default user with every permission (the
// common case) costs one flag read.
acl_denial acl_denied(const command_spec& cmd, const std::vector<std::string_view>& args,
                      session& client, server_services& srv, const char* context) {
  const acl_user_slot* user = client.acl_user.get();
  if (user == nullptr || user->unrestricted() || (cmd.flags & cmd_no_auth)) return acl_denial::none;
  size_t failed = 0;
  acl_denial why = user->rules()->check(cmd, args, failed);
  if (why == acl_denial::none) return why;
  acl_log_entry e;
  e.reason = acl_denial_reason(why);
  e.context = context != nullptr ? context : client.has(client_multi) ? "multi" : "toplevel";
  e.object = why == acl_denial::command ? cmd.full_name() : std::string(args[failed]);
  e.username = user->name();
  e.created_ms = wall_clock_ms();
  e.client_info = srv.client_info(client);
  srv.acl.log.add(std::move(e), size_t(srv.config().acllog_max_len.get()));
  return why;
}

std::optional<std::string> acl_permitted(const check_input& in) {
  acl_denial why = acl_denied(in.cmd, in.args, in.client, in.srv, nullptr);
  if (why == acl_denial::none) return std::nullopt;
  return acl_denial_error(why, in.cmd);
}

// maxmemory: keys are evicted before every command. When memory stays over
// the limit (noeviction, or nothing left to evict), commands that may grow it
// are refused: those flagged denyoom, an EXEC that queued one, and anything
// queued inside MULTI but EXEC, DISCARD, QUIT and RESET (Redis's rule).
std::optional<std::string> memory_available(const check_input& in) {
  if (in.srv.config().maxmemory.get() == 0) return std::nullopt;
  if (in.srv.perform_evictions() != eviction_result::fail) return std::nullopt;
  const std::string& name = in.cmd.name;
  bool reject = (flags_of(in) & cmd_denyoom) != 0;
  if (name == "exec") {
    for (const auto& q : in.client.tx.queue) reject = reject || (q.cmd->flags & cmd_denyoom);
  } else if (in.client.has(client_multi) && name != "discard" && name != "quit" &&
             name != "reset") {
    reject = true;
  }
  if (!reject) return std::nullopt;
  return "OOM command not allowed when used memory > 'maxmemory'.";
}

std::optional<std::string> disk_can_take_writes(const check_input& in) {
  if (!(flags_of(in) & cmd_write) || !in.srv.writes_refused()) return std::nullopt;
  return "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
         "persist to disk. Commands that may modify the data set are disabled, because this "
         "instance is configured to report errors during writes if RDB snapshotting fails "
         "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
         "the RDB error.";
}

// A replica takes writes from its master only (replica-read-only).
std::optional<std::string> replica_read_only(const check_input& in) {
  if (!(flags_of(in) & cmd_write) || !in.srv.is_replica() ||
      !in.srv.config().replica_read_only.get())
    return std::nullopt;
  return "READONLY You can't write against a read only replica.";
}

// A replica whose link is down serves nothing but commands flagged "stale"
// when replica-serve-stale-data is off.
std::optional<std::string> stale_data_allowed(const check_input& in) {
  if ((flags_of(in) & cmd_stale) || !in.srv.is_replica() || in.srv.master_link_up() ||
      in.srv.config().replica_serve_stale_data.get())
    return std::nullopt;
  return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
}

// While a full sync loads a new dataset, only commands flagged "loading" run
// (while the old one is still served, all but the no_async_loading ones).
std::optional<std::string> dataset_loaded(const check_input& in) {
  if (!in.srv.is_replica()) return std::nullopt;
  dataset_loading l = in.srv.loading();
  if (l == dataset_loading::none) return std::nullopt;
  if (l == dataset_loading::blocking ? (flags_of(in) & cmd_loading)
                                     : !(flags_of(in) & cmd_no_async_loading))
    return std::nullopt;
  return "LOADING Redis is loading the dataset in memory";
}

// min-replicas-to-write: writes need enough replicas that acknowledged lately.
std::optional<std::string> enough_good_replicas(const check_input& in) {
  if (!(flags_of(in) & cmd_write) || !in.srv.too_few_good_replicas()) return std::nullopt;
  return "NOREPLICAS Not enough good replicas to write.";
}

// A RESP2 subscriber's connection carries messages: it may only manage its
// subscriptions (RESP3 has push messages, so anything goes).
std::optional<std::string> subscriber_context(const check_input& in) {
  if (in.client.resp != 2 || !in.client.has(client_pubsub) || (flags_of(in) & cmd_subscriber_ok))
    return std::nullopt;
  return "ERR Can't execute '" + in.cmd.full_name() +
         "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
         "context";
}

// A MONITOR client is a replica to Redis: it may not read or write keys.
std::optional<std::string> monitor_keeps_off_keys(const check_input& in) {
  if (!in.client.has(client_monitor) ||
      !(flags_of(in) & (cmd_write | cmd_readonly | cmd_may_replicate)))
    return std::nullopt;
  return "ERR Replica can't interact with the keyspace";
}

// A script running past busy-reply-threshold: only allow_busy commands run
// (SCRIPT KILL, FUNCTION KILL/STATS, MULTI...). Those that touch keys wait
// for the script here too: the script holds their shards.
std::optional<std::string> no_script_busy(const check_input& in) {
  if (!in.srv.script_runs.busy()) return std::nullopt;
  uint32_t f = flags_of(in);
  if ((f & cmd_allow_busy) && (f & cmd_no_keyspace)) return std::nullopt;
  return std::string(in.srv.script_runs.busy_error());
}

// In the order of Redis's processCommand, so that a command failing two checks
// gets the same error.
constexpr check chain[] = {
    protected_command_allowed,
    authenticated,
    allowed_in_multi,
    acl_permitted,
    cluster_redirect,
    memory_available,
    disk_can_take_writes,
    enough_good_replicas,
    replica_read_only,
    subscriber_context,
    monitor_keeps_off_keys,
    stale_data_allowed,
    dataset_loaded,
    no_script_busy,
};

}  // namespace

std::optional<std::string> check_command(const check_input& in) {
  for (check c : chain)
    if (auto err = c(in)) return err;
  return std::nullopt;
}

std::optional<std::string> acl_recheck_queued(const command_spec& cmd,
                                              const std::vector<std::string_view>& args,
                                              session& client, server_services& srv) {
  acl_denial why = acl_denied(cmd, args, client, srv, "multi");
  if (why == acl_denial::none) return std::nullopt;
  return "NOPERM ACLs rules changed between the moment the transaction was accumulated and the "
         "EXEC call. This command is no longer allowed for the following reason: " +
         std::string(acl_exec_reason(why));
}

}  // namespace troupe

namespace troupe {

acl_denial acl_check_from_script(const command_spec& cmd, const std::vector<std::string_view>& args,
                                 session& client, server_services& srv) {
  return acl_denied(cmd, args, client, srv, "lua");
}

}  // namespace troupe
