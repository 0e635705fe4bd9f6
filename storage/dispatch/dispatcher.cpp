#include "storage/dispatch/dispatcher.hpp"

#include <algorithm>
#include <new>
#include <stdexcept>

#include "protocol/commands/command_table.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/dispatch/client_endpoint.hpp"
#include "storage/dispatch/command_checks.hpp"
#include "storage/dispatch/invalidation_reply.hpp"
#include "storage/dispatch/monitor_line.hpp"
#include "storage/dispatch/redacted_arguments.hpp"
#include "storage/dispatch/server_stats.hpp"
#include "storage/dispatch/slot_check.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/keyspace/keyspace.hpp"
#include "storage/scripting/script_engine.hpp"

namespace troupe {

dispatcher::dispatcher(keyspace& ks, server_services& srv, reactor_stats& stats)
    : ks_(ks), srv_(srv), stats_(stats) {}

dispatcher::~dispatcher() = default;

script_engine& dispatcher::scripting() {
  if (!scripting_) scripting_ = std::make_unique<script_engine>(this);
  return *scripting_;
}

const command_spec* dispatcher::lookup(const std::vector<std::string_view>& args, session& client,
                                       reply_writer& out, command_origin origin) {
  const command_spec* cmd = command_table::instance().find(args[0]);
  if (cmd == nullptr) {
    std::string list;
    for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
      size_t room = 128 - list.size();
      list += '\'';
      list.append(as_c_string(args[i]).substr(0, room));
      list += "' ";
    }
    reject(nullptr, client, out,
           "ERR unknown command '" + std::string(as_c_string(args[0]).substr(0, 128)) +
               "', with args beginning with: " + list,
           origin);
    return nullptr;
  }
  if (cmd->has_subcommands() && args.size() >= 2) {
    const command_spec* sub = cmd->find_sub(args[1]);
    if (sub == nullptr) {
      std::string upper = cmd->name;
      for (auto& c : upper) c = char(toupper(static_cast<unsigned char>(c)));
      // Redis prints arguments into errors as C strings: they end at a NUL byte.
      reject(cmd, client, out,
             "ERR unknown subcommand '" + std::string(as_c_string(args[1]).substr(0, 128)) +
                 "'. Try " + upper + " HELP.",
             origin);
      return nullptr;
    }
    cmd = sub;
  }
  int argc = int(args.size());
  if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
    reject(cmd, client, out, "ERR wrong number of arguments for '" + cmd->name + "' command",
           origin);
    return nullptr;
  }
  return cmd;
}

void dispatcher::reject(const command_spec* cmd, session& client, reply_writer& out,
                        std::string_view error, command_origin origin) {
  // Inside MULTI a rejected command dooms the transaction (EXECABORT).
  if (client.has(client_multi)) client.set(client_dirty_exec);
  // Cluster ASKING lasts one command (a refused one too), or until EXEC.
  if (client.has(client_asking) && !client.has(client_multi) &&
      (cmd == nullptr || cmd->name != "asking"))
    client.clear(client_asking);
  if (cmd != nullptr && cmd->name == "exec") {
    // A rejected EXEC (wrong arity...) discards the transaction, as Redis does,
    // and says why without the ERR code; a cluster redirect goes as it is.
    if (client.has(client_multi)) discard_transaction(client);
    if (is_cluster_redirect(error)) {
      out.error(error);
    } else {
      if (error.rfind("ERR ", 0) == 0) error.remove_prefix(4);
      out.error("EXECABORT Transaction discarded because of: " + std::string(error));
    }
  } else {
    out.error(error);
  }
  if (origin == command_origin::replay || origin == command_origin::replication) return;
  stats_.count_error(out.last_error_code());
  if (cmd != nullptr) stats_.per_command[size_t(cmd->id)].rejected_calls.add();
}

bool dispatcher::dispatch(session& client, const std::vector<std::string_view>& args,
                          reply_writer& out, command_origin origin) {
  const command_spec* cmd = lookup(args, client, out, origin);
  if (cmd == nullptr) return false;
  if (origin == command_origin::client) {
    uint32_t flags = 0;
    if (cmd->flags & cmd_script) {
      flags = scripting().command_flags(*cmd, args, cmd->flags);
      // Redis's pre-command OOM state, which legacy scripts' commands obey.
      script_oom_ =
          srv_.config().maxmemory.get() != 0 && srv_.perform_evictions() == eviction_result::fail;
    }
    if (auto err = check_command({*cmd, args, client, srv_, flags, &ks_})) {
      reject(cmd, client, out, *err, origin);
      return true;
    }
    // After the checks and before MULTI queueing, as Redis's processCommand.
    if (pause_kind held = pause_holding(*cmd, client); held != pause_kind::none &&
                                                       client.endpoint != nullptr &&
                                                       client.endpoint->on_postpone(held))
      return true;
  }
  if (client.has(client_multi) && !(cmd->flags & cmd_tx_control)) {
    queue(*cmd, args, client, out);
    return true;
  }
  execute(*cmd, args, client, out, origin, false);
  // CLIENT CACHING yes|no counts for the next command (a whole transaction);
  // other CLIENT subcommands leave it, as in Redis. So does cluster ASKING,
  // but for ASKING itself. One flag test for both.
  if ((client.flags.load(std::memory_order_relaxed) & (client_tracking_caching | client_asking)) !=
          0 &&
      !client.has(client_multi)) {
    if (cmd->name.rfind("client|", 0) != 0) client.clear(client_tracking_caching);
    if (cmd->name != "asking") client.clear(client_asking);
  }
  if (ks_.ready_pending.load(std::memory_order_relaxed)) serve_ready_keys();
  return true;
}

pause_kind dispatcher::pause_holding(const command_spec& cmd, const session& client) const {
  pause_kind paused = srv_.clients_paused();
  if (paused == pause_kind::none || client.has(client_replica) || client.has(client_master))
    return pause_kind::none;
  if (paused == pause_kind::all) return paused;
  constexpr uint32_t writes = cmd_write | cmd_may_replicate;
  if (cmd.flags & writes) return paused;
  // EXEC of a transaction that queued a write.
  if (cmd.name == "exec" && client.has(client_multi))
    for (const queued_command& q : client.tx.queue)
      if (q.cmd->flags & writes) return paused;
  return pause_kind::none;
}

void dispatcher::queue(const command_spec& cmd, const std::vector<std::string_view>& args,
                       session& client, reply_writer& out) {
  queued_command q{&cmd, {}};
  q.args.reserve(args.size());
  for (auto a : args) q.args.emplace_back(a);
  client.tx.queue.push_back(std::move(q));
  client.multi_queued.store(int(client.tx.queue.size()), std::memory_order_relaxed);
  out.simple("QUEUED");
}

bool dispatcher::collect_shards(const command_spec& cmd, const std::vector<std::string_view>& args,
                                std::vector<int>& shards) {
  if (cmd.flags & cmd_no_keyspace) return true;
  key_positions_.clear();
  if ((cmd.flags & cmd_all_shards) || !cmd.key_positions(args, key_positions_)) return false;
  for (int pos : key_positions_) shards.push_back(ks_.shard_of_key(args[size_t(pos)]));
  return true;
}

void dispatcher::execute(const command_spec& cmd, const std::vector<std::string_view>& args,
                         session& client, reply_writer& out, command_origin origin,
                         bool shards_held) {
  if (shards_held || !ks_.concurrent() || (cmd.flags & cmd_no_keyspace)) {
    run(cmd, args, client, out, origin);
    return;
  }
  // Hold every shard the command touches, in ascending order (keyspace.hpp).
  shard_set_guard guard;
  shard_ids_.clear();
  if (collect_shards(cmd, args, shard_ids_))
    guard.acquire(ks_, shard_ids_);
  else
    guard.acquire_all(ks_);
  run(cmd, args, client, out, origin);
}

void dispatcher::run(const command_spec& cmd, const std::vector<std::string_view>& args,
                     session& client, reply_writer& out, command_origin origin) {
  client.last_command.store(&cmd, std::memory_order_relaxed);
  int64_t t0 = monotonic_ns();
  uint64_t errors_before = out.errors_written();
  // A script's commands see the time the script started (Redis 7.0 fixes
  // its cached time for nested calls: keys do not expire mid-script).
  int64_t now_ms = origin == command_origin::script && scripting_ != nullptr
                       ? scripting_->script_time_ms()
                       : wall_clock_ms();
  exec_context ctx(args, out, client, ks_, srv_, cmd, now_ms, *this, origin);
  switch (origin) {
    case command_origin::client:
      break;
    case command_origin::blocked_replay:
      ctx.blocking = block_mode::retry;
      break;
    case command_origin::transaction:
    case command_origin::replay:
    case command_origin::replication:
    case command_origin::script:
      ctx.blocking = block_mode::reply_null;
      break;
  }
  size_t reply_mark = out.buffer().size();
  bool out_of_memory = false;
  try {
    cmd.handler(ctx);
  } catch (const std::bad_alloc&) {
    out_of_memory = true;
  } catch (const std::length_error&) {  // a container asked for more than it can hold
    out_of_memory = true;
  }
  if (out_of_memory) {
    // A last resort: commands check sizes before they allocate. An allocation
    // that still fails costs this command (its partial reply is dropped,
    // nothing is journaled), never the server.
    out.buffer().resize(reply_mark);
    out.error("ERR Out of memory executing the command");
    ctx.changes = 0;
    ctx.rewritten.clear();
    ctx.block_requested = false;
  }
  // One clock read for every figure: commandstats, latency, the slow log.
  int64_t ran_ns = monotonic_ns() - t0;
  int64_t ran_us = ran_ns / 1000;
  if (ctx.block_requested) {
    std::vector<std::string_view> replayed(ctx.block_args.begin(), ctx.block_args.end());
    register_waiter(client, cmd, ctx.block_args.empty() ? args : replayed, ctx.db_index,
                    std::move(ctx.block_keys), ctx.block_timeout_ms);
  }
  if (origin == command_origin::replication) {
    // The master's bytes, still under the command's shards (a MULTI waits for
    // its EXEC, which journals the whole block).
    if (!client.has(client_multi)) journal_stream(client);
  } else if (origin != command_origin::replay && (ctx.changes > 0 || !ctx.rewritten.empty()) &&
             srv_.journal_active()) {
    // Journaled while the command's shards are still held: the journal's
    // order is the order of execution.
    std::vector<journal_op> ops;
    if (ctx.rewritten.empty())
      ops.emplace_back(ctx.db_index, std::vector<std::string>(args.begin(), args.end()));
    else
      for (auto& r : ctx.rewritten) ops.emplace_back(ctx.db_index, std::move(r));
    if (origin == command_origin::transaction || origin == command_origin::script)
      client.tx.ops.insert(client.tx.ops.end(), std::make_move_iterator(ops.begin()),
                           std::make_move_iterator(ops.end()));
    else {
      srv_.journal_ops(ops);
      client.woff = srv_.journal_end();
    }
  }
  // Client-side caching: the keys a tracking client read, and (after its
  // reply) what its own writes invalidated.
  if ((cmd.flags & cmd_readonly) && client.has(client_tracking))
    remember_read_keys(cmd, args, client);
  if (!client.tracking_pending.empty() && origin != command_origin::transaction)
    send_own_invalidations(client, out);
  // The slow log has a command when it runs to its end (not when it blocks).
  if (!ctx.block_requested && origin != command_origin::replay) {
    note_if_slow(cmd, args, client, ran_us);
    note_latency(cmd, ran_us);
  }
  // A replayed waiter's command was counted (and shown) when it blocked.
  if (origin == command_origin::blocked_replay) return;
  if (origin != command_origin::replay &&
      srv_.monitor_clients.load(std::memory_order_relaxed) > 0 && shown_by_monitor(cmd))
    feed_monitors(args, client);
  auto& cs = stats_.per_command[size_t(cmd.id)];
  cs.calls.add();
  cs.usec.add(uint64_t(ran_us));
  if (srv_.config().latency_tracking.get()) cs.record_latency(ran_ns);
  stats_.commands_processed.add();
  if (out.errors_written() != errors_before) {
    cs.failed_calls.add();
    stats_.count_error(out.last_error_code());
  }
}

void dispatcher::note_if_slow(const command_spec& cmd, const std::vector<std::string_view>& args,
                              session& client, int64_t ran_us) {
  int64_t threshold = srv_.config().slowlog_log_slower_than.get();
  if (threshold < 0 || ran_us < threshold || (cmd.flags & cmd_skip_slowlog)) return;
  std::string name;
  {
    std::lock_guard<std::mutex> g(client.mutex);
    name = client.name;
  }
  srv_.slow_log.add(redact_arguments(args), ran_us, wall_clock_ms() / 1000, client.addr,
                    std::move(name), size_t(srv_.config().slowlog_max_len.get()));
}

void dispatcher::feed_monitors(const std::vector<std::string_view>& args, const session& client) {
  // After the command, with the database it left selected, as Redis's call().
  std::string source;
  if (client.has(client_unix_socket))
    source = "unix:" + *srv_.config().unixsocket.get();
  else
    source = client.addr;
  srv_.feed_monitors(monitor_line(wall_clock_us(), client.current_db(), source, args));
}

void dispatcher::note_latency(const command_spec& cmd, int64_t ran_us) {
  int64_t threshold = srv_.config().latency_monitor_threshold.get();
  int64_t ms = ran_us / 1000;
  if (threshold == 0 || ms < threshold) return;
  srv_.latency_events.add((cmd.flags & cmd_fast) ? "fast-command" : "command", uint32_t(ms),
                          wall_clock_ms() / 1000);
}

void dispatcher::journal_stream(session& client) {
  if (client.stream_pending.empty()) return;
  srv_.journal_raw(client.stream_pending, client.current_db());
  client.stream_pending = {};
}

void dispatcher::register_waiter(session& client, const command_spec& cmd,
                                 const std::vector<std::string_view>& args, int db,
                                 std::vector<std::string> keys, int64_t timeout_ms) {
  if (client.endpoint == nullptr) return;  // nobody to wake: the command answered nothing
  auto w = std::make_shared<blocked_client>();
  w->s = &client;
  w->db = db;
  w->cmd = &cmd;
  w->args.assign(args.begin(), args.end());
  w->keys = std::move(keys);
  std::vector<int> positions;
  cmd.key_positions(args, positions);
  for (int p : positions) w->shards.push_back(ks_.shard_of_key(args[size_t(p)]));
  std::sort(w->shards.begin(), w->shards.end());
  w->shards.erase(std::unique(w->shards.begin(), w->shards.end()), w->shards.end());
  // The command's shards are held by the caller: register on every key.
  for (auto& key : w->keys) ks_.shard(ks_.shard_of_key(key)).blocked(db)[key].push_back(w);
  ks_.blocked_clients.fetch_add(1, std::memory_order_relaxed);
  client.set(client_blocked);
  client.endpoint->on_block(w, timeout_ms);
}

void dispatcher::remember_read_keys(const command_spec& cmd,
                                    const std::vector<std::string_view>& args, session& client) {
  if (client.has(client_tracking_bcast)) return;  // BCAST hears of prefixes, not reads
  bool caching = client.has(client_tracking_caching);
  if ((client.has(client_tracking_optin) && !caching) ||
      (client.has(client_tracking_optout) && caching))
    return;
  std::vector<int> positions;
  if (!cmd.key_positions(args, positions)) return;
  for (int p : positions) ks_.tracking.remember(client.id, args[size_t(p)]);
  int64_t max_keys = srv_.config().tracking_table_max_keys.get();
  if (max_keys > 0 && ks_.tracking.total_keys() > size_t(max_keys)) {
    std::vector<invalidation> out;
    ks_.tracking.enforce_max_keys(size_t(max_keys), out);
    if (!out.empty() && ks_.deliver_invalidations) ks_.deliver_invalidations(out, client.id);
  }
}

void dispatcher::send_own_invalidations(session& client, reply_writer& out) {
  std::vector<invalidation> pending = std::move(client.tracking_pending);
  client.tracking_pending.clear();
  for (const invalidation& inv : pending)
    write_invalidation(out, client.resp, inv.redirect != 0, client.has(client_pubsub), inv.keys,
                       inv.flush);
}

void dispatcher::forget_client(session& client) {
  if (client.has(client_tracking)) ks_.tracking.disable(client.id);
  client.clear(client_multi);
  client.tx.queue.clear();
  unwatch_all(client);
}

}  // namespace troupe
