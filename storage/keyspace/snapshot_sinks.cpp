#include "storage/keyspace/snapshot_sinks.hpp"

#include <algorithm>
#include <cstdlib>

#include "storage/keyspace/clock.hpp"

namespace troupe {

paced_sink::paced_sink(std::shared_ptr<snapshot_sink> inner, std::function<bool()> paused)
    : inner_(std::move(inner)), paused_(std::move(paused)) {}

void paced_sink::entry(int db, const kv_entry* e) {
  inner_->entry(db, e);
}

void paced_sink::finish() {
  inner_->finish();
}

int64_t paced_sink::pause_ms() {
  return paused_ && paused_() ? 0 : inner_->pause_ms();
}

delayed_sink::delayed_sink(std::shared_ptr<snapshot_sink> inner, int64_t us,
                           std::shared_ptr<std::atomic<int64_t>> due_us)
    : inner_(std::move(inner)), us_(us), due_us_(std::move(due_us)) {}

void delayed_sink::entry(int db, const kv_entry* e) {
  inner_->entry(db, e);
  int64_t cost = us_ >= 0 ? us_ : (std::rand() % -us_) == 0 ? 1 : 0;
  int64_t due = due_us_->load(std::memory_order_relaxed);
  while (!due_us_->compare_exchange_weak(due, std::max(due, monotonic_us()) + cost,
                                         std::memory_order_relaxed)) {
  }
}

void delayed_sink::finish() {
  inner_->finish();
}

int64_t delayed_sink::pause_ms() {
  int64_t left = due_us_->load(std::memory_order_relaxed) - monotonic_us();
  return left > 0 ? (left + 999) / 1000 : inner_->pause_ms();
}

uint64_t delayed_sink::step_entries() const {
  return us_ <= 0 ? 128 : uint64_t(std::clamp<int64_t>(1000 / us_, 1, 128));
}

}  // namespace troupe
