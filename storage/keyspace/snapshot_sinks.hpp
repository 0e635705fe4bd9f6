// Sinks that wrap another snapshot sink to pace the walk or drop its output.
// The encoders (RDB chunks, AOF commands) are the inner sinks; these decide
// when the walk may take its next step.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "storage/keyspace/snapshot.hpp"

namespace troupe {

// A sink whose walk waits while `paused` says so (a diskless full sync's
// slowest replica sets the pace); whoever clears it sends the shard on.
class paced_sink : public snapshot_sink {
 public:
  paced_sink(std::shared_ptr<snapshot_sink> inner, std::function<bool()> paused);
  void entry(int db, const kv_entry* e) override;
  void finish() override;
  int64_t pause_ms() override;

 private:
  std::shared_ptr<snapshot_sink> inner_;
  std::function<bool()> paused_;
};

// rdb-key-save-delay: each saved key holds the snapshot back `us`
// microseconds (negative -n: 1 us once every n keys on average, as Redis).
// Redis sleeps in its fork child; here the walk pauses and a reactor timer
// resumes it, so clients are served all along. It takes about a
// millisecond's worth of keys per step, the timer's resolution. The shards'
// sinks share one clock (`due_us`, steady-clock microseconds), so the whole
// save is paced as Redis's one child is.
class delayed_sink : public snapshot_sink {
 public:
  delayed_sink(std::shared_ptr<snapshot_sink> inner, int64_t us,
               std::shared_ptr<std::atomic<int64_t>> due_us);
  // Under the shard's lock (the walk, or a write saving a key first); shards
  // of other reactors charge the same clock.
  void entry(int db, const kv_entry* e) override;
  void finish() override;
  // The time left, rounded up to whole milliseconds (never 0 while any is
  // left: 0 would mean "wait to be told", and nobody would tell).
  int64_t pause_ms() override;
  uint64_t step_entries() const override;

 private:
  std::shared_ptr<snapshot_sink> inner_;
  int64_t us_;
  std::shared_ptr<std::atomic<int64_t>> due_us_;
};

// A snapshot that writes no keys (an RDB of aux fields only, for rdb-filter-only):
// the walk still runs, to bring every entry's mark back to its slice's parity.
class discarding_sink : public snapshot_sink {
 public:
  explicit discarding_sink(std::function<void()> done) : done_(std::move(done)) {}
  void entry(int, const kv_entry*) override {}
  void finish() override { done_(); }

 private:
  std::function<void()> done_;
};

}  // namespace troupe
