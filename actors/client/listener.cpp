#include "actors/client/listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <caf/all.hpp>

#include "actors/client/connection.hpp"
#include "actors/net/tls_context.hpp"
#include "actors/net/tls_stream.hpp"
#include "actors/proxy/proxy_client.hpp"
#include "actors/proxy/proxy_control.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"

namespace troupe {
namespace {

std::string address_of(const sockaddr_storage& sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
    port = ntohs(in6->sin6_port);
  } else {
    return "";
  }
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

listener::listener(caf::actor_config& cfg, reactor& home, server& srv, int fd, std::string label,
                   bool unix_socket, bool tls)
    : hosted_actor(cfg, home),
      srv_(srv),
      fd_(fd),
      label_(std::move(label)),
      unix_(unix_socket),
      tls_(tls) {}

listener::~listener() {
  if (fd_ >= 0) ::close(fd_);
}

caf::behavior listener::make_behavior() {
  keep_alive_ = ctrl();
  home().add_fd(fd_, this, EPOLLIN);
  return {
      [this](close_atom) {
        home().remove_fd(fd_);
        ::close(fd_);
        fd_ = -1;
        keep_alive_.reset();
        quit();
      },
  };
}

void listener::on_io(uint32_t) {
  // Like Redis, take up to 1000 clients per readiness event.
  for (int i = 0; i < 1000 && fd_ >= 0; ++i) {
    sockaddr_storage sa{};
    socklen_t len = sizeof(sa);
    int fd = accept4(fd_, reinterpret_cast<sockaddr*>(&sa), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        log_warning("Accepting client connection: {}", strerror(errno));
      return;
    }
    std::string peer, local;
    if (unix_) {
      peer = label_ + ":0";
      local = label_ + ":0";
    } else {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      int ka = int(srv_.config().tcp_keepalive.get());
      if (ka > 0) {
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
        int idle = ka, intvl = ka / 3 > 0 ? ka / 3 : 1, cnt = 3;
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
      }
      peer = address_of(sa);
      sockaddr_storage la{};
      socklen_t llen = sizeof(la);
      getsockname(fd, reinterpret_cast<sockaddr*>(&la), &llen);
      local = address_of(la);
    }
    std::unique_ptr<tls_stream> tls;
    if (tls_) {
      auto ctx = srv_.tls();
      if (ctx) tls = tls_stream::accept(*ctx, fd, srv_.config().tls_auth_clients.get());
      if (!tls) {
        log_warning("Error accepting a TLS client {}: {}", peer,
                    ctx ? tls_error_text("no TLS session") : std::string("TLS is not configured"));
        ::close(fd);
        continue;
      }
    }
    int target = srv_.pick_reactor();
    srv_.stats_of(target).connections_received.add();
    log_verbose("Accepted {}", peer);
    if (proxy_control* proxy = srv_.proxy()) {
      // Proxy mode: the client's requests go to the pool's backends.
      spawn_actor<proxy_client>(srv_.registry(), placement::on(srv_.reactor_at(target)),
                                {peer, id()}, srv_, *proxy, fd, peer);
      continue;
    }
    spawn_actor<connection>(srv_.registry(), placement::on(srv_.reactor_at(target)), {peer, id()},
                            srv_, fd, peer, local, unix_, std::move(tls));
  }
}

int listener::open_tcp(const std::string& addr_in, int port, int backlog, std::string& err) {
  std::string addr = addr_in;
  bool v6 = addr.find(':') != std::string::npos;
  if (addr == "*") addr = "0.0.0.0";
  if (addr == "::*") addr = "::";
  int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = strerror(errno);
    return -1;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  int rc;
  if (v6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(uint16_t(port));
    if (inet_pton(AF_INET6, addr.c_str(), &sa.sin6_addr) != 1) {
      ::close(fd);
      err = "Invalid bind address '" + addr_in + "'";
      return -1;
    }
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(uint16_t(port));
    if (inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1) {
      ::close(fd);
      err = "Invalid bind address '" + addr_in + "'";
      return -1;
    }
    rc = bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  }
  if (rc != 0 || listen(fd, backlog) != 0) {
    err = strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

int listener::open_unix(const std::string& path, int perm, int backlog, std::string& err) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = strerror(errno);
    return -1;
  }
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  if (path.size() >= sizeof(sa.sun_path)) {
    ::close(fd);
    err = "unix socket path too long";
    return -1;
  }
  memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  unlink(path.c_str());
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || listen(fd, backlog) != 0) {
    err = strerror(errno);
    ::close(fd);
    return -1;
  }
  if (perm != 0) chmod(path.c_str(), mode_t(perm));
  return fd;
}

}  // namespace troupe
