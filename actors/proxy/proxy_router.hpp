// The proxy's router on one reactor (one per reactor, so a request never leaves
// its client's thread): the pool's consistent-hash ring (topology/proxy), and
// `server_connections` backend links per server. A client asks it which server
// holds a key and which link of that server is its own (a client always uses
// the same link of a server, so its requests to one key run in its order).
// Backend failures count towards ejection (auto_eject_hosts), whose state
// every reactor's router shares (shared_ejection); each routes with its own
// copy of the ring. A cron fails replies that wait past `timeout` and brings
// ejected servers back after `server_retry_timeout`.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "actors/proxy/shared_ejection.hpp"
#include "actors/runtime/hosted_actor.hpp"
#include "topology/proxy/pool_config.hpp"
#include "topology/proxy/proxy_ring.hpp"

namespace troupe {

class proxy_backend;
class proxy_control;

class proxy_router : public hosted_actor {
 public:
  proxy_router(caf::actor_config& cfg, reactor& home, proxy_control& control);
  ~proxy_router() override;

  caf::behavior make_behavior() override;
  const char* name() const override { return "proxy_router"; }

  const proxy::pool_config& pool() const;
  // The server of a key; npos when every server is ejected.
  static constexpr size_t npos = size_t(-1);
  size_t server_for(std::string_view key) {
    if (ejection_.version() != ring_version_) refresh_ring();
    return ring_.server_for(key);
  }
  // Client `client_id`'s link to `server`.
  proxy_backend& link(size_t server, uint64_t client_id);
  // Called by the links.
  void backend_failed(size_t server);
  void backend_ok(size_t server);

 private:
  void cron();
  void refresh_ring();

  proxy_control& control_;
  shared_ejection& ejection_;
  proxy::proxy_ring ring_;  // this reactor's copy, as of ring_version_
  uint64_t ring_version_ = 0;
  std::vector<std::vector<proxy_backend*>> links_;  // [server][connection]
  std::vector<caf::actor> link_actors_;
  uint64_t cron_timer_ = 0;
  caf::strong_actor_ptr keep_alive_;
};

}  // namespace troupe
