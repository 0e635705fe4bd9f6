// What a test measured: per operation latency histograms and error counts,
// merged across worker threads into a test_result.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tools/benchmark/histogram.hpp"

namespace troupe::bench {

struct op_stats {
  explicit op_stats(int precision) : latency(precision) {}
  histogram latency;  // microseconds, one value per answered request
  uint64_t errors = 0;
  std::string first_error;

  void merge(const op_stats& o) {
    latency.merge(o.latency);
    errors += o.errors;
    if (first_error.empty()) first_error = o.first_error;
  }
};

struct test_result {
  std::string title;
  std::vector<std::string> op_names;  // several only for a mix
  std::vector<op_stats> ops;
  histogram latency;      // all operations
  uint64_t requests = 0;  // answered
  double seconds = 0;
  int payload_size = 0;
  bool interrupted = false;  // stopped early by Ctrl-C

  explicit test_result(int precision) : latency(precision) {}
  uint64_t errors() const {
    uint64_t e = 0;
    for (const auto& o : ops) e += o.errors;
    return e;
  }
  std::string first_error() const {
    for (const auto& o : ops) {
      if (!o.first_error.empty()) return o.first_error;
    }
    return "";
  }
  double rps() const { return seconds > 0 ? double(requests) / seconds : 0.0; }
};

}  // namespace troupe::bench
