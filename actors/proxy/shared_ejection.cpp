#include "actors/proxy/shared_ejection.hpp"

#include "actors/proxy/proxy_stats.hpp"
#include "actors/runtime/log.hpp"

namespace troupe {

shared_ejection::shared_ejection(const proxy::pool_config& pool,
                                 const std::vector<std::unique_ptr<proxy_server_stats>>& stats)
    : pool_(pool),
      stats_(stats),
      ring_(pool),
      failing_(std::make_unique<std::atomic<bool>[]>(pool.servers.size())) {}

proxy::proxy_ring shared_ejection::ring() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return ring_;
}

void shared_ejection::record_failure(size_t server, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  bool ejected = ring_.record_failure(server, now_ms);
  failing_[server].store(ring_.failure_count(server) > 0, std::memory_order_relaxed);
  if (!ejected) return;
  auto& s = *stats_[server];
  bump(s.ejections);
  s.ejected.store(1, std::memory_order_relaxed);
  version_.fetch_add(1, std::memory_order_release);
  log_warning("Proxy: ejected backend {}:{} for {} ms", pool_.servers[server].host,
              pool_.servers[server].port, pool_.server_retry_timeout);
}

void shared_ejection::record_success(size_t server) {
  if (!failing_[server].load(std::memory_order_relaxed)) return;
  std::lock_guard<std::mutex> lock(mutex_);
  ring_.record_success(server);
  failing_[server].store(ring_.failure_count(server) > 0, std::memory_order_relaxed);
}

void shared_ejection::maybe_restore(int64_t now_ms) {
  // Each router's cron, 20 times a second: an uncontended lock.
  std::lock_guard<std::mutex> lock(mutex_);
  if (ring_.next_rebuild() == 0) return;
  std::vector<bool> before(ring_.server_count());
  for (size_t s = 0; s < before.size(); ++s) before[s] = ring_.is_ejected(s);
  if (!ring_.maybe_restore(now_ms)) return;
  for (size_t s = 0; s < before.size(); ++s)
    if (before[s] && !ring_.is_ejected(s)) {
      stats_[s]->ejected.store(0, std::memory_order_relaxed);
      log_notice("Proxy: backend {}:{} back in the ring", pool_.servers[s].host,
                 pool_.servers[s].port);
    }
  version_.fetch_add(1, std::memory_order_release);
}

}  // namespace troupe
