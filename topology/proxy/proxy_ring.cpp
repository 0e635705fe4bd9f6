// nutcracker's continuum: ketama gives each live server a share of
// 160 x (live servers) points proportional to its weight, computed in single
// precision as nutcracker does and rounded down to a multiple of 4; each MD5 of
// "<name>-<n>" gives 4 points. Modula repeats each live server `weight` times
// and takes hash % slots; random gives each live server one slot (weights
// do not count) and picks a slot at random. The ring is rebuilt when a server is ejected and when
// the earliest retry time has passed.
#include "topology/proxy/proxy_ring.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace troupe::proxy {

namespace {

constexpr uint32_t proxy_ring_points_per_server = 160;
constexpr uint32_t proxy_ring_points_per_hash = 4;

bool proxy_ring_name_less(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  return a < b;  // std::string compares bytes as unsigned char, as strncmp does
}

// The number of continuum points of one server, with nutcracker's float steps:
// weight / total in float, times 160, / 4, times the live count (all float),
// plus 1e-10 in double, floored in float, times 4.
uint32_t proxy_ring_ketama_points(uint32_t weight, uint64_t total_weight, uint32_t nlive) {
  volatile float pct = static_cast<float>(weight) / static_cast<float>(total_weight);
  volatile float f = pct * static_cast<float>(proxy_ring_points_per_server);
  f = f / 4.0f;
  f = f * static_cast<float>(nlive);
  double d = static_cast<double>(f) + 0.0000000001;
  float floored = std::floor(static_cast<float>(d));
  return static_cast<uint32_t>(floored * 4.0f);
}

}  // namespace

void proxy_ring::build(const pool_config& cfg) {
  servers_.clear();
  servers_.reserve(cfg.servers.size());
  for (const auto& s : cfg.servers) {
    server_state st;
    st.name = s.name;
    st.weight = s.weight == 0 ? 1 : s.weight;
    servers_.push_back(std::move(st));
  }
  order_.resize(servers_.size());
  for (size_t i = 0; i < order_.size(); i++) order_[i] = i;
  std::stable_sort(order_.begin(), order_.end(), [this](size_t a, size_t b) {
    return proxy_ring_name_less(servers_[a].name, servers_[b].name);
  });
  hash_ = cfg.hash;
  dist_ = cfg.distribution;
  hash_tag_ = cfg.hash_tag.size() == 2 ? cfg.hash_tag : std::string();
  auto_eject_ = cfg.auto_eject_hosts;
  failure_limit_ = cfg.server_failure_limit < 0 ? 0 : uint32_t(cfg.server_failure_limit);
  retry_timeout_ms_ = cfg.server_retry_timeout < 0 ? 0 : cfg.server_retry_timeout;
  next_rebuild_ = 0;
  live_ = 0;
  rebuild(0);
}

bool proxy_ring::rebuild(int64_t now_ms) {
  bool changed = false;
  next_rebuild_ = 0;
  size_t live = 0;
  for (auto& s : servers_) {
    bool up = true;
    if (auto_eject_) {
      if (s.next_retry <= now_ms) {
        s.next_retry = 0;
      } else {
        up = false;
        if (next_rebuild_ == 0 || s.next_retry < next_rebuild_) next_rebuild_ = s.next_retry;
      }
    }
    if (up != s.live) changed = true;
    s.live = up;
    if (up) live++;
  }
  live_ = live;
  if (live_ == 0) {
    continuum_.clear();
    return changed;
  }
  switch (dist_) {
    case distribution_kind::ketama:
      build_ketama();
      break;
    case distribution_kind::modula:
      build_modula(false);
      break;
    case distribution_kind::random:
      build_modula(true);
      break;
  }
  return changed;
}

void proxy_ring::build_ketama() {
  continuum_.clear();
  // 64 bits: nutcracker's 32-bit sum wraps past 2^32 and then writes past its
  // continuum (undefined); here a server's share never exceeds the whole.
  uint64_t total_weight = 0;
  for (const auto& s : servers_) {
    if (s.live) total_weight += s.weight;
  }
  const auto nlive = static_cast<uint32_t>(live_);
  for (size_t idx : order_) {
    const auto& s = servers_[idx];
    if (!s.live) continue;
    uint32_t points = proxy_ring_ketama_points(s.weight, total_weight, nlive);
    for (uint32_t n = 0; n < points / proxy_ring_points_per_hash; n++) {
      std::string key = s.name + "-" + std::to_string(n);
      unsigned char d[16];
      proxy_md5(key, d);
      for (uint32_t x = 0; x < proxy_ring_points_per_hash; x++) {
        const unsigned char* b = d + 4 * x;
        uint32_t v = uint32_t(b[0]) | (uint32_t(b[1]) << 8) | (uint32_t(b[2]) << 16) |
                     (uint32_t(b[3]) << 24);
        continuum_.push_back(point{v, idx});
      }
    }
  }
  // glibc's qsort is a merge sort here: equal values keep their build order.
  std::stable_sort(continuum_.begin(), continuum_.end(),
                   [](const point& a, const point& b) { return a.value < b.value; });
}

void proxy_ring::build_modula(bool one_slot_each) {
  // One entry per live server with the end of its run of `weight` slots, not
  // one entry per slot: a weight of 2^31 must not allocate 2^31 entries.
  continuum_.clear();
  modula_end_.clear();
  uint64_t end = 0;
  for (size_t idx : order_) {
    const auto& sv = servers_[idx];
    if (!sv.live) continue;
    end += one_slot_each ? 1 : sv.weight;
    continuum_.push_back(point{0, idx});
    modula_end_.push_back(end);
  }
}

std::string_view proxy_ring::hash_tag_key(std::string_view key, std::string_view tag) {
  if (tag.size() != 2) return key;
  size_t open = key.find(tag[0]);
  if (open == std::string_view::npos) return key;
  size_t close = key.find(tag[1], open + 1);
  if (close == std::string_view::npos || close - open <= 1) return key;
  return key.substr(open + 1, close - open - 1);
}

uint32_t proxy_ring::key_hash(std::string_view key) const {
  if (servers_.size() == 1) return 0;
  return proxy_hash(hash_, hash_tag_key(key, hash_tag_));
}

size_t proxy_ring::server_for(std::string_view key) const {
  if (live_ == 0 || continuum_.empty()) return npos;
  switch (dist_) {
    case distribution_kind::ketama: {
      uint32_t h = key_hash(key);
      auto it = std::lower_bound(continuum_.begin(), continuum_.end(), h,
                                 [](const point& p, uint32_t v) { return p.value < v; });
      if (it == continuum_.end()) it = continuum_.begin();
      return it->server;
    }
    case distribution_kind::modula: {
      // The slot hash % (total weight), in the run of the server that owns it.
      uint64_t slot = key_hash(key) % modula_end_.back();
      auto it = std::upper_bound(modula_end_.begin(), modula_end_.end(), slot);
      return continuum_[static_cast<size_t>(it - modula_end_.begin())].server;
    }
    case distribution_kind::random: {
      thread_local std::minstd_rand rng{std::random_device{}()};
      return continuum_[rng() % continuum_.size()].server;
    }
  }
  return npos;
}

bool proxy_ring::record_failure(size_t i, int64_t now_ms) {
  if (!auto_eject_ || i >= servers_.size()) return false;
  auto& s = servers_[i];
  s.failure_count++;
  if (s.failure_count < failure_limit_) return false;
  s.failure_count = 0;
  s.next_retry = now_ms > std::numeric_limits<int64_t>::max() - retry_timeout_ms_
                     ? std::numeric_limits<int64_t>::max()
                     : now_ms + retry_timeout_ms_;
  return rebuild(now_ms);
}

bool proxy_ring::record_success(size_t i) {
  if (i >= servers_.size()) return false;
  auto& s = servers_[i];
  if (s.failure_count != 0) {
    s.failure_count = 0;
    s.next_retry = 0;
  }
  return false;
}

bool proxy_ring::maybe_restore(int64_t now_ms) {
  if (!auto_eject_ || next_rebuild_ == 0) return false;
  if (now_ms <= next_rebuild_) return false;
  return rebuild(now_ms);
}

}  // namespace troupe::proxy
