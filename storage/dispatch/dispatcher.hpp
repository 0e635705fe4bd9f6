// The one path every command takes, whatever its source: a client connection,
// EXEC, a blocked client's replay, AOF loading, a master's stream. It looks the
// command up, runs the checks of command_checks.cpp, queues it inside MULTI,
// takes the shards it touches, runs it, journals its writes, wakes clients
// blocked on keys it created, and counts it (commandstats, errorstats).
//
// One dispatcher per reactor: it owns that reactor's statistics and scratch
// buffers and is used only from the reactor's thread. It is plain C++ (no
// actors), so unit tests drive it in-process (tests/unit/command_harness.hpp).
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "storage/dispatch/pause_kind.hpp"
#include "storage/keyspace/blocking.hpp"

namespace troupe {

struct command_spec;
struct exec_context;
struct session;
class keyspace;
class reply_writer;
class server_services;
struct reactor_stats;
class script_engine;

// Where a command comes from: which checks apply, what is journaled.
enum class command_origin : uint8_t {
  client,          // a client connection: every check, MULTI queueing
  transaction,     // queued by MULTI, run by EXEC (checked when queued)
  blocked_replay,  // a blocked client's command, replayed when its key is ready
  replay,          // AOF loading: no checks, not journaled again
  // A replica applying its master's stream: no checks (the master accepted the
  // command), keys are not expired here (the master's DELs do it), and what is
  // journaled is the master's own bytes (session::stream_pending), never a
  // re-encoding, so offsets stay the master's.
  replication,
  // redis.call from a script: checked by the script engine, run under the
  // shards the script holds, its writes journaled with the script's.
  script,
};

class dispatcher {
 public:
  dispatcher(keyspace& ks, server_services& srv, reactor_stats& stats);
  ~dispatcher();
  dispatcher(const dispatcher&) = delete;
  dispatcher& operator=(const dispatcher&) = delete;

  keyspace& keys() { return ks_; }
  server_services& services() { return srv_; }
  reactor_stats& stats() { return stats_; }

  // The whole path of one command; the reply (or error) goes to `out`.
  // Returns false when the command does not exist or has the wrong arity (a
  // replay must stop there).
  bool dispatch(session& client, const std::vector<std::string_view>& args, reply_writer& out,
                command_origin origin = command_origin::client);

  // -- MULTI / EXEC / WATCH (transaction.cpp) ----------------------------------------
  void begin_transaction(session& client);
  // EXEC: runs the queued commands atomically (all their shards held) and
  // writes the array of their replies; a nil array if a watched key changed.
  // Called by EXEC with its own context.
  void exec_transaction(exec_context& exec);
  void discard_transaction(session& client);
  // WATCH keys of database db (the caller holds their shards).
  void watch(session& client, int db, const std::vector<std::string_view>& keys);
  void unwatch_all(session& client);

  // -- blocked clients (blocked_replay.cpp) -------------------------------------------
  // Serves clients blocked on keys that commands created, in blocking order.
  void serve_ready_keys();
  // Ends a wait that was not served (timeout, CLIENT UNBLOCK, disconnect);
  // false if it was served meanwhile (its reply is on its way).
  bool end_block(const blocked_ptr& w);

  // The client is going away: its transaction and watches end.
  void forget_client(session& client);

  // -- scripts (storage/scripting/) ---------------------------------------------------
  // This reactor's Lua engine, created on first use.
  script_engine& scripting();
  // Memory was over maxmemory (nothing left to evict) when the script command
  // under way passed its checks: its commands that may grow memory are refused.
  bool script_oom() const { return script_oom_; }
  // A command a script called (redis.call): the engine checked it; it runs
  // under the shards the script holds.
  void run_from_script(const command_spec& cmd, const std::vector<std::string_view>& args,
                       session& script_client, reply_writer& out) {
    execute(cmd, args, script_client, out, command_origin::script, true);
  }

 private:
  const command_spec* lookup(const std::vector<std::string_view>& args, session& client,
                             reply_writer& out, command_origin origin);
  void reject(const command_spec* cmd, session& client, reply_writer& out, std::string_view error,
              command_origin origin);
  // Runs a command that passed its checks; `shards_held` when the caller (EXEC,
  // a replay for a waiter) already holds every shard it touches.
  void execute(const command_spec& cmd, const std::vector<std::string_view>& args, session& client,
               reply_writer& out, command_origin origin, bool shards_held);
  void run(const command_spec& cmd, const std::vector<std::string_view>& args, session& client,
           reply_writer& out, command_origin origin);
  // CLIENT PAUSE (or a failover) holds this client's command until it ends.
  // The pause that holds this command back (none: it runs now).
  pause_kind pause_holding(const command_spec& cmd, const session& client) const;
  // The shards a command touches, appended to `shards`; false means all of them.
  bool collect_shards(const command_spec& cmd, const std::vector<std::string_view>& args,
                      std::vector<int>& shards);
  void queue(const command_spec& cmd, const std::vector<std::string_view>& args, session& client,
             reply_writer& out);
  // SLOWLOG: the command took longer than slowlog-log-slower-than.
  // CLIENT TRACKING: remembers the keys `cmd` read for `client`.
  void remember_read_keys(const command_spec& cmd, const std::vector<std::string_view>& args,
                          session& client);
  // Writes the invalidations the client's own command caused, after its reply.
  void send_own_invalidations(session& client, reply_writer& out);
  void note_if_slow(const command_spec& cmd, const std::vector<std::string_view>& args,
                    session& client, int64_t ran_us);
  // LATENCY: the command took latency-monitor-threshold ms or more.
  void note_latency(const command_spec& cmd, int64_t ran_us);
  // MONITOR: the command's line for every monitor (some are watching).
  void feed_monitors(const std::vector<std::string_view>& args, const session& client);
  // A replication command ran: its pending stream bytes enter the journal.
  void journal_stream(session& client);
  void register_waiter(session& client, const command_spec& cmd,
                       const std::vector<std::string_view>& args, int db,
                       std::vector<std::string> keys, int64_t timeout_ms);

  keyspace& ks_;
  server_services& srv_;
  reactor_stats& stats_;
  std::vector<int> key_positions_;  // scratch, reused across commands
  std::vector<int> shard_ids_;
  std::unique_ptr<script_engine> scripting_;
  bool script_oom_ = false;
};

}  // namespace troupe
