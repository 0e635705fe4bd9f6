// The admin endpoint: HTTP on admin-bind:admin-port (admin_http's thread) and
// the `admin_endpoint` actor that builds each answer (admin_routes). Started
// after the listeners; a port already taken is a warning, not a failed start.
#pragma once
#include <memory>

#include <caf/actor.hpp>

#include "actors/admin/admin_http.hpp"

namespace troupe {

class server;

class admin_endpoint {
 public:
  explicit admin_endpoint(server& srv);
  ~admin_endpoint();
  void start();
  void stop();
  int port() const;  // 0 when off

 private:
  server& srv_;
  std::shared_ptr<admin_http> http_;
  caf::actor actor_;
};

}  // namespace troupe
