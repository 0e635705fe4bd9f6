#include "actors/net/resp_link.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "actors/net/tls_context.hpp"
#include "actors/net/tls_stream.hpp"

namespace troupe {
namespace {
constexpr size_t read_chunk = 64 * 1024;

std::string address_of(const sockaddr_storage& sa) {
  char ip[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
    port = ntohs(a->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&sa);
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
  }
  return std::string(ip) + ":" + std::to_string(port);
}
}  // namespace

resp_link::resp_link(reactor& home) : home_(home) {}

resp_link::~resp_link() {
  close();
  free(in_);
}

bool resp_link::connect(const std::string& host, int port, std::string& error,
                        std::shared_ptr<const tls_context> tls) {
  close();
  tls_ctx_ = std::move(tls);
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // Name resolution blocks, as Redis's does when it connects to its master;
  // a numeric address (the usual case) never waits.
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    error = gai_strerror(rc);
    return false;
  }
  error = "no address";
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      error = strerror(errno);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      error = strerror(errno);
      ::close(fd);
      continue;
    }
    fd_ = fd;
    break;
  }
  freeaddrinfo(res);
  if (fd_ < 0) return false;
  error.clear();
  peer_ = host + ":" + std::to_string(port);
  connecting_ = true;
  paused_ = false;
  interest_ = EPOLLOUT;
  home_.add_fd(fd_, this, interest_);
  return true;
}

void resp_link::close() {
  if (tls_) {
    if (!handshaking_) tls_->shutdown();
    tls_.reset();
  }
  handshaking_ = read_wants_write_ = write_wants_read_ = false;
  if (fd_ >= 0) {
    if (interest_ != 0) home_.remove_fd(fd_);
    ::close(fd_);
  }
  fd_ = -1;
  connecting_ = false;
  interest_ = 0;
  in_pos_ = in_len_ = 0;
  out_.clear();
  out_sent_ = 0;
  // A big buffer (an RDB went through it) is not kept for the next link.
  if (in_cap_ > 4 * read_chunk) {
    free(in_);
    in_ = nullptr;
    in_cap_ = 0;
  }
}

std::string resp_link::local_address() const {
  sockaddr_storage sa{};
  socklen_t len = sizeof(sa);
  if (fd_ < 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len) != 0) return "";
  return address_of(sa);
}

void resp_link::fail(std::string why) {
  close();
  if (cb_.closed) cb_.closed(std::move(why));
}

void resp_link::on_io(uint32_t events) {
  if (fd_ < 0) return;  // an event of a socket closed earlier in this pass
  if (connecting_) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connect_ready();
    return;
  }
  if (handshaking_) return drive_handshake();
  if (read_wants_write_ && (events & EPOLLOUT)) {
    read_wants_write_ = false;
    events |= EPOLLIN;
  }
  if (write_wants_read_ && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) events |= EPOLLOUT;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable();
  if (fd_ >= 0 && (events & EPOLLOUT)) flush();
}

void resp_link::on_connect_ready() {
  int err = 0;
  socklen_t len = sizeof(err);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return fail(strerror(err));
  connecting_ = false;
  if (tls_ctx_) {
    tls_ = tls_stream::connect(*tls_ctx_, fd_);
    if (!tls_) return fail("TLS: " + tls_error_text("cannot create a session"));
    handshaking_ = true;
    return drive_handshake();
  }
  update_interest();
  if (cb_.connected) cb_.connected();
  if (fd_ >= 0) flush();
}

void resp_link::drive_handshake() {
  switch (tls_->handshake()) {
    case tls_stream::status::ok:
      handshaking_ = false;
      update_interest();
      if (cb_.connected) cb_.connected();
      if (fd_ >= 0) flush();
      return;
    case tls_stream::status::want_read:
      return set_interest(EPOLLIN);
    case tls_stream::status::want_write:
      return set_interest(EPOLLOUT);
    default:
      return fail("TLS handshake failed: " + tls_->error());
  }
}

ssize_t resp_link::read_some(char* buf, size_t len) {
  if (!tls_) return ::recv(fd_, buf, len, 0);
  bool wants_write = false;
  ssize_t n = tls_->recv_some(buf, len, wants_write);
  if (wants_write) {
    read_wants_write_ = true;
    update_interest();
  }
  return n;
}

ssize_t resp_link::write_some(const char* buf, size_t len) {
  if (!tls_) return ::send(fd_, buf, len, MSG_NOSIGNAL);
  write_wants_read_ = false;
  return tls_->send_some(buf, len, write_wants_read_);
}

void resp_link::on_readable() {
  size_t got = 0;
  while (got < read_budget_ && fd_ >= 0 && !paused_) {
    // Room for a chunk at the end; unread bytes move to the front first.
    if (in_pos_ > 0 && (in_pos_ == in_len_ || in_cap_ - in_len_ < read_chunk)) {
      memmove(in_, in_ + in_pos_, in_len_ - in_pos_);
      in_len_ -= in_pos_;
      in_pos_ = 0;
    }
    if (in_cap_ - in_len_ < read_chunk) {
      size_t cap = in_cap_ == 0 ? read_chunk : in_cap_;
      while (cap - in_len_ < read_chunk) cap *= 2;
      char* p = static_cast<char*>(realloc(in_, cap));
      if (p == nullptr) throw std::bad_alloc();
      in_ = p;
      in_cap_ = cap;
    }
    size_t room = in_cap_ - in_len_;
    ssize_t n = read_some(in_ + in_len_, room);
    if (n > 0) {
      in_len_ += size_t(n);
      got += size_t(n);
      // The socket is drained for now. (A TLS read returns one record at a time:
      // read on until OpenSSL says it needs the socket; the room, past the
      // largest record, means a read never leaves part of one inside OpenSSL.)
      if (!tls_ && size_t(n) < room) break;
      continue;
    }
    if (n == 0) {
      if (got > 0 && cb_.readable) cb_.readable(got);
      if (fd_ >= 0) fail("connection lost");
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    if (got > 0 && cb_.readable) cb_.readable(got);
    if (fd_ >= 0) fail(tls_ ? "TLS: " + tls_->error() : std::string(strerror(errno)));
    return;
  }
  if (got > 0 && cb_.readable) cb_.readable(got);
}

void resp_link::unshift_input(std::string_view bytes) {
  if (bytes.empty()) return;
  size_t rest = in_len_ - in_pos_;
  char* p = static_cast<char*>(malloc(bytes.size() + rest + read_chunk));
  if (p == nullptr) throw std::bad_alloc();
  memcpy(p, bytes.data(), bytes.size());
  if (rest > 0) memcpy(p + bytes.size(), in_ + in_pos_, rest);
  free(in_);
  in_ = p;
  in_cap_ = bytes.size() + rest + read_chunk;
  in_len_ = bytes.size() + rest;
  in_pos_ = 0;
}

void resp_link::consume(size_t n) {
  in_pos_ += std::min(n, in_len_ - in_pos_);
  if (in_pos_ == in_len_) in_pos_ = in_len_ = 0;
}

reply_parser::result resp_link::next_reply(resp_value& out) {
  size_t pos = 0;
  auto r = parser_.parse(input(), input_size(), pos, out);
  if (r == reply_parser::result::value) consume(pos);
  return r;
}

void resp_link::send(std::string_view bytes) {
  if (fd_ < 0) return;
  out_.append(bytes);
  if (!connecting_) flush();
}

void resp_link::send_command(const std::vector<std::string>& args) {
  send(encode_command(args));
}

void resp_link::flush() {
  while (fd_ >= 0 && out_sent_ < out_.size()) {
    ssize_t n = write_some(out_.data() + out_sent_, out_.size() - out_sent_);
    if (n > 0) {
      out_sent_ += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return fail(n < 0 ? strerror(errno) : "connection lost");
  }
  if (out_sent_ == out_.size()) {
    out_.clear();
    out_sent_ = 0;
  }
  update_interest();
}

void resp_link::pause_reading(bool paused) {
  if (paused_ == paused) return;
  paused_ = paused;
  update_interest();
}

void resp_link::update_interest() {
  if (fd_ < 0 || connecting_ || handshaking_) return;
  bool want_out = (out_sent_ < out_.size() && !write_wants_read_) || read_wants_write_;
  uint32_t want = (paused_ ? 0u : uint32_t(EPOLLIN)) | (want_out ? EPOLLOUT : 0u);
  set_interest(want);
}

void resp_link::set_interest(uint32_t want) {
  if (want == interest_) return;
  // With no interest the socket leaves the epoll set: epoll reports a hang-up
  // whatever the mask, and a paused link must not spin on it.
  if (want == 0)
    home_.remove_fd(fd_);
  else if (interest_ == 0)
    home_.add_fd(fd_, this, want);
  else
    home_.modify_fd(fd_, this, want);
  interest_ = want;
}

}  // namespace troupe
