// A client that came in on tls-port: its handshake, driven by the socket's
// readiness events like everything else on the reactor, and reads and writes
// through its TLS session. What OpenSSL waits for (the socket readable, or
// writable) becomes the connection's epoll interest; nothing waits for it.
#include <cerrno>

#include <caf/all.hpp>

#include "actors/client/connection.hpp"
#include "actors/net/tls_stream.hpp"
#include "actors/runtime/log.hpp"
#include "actors/server/server.hpp"

namespace troupe {

bool connection::tls_on_io(uint32_t& events) {
  if (!tls_->established()) {
    switch (tls_->handshake()) {
      case tls_stream::status::ok:
        log_debug("TLS handshake done with {} ({})", session_.addr, tls_->version());
        arm_write(false);
        // Application data may have come with the last handshake bytes.
        events = EPOLLIN;
        return true;
      case tls_stream::status::want_read:
        arm_write(false);
        return false;
      case tls_stream::status::want_write:
        arm_write(true);
        return false;
      default:
        log_verbose("Error accepting a client connection: {} (addr={} laddr={})", tls_->error(),
                    session_.addr, session_.laddr);
        close_now("TLS handshake failed");
        return false;
    }
  }
  if (tls_read_wants_write_ && (events & EPOLLOUT)) {
    tls_read_wants_write_ = false;
    events |= EPOLLIN;
  }
  // A write that waited for the socket to be readable goes on now.
  if (tls_write_wants_read_ && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) events |= EPOLLOUT;
  return true;
}

ssize_t connection::tls_recv(char* buf, size_t len) {
  bool wants_write = false;
  ssize_t n = tls_->recv_some(buf, len, wants_write);
  if (wants_write) {
    tls_read_wants_write_ = true;
    arm_write(true);
  }
  if (n < 0 && errno != EAGAIN)
    log_verbose("TLS error reading from client id={}: {}", session_.id, tls_->error());
  return n;
}

ssize_t connection::tls_send(const char* buf, size_t len) {
  tls_write_wants_read_ = false;
  ssize_t n = tls_->send_some(buf, len, tls_write_wants_read_);
  if (n < 0 && errno != EAGAIN)
    log_verbose("TLS error writing to client id={}: {}", session_.id, tls_->error());
  return n;
}

void connection::tls_read_pending() {
  if (tls_reread_queued_ || !tls_->has_pending()) return;
  tls_reread_queued_ = true;
  caf::strong_actor_ptr self = ctrl();  // alive until the lambda ran
  home().post([this, self] {
    tls_reread_queued_ = false;
    if (!closed_) on_io(EPOLLIN);
  });
}

}  // namespace troupe
