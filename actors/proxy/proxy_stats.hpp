// The proxy's figures, shared by the routers of every reactor (relaxed atomics:
// each reactor adds its own, INFO and /metrics read the sums).
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace troupe {

struct proxy_server_stats {
  std::atomic<uint64_t> requests{0};       // requests (and split parts) sent
  std::atomic<uint64_t> errors{0};         // requests failed here: refused, reset, timed out
  std::atomic<uint64_t> error_replies{0};  // '-' replies the backend itself gave
  std::atomic<uint64_t> timeouts{0};
  std::atomic<uint64_t> ejections{0};
  std::atomic<uint64_t> connections{0};  // connects made
  std::atomic<int> ejected{0};           // 1 while it is out of the ring
  std::atomic<uint64_t> latency_us_sum{0};
  std::atomic<uint64_t> replies{0};
  // Reply latency in power-of-two microsecond buckets: bucket b counts
  // latencies in [2^(b-1), 2^b) µs (bucket 0: under 1 µs).
  std::array<std::atomic<uint64_t>, 32> latency_buckets{};

  void add_latency(uint64_t us) {
    int b = us == 0 ? 0 : 64 - __builtin_clzll(us);
    if (b > 31) b = 31;
    latency_buckets[size_t(b)].fetch_add(1, std::memory_order_relaxed);
    latency_us_sum.fetch_add(us, std::memory_order_relaxed);
    replies.fetch_add(1, std::memory_order_relaxed);
  }
  // An upper bound of the q-quantile latency in µs (the bucket's top), 0 if none.
  uint64_t latency_quantile_us(double q) const {
    uint64_t total = 0;
    for (auto& b : latency_buckets) total += b.load(std::memory_order_relaxed);
    if (total == 0) return 0;
    uint64_t want = uint64_t(double(total) * q), seen = 0;
    for (size_t b = 0; b < latency_buckets.size(); ++b) {
      seen += latency_buckets[b].load(std::memory_order_relaxed);
      if (seen > want || seen == total) return b == 0 ? 1 : (uint64_t(1) << b);
    }
    return 0;
  }
};

inline void bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
  c.fetch_add(n, std::memory_order_relaxed);
}

}  // namespace troupe
