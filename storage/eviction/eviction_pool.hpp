// The best eviction candidates seen so far, as Redis's eviction pool: a small
// array kept sorted by score (the higher, the better to evict: idle time, 255
// minus the LFU counter, or how soon the TTL ends). Each eviction samples a few
// keys of every shard and database into it and evicts the best; the pool keeps
// what it learnt between evictions, so a few samples per eviction approximate the
// exact policy well. Keys are copied: a candidate may be gone when its turn comes.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

struct eviction_candidate {
  uint64_t score = 0;
  int shard = 0;
  int db = 0;
  std::string key;
};

class eviction_pool {
 public:
  static constexpr size_t capacity = 16;

  eviction_pool() { slots_.reserve(capacity); }

  // Keeps the candidate if the pool has room or it beats the worst one held.
  void offer(uint64_t score, int shard, int db, std::string_view key);
  // Takes the best candidate out; false when empty.
  bool pop_best(eviction_candidate& out);
  size_t size() const { return slots_.size(); }
  void clear() { slots_.clear(); }

 private:
  std::vector<eviction_candidate> slots_;  // ascending score: the best is last
};

}  // namespace troupe
