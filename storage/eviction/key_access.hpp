// What eviction knows of a key: the 24 bits of kv_entry::meta it keeps for free
// (the entry's header has them anyway, so LRU and LFU cost no byte per key).
//
// Under an LRU policy (or none) they hold the LRU clock of the last access:
// seconds modulo 2^24, as Redis's LRU_CLOCK. Under an LFU policy, the high 16 bits
// are the time in minutes (modulo 2^16) of the counter's last decay and the low 8
// bits a logarithmic access counter: each access increments it with probability
// 1 / ((counter - 5) * lfu-log-factor + 1), and it loses one per lfu-decay-time
// minutes without access. New keys start at 5 so they are not the first evicted.
#pragma once
#include <cstdint>

#include "protocol/config/config_memory_rows.hpp"
#include "storage/rdb/rdb_format.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

inline constexpr uint32_t lru_clock_max = (1u << 24) - 1;
inline constexpr uint32_t lfu_init_val = 5;

// The LRU clock for a wall-clock time in milliseconds.
inline uint32_t lru_clock_at(int64_t now_ms) {
  return uint32_t(now_ms / 1000) & lru_clock_max;
}
// Seconds an entry whose bits are `lru` has been idle at `clock` (one wrap allowed).
inline uint64_t lru_idle_seconds(uint32_t lru, uint32_t clock) {
  return clock >= lru ? clock - lru : uint64_t(clock) + (lru_clock_max - lru);
}
// LRU bits of an entry idle for `seconds` at `clock` (RESTORE IDLETIME, RDB loading).
inline uint32_t lru_for_idle(uint32_t clock, uint64_t seconds) {
  uint64_t i = seconds > lru_clock_max ? lru_clock_max : seconds;
  return clock >= i ? uint32_t(clock - i) : uint32_t(clock + (lru_clock_max - i));
}

inline uint32_t lfu_minutes_at(int64_t now_ms) {
  return uint32_t(now_ms / 60000) & 0xffff;
}
// The counter after decay at `now_ms`, without storing it (OBJECT FREQ).
uint32_t lfu_decayed_counter(uint32_t bits, int64_t now_ms, int64_t decay_minutes);
// The counter after one access (logarithmic, random).
uint32_t lfu_log_increment(uint32_t counter, int64_t log_factor);

// The settings an access reads, gathered once per use.
struct access_params {
  eviction_policy policy = eviction_policy::noeviction;
  uint32_t lru_clock = 0;     // seconds, the server's clock (INFO lru_clock)
  uint32_t lru_fraction = 0;  // sixteenths of that second
  int64_t now_ms = 0;
  int64_t lfu_log_factor = 10;
  int64_t lfu_decay_time = 1;
};

// Sixteenths of the second `clock` at `now_ms`. The server's clock is advanced by
// the cron and may lag the wall clock by a tick: then the key is put at the end
// of the clock's second, so the order of accesses is kept.
inline uint32_t lru_fraction_at(uint32_t clock, int64_t now_ms) {
  if (lru_clock_at(now_ms) != clock) return 15;
  return uint32_t(now_ms % 1000) * 16 / 1000;
}

// Under LFU the fraction bits hold the last access in quarter seconds modulo 16:
// among keys with the same counter, eviction takes the one idle longest, when
// that is within the last 4 seconds (older ones tie, as all do in Redis).
inline uint32_t lfu_recency_at(int64_t now_ms) {
  return uint32_t(now_ms / 250) & 15;
}

// A key just created.
inline void stamp_fresh(kv_entry* e, const access_params& p) {
  if (policy_is_lfu(p.policy)) {
    e->set_lru((lfu_minutes_at(p.now_ms) << 8) | lfu_init_val);
    e->set_lru_fraction(lfu_recency_at(p.now_ms));
  } else {
    e->set_lru(p.lru_clock);
    e->set_lru_fraction(p.lru_fraction);
  }
}
// An access to a key whose bits were `old` (the entry's own, or those of the
// value it replaces).
inline void stamp_touched(kv_entry* e, uint32_t old, const access_params& p) {
  if (!policy_is_lfu(p.policy)) return stamp_fresh(e, p);
  uint32_t counter = lfu_decayed_counter(old, p.now_ms, p.lfu_decay_time);
  counter = lfu_log_increment(counter, p.lfu_log_factor);
  e->set_lru((lfu_minutes_at(p.now_ms) << 8) | counter);
  e->set_lru_fraction(lfu_recency_at(p.now_ms));
}
// LFU eviction's score: the fewer accesses the higher, then the longer idle.
inline uint64_t lfu_score(const kv_entry* e, int64_t now_ms, int64_t decay_minutes) {
  uint64_t rarity = 255 - lfu_decayed_counter(e->lru(), now_ms, decay_minutes);
  return (rarity << 4) | ((lfu_recency_at(now_ms) - e->lru_fraction()) & 15);
}
// How long an entry has been idle, in sixteenths of a second (LRU eviction's
// score; the fraction only orders keys within a second).
inline uint64_t lru_idle_sixteenths(const kv_entry* e, uint32_t clock) {
  constexpr uint64_t max = (uint64_t(lru_clock_max) << 4) | 15;
  uint64_t now = (uint64_t(clock) << 4) | 15;
  uint64_t then = (uint64_t(e->lru()) << 4) | e->lru_fraction();
  return now >= then ? now - then : now + (max - then);
}

// What an RDB file keeps per key under a policy, as Redis: the idle time under
// LRU, the counter under LFU, nothing otherwise.
inline rdb::lru_mode rdb_access_mode(eviction_policy p) {
  return policy_is_lfu(p)   ? rdb::lru_mode::lfu
         : policy_is_lru(p) ? rdb::lru_mode::lru
                            : rdb::lru_mode::none;
}

}  // namespace troupe
