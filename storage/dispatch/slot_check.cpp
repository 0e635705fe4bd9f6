#include "storage/dispatch/slot_check.hpp"

#include <mutex>

#include "protocol/commands/command_table.hpp"
#include "protocol/config/server_config.hpp"
#include "storage/dispatch/command_checks.hpp"
#include "storage/dispatch/server_services.hpp"
#include "storage/dispatch/session.hpp"
#include "storage/encodings/hash.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/keyspace/keyspace.hpp"
#include "storage/types/kv_entry.hpp"
#include "topology/cluster/slot_routing.hpp"

namespace troupe {
namespace {

// Redis skips commands with neither key specs nor a key finder (and not EXEC).
bool has_keys(const command_spec& cmd) {
  return cmd.first_key > 0 || cmd.keys != nullptr;
}

// Calls f(key) for each key of one command; for SPUBLISH, SSUBSCRIBE and
// SUNSUBSCRIBE, for each shard channel (they route by channel).
template <class F>
void for_each_key(const command_spec& cmd, const std::vector<std::string_view>& args, F&& f) {
  if (cmd.flags & cmd_channel_keys) {
    int argc = int(args.size());
    int last = cmd.last_key < 0 ? argc + cmd.last_key : cmd.last_key;
    for (int i = cmd.first_key; i > 0 && i <= last && i < argc; i += cmd.key_step)
      f(args[size_t(i)]);
    return;
  }
  // Scratch reused by every command of this thread: no allocation once grown.
  thread_local std::vector<int> positions;
  positions.clear();
  if (!cmd.key_positions(args, positions)) return;
  for (int p : positions) f(args[size_t(p)]);
}

// One command, or the queue of the EXEC that runs it.
struct request {
  const command_spec& cmd;
  const std::vector<std::string_view>& args;
  const session& client;
  bool exec;

  template <class F>
  void visit_keys(F&& f) const {
    if (!exec) return for_each_key(cmd, args, f);
    thread_local std::vector<std::string_view> views;
    for (const queued_command& q : client.tx.queue) {
      views.assign(q.args.begin(), q.args.end());
      for_each_key(*q.cmd, views, f);
    }
  }
};

// Keys of the request absent from database 0 (or expired), and present, all
// of them in `slot`: Redis looks only when the slot is being migrated or
// imported.
struct presence {
  size_t missing = 0, existing = 0;
};
presence count_presence(keyspace& ks, uint16_t slot, const request& r, bool shards_held) {
  shard_store& s = ks.shard(ks.shard_of_slot(slot));
  std::unique_lock<std::mutex> lock(s.lock(), std::defer_lock);
  if (ks.concurrent() && !shards_held) lock.lock();
  db_slice& db = s.db(0);
  int64_t now = wall_clock_ms();
  presence p;
  r.visit_keys([&](std::string_view key) {
    kv_entry* e = db.keys.find(key, hash_key(key));
    if (e == nullptr || (e->has_expire() && e->expire_at() <= now))
      ++p.missing;
    else
      ++p.existing;
  });
  return p;
}

// route() for a request: its keys, their slot, what is missing here.
// `keyed`: the request has keys at all.
// `ks` null: keys cannot be looked up now (a busy script holds the shards on
// this thread; its -BUSY answers the command).
cluster::route_decision decide(const cluster::slot_routing& routing, const request& r,
                               cluster::request_traits& t, keyspace* ks, bool shards_held,
                               bool& keyed) {
  cluster::key_summary keys;
  r.visit_keys([&](std::string_view k) { keys.add(k); });
  keyed = !keys.empty();
  if (!keyed) return {};
  presence p;
  if (!keys.cross_slot() && routing.slot_open(keys.slot())) {
    t.is_migrate = r.cmd.name == "migrate";
    if (!t.pubsub_shard) {
      if (ks == nullptr) return {};
      p = count_presence(*ks, keys.slot(), r, shards_held);
    }
  }
  return cluster::route(routing, keys, t, p.missing, p.existing);
}

std::optional<std::string> route_client_request(const check_input& in) {
  const command_spec& cmd = in.cmd;
  // Redis obeys its master (and the AOF, which never comes here); an atomic
  // slot migration's source writes the slots it is moving here.
  if (in.client.has(client_master) || in.client.has(client_slot_import)) return std::nullopt;
  bool exec = false;
  if (!has_keys(cmd)) {
    // EXEC routes over its queue; outside MULTI it only fails.
    if (cmd.name != "exec" || !in.client.has(client_multi)) return std::nullopt;
    exec = true;
  }
  const auto& routing = in.srv.cluster_routing();
  if (!routing) return std::nullopt;
  cluster::request_traits t;
  if (exec) {
    for (const queued_command& q : in.client.tx.queue)
      t.is_write |= (q.cmd->flags & cmd_write) != 0;
  } else {
    t.is_write = ((in.flags != 0 ? in.flags : cmd.flags) & cmd_write) != 0;
    t.pubsub_shard = (cmd.flags & cmd_channel_keys) != 0;
  }
  t.asking = in.client.has(client_asking) || (cmd.flags & cmd_asking);
  t.readonly_client = in.client.has(client_readonly);
  request r{cmd, in.args, in.client, exec};
  bool keyed;
  keyspace* ks = in.srv.script_runs.busy() ? nullptr : in.keys;
  cluster::route_decision d = decide(*routing, r, t, ks, false, keyed);
  if (d.kind == cluster::route_kind::serve_here) return std::nullopt;
  return cluster::route_error(*routing, d);
}

}  // namespace

std::optional<std::string> cluster_redirect(const check_input& in) {
  if (!in.srv.config().cluster_enabled.get()) return std::nullopt;
  return route_client_request(in);
}

bool is_cluster_redirect(std::string_view error) {
  for (std::string_view code : {"MOVED ", "ASK ", "TRYAGAIN ", "CROSSSLOT ", "CLUSTERDOWN "})
    if (error.substr(0, code.size()) == code) return true;
  return false;
}

std::optional<std::string> blocked_redirect(server_services& srv,
                                            const std::vector<std::string>& keys,
                                            bool readonly_read) {
  const auto& routing = srv.cluster_routing();
  if (!routing) return std::nullopt;
  cluster::route_decision d;
  if (!routing->cluster_ok) {
    d.kind = cluster::route_kind::down;
    return cluster::route_error(*routing, d);
  }
  if (keys.empty()) return std::nullopt;
  // All its keys are in one slot: the first says.
  d.slot = key_hash_slot(keys.front());
  d.node = routing->owner[d.slot];
  if (readonly_read && d.node != cluster::slot_routing::none && routing->master_of_self == d.node)
    return std::nullopt;
  if (d.node == routing->self || routing->importing_from[d.slot] != cluster::slot_routing::none)
    return std::nullopt;
  d.kind = d.node == cluster::slot_routing::none ? cluster::route_kind::down_unbound
                                                 : cluster::route_kind::moved;
  return cluster::route_error(*routing, d);
}

std::optional<std::string> script_call_route(const command_spec& cmd,
                                             const std::vector<std::string_view>& args,
                                             const session& caller, server_services& srv,
                                             keyspace& ks, int& script_slot,
                                             bool cross_slot_allowed) {
  if (!srv.config().cluster_enabled.get() || caller.has(client_master) || !has_keys(cmd))
    return std::nullopt;
  const auto& routing = srv.cluster_routing();
  if (!routing) return std::nullopt;
  cluster::request_traits t;
  t.is_write = (cmd.flags & cmd_write) != 0;
  t.pubsub_shard = (cmd.flags & cmd_channel_keys) != 0;
  // The script's calls carry its caller's READONLY and ASKING.
  t.asking = caller.has(client_asking) || (cmd.flags & cmd_asking);
  t.readonly_client = caller.has(client_readonly);
  request r{cmd, args, caller, false};
  bool keyed;
  cluster::route_decision d = decide(*routing, r, t, &ks, true, keyed);
  switch (d.kind) {
    case cluster::route_kind::serve_here:
      break;
    case cluster::route_kind::down_readonly:
      return "Script attempted to execute a write command while the cluster is down and readonly";
    case cluster::route_kind::down:
      return "Script attempted to execute a command while the cluster is down";
    default:
      return "Script attempted to access a non local key in a cluster node";
  }
  // Keys not declared must still share the declared keys' slot (unless the
  // script allows cross-slot keys, as legacy EVAL scripts do).
  if (keyed && !cross_slot_allowed) {
    if (script_slot == -1)
      script_slot = d.slot;
    else if (script_slot != d.slot)
      return "Script attempted to access keys that do not hash to the same slot";
  }
  return std::nullopt;
}

}  // namespace troupe
