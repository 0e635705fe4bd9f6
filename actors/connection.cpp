#include "actors/connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

#include <caf/all.hpp>

#include "actors/blocking.hpp"
#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "actors/server.hpp"
#include "protocol/command_table.hpp"
#include "storage/exec_context.hpp"

namespace troupe {
namespace {
constexpr size_t read_chunk = 16 * 1024;  // Redis's PROTO_IOBUF_LEN

inline int64_t steady_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
}  // namespace

connection::connection(caf::actor_config& cfg, reactor& home, server& srv, int fd, std::string peer,
                       std::string local, bool unix_socket)
    : hosted_actor(cfg, home), srv_(srv), fd_(fd), reactor_index_(home.index()), writer_(out_) {
  session_.id = srv.next_client_id();
  session_.fd = fd;
  session_.addr = std::move(peer);
  session_.laddr = std::move(local);
  if (unix_socket) session_.set(client_unix_socket);
  int64_t now = wall_clock_ms();
  session_.created_ms = now;
  session_.last_interaction_ms = now;
  session_.authenticated = !srv.auth_required();
  session_.owner = this;
}

connection::~connection() {
  free(in_);
  if (!closed_ && fd_ >= 0) ::close(fd_);
}

caf::behavior connection::make_behavior() {
  keep_alive_ = ctrl();
  if (!srv_.add_client(session_.id,
                       {&session_, caf::actor_cast<caf::actor>(this), reactor_index_})) {
    // maxclients reached: tell the client, as Redis does, and hang up.
    static const char msg[] = "-ERR max number of clients reached\r\n";
    ssize_t r = ::send(fd_, msg, sizeof(msg) - 1, MSG_NOSIGNAL);
    (void)r;
    srv_.stats_of(reactor_index_).rejected_connections.add();
    ::close(fd_);
    closed_ = true;
    keep_alive_.reset();
    quit();
    return {};
  }
  srv_.hosted_connections(reactor_index_).insert(this);
  srv_.directory().add({id(), "connection", session_.addr, 0, reactor_index_, {}});
  home().add_fd(fd_, this, EPOLLIN);
  return {
      [this](close_atom) {
        if (!closed_) close_now("killed");
        keep_alive_.reset();
        quit();
      },
      [this](unblock_atom, const std::string& reply) {
        if (!closed_) on_served(reply);
      },
      [this](cancel_atom, bool with_error) {
        if (!closed_ && blocked_)
          end_block(with_error ? unblock_reason::error : unblock_reason::timeout);
      },
      [this](pubsub_atom, const std::string& pattern, const std::string& channel,
             const std::string& message) {
        if (!closed_) deliver_pubsub(pattern, channel, message);
      },
  };
}

void connection::on_io(uint32_t events) {
  if (closed_) return;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable();
  // Writable again: flush at the pass end like every reply, after the AOF.
  if (!closed_ && (events & EPOLLOUT) && !flush_queued_) {
    flush_queued_ = true;
    home().defer_flush(this);
  }
}

void connection::grow_input(size_t need) {
  if (need <= in_cap_) return;
  size_t cap = in_cap_ == 0 ? read_chunk : in_cap_;
  while (cap < need) cap *= 2;
  char* p = static_cast<char*>(realloc(in_, cap));
  if (p == nullptr) throw std::bad_alloc();
  in_ = p;
  in_cap_ = cap;
}

void connection::on_readable() {
  size_t want = read_chunk;
  // A big bulk argument is on its way: make room for all of it at once.
  if (parser_.bytes_needed() > in_len_ + want) want = parser_.bytes_needed() - in_len_;
  grow_input(in_len_ + want);
  ssize_t n = ::recv(fd_, in_ + in_len_, in_cap_ - in_len_, 0);
  if (n > 0) {
    in_len_ += size_t(n);
    auto& st = srv_.stats_of(reactor_index_);
    st.net_input_bytes.add(uint64_t(n));
    st.reads_processed.add();
    process_input();
    if (!closed_) want_flush();
  } else if (n == 0) {
    log_verbose("Client closed connection id={} addr={}", session_.id, session_.addr);
    close_now("client closed connection");
  } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
    log_verbose("Reading from client: {}", strerror(errno));
    close_now("read error");
  }
}

void connection::process_input() {
  int64_t now = wall_clock_ms();
  session_.last_interaction_ms.store(now, std::memory_order_relaxed);
  limits_.max_bulk_len = srv_.settings.proto_max_bulk_len.load(std::memory_order_relaxed);
  while (!closed_ && !session_.has(client_close_after_reply) && !blocked_) {
    limits_.unauthenticated = !session_.authenticated && srv_.auth_required();
    auto r = parser_.parse(in_, in_len_, limits_);
    if (r == request_parser::result::command) {
      execute(parser_.args());
      if (session_.has(client_close_asap)) {
        close_now("closed by command");
        return;
      }
    } else if (r == request_parser::result::incomplete) {
      break;
    } else {
      log_verbose("Protocol error ({}) from client: id={} addr={}", parser_.error(), session_.id,
                  session_.addr);
      writer_.error("ERR " + parser_.error());
      srv_.stats_of(reactor_index_).count_error("ERR");
      session_.set(client_close_after_reply);
      parser_.reset();
      in_len_ = 0;
      return;
    }
  }
  size_t consumed = parser_.consumed();
  if (consumed > 0) {
    memmove(in_, in_ + consumed, in_len_ - consumed);
    in_len_ -= consumed;
    parser_.shift(consumed);
  }
  // Give back a big buffer once it is no longer needed.
  if (in_len_ == 0 && in_cap_ > 4 * read_chunk && parser_.bytes_needed() == 0) {
    free(in_);
    in_ = nullptr;
    in_cap_ = 0;
  }
  session_.query_buffer.store(in_len_, std::memory_order_relaxed);
  session_.query_buffer_free.store(in_cap_ - in_len_, std::memory_order_relaxed);
  if (int64_t(in_len_) > srv_.query_buffer_limit()) {
    log_warning(
        "Closing client that reached max query buffer length: id={} addr={} (qbuf "
        "initial bytes: {})",
        session_.id, session_.addr, std::string(in_, std::min<size_t>(in_len_, 64)));
    close_now("query buffer limit");
  }
}

void connection::reject(const command_spec* cmd, std::string_view error) {
  if (in_multi()) session_.set(client_dirty_exec);  // EXEC will abort
  if (cmd != nullptr && cmd->name == "exec") {
    // A rejected EXEC (wrong arity...) discards the transaction, as Redis does,
    // and says why without the ERR code.
    if (in_multi()) discard_multi();
    if (error.rfind("ERR ", 0) == 0) error.remove_prefix(4);
    writer_.error("EXECABORT Transaction discarded because of: " + std::string(error));
  } else {
    writer_.error(error);
  }
  auto& st = srv_.stats_of(reactor_index_);
  st.count_error(writer_.last_error_code());
  if (cmd != nullptr) st.per_command[size_t(cmd->id)].rejected_calls.add();
}

void connection::execute(const std::vector<std::string_view>& args) {
  const command_spec* cmd = command_table::instance().find(args[0]);
  if (cmd == nullptr) {
    std::string list;
    for (size_t i = 1; i < args.size() && list.size() < 128; ++i) {
      size_t room = 128 - list.size();
      list += '\'';
      list.append(as_c_string(args[i]).substr(0, room));
      list += "' ";
    }
    reject(nullptr, "ERR unknown command '" + std::string(as_c_string(args[0]).substr(0, 128)) +
                        "', with args beginning with: " + list);
    return;
  }
  if (cmd->has_subcommands() && args.size() >= 2) {
    const command_spec* sub = cmd->find_sub(args[1]);
    if (sub == nullptr) {
      std::string upper = cmd->name;
      for (auto& c : upper) c = char(toupper(static_cast<unsigned char>(c)));
      // Redis prints arguments into errors as C strings: they end at a NUL byte.
      reject(cmd, "ERR unknown subcommand '" + std::string(as_c_string(args[1]).substr(0, 128)) +
                      "'. Try " + upper + " HELP.");
      return;
    }
    cmd = sub;
  }
  int argc = int(args.size());
  if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
    reject(cmd, "ERR wrong number of arguments for '" + cmd->name + "' command");
    return;
  }
  if (!session_.authenticated && !(cmd->flags & cmd_no_auth) && srv_.auth_required()) {
    reject(cmd, "NOAUTH Authentication required.");
    return;
  }
  const std::string& name = cmd->parent ? cmd->parent->name : cmd->name;
  if ((cmd->flags & cmd_write) && srv_.snapshots().writes_refused()) {
    reject(cmd,
           "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
           "persist to disk. Commands that may modify the data set are disabled, because this "
           "instance is configured to report errors during writes if RDB snapshotting fails "
           "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
           "the RDB error.");
    return;
  }
  // A RESP2 subscriber may only manage its subscriptions.
  if (session_.resp == 2 && subscription_count() > 0 && name != "subscribe" &&
      name != "unsubscribe" && name != "psubscribe" && name != "punsubscribe" &&
      name != "ssubscribe" && name != "sunsubscribe" && name != "ping" && name != "quit" &&
      name != "reset") {
    reject(cmd, "ERR Can't execute '" + cmd->name +
                    "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                    "allowed in this context");
    return;
  }
  if (in_multi() && name != "exec" && name != "discard" && name != "multi" && name != "watch" &&
      name != "quit" && name != "reset") {
    if (cmd->flags & cmd_no_multi) {
      reject(cmd, "ERR Command not allowed inside a transaction");
      return;
    }
    queue_multi(*cmd, args);
    return;
  }
  execute_command(*cmd, args);
  if (srv_.keys().ready_pending.load(std::memory_order_relaxed)) serve_ready_keys(srv_);
}

bool connection::collect_shards(const command_spec& cmd,
                                const std::vector<std::string_view>& args) {
  if (cmd.flags & cmd_no_keyspace) return true;
  key_positions_.clear();
  if ((cmd.flags & cmd_all_shards) || !cmd.key_positions(args, key_positions_)) return false;
  keyspace& ks = srv_.keys();
  for (int pos : key_positions_) shard_ids_.push_back(ks.shard_of_key(args[size_t(pos)]));
  return true;
}

void connection::execute_command(const command_spec& cmd,
                                 const std::vector<std::string_view>& args) {
  keyspace& ks = srv_.keys();
  if (ks.concurrent() && !(cmd.flags & cmd_no_keyspace)) {
    // Hold every shard the command touches, in ascending order (keyspace.hpp).
    shard_set_guard guard;
    shard_ids_.clear();
    if (collect_shards(cmd, args))
      guard.acquire(ks, shard_ids_);
    else
      guard.acquire_all(ks);
    run_command(cmd, args);
  } else {
    run_command(cmd, args);
  }
}

// A last resort: commands check sizes before they allocate. An allocation that
// still fails costs this command (its partial reply is dropped, nothing is
// journaled), never the server.
void connection::abandon_out_of_memory(exec_context& ctx, size_t reply_mark) {
  out_.resize(reply_mark);
  writer_.error("ERR Out of memory executing the command");
  log_warning("Out of memory executing '{}' for client id={}", ctx.cmd.name, session_.id);
  ctx.changes = 0;
  ctx.rewritten.clear();
  ctx.block_requested = false;
}

void connection::run_command(const command_spec& cmd, const std::vector<std::string_view>& args) {
  session_.last_command.store(&cmd, std::memory_order_relaxed);
  int64_t t0 = steady_ns();
  uint64_t errors_before = writer_.errors_written();
  exec_context ctx(args, writer_, session_, srv_.keys(), srv_, cmd, wall_clock_ms());
  if (executing_multi_) ctx.blocking = block_mode::reply_null;
  size_t reply_mark = out_.size();
  try {
    cmd.handler(ctx);
  } catch (const std::bad_alloc&) {
    abandon_out_of_memory(ctx, reply_mark);
  } catch (const std::length_error&) {  // a container asked for more than it can hold
    abandon_out_of_memory(ctx, reply_mark);
  }
  if (ctx.block_requested) start_block(ctx, cmd, args);
  write_journal& j = srv_.journal_log();
  if (j.active() && (ctx.changes > 0 || !ctx.rewritten.empty())) {
    // Journaled while the command's shards are still held: the journal's order
    // is the order of execution.
    std::vector<write_journal::op> ops;
    if (ctx.rewritten.empty())
      ops.emplace_back(ctx.db_index, std::vector<std::string>(args.begin(), args.end()));
    else
      for (auto& r : ctx.rewritten) ops.emplace_back(ctx.db_index, std::move(r));
    if (executing_multi_)
      tx_ops_.insert(tx_ops_.end(), std::make_move_iterator(ops.begin()),
                     std::make_move_iterator(ops.end()));
    else
      j.append_ops(ops);
  }
  int64_t t1 = steady_ns();
  auto& st = srv_.stats_of(reactor_index_);
  auto& cs = st.per_command[size_t(cmd.id)];
  cs.calls.add();
  cs.usec.add(uint64_t((t1 - t0) / 1000));
  st.commands_processed.add();
  if (writer_.errors_written() != errors_before) {
    cs.failed_calls.add();
    st.count_error(writer_.last_error_code());
  }
}

void connection::want_flush() {
  if (flush_queued_) return;
  if (out_sent_ == out_.size() && !session_.has(client_close_after_reply) &&
      !session_.has(client_close_asap))
    return;
  flush_queued_ = true;
  home().defer_flush(this);
}

void connection::flush_pending() {
  flush_queued_ = false;
  if (closed_) return;
  if (session_.has(client_close_asap)) {
    close_now("output buffer limit or close requested");
    return;
  }
  flush_output();
}

void connection::arm_write(bool on) {
  if (on == write_armed_) return;
  write_armed_ = on;
  home().modify_fd(fd_, this, on ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
}

void connection::flush_output() {
  auto& st = srv_.stats_of(reactor_index_);
  while (out_sent_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
    if (n > 0) {
      out_sent_ += size_t(n);
      st.net_output_bytes.add(uint64_t(n));
      st.writes_processed.add();
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      arm_write(true);
      session_.output_bytes.store(out_.size() - out_sent_, std::memory_order_relaxed);
      return;
    }
    if (n < 0 && errno == EINTR) continue;
    log_verbose("Error writing to client: {}", strerror(errno));
    close_now("write error");
    return;
  }
  if (out_.capacity() > 1024 * 1024) {
    std::string().swap(out_);
    writer_.retarget(out_);
  } else {
    out_.clear();
  }
  out_sent_ = 0;
  session_.output_bytes.store(0, std::memory_order_relaxed);
  arm_write(false);
  if (session_.has(client_close_after_reply)) close_now("close after reply");
}

bool connection::close_if_idle(int64_t now_ms, int64_t timeout_s) {
  if (closed_ || timeout_s <= 0) return false;
  if (session_.has(client_pubsub) || session_.has(client_blocked) || session_.has(client_replica) ||
      session_.has(client_master))
    return false;
  if (now_ms - session_.last_interaction_ms.load(std::memory_order_relaxed) <= timeout_s * 1000)
    return false;
  log_verbose("Closing idle client id={} addr={}", session_.id, session_.addr);
  close_now("idle");
  return true;
}

// Closing a socket with unread input makes the kernel send a reset, and a reset
// can destroy the reply (such as a protocol error) still queued at the client.
// Reading what already arrived first lets that reply through; bounded so a
// client streaming data cannot hold the reactor.
void connection::discard_pending_input() {
  char sink[16384];
  for (int i = 0; i < 64; ++i) {
    ssize_t n = ::recv(fd_, sink, sizeof sink, MSG_DONTWAIT);
    if (n <= 0) break;
  }
}

void connection::close_now(const char* reason) {
  if (closed_) return;
  closed_ = true;
  log_debug("closing client id={}: {}", session_.id, reason);
  if (flush_queued_) home().cancel_flush(this);
  flush_queued_ = false;
  if (blocked_) end_block(unblock_reason::closing);
  leave_all_subscriptions();
  session_.clear(client_multi);
  unwatch_all();
  home().remove_fd(fd_);
  discard_pending_input();
  ::close(fd_);
  fd_ = -1;
  srv_.remove_client(session_.id);
  srv_.hosted_connections(reactor_index_).erase(this);
  srv_.directory().remove(id());
  // Finish as an actor from inside a message handler: CAF cleans an actor up
  // only while it runs.
  caf::anon_send(caf::actor_cast<caf::actor>(this), close_atom::value);
}

}  // namespace troupe
