// Keeps used_memory under maxmemory by evicting keys as maxmemory-policy says,
// before commands run (the dispatcher's OOM check) and in the background while
// a big excess remains (the server's reactor task).
//
// One pass frees at most what is over the limit, and stops after the time
// maxmemory-eviction-tenacity allows (500 us by default): commands are then
// served again and the rest is freed by later passes, so a large CONFIG SET
// maxmemory drop never stalls clients. Each evicted key is journaled as DEL (AOF
// and replicas follow), counted in evicted_keys and published as the "evicted"
// keyspace event. A replica does not evict while replica-ignore-maxmemory is on:
// its master's DELs keep it in step.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <random>
#include <string_view>

#include "protocol/config/config_memory_rows.hpp"
#include "storage/eviction/eviction_pool.hpp"

namespace troupe {

class keyspace;
class server_services;
struct kv_entry;

enum class eviction_result : uint8_t {
  ok,       // under the limit (or no limit)
  running,  // over it, evicting, and the rest is left to later passes
  fail,     // over it and nothing can be evicted (or noeviction): deny -OOM
};

class evictor {
 public:
  evictor(keyspace& ks, server_services& srv);

  // One bounded pass. Called without any shard held: it takes each shard it
  // samples or evicts from for an instant.
  eviction_result perform();
  // Whether the last pass left memory over the limit for later passes.
  bool pending() const { return pending_.load(std::memory_order_relaxed); }

  // INFO stats: milliseconds spent over maxmemory in total, and in the current spell.
  uint64_t total_exceeded_ms() const;
  uint64_t current_exceeded_ms() const;
  void reset_stats();

  // The time one pass may take at a given tenacity (0..100; 100: no limit).
  static uint64_t time_limit_us(int64_t tenacity);

 private:
  bool pick(eviction_candidate& out);
  bool pick_random(eviction_candidate& out, bool volatile_only);
  void fill_pool();
  // Evicts the candidate if it is still there; returns the bytes freed (or -1 if gone).
  int64_t evict(const eviction_candidate& c);
  void note_result(eviction_result r);

  keyspace& ks_;
  server_services& srv_;
  std::mutex mutex_;  // one pass at a time across reactors
  eviction_pool pool_;
  eviction_policy pool_policy_ = eviction_policy::noeviction;
  std::mt19937_64 rng_;
  size_t next_random_ = 0;  // random policies visit shards and databases in turn
  std::atomic<bool> pending_{false};
  std::atomic<int64_t> exceeded_since_ms_{0};
  std::atomic<uint64_t> exceeded_total_ms_{0};
};

}  // namespace troupe
