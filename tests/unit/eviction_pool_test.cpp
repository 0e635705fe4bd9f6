// The eviction pool keeps the best candidates in order, and the LFU counter
// grows and decays as Redis's does.
#include <gtest/gtest.h>

#include <string>

#include "storage/eviction/eviction_pool.hpp"
#include "storage/eviction/key_access.hpp"

using namespace troupe;

TEST(eviction_pool, pops_the_highest_scores_first_and_keeps_only_the_best) {
  eviction_pool pool;
  for (int i = 0; i < 100; ++i) pool.offer(uint64_t((i * 37) % 100), 0, 0, std::to_string(i));
  EXPECT_EQ(pool.size(), eviction_pool::capacity);
  eviction_candidate c;
  uint64_t expected = 99;
  while (pool.pop_best(c)) EXPECT_EQ(c.score, expected--);
  EXPECT_EQ(expected, 99 - eviction_pool::capacity);
}

TEST(eviction_pool, a_key_sampled_twice_is_held_once) {
  eviction_pool pool;
  pool.offer(5, 1, 0, "k");
  pool.offer(5, 1, 0, "k");
  pool.offer(5, 2, 0, "k");  // another shard: another key
  EXPECT_EQ(pool.size(), 2u);
}

TEST(lfu_counter, first_hit_always_counts_then_growth_is_logarithmic) {
  EXPECT_EQ(lfu_log_increment(lfu_init_val, 10), lfu_init_val + 1);
  EXPECT_EQ(lfu_log_increment(255, 10), 255u);
  uint32_t c = lfu_init_val;
  for (int i = 0; i < 100000; ++i) c = lfu_log_increment(c, 10);
  // Redis's table for lfu-log-factor 10: about 140 after 100k hits, far from 255.
  EXPECT_GT(c, 115u);
  EXPECT_LT(c, 180u);
  // Factor 0: every hit counts.
  c = 0;
  for (int i = 0; i < 300; ++i) c = lfu_log_increment(c, 0);
  EXPECT_EQ(c, 255u);
}

TEST(lfu_counter, decays_one_per_period_and_wraps_its_minute_clock) {
  int64_t now = int64_t(1000) * 60000;  // minute 1000
  uint32_t bits = (uint32_t(990) << 8) | 20;
  EXPECT_EQ(lfu_decayed_counter(bits, now, 1), 10u);
  EXPECT_EQ(lfu_decayed_counter(bits, now, 5), 18u);
  EXPECT_EQ(lfu_decayed_counter(bits, now, 0), 20u);  // 0: never decays
  EXPECT_EQ(lfu_decayed_counter(bits, now + 60 * 60000, 1), 0u);
  // The 16-bit minute clock wrapped since the last decay.
  uint32_t old = (uint32_t(65530) << 8) | 20;
  EXPECT_EQ(lfu_decayed_counter(old, int64_t(65536 + 4) * 60000, 1), 11u);
}

TEST(lru_clock, idle_time_survives_one_wrap) {
  EXPECT_EQ(lru_idle_seconds(100, 150), 50u);
  EXPECT_EQ(lru_idle_seconds(lru_clock_max - 10, 5), 15u);
  EXPECT_EQ(lru_idle_seconds(lru_for_idle(1000, 300), 1000), 300u);
  EXPECT_EQ(lru_idle_seconds(lru_for_idle(100, 300), 100), 300u);
}

TEST(lru_clock, sixteenths_order_accesses_within_a_second) {
  kv_entry* a = make_string_entry("a", "v", false);
  kv_entry* b = make_string_entry("b", "v", false);
  access_params p;
  p.policy = eviction_policy::allkeys_lru;
  p.lru_clock = 100;
  p.now_ms = 100 * 1000 + 100;
  p.lru_fraction = lru_fraction_at(p.lru_clock, p.now_ms);
  stamp_fresh(a, p);
  p.now_ms = 100 * 1000 + 900;
  p.lru_fraction = lru_fraction_at(p.lru_clock, p.now_ms);
  stamp_fresh(b, p);
  EXPECT_GT(lru_idle_sixteenths(a, 100), lru_idle_sixteenths(b, 100));
  EXPECT_EQ(lru_idle_seconds(a->lru(), 101), 1u);  // OBJECT IDLETIME: whole seconds
  // The cron's clock lags the wall clock: the access goes to the end of its second.
  EXPECT_EQ(lru_fraction_at(100, 101 * 1000 + 50), 15u);
  destroy_entry(a);
  destroy_entry(b);
}

TEST(lfu_counter, equal_counters_go_least_recently_used_first) {
  kv_entry* a = make_string_entry("a", "v", false);
  kv_entry* b = make_string_entry("b", "v", false);
  access_params p;
  p.policy = eviction_policy::allkeys_lfu;
  p.now_ms = int64_t(1000) * 60000;
  stamp_fresh(a, p);
  p.now_ms += 1000;
  stamp_fresh(b, p);
  EXPECT_GT(lfu_score(a, p.now_ms, 1), lfu_score(b, p.now_ms, 1));
  // A higher counter beats any recency.
  b->set_lru((b->lru() & ~0xffu) | 6);
  EXPECT_GT(lfu_score(a, p.now_ms, 1), lfu_score(b, p.now_ms, 1));
  a->set_lru((a->lru() & ~0xffu) | 7);
  EXPECT_LT(lfu_score(a, p.now_ms, 1), lfu_score(b, p.now_ms, 1));
  destroy_entry(a);
  destroy_entry(b);
}
