// The pool's ejection state, one for every reactor's router: failure counts,
// which servers are out and when they may return (auto_eject_hosts). With
// `threads N` the routers must agree, else a key could be written to its
// fallback server by one reactor while another still sends it home, and a
// dead server would need N times server_failure_limit failures to leave.
//
// The hot path stays lock-free: each router routes with its own copy of the
// ring and takes a fresh copy only when version() has moved; a reply takes the
// lock only while its server has failures on record. Everything else (a
// failure, the retry check of the routers' crons) is rare and takes the lock.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "topology/proxy/proxy_ring.hpp"

namespace troupe {

struct proxy_server_stats;

class shared_ejection {
 public:
  // `stats[i]` is server i's: its ejections and `ejected` are kept here.
  shared_ejection(const proxy::pool_config& pool,
                  const std::vector<std::unique_ptr<proxy_server_stats>>& stats);

  // Moves whenever the set of live servers changes.
  uint64_t version() const { return version_.load(std::memory_order_acquire); }
  // The ring as it is now (for a router's own copy).
  proxy::proxy_ring ring() const;

  // A failed request or connect to `server` (may eject it).
  void record_failure(size_t server, int64_t now_ms);
  // A reply from `server`: its failure count starts again.
  void record_success(size_t server);
  // Brings back the servers whose retry time has passed (any router's cron
  // may call it); logs each one back.
  void maybe_restore(int64_t now_ms);

 private:
  const proxy::pool_config& pool_;
  const std::vector<std::unique_ptr<proxy_server_stats>>& stats_;
  mutable std::mutex mutex_;
  proxy::proxy_ring ring_;  // guarded by mutex_
  std::atomic<uint64_t> version_{0};
  std::unique_ptr<std::atomic<bool>[]> failing_;  // a failure count is on record
};

}  // namespace troupe
