#include "tools/benchmark/net.hpp"

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

namespace troupe::bench {

std::string endpoint::describe() const {
  if (!unix_path.empty()) return unix_path;
  return host + ":" + std::to_string(port);
}

endpoint endpoint_of(const options& o) {
  return endpoint{o.host, o.port, o.socket_path};
}

handshake handshake_of(const options& o) {
  handshake hs;
  auto add = [&](std::vector<std::string> args) {
    hs.bytes += encode_command(args);
    ++hs.replies;
  };
  if (o.password) {
    if (o.user) {
      add({"AUTH", *o.user, *o.password});
    } else {
      add({"AUTH", *o.password});
    }
    hs.has_auth = true;
  }
  if (o.enable_tracking) add({"CLIENT", "TRACKING", "on"});
  if (o.dbnum != 0) add({"SELECT", std::to_string(o.dbnum)});
  if (o.resp3) add({"HELLO", "3"});
  return hs;
}

namespace {

bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

int connect_fd(int fd, const sockaddr* addr, socklen_t len, std::string& error, int timeout_ms) {
  int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  if (::connect(fd, addr, len) == 0) return fd;
  if (errno != EINPROGRESS) {
    error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  if (!wait_for(fd, POLLOUT, timeout_ms)) {
    error = "Connection timed out";
    ::close(fd);
    return -1;
  }
  int so_error = 0;
  socklen_t so_len = sizeof(so_error);
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &so_len);
  if (so_error != 0) {
    error = std::strerror(so_error);
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int connect_to(const endpoint& ep, std::string& error, int timeout_ms) {
  if (!ep.unix_path.empty()) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (ep.unix_path.size() >= sizeof(addr.sun_path)) {
      error = "Socket path too long";
      return -1;
    }
    std::memcpy(addr.sun_path, ep.unix_path.c_str(), ep.unix_path.size() + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = std::strerror(errno);
      return -1;
    }
    return connect_fd(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr), error, timeout_ms);
  }

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(ep.port);
  if (int rc = ::getaddrinfo(ep.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    error = ::gai_strerror(rc);
    return -1;
  }
  int fd = -1;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    int s = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (s < 0) {
      error = std::strerror(errno);
      continue;
    }
    fd = connect_fd(s, ai->ai_addr, ai->ai_addrlen, error, timeout_ms);
    if (fd >= 0) break;
  }
  ::freeaddrinfo(res);
  if (fd >= 0) {
    // Small requests must leave at once, not wait for Nagle's timer.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  return fd;
}

bool exchange(int fd, const std::string& bytes, size_t count, std::vector<resp_value>& replies,
              std::string& error, int timeout_ms) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += size_t(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd, POLLOUT, timeout_ms)) {
        error = "Timed out writing to the server";
        return false;
      }
    } else {
      error = std::strerror(errno);
      return false;
    }
  }
  std::string in;
  size_t pos = 0;
  reply_parser parser;
  char buf[16384];
  while (replies.size() < count) {
    resp_value v;
    auto r = parser.parse(in.data(), in.size(), pos, v);
    if (r == reply_parser::result::value) {
      replies.push_back(std::move(v));
      continue;
    }
    if (r == reply_parser::result::error) {
      error = "Protocol error: " + parser.error();
      return false;
    }
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n > 0) {
      in.append(buf, size_t(n));
    } else if (n == 0) {
      error = "Server closed the connection";
      return false;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!wait_for(fd, POLLIN, timeout_ms)) {
        error = "Timed out waiting for the server's reply";
        return false;
      }
    } else {
      error = std::strerror(errno);
      return false;
    }
  }
  return true;
}

int open_connection(const endpoint& ep, const handshake& hs, std::string& error) {
  std::string why;
  int fd = connect_to(ep, why);
  if (fd < 0) {
    error = "Could not connect to Redis at " + ep.describe() + ": " + why;
    return -1;
  }
  if (hs.replies == 0) return fd;
  std::vector<resp_value> replies;
  if (!exchange(fd, hs.bytes, hs.replies, replies, why)) {
    error = "Error: " + why;
    ::close(fd);
    return -1;
  }
  for (size_t i = 0; i < replies.size(); ++i) {
    if (!replies[i].is_error()) continue;
    if (i == 0 && hs.has_auth) {
      error = "Node " + ep.describe() + " replied with error:\n" + replies[i].str;
    } else {
      error = "Error from server: " + replies[i].str;
    }
    ::close(fd);
    return -1;
  }
  return fd;
}

std::optional<server_config> probe_server(const endpoint& ep, const handshake& hs,
                                          std::string& error) {
  int fd = open_connection(ep, hs, error);
  if (fd < 0) return std::nullopt;
  std::vector<resp_value> replies;
  std::string why;
  const std::string req =
      encode_command({"CONFIG", "GET", "save"}) + encode_command({"CONFIG", "GET", "appendonly"});
  bool ok = exchange(fd, req, 2, replies, why);
  ::close(fd);
  if (!ok) return std::nullopt;
  server_config cfg;
  for (size_t i = 0; i < 2; ++i) {
    const resp_value& r = replies[i];
    // An array [name, value] in RESP2, a map in RESP3: the value is element 1.
    if (r.is_error() && r.str.rfind("NOAUTH", 0) == 0) {
      error = "Node " + ep.describe() + " replied with error:\n" + r.str;
      return std::nullopt;
    }
    if (!r.is_aggregate() || r.elements.size() < 2) return std::nullopt;
    (i == 0 ? cfg.save : cfg.appendonly) = r.elements[1].str;
  }
  return cfg;
}

}  // namespace troupe::bench
