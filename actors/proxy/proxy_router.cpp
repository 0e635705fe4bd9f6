#include "actors/proxy/proxy_router.hpp"

#include <caf/all.hpp>

#include "actors/proxy/proxy_backend.hpp"
#include "actors/proxy/proxy_control.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {
proxy_router::proxy_router(caf::actor_config& cfg, reactor& home, proxy_control& control)
    : hosted_actor(cfg, home),
      control_(control),
      ejection_(control.ejection()),
      ring_(ejection_.ring()),
      ring_version_(ejection_.version()) {
  const auto& pool = control.pool();
  int per_server = std::max(1, int(pool.server_connections));
  links_.resize(pool.servers.size());
  for (size_t s = 0; s < pool.servers.size(); ++s) {
    const auto& spec = pool.servers[s];
    for (int c = 0; c < per_server; ++c) {
      caf::actor a = spawn_actor<proxy_backend>(
          control.srv().registry(), placement::on(home),
          {spec.host + ":" + std::to_string(spec.port) + " #" + std::to_string(c), id()}, *this, s,
          spec.host, int(spec.port), control.stats_of(s));
      link_actors_.push_back(a);
      links_[s].push_back(static_cast<proxy_backend*>(caf::actor_cast<caf::abstract_actor*>(a)));
    }
  }
}

proxy_router::~proxy_router() = default;

caf::behavior proxy_router::make_behavior() {
  keep_alive_ = ctrl();
  // Timers and sockets belong to the loop thread: set up from there.
  home().post([this] {
    cron_timer_ = home().every(50, [this] { cron(); });
    if (control_.pool().preconnect) {
      std::string why;
      for (auto& server : links_)
        for (auto* l : server) l->ensure_open(why);
    }
  });
  return {
      [this](close_atom) {
        if (cron_timer_) home().cancel(cron_timer_);
        for (auto& a : link_actors_) caf::anon_send(a, close_atom::value);
        keep_alive_.reset();
        quit();
      },
  };
}

const proxy::pool_config& proxy_router::pool() const {
  return control_.pool();
}

void proxy_router::refresh_ring() {
  // The version first: a change made meanwhile moves it again, and the next
  // request copies once more.
  ring_version_ = ejection_.version();
  ring_ = ejection_.ring();
}

proxy_backend& proxy_router::link(size_t server, uint64_t client_id) {
  auto& l = links_[server];
  return *l[client_id % l.size()];
}

void proxy_router::backend_failed(size_t server) {
  ejection_.record_failure(server, monotonic_ms());
}

void proxy_router::backend_ok(size_t server) {
  ejection_.record_success(server);
}

void proxy_router::cron() {
  int64_t now_ms = monotonic_ms();
  int64_t timeout = control_.pool().timeout;
  if (timeout > 0)
    for (auto& server : links_)
      for (auto* l : server) l->check_timeout(now_ms * 1000, timeout * 1000);
  ejection_.maybe_restore(now_ms);
}

}  // namespace troupe
