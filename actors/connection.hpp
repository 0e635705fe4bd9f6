// One client connection: its socket, read buffer and RESP parser, output buffer,
// and session. It lives on a reactor: the reactor calls on_io() when the socket
// is ready, and commands run right here, on the reactor's thread, directly on
// the shards (see keyspace.hpp), so a request costs one recv and one send.
// As an actor it receives messages from others (CLIENT KILL, shutdown).
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "actors/hosted_actor.hpp"
#include "protocol/reply_writer.hpp"
#include "protocol/request_parser.hpp"
#include "storage/blocking.hpp"
#include "storage/session.hpp"

namespace troupe {

class server;
struct command_spec;
struct exec_context;

class connection : public hosted_actor, public io_handler, public flushable {
 public:
  connection(caf::actor_config& cfg, reactor& home, server& srv, int fd, std::string peer,
             std::string local, bool unix_socket);
  ~connection() override;

  caf::behavior make_behavior() override;
  const char* name() const override { return "connection"; }
  void on_io(uint32_t events) override;
  void flush_pending() override;

  session& state() { return session_; }
  int reactor_index() const { return reactor_index_; }
  server& owner() { return srv_; }

  // -- transactions (connection_multi.cpp) ----------------------------------------
  bool in_multi() const { return session_.has(client_multi); }
  void begin_multi();
  void discard_multi();
  // EXEC: runs the queued commands atomically and writes the array of replies.
  void exec_multi();
  // WATCH keys of database db (the caller holds their shards).
  void watch(int db, const std::vector<std::string_view>& keys);
  // UNWATCH everything.
  void unwatch_all();

  // -- blocking commands (connection_blocking.cpp) --------------------------------
  bool is_blocked() const { return blocked_ != nullptr; }
  // Ends the wait without a served reply: timeout (nil), CLIENT UNBLOCK ERROR, or close.
  enum class unblock_reason { timeout, error, closing };
  void end_block(unblock_reason why);

  // -- pub/sub (connection_pubsub.cpp) --------------------------------------------
  // SUBSCRIBE / UNSUBSCRIBE / PSUBSCRIBE / PUNSUBSCRIBE; an empty list for the
  // unsubscribe forms means all.
  void subscribe(const std::vector<std::string_view>& channels, bool pattern);
  void unsubscribe(const std::vector<std::string_view>& channels, bool pattern);
  int subscription_count() const { return int(channels_.size() + patterns_.size()); }
  // Leaves every channel and pattern without replying (RESET, close).
  void leave_all_subscriptions();
  // A published message for this subscriber (from its own reactor).
  void deliver_pubsub(std::string_view pattern, std::string_view channel, std::string_view message);
  // Idle-timeout check from the reactor's cron; true if the client was closed.
  bool close_if_idle(int64_t now_ms, int64_t timeout_s);
  // Closes the connection now (from the reactor thread).
  void close_now(const char* reason);
  void discard_pending_input();

 private:
  void on_readable();
  void process_input();
  void execute(const std::vector<std::string_view>& args);
  void execute_command(const command_spec& cmd, const std::vector<std::string_view>& args);
  void reject(const command_spec* cmd, std::string_view error);
  // Runs a command that has passed every check (no shard locking: the caller holds them).
  void run_command(const command_spec& cmd, const std::vector<std::string_view>& args);
  void abandon_out_of_memory(exec_context& ctx, size_t reply_mark);
  // The shards a command touches, appended to shard_ids_; false means all of them.
  bool collect_shards(const command_spec& cmd, const std::vector<std::string_view>& args);
  void queue_multi(const command_spec& cmd, const std::vector<std::string_view>& args);

  // Enforces client-output-buffer-limit for this client's class; false if it must close.
  bool output_within_limits();
  // The command asked to block: register the waiter (its shards are held).
  void start_block(exec_context& ctx, const command_spec& cmd,
                   const std::vector<std::string_view>& args);
  // A waiter's command was replayed for it elsewhere: take the reply and go on.
  void on_served(const std::string& reply);
  void flush_output();
  // Queues a flush at the end of the reactor's pass (once).
  void want_flush();
  void arm_write(bool on);
  void grow_input(size_t need);

  server& srv_;
  int fd_;
  bool closed_ = false;
  bool write_armed_ = false;
  bool flush_queued_ = false;
  caf::strong_actor_ptr keep_alive_;  // the reactor holds us while the socket is open
  int reactor_index_;

  session session_;
  request_parser parser_;
  request_parser::limits limits_;
  char* in_ = nullptr;
  size_t in_len_ = 0, in_cap_ = 0;
  std::string out_;
  size_t out_sent_ = 0;
  reply_writer writer_;
  std::vector<int> key_positions_;  // scratch, reused across commands
  std::vector<int> shard_ids_;

  struct queued_command {
    const command_spec* cmd;
    std::vector<std::string> args;
  };
  std::vector<queued_command> multi_queue_;
  std::vector<std::pair<int, std::string>> watched_;  // (db, key)
  std::set<std::string> channels_, patterns_;
  blocked_ptr blocked_;
  uint64_t block_timer_ = 0;
  bool executing_multi_ = false;  // blocking commands inside EXEC answer nil
  std::vector<std::pair<int, std::vector<std::string>>> tx_ops_;  // EXEC's journal entries
  int64_t soft_limit_since_ms_ = 0;  // when the soft output limit was first exceeded
};

}  // namespace troupe
