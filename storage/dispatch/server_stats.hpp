// Statistics kept per reactor (written only by its thread, read by INFO from any
// thread) and summed on demand.
#pragma once
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/dispatch/latency_histogram.hpp"
#include "storage/keyspace/counters.hpp"

namespace troupe {

struct command_stats {
  counter calls, usec, rejected_calls, failed_calls;
  // latency-tracking: made on the command's first call by the owning reactor,
  // read by LATENCY HISTOGRAM and INFO latencystats from any thread.
  std::atomic<latency_histogram*> histogram{nullptr};

  command_stats() = default;
  command_stats(const command_stats&) = delete;
  ~command_stats() { delete histogram.load(); }
  void record_latency(int64_t ns) {
    latency_histogram* h = histogram.load(std::memory_order_relaxed);
    if (h == nullptr) {
      h = new latency_histogram();
      histogram.store(h, std::memory_order_release);
    }
    h->record(ns);
  }
};

struct reactor_stats {
  explicit reactor_stats(size_t commands) : per_command(commands) {}
  counter commands_processed;
  counter net_input_bytes, net_output_bytes;
  counter reads_processed, writes_processed;
  counter connections_received, rejected_connections;
  counter error_replies;
  std::vector<command_stats> per_command;  // indexed by command_spec::id
  std::mutex errors_mutex;                 // errorstats, touched only on errors
  std::map<std::string, uint64_t> errors_by_code;

  void count_error(std::string_view code) {
    error_replies.add();
    std::lock_guard<std::mutex> g(errors_mutex);
    if (errors_by_code.size() < 128 || errors_by_code.count(std::string(code)))
      ++errors_by_code[std::string(code)];
  }
  void reset();
};

inline void reactor_stats::reset() {
  commands_processed.set(0);
  net_input_bytes.set(0);
  net_output_bytes.set(0);
  reads_processed.set(0);
  writes_processed.set(0);
  connections_received.set(0);
  rejected_connections.set(0);
  error_replies.set(0);
  for (auto& c : per_command) {
    if (latency_histogram* h = c.histogram.load(std::memory_order_acquire)) h->reset();
    c.calls.set(0);
    c.usec.set(0);
    c.rejected_calls.set(0);
    c.failed_calls.set(0);
  }
  std::lock_guard<std::mutex> g(errors_mutex);
  errors_by_code.clear();
}

// One command's latency counts summed over every reactor.
struct merged_latency {
  std::vector<uint64_t> counts;
  uint64_t total = 0;
};
// False when no reactor recorded a call of the command (since the last reset).
inline bool merge_latency(const std::vector<std::unique_ptr<reactor_stats>>& all, int id,
                          merged_latency& m) {
  for (auto& s : all)
    if (latency_histogram* h = s->per_command[size_t(id)].histogram.load(std::memory_order_acquire))
      h->add_to(m.counts);
  for (uint64_t n : m.counts) m.total += n;
  return m.total > 0;
}

}  // namespace troupe
