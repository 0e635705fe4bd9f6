// LATENCY's event log (Redis's latency monitor): when an operation takes at
// least latency-monitor-threshold milliseconds, a sample (unix second,
// milliseconds) joins its event's series: "command", "fast-command",
// "expire-cycle", "eviction-cycle"... Each series keeps its last 160 seconds
// that had samples (the worst one per second) and its all-time maximum.
// Samples are rare (only over the threshold), so a mutex guards it.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace troupe {

class latency_monitor {
 public:
  static constexpr size_t series_len = 160;
  struct sample {
    int64_t time = 0;  // unix seconds; 0: unused slot
    uint32_t ms = 0;
  };
  struct series {
    std::array<sample, series_len> samples{};
    size_t next = 0;  // the slot the next new second goes to
    uint32_t max = 0;
  };
  struct latest {
    std::string event;
    int64_t time;
    uint32_t ms, max;
  };

  void add(const std::string& event, uint32_t ms, int64_t now_s);
  std::vector<latest> latest_samples() const;
  // Oldest first; empty if the event never happened.
  std::vector<sample> history(const std::string& event) const;
  // Forgets the events named (all when `events` is empty); how many existed.
  size_t reset(const std::vector<std::string>& events);
  bool empty() const;

  // LATENCY GRAPH's text: a header, a ruler and a 4-row sparkline of the
  // series with "ago" labels; nullopt-like empty string when no samples.
  std::string graph(const std::string& event, int64_t now_s) const;
  // LATENCY DOCTOR's report on every event.
  struct doctor_context {
    int64_t threshold_ms, slowlog_slower_than_us, hz;
  };
  std::string doctor(const doctor_context& ctx, int64_t now_s) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, series> events_;
};

}  // namespace troupe
