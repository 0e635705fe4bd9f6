#include "actors/client/connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <caf/all.hpp>

#include "actors/net/tls_stream.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/server/server.hpp"
#include "storage/acl/protected_mode.hpp"
#include "storage/dispatch/dispatcher.hpp"

namespace troupe {
namespace {
constexpr size_t read_chunk = 16 * 1024;  // Redis's PROTO_IOBUF_LEN

}  // namespace

connection::connection(caf::actor_config& cfg, reactor& home, server& srv, int fd, std::string peer,
                       std::string local, bool unix_socket, std::unique_ptr<tls_stream> tls)
    : hosted_actor(cfg, home),
      srv_(srv),
      engine_(srv.dispatcher_of(home.index())),
      fd_(fd),
      reactor_index_(home.index()),
      writer_(out_) {
  session_.id = srv.next_client_id();
  session_.fd = fd;
  session_.addr = std::move(peer);
  session_.laddr = std::move(local);
  if (unix_socket) session_.set(client_unix_socket);
  int64_t now = wall_clock_ms();
  session_.created_ms = now;
  session_.last_interaction_ms = now;
  session_.authenticated = !srv.auth_required();
  session_.acl_user = srv.acl.default_user();
  session_.endpoint = this;
  tls_ = std::move(tls);
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
    if (!tls_) {  // a TLS client has not even finished its handshake: just hang up
      ssize_t r = ::send(fd_, msg, sizeof(msg) - 1, MSG_NOSIGNAL);
      (void)r;
    }
    srv_.stats_of(reactor_index_).rejected_connections.add();
    ::close(fd_);
    closed_ = true;
    keep_alive_.reset();
    quit();
    return {};
  }
  // protected-mode: no password on the default user, and the client is not local.
  if (protected_mode_refuses(srv_.config().protected_mode.get(), !srv_.auth_required(),
                             session_.has(client_unix_socket), session_.addr)) {
    std::string msg = std::string("-") + protected_mode_error + "\r\n";
    ssize_t r = ::send(fd_, msg.data(), msg.size(), MSG_NOSIGNAL);
    (void)r;
    srv_.stats_of(reactor_index_).rejected_connections.add();
    srv_.remove_client(session_.id);
    ::close(fd_);
    closed_ = true;
    keep_alive_.reset();
    quit();
    return {};
  }
  srv_.hosted_connections(reactor_index_).insert(this);
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
      // The node became a replica: its blocked clients are let go (REPLICAOF).
      [this](cancel_atom, replica_atom) {
        if (!closed_ && blocked_) end_block(unblock_reason::role_change);
      },
      // A pause ended: the postponed command is dispatched again.
      [this](resume_atom) {
        if (closed_ || !postponed_) return;
        postponed_ = false;
        process_input();
        if (!closed_) want_flush();
      },
      [this](pubsub_atom, const published_message& m) {
        if (!closed_) deliver_pubsub(m.pattern, m.channel, m.payload, m.shard);
      },
      [this](monitor_atom, const std::string& line) {
        if (!closed_) deliver_monitor_line(line);
      },
      [this](invalidate_atom, const std::vector<std::string>& keys, bool flush, bool redirected) {
        if (!closed_) deliver_invalidation(keys, flush, redirected);
      },
      [this](invalidate_atom, uint64_t redirect) {
        if (!closed_) tracking_redirect_broken(redirect);
      },
  };
}

void connection::on_io(uint32_t events) {
  if (closed_) return;
  if (tls_ && !tls_on_io(events)) return;
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
  ssize_t n = tls_ ? tls_recv(in_ + in_len_, in_cap_ - in_len_)
                   : ::recv(fd_, in_ + in_len_, in_cap_ - in_len_, 0);
  if (n > 0) {
    in_len_ += size_t(n);
    auto& st = srv_.stats_of(reactor_index_);
    st.net_input_bytes.add(uint64_t(n));
    st.reads_processed.add();
    process_input();
    if (!closed_) want_flush();
    if (tls_ && !closed_) tls_read_pending();
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
  limits_.max_bulk_len = srv_.config().proto_max_bulk_len.get();
  size_t postponed_at = 0;
  while (!closed_ && !session_.has(client_close_after_reply) && !blocked_ && !postponed_) {
    limits_.unauthenticated = !session_.authenticated && srv_.auth_required();
    size_t command_start = parser_.consumed();
    auto r = parser_.parse(in_, in_len_, limits_);
    if (r == request_parser::result::command) {
      // CLIENT REPLY OFF / SKIP: the command runs, its reply is dropped.
      bool skip = session_.has(client_reply_skip_next);
      if (skip) session_.clear(client_reply_skip_next);
      size_t reply_mark = out_.size();
      engine_.dispatch(session_, parser_.args(), writer_);
      if ((skip || session_.has(client_reply_off)) && out_.size() > reply_mark)
        out_.resize(reply_mark);
      if (postponed_) {
        postponed_at = command_start;  // parsed again when the pause ends
        break;
      }
      if (session_.has(client_close_asap)) {
        close_now("closed by command");
        return;
      }
      if (session_.has(client_replica)) break;  // SYNC / PSYNC: see below
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
  size_t consumed = postponed_ ? postponed_at : parser_.consumed();
  if (consumed > 0) {
    memmove(in_, in_ + consumed, in_len_ - consumed);
    in_len_ -= consumed;
    parser_.shift(consumed);
  }
  // The postponed command starts the buffer now and is parsed from scratch.
  if (postponed_) parser_.reset();
  if (session_.has(client_replica)) {
    hand_over_to_replica_feed();
    return;
  }
  // A big buffer is kept while the client is busy, as Redis keeps its query
  // buffer, and given back by the cron (trim_input): it counts in used_memory
  // meanwhile, so a pipeline that filled memory to maxmemory does not see the
  // room its own buffer took as free the moment its batch ends.
  in_peak_ = std::max(in_peak_, in_len_ + consumed);
  session_.query_buffer.store(in_len_, std::memory_order_relaxed);
  session_.query_buffer_free.store(in_cap_ - in_len_, std::memory_order_relaxed);
  if (int64_t(in_len_) > srv_.config().client_query_buffer_limit.get()) {
    log_warning(
        "Closing client that reached max query buffer length: id={} addr={} (qbuf "
        "initial bytes: {})",
        session_.id, session_.addr, std::string(in_, std::min<size_t>(in_len_, 64)));
    close_now("query buffer limit");
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
  if (!on && tls_read_wants_write_) return;  // a TLS read waits for writability
  write_armed_ = on;
  home().modify_fd(fd_, this, on ? (EPOLLIN | EPOLLOUT) : EPOLLIN);
}

void connection::flush_output() {
  auto& st = srv_.stats_of(reactor_index_);
  while (out_sent_ < out_.size()) {
    ssize_t n = tls_ ? tls_send(out_.data() + out_sent_, out_.size() - out_sent_)
                     : ::send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
    if (n > 0) {
      out_sent_ += size_t(n);
      st.net_output_bytes.add(uint64_t(n));
      st.writes_processed.add();
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!tls_write_wants_read_) arm_write(true);  // else the next read retries
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

void connection::trim_input(int64_t now_ms) {
  // Redis's rule (clientsCronResizeQueryBuffer): a buffer past 32 KB is given
  // back when it is more than twice the peak since the last look, or when the
  // client has been idle for 2 seconds.
  bool idle = now_ms - session_.last_interaction_ms.load(std::memory_order_relaxed) > 2000;
  if (!closed_ && in_len_ == 0 && in_cap_ > 2 * read_chunk && parser_.bytes_needed() == 0 &&
      (in_cap_ / (in_peak_ + 1) > 2 || idle)) {
    free(in_);
    in_ = nullptr;
    in_cap_ = 0;
    session_.query_buffer_free.store(0, std::memory_order_relaxed);
  }
  in_peak_ = in_len_;
}

bool connection::close_if_idle(int64_t now_ms, int64_t timeout_s) {
  if (closed_ || timeout_s <= 0) return false;
  if (session_.has(client_pubsub) || session_.has(client_blocked) || session_.has(client_replica) ||
      session_.has(client_master) || session_.has(client_monitor))
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
  if (blocked_) {
    end_block(unblock_reason::closing);
    // Served on another reactor just before the close, end_block left it (its
    // reply is on the way to a client that is gone). The wait holds a strong
    // handle to this actor: kept, with its timers, it would keep the closed
    // connection alive for ever.
    forget_block();
  }
  leave_all_subscriptions();
  stop_monitoring();
  engine_.forget_client(session_);
  if (session_.has(client_slot_import)) srv_.slot_import_closed(session_.id);
  home().remove_fd(fd_);
  if (tls_) tls_->shutdown();
  discard_pending_input();
  ::close(fd_);
  fd_ = -1;
  srv_.remove_client(session_.id);
  srv_.hosted_connections(reactor_index_).erase(this);
  // Finish as an actor from inside a message handler: CAF cleans an actor up
  // only while it runs.
  caf::anon_send(caf::actor_cast<caf::actor>(this), close_atom::value);
}

}  // namespace troupe
