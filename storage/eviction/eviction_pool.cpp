#include "storage/eviction/eviction_pool.hpp"

#include <algorithm>

namespace troupe {

void eviction_pool::offer(uint64_t score, int shard, int db, std::string_view key) {
  if (slots_.size() == capacity && score <= slots_.front().score) return;
  for (auto& c : slots_)
    if (c.shard == shard && c.db == db && c.key == key) return;  // sampled again
  auto at = std::upper_bound(slots_.begin(), slots_.end(), score,
                             [](uint64_t s, const eviction_candidate& c) { return s < c.score; });
  if (slots_.size() == capacity) {
    // Drop the worst (the first) to make room; `at` moves down by one.
    size_t pos = size_t(at - slots_.begin()) - 1;
    slots_.erase(slots_.begin());
    at = slots_.begin() + std::ptrdiff_t(pos);
  }
  slots_.insert(at, eviction_candidate{score, shard, db, std::string(key)});
}

bool eviction_pool::pop_best(eviction_candidate& out) {
  if (slots_.empty()) return false;
  out = std::move(slots_.back());
  slots_.pop_back();
  return true;
}

}  // namespace troupe
