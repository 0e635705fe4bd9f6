#include "actors/proxy/proxy_control.hpp"

#include <caf/all.hpp>

#include "actors/proxy/proxy_router.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"

namespace troupe {

proxy_control::proxy_control(server& srv, proxy::pool_config pool)
    : srv_(srv), pool_(std::move(pool)) {
  for (size_t i = 0; i < pool_.servers.size(); ++i)
    stats_.push_back(std::make_unique<proxy_server_stats>());
  ejection_ = std::make_unique<shared_ejection>(pool_, stats_);
}

proxy_control::~proxy_control() = default;

void proxy_control::start() {
  for (int i = 0; i < srv_.reactor_count(); ++i) {
    caf::actor a = spawn_actor<proxy_router>(srv_.registry(), placement::on(srv_.reactor_at(i)),
                                             {"pool " + pool_.name}, *this);
    router_actors_.push_back(a);
    routers_.push_back(static_cast<proxy_router*>(caf::actor_cast<caf::abstract_actor*>(a)));
  }
}

void proxy_control::stop() {
  for (auto& a : router_actors_) caf::anon_send(a, close_atom::value);
}

std::string proxy_control::info_fields() const {
  auto load = [](const std::atomic<uint64_t>& a) {
    return std::to_string(a.load(std::memory_order_relaxed));
  };
  std::string out;
  auto field = [&](const char* name, const std::string& value) {
    out += name;
    out += ':';
    out += value;
    out += "\r\n";
  };
  size_t ejected = 0;
  for (auto& s : stats_) ejected += s->ejected.load(std::memory_order_relaxed) > 0;
  field("proxy_pool", pool_.name);
  field("proxy_hash", std::string(proxy::hash_name(pool_.hash)));
  field("proxy_hash_tag", pool_.hash_tag);
  field("proxy_distribution", std::string(proxy::distribution_name(pool_.distribution)));
  field("proxy_auto_eject_hosts", pool_.auto_eject_hosts ? "1" : "0");
  field("proxy_server_connections", std::to_string(pool_.server_connections));
  field("proxy_timeout_ms", std::to_string(pool_.timeout));
  // The gathering in effect (proxy mode sets 100 unless the config names it).
  field("proxy_reactor_coalesce_us", std::to_string(srv_.config().reactor_coalesce_us.get()));
  field("proxy_servers", std::to_string(pool_.servers.size()));
  field("proxy_servers_ejected", std::to_string(ejected));
  field("proxy_clients", load(clients));
  field("proxy_requests", load(requests));
  field("proxy_local_replies", load(local_replies));
  field("proxy_refused", load(refused));
  for (size_t i = 0; i < stats_.size(); ++i) {
    const auto& spec = pool_.servers[i];
    const auto& s = *stats_[i];
    uint64_t replies = s.replies.load(std::memory_order_relaxed);
    uint64_t avg = replies ? s.latency_us_sum.load(std::memory_order_relaxed) / replies : 0;
    std::string v = "addr=" + spec.host + ":" + std::to_string(spec.port) +
                    ",name=" + (spec.has_name ? spec.name : std::string("-")) +
                    ",weight=" + std::to_string(spec.weight) + ",status=" +
                    (s.ejected.load(std::memory_order_relaxed) > 0 ? "ejected" : "up") +
                    ",connections=" + load(s.connections) + ",requests=" + load(s.requests) +
                    ",errors=" + load(s.errors) + ",error_replies=" + load(s.error_replies) +
                    ",timeouts=" + load(s.timeouts) + ",ejections=" + load(s.ejections) +
                    ",latency_avg_us=" + std::to_string(avg) +
                    ",latency_p99_us=" + std::to_string(s.latency_quantile_us(0.99));
    field(("backend" + std::to_string(i)).c_str(), v);
  }
  return out;
}

}  // namespace troupe
