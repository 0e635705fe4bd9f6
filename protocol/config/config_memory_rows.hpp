// Directives of the memory limit and eviction: maxmemory, the policy that picks
// what to evict, how hard it samples and how long it may work at a time, and the
// LFU counter's shape. Names, defaults, bounds and choices are Redis 7.0's.
#pragma once
#include <climits>
#include <cstdint>

#include "protocol/config/config_rows.hpp"

namespace troupe {

// The eight policies, in Redis's order (CONFIG SET lists them so in its error).
enum class eviction_policy {
  volatile_lru,
  volatile_lfu,
  volatile_random,
  volatile_ttl,
  allkeys_lru,
  allkeys_lfu,
  allkeys_random,
  noeviction,
};

inline bool policy_is_lfu(eviction_policy p) {
  return p == eviction_policy::volatile_lfu || p == eviction_policy::allkeys_lfu;
}
inline bool policy_is_lru(eviction_policy p) {
  return p == eviction_policy::volatile_lru || p == eviction_policy::allkeys_lru;
}
inline bool policy_is_allkeys(eviction_policy p) {
  return p == eviction_policy::allkeys_lru || p == eviction_policy::allkeys_lfu ||
         p == eviction_policy::allkeys_random;
}

struct memory_rows {
  explicit memory_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  memory_row maxmemory{t_,
                       "maxmemory",
                       0,
                       0,
                       INT64_MAX,
                       "Memory limit of the dataset and its overhead (used_memory); past it "
                       "keys are evicted by maxmemory-policy (0: no limit)."};
  memory_or_percent_row maxmemory_clients{
      t_, "maxmemory-clients", 0,
      "Memory all normal and pub/sub clients may hold together (query and output buffers); "
      "past it the biggest clients are disconnected (CLIENT NO-EVICT spares one). Bytes, or a "
      "percentage of maxmemory (10%); 0: no limit."};
  enum_row<eviction_policy> maxmemory_policy{
      t_,
      "maxmemory-policy",
      eviction_policy::noeviction,
      {{"volatile-lru", eviction_policy::volatile_lru},
       {"volatile-lfu", eviction_policy::volatile_lfu},
       {"volatile-random", eviction_policy::volatile_random},
       {"volatile-ttl", eviction_policy::volatile_ttl},
       {"allkeys-lru", eviction_policy::allkeys_lru},
       {"allkeys-lfu", eviction_policy::allkeys_lfu},
       {"allkeys-random", eviction_policy::allkeys_random},
       {"noeviction", eviction_policy::noeviction}},
      "What to evict past maxmemory: least recently (lru) or least frequently (lfu) used, "
      "random, or nearest TTL (volatile-ttl), among all keys or keys with a TTL; noeviction "
      "refuses writes with -OOM."};
  int_row maxmemory_samples{t_,
                            "maxmemory-samples",
                            5,
                            1,
                            INT_MAX,
                            "Keys sampled per shard and database to pick an LRU, LFU or TTL "
                            "victim: more is closer to the exact policy, and costs CPU."};
  int_row maxmemory_eviction_tenacity{
      t_,
      "maxmemory-eviction-tenacity",
      10,
      0,
      100,
      "How long one eviction pass may run before clients are served again (10: 500 us; "
      "each step above 10 adds 15%; 100: no limit)."};
  int_row lfu_log_factor{t_,
                         "lfu-log-factor",
                         10,
                         0,
                         INT_MAX,
                         "LFU counter growth: the higher, the more hits a key needs to reach "
                         "the counter's top (255)."};
  int_row lfu_decay_time{t_,
                         "lfu-decay-time",
                         1,
                         0,
                         INT_MAX,
                         "Minutes per step of an idle key's LFU counter decay: one less per "
                         "period without access (0: never decays)."};
  bool_row lazyfree_lazy_eviction{t_, "lazyfree-lazy-eviction", false,
                                  "Evicted values are freed in the background."};
};

}  // namespace troupe
