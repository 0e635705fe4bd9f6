// A command's latency distribution, bucketed exactly as the HdrHistogram Redis
// 7.0 uses for LATENCY HISTOGRAM and INFO latencystats (values in nanoseconds
// from 1 to 1e9, two significant digits: 24 half-buckets of 128 counters), so
// percentiles and bucket boundaries print as Redis's do. One writer (the
// reactor running the command), readers anywhere: counters are relaxed atomics.
#pragma once
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "storage/keyspace/counters.hpp"

namespace troupe {

class latency_histogram {
 public:
  static constexpr int64_t lowest = 1, highest = 1000000000;
  static constexpr int sub_bucket_half_count_magnitude = 7;
  static constexpr int64_t sub_bucket_half_count = 1 << sub_bucket_half_count_magnitude;
  static constexpr int64_t sub_bucket_count = 2 * sub_bucket_half_count;
  static constexpr int bucket_count = 23;  // 256 << 22 is the first value past 1e9
  static constexpr size_t counts_len = size_t(bucket_count + 1) * sub_bucket_half_count;

  // One command's duration (clamped into [lowest, highest] as Redis clamps).
  void record(int64_t ns);
  void reset();
  // Adds this histogram's counts into `into` (counts_len long).
  void add_to(std::vector<uint64_t>& into) const;

  // -- reading merged counts -----------------------------------------------------
  static size_t index_of(int64_t value);
  static int64_t value_at(size_t index);
  static int64_t highest_equivalent(int64_t value);
  // The value at percentile p (0..100) of the counts, as hdr_value_at_percentile.
  static int64_t value_at_percentile(const std::vector<uint64_t>& counts, uint64_t total, double p);
  // LATENCY HISTOGRAM's cumulative distribution: (microseconds, calls at or
  // below) at 1024 ns, 2048 ns, ... as hdr's logarithmic iterator reports them,
  // each level only when its count grew.
  static std::vector<std::pair<int64_t, uint64_t>> cumulative_log2(
      const std::vector<uint64_t>& counts, uint64_t total);

 private:
  std::array<counter, counts_len> counts_;
};

}  // namespace troupe
