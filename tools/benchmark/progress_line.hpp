// The live line redis-benchmark prints while a test runs, e.g.
//   SET: rps=104510.0 (overall: 104510.0) avg_msec=0.267 (overall: 0.267)
// plus the time elapsed, rewritten in place with '\r'. Only shown on a
// terminal.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace troupe::bench {

class progress_line {
 public:
  progress_line(FILE* out, std::string title, uint64_t start_ns)
      : out_(out), title_(std::move(title)), start_ns_(start_ns), last_ns_(start_ns) {}

  // Totals so far: answered requests and the sum of their latencies.
  void update(uint64_t finished, uint64_t latency_sum_us, uint64_t now_ns);
  // Blanks the line so the report starts on a clean one.
  void clear();

  // The text of one update (without the '\r'), for tests.
  static std::string format(const std::string& title, double rps, double overall_rps, double avg_ms,
                            double overall_avg_ms, double elapsed_s);

 private:
  FILE* out_;
  std::string title_;
  uint64_t start_ns_;
  uint64_t last_ns_;
  uint64_t last_finished_ = 0;
  uint64_t last_latency_sum_ = 0;
  size_t printed_ = 0;
};

}  // namespace troupe::bench
