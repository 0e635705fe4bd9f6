// Proxy mode (`troupe-server pool.yml --proxy`, or a Troupe config with
// `proxy ...` lines): the pool, the routers (one per reactor), the figures
// every reactor adds to, and the INFO section. Owned by the server.
#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "actors/proxy/proxy_stats.hpp"
#include "actors/proxy/shared_ejection.hpp"
#include "topology/proxy/pool_config.hpp"

namespace troupe {

class server;
class proxy_router;

class proxy_control {
 public:
  proxy_control(server& srv, proxy::pool_config pool);
  ~proxy_control();

  // Spawns a router on each reactor (after the reactors run, before clients).
  void start();
  void stop();

  server& srv() { return srv_; }
  const proxy::pool_config& pool() const { return pool_; }
  proxy_server_stats& stats_of(size_t server) { return *stats_[server]; }
  proxy_router& router_of(int reactor) { return *routers_[size_t(reactor)]; }
  shared_ejection& ejection() { return *ejection_; }

  std::atomic<uint64_t> clients{0};  // connected now
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> local_replies{0};
  std::atomic<uint64_t> refused{0};  // requests the proxy cannot serve

  // INFO's "proxy" section (fields only).
  std::string info_fields() const;

 private:
  server& srv_;
  proxy::pool_config pool_;
  std::vector<std::unique_ptr<proxy_server_stats>> stats_;
  std::unique_ptr<shared_ejection> ejection_;
  std::vector<proxy_router*> routers_;
  std::vector<caf::actor> router_actors_;
};

}  // namespace troupe
