// A listening socket (TCP address or unix socket). It accepts clients and hands
// each to a reactor, round robin, as a new connection actor. A tls-port listener
// gives each its TLS session too (the handshake runs on the client's reactor).
#pragma once
#include <string>

#include "actors/runtime/hosted_actor.hpp"

namespace troupe {

class server;

class listener : public hosted_actor, public io_handler {
 public:
  listener(caf::actor_config& cfg, reactor& home, server& srv, int fd, std::string label,
           bool unix_socket, bool tls = false);
  ~listener() override;
  caf::behavior make_behavior() override;
  const char* name() const override { return "listener"; }
  bool serves_while_busy() const override { return true; }
  void on_io(uint32_t events) override;

  // Opens a TCP listening socket; returns the fd or -1 with `err` set.
  static int open_tcp(const std::string& addr, int port, int backlog, std::string& err);
  static int open_unix(const std::string& path, int perm, int backlog, std::string& err);

 private:
  server& srv_;
  int fd_;
  std::string label_;
  bool unix_;
  bool tls_;
  caf::strong_actor_ptr keep_alive_;
};

}  // namespace troupe
