// State shared by the worker threads of one test: the request budget, the
// deadline, stop and failure flags, and per-thread progress counters.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace troupe::bench {

class run_control {
 public:
  // total: requests to send; ignored when `timed` (then set_deadline() must be
  // called before the workers start).
  run_control(int64_t total, bool timed, bool show_errors)
      : total_(timed ? INT64_MAX : total), show_errors_(show_errors) {}
  void set_deadline(uint64_t deadline_ns) { deadline_ns_ = deadline_ns; }

  // Claims up to `want` requests for one batch; 0 when the run is over.
  uint32_t claim(uint32_t want, uint64_t now_ns) {
    if (stopping()) return 0;
    if (deadline_ns_ > 0) return now_ns < deadline_ns_ ? want : 0;
    const int64_t before = issued_.fetch_add(want, std::memory_order_relaxed);
    if (before >= total_) return 0;
    return uint32_t(std::min<int64_t>(want, total_ - before));
  }

  // Ctrl-C: no new batches; the ones in flight still complete.
  void request_stop() { stop_.store(true, std::memory_order_relaxed); }
  bool stop_requested() const { return stop_.load(std::memory_order_relaxed); }

  // A fatal error (server gone, protocol error): every worker gives up.
  void fail(std::string message);
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  std::string failure() const;
  bool stopping() const { return stop_requested() || failed(); }

  // -e: prints an error reply, at most one per second across threads.
  void maybe_show_error(std::string_view text, uint64_t now_ns);

 private:
  const int64_t total_;
  uint64_t deadline_ns_ = 0;
  const bool show_errors_;
  std::atomic<int64_t> issued_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> failed_{false};
  std::atomic<uint64_t> last_error_shown_ns_{0};
  mutable std::mutex mu_;
  std::string failure_;
};

// Written by one worker, read by the progress line; on its own cache line so
// the reader does not slow the writer down.
struct alignas(64) progress_slot {
  std::atomic<uint64_t> finished{0};
  std::atomic<uint64_t> latency_sum_us{0};
};

}  // namespace troupe::bench
