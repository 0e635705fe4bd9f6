// The pacing sinks without a server: what the shard's walk is told at each
// step. A walk that is told "paused, wait to be told" by a sink that only
// pauses for a time stops for good (a BGSAVE under rdb-key-save-delay once
// hung that way on a slow machine), so that answer must never come from the
// clock.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "storage/keyspace/snapshot_sinks.hpp"

using namespace troupe;

namespace {

struct counting_sink : snapshot_sink {
  int entries = 0;
  bool finished = false;
  void entry(int, const kv_entry*) override { ++entries; }
  void finish() override { finished = true; }
};

std::shared_ptr<std::atomic<int64_t>> fresh_clock() {
  return std::make_shared<std::atomic<int64_t>>(0);
}

// Asks the sink until it lets the walk go on, as the shard would, and checks
// every answer on the way. Returns the number of times it was asked.
int ask_until_free(snapshot_sink& s) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int asked = 0;
  for (;;) {
    int64_t p = s.pause_ms();
    ++asked;
    if (p == snapshot_sink::not_paused) return asked;
    EXPECT_GT(p, 0) << "a pause for a time answered \"wait to be told\"";
    if (p <= 0 || std::chrono::steady_clock::now() > give_up) return asked;
    // No sleep: asking in a tight loop crosses the due time between the
    // clock reads, where the answer used to flip.
  }
}

}  // namespace

TEST(delayed_sink, a_saved_key_pauses_the_walk_for_its_delay_then_lets_it_go) {
  auto inner = std::make_shared<counting_sink>();
  delayed_sink s(inner, 20000, fresh_clock());
  EXPECT_EQ(s.pause_ms(), snapshot_sink::not_paused);
  auto before = std::chrono::steady_clock::now();
  s.entry(0, nullptr);
  EXPECT_EQ(inner->entries, 1);
  int64_t p = s.pause_ms();
  EXPECT_GE(p, 1);
  EXPECT_LE(p, 20);
  EXPECT_GT(ask_until_free(s), 1);
  // The sink's clock counts whole microseconds.
  EXPECT_GE(std::chrono::steady_clock::now() - before,
            std::chrono::milliseconds(20) - std::chrono::microseconds(1));
  s.finish();
  EXPECT_TRUE(inner->finished);
}

TEST(delayed_sink, never_answers_wait_to_be_told_when_only_the_clock_holds_it) {
  auto inner = std::make_shared<counting_sink>();
  // 1 ms a key: the due time is always within a millisecond, where rounding
  // and the clock's progress meet.
  delayed_sink s(inner, 1000, fresh_clock());
  for (int i = 0; i < 200; ++i) {
    s.entry(0, nullptr);
    ask_until_free(s);
    if (HasFailure()) break;
  }
  EXPECT_EQ(inner->entries, 200);
}

TEST(delayed_sink, shards_sharing_a_clock_add_up_their_delays) {
  auto clock = fresh_clock();
  delayed_sink a(std::make_shared<counting_sink>(), 30000, clock);
  delayed_sink b(std::make_shared<counting_sink>(), 30000, clock);
  a.entry(0, nullptr);
  b.entry(0, nullptr);
  // Both keys' 30 ms: more than one key's worth is left, on either sink.
  EXPECT_GT(a.pause_ms(), 30);
  EXPECT_GT(b.pause_ms(), 30);
}

TEST(delayed_sink, takes_about_a_milliseconds_worth_of_keys_per_step) {
  auto c = fresh_clock();
  EXPECT_EQ(delayed_sink(std::make_shared<counting_sink>(), 50000, c).step_entries(), 1u);
  EXPECT_EQ(delayed_sink(std::make_shared<counting_sink>(), 100, c).step_entries(), 10u);
  EXPECT_EQ(delayed_sink(std::make_shared<counting_sink>(), 1, c).step_entries(), 128u);
  EXPECT_EQ(delayed_sink(std::make_shared<counting_sink>(), -5, c).step_entries(), 128u);
}

TEST(delayed_sink, a_negative_delay_costs_a_microsecond_every_n_keys) {
  // -1: every key costs 1 us, so the clock moves with each entry.
  auto clock = fresh_clock();
  delayed_sink s(std::make_shared<counting_sink>(), -1, clock);
  s.entry(0, nullptr);
  int64_t first = clock->load();
  EXPECT_GT(first, 0);
  // INT_MIN's magnitude is taken without overflow.
  delayed_sink extreme(std::make_shared<counting_sink>(), INT32_MIN, fresh_clock());
  for (int i = 0; i < 1000; ++i) extreme.entry(0, nullptr);
  ask_until_free(extreme);
}

TEST(paced_sink, waits_to_be_told_while_its_reader_is_behind) {
  std::atomic<bool> behind{true};
  auto inner = std::make_shared<counting_sink>();
  paced_sink s(inner, [&] { return behind.load(); });
  EXPECT_EQ(s.pause_ms(), 0);
  behind = false;
  EXPECT_EQ(s.pause_ms(), snapshot_sink::not_paused);
  s.entry(1, nullptr);
  EXPECT_EQ(inner->entries, 1);
}

TEST(delayed_sink, over_a_paced_sink_waits_for_both) {
  std::atomic<bool> behind{true};
  auto paced = std::make_shared<paced_sink>(std::make_shared<counting_sink>(),
                                            [&] { return behind.load(); });
  delayed_sink s(paced, 5000, fresh_clock());
  s.entry(0, nullptr);
  EXPECT_GT(s.pause_ms(), 0);  // the clock first
  std::this_thread::sleep_for(std::chrono::milliseconds(6));
  EXPECT_EQ(s.pause_ms(), 0);  // then the reader
  behind = false;
  EXPECT_EQ(s.pause_ms(), snapshot_sink::not_paused);
}
