#include "protocol/resp/resp_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace troupe {

resp_client::~resp_client() {
  close();
}

resp_client::resp_client(resp_client&& o) noexcept
    : fd_(std::exchange(o.fd_, -1)),
      timeout_ms_(o.timeout_ms_),
      out_(std::move(o.out_)),
      in_(std::move(o.in_)),
      in_pos_(o.in_pos_) {}

resp_client& resp_client::operator=(resp_client&& o) noexcept {
  if (this != &o) {
    close();
    fd_ = std::exchange(o.fd_, -1);
    timeout_ms_ = o.timeout_ms_;
    out_ = std::move(o.out_);
    in_ = std::move(o.in_);
    in_pos_ = o.in_pos_;
  }
  return *this;
}

void resp_client::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  in_.clear();
  in_pos_ = 0;
  out_.clear();
}

namespace {

// connect(2) bounded by timeout_ms (a blackholed address would otherwise
// block for the kernel's SYN retries, minutes); the socket is left blocking.
bool connect_within(int fd, const sockaddr* addr, socklen_t len, int timeout_ms) {
  int flags = fcntl(fd, F_GETFL, 0);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = ::connect(fd, addr, len);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r <= 0) {
      errno = r == 0 ? ETIMEDOUT : errno;
      return false;
    }
    int err = 0;
    socklen_t elen = sizeof(err);
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
    if (err != 0) {
      errno = err;
      return false;
    }
    rc = 0;
  }
  fcntl(fd, F_SETFL, flags);
  return rc == 0;
}

}  // namespace

bool resp_client::connect(const std::string& host, int port, int timeout_ms) {
  close();
  timeout_ms_ = timeout_ms;
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
  if (rc != 0) {
    error_ = gai_strerror(rc);
    return false;
  }
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (connect_within(fd, a->ai_addr, a->ai_addrlen, timeout_ms)) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      // Sends are bounded too: a peer that stops reading must not hold the
      // caller (MIGRATE runs on a reactor) past its timeout.
      timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
      fd_ = fd;
      break;
    }
    error_ = strerror(errno);
    ::close(fd);
  }
  freeaddrinfo(res);
  return fd_ >= 0;
}

bool resp_client::connect_unix(const std::string& path, int timeout_ms) {
  close();
  timeout_ms_ = timeout_ms;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa.sun_path)) {
    error_ = "path too long";
    ::close(fd);
    return false;
  }
  memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    error_ = strerror(errno);
    ::close(fd);
    return false;
  }
  fd_ = fd;
  return true;
}

void resp_client::append(const std::vector<std::string>& args) {
  std::vector<std::string_view> v(args.begin(), args.end());
  append_command(out_, v);
}

bool resp_client::send_raw(const std::string& bytes) {
  out_ += bytes;
  return flush();
}

bool resp_client::flush() {
  size_t off = 0;
  while (off < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + off, out_.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = n < 0 ? strerror(errno) : "connection closed";
      out_.clear();
      return false;
    }
    off += size_t(n);
  }
  out_.clear();
  return true;
}

bool resp_client::fill() {
  pollfd p{fd_, POLLIN, 0};
  int r = poll(&p, 1, timeout_ms_);
  if (r <= 0) {
    error_ = r == 0 ? "timeout" : strerror(errno);
    return false;
  }
  if (in_pos_ > 0 && in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  }
  char buf[65536];
  ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
  if (n <= 0) {
    error_ = n == 0 ? "connection closed" : strerror(errno);
    return false;
  }
  in_.append(buf, size_t(n));
  return true;
}

resp_value resp_client::io_error(const std::string& what) {
  resp_value v;
  v.type = resp_value::kind::error;
  v.str = "IO " + what;
  return v;
}

resp_value resp_client::read_reply() {
  if (fd_ < 0) return io_error("not connected");
  for (;;) {
    resp_value v;
    auto r = parser_.parse(in_.data(), in_.size(), in_pos_, v);
    if (r == reply_parser::result::value) return v;
    if (r == reply_parser::result::error) return io_error("protocol: " + parser_.error());
    if (!fill()) return io_error(error_);
  }
}

resp_value resp_client::call(const std::vector<std::string>& args) {
  append(args);
  if (!flush()) return io_error(error_);
  return read_reply();
}

std::string resp_client::read_raw(int timeout_ms) {
  int saved = timeout_ms_;
  timeout_ms_ = timeout_ms;
  while (fill()) {
  }
  timeout_ms_ = saved;
  std::string out = in_.substr(in_pos_);
  in_.clear();
  in_pos_ = 0;
  return out;
}

}  // namespace troupe
