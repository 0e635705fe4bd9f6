// A log-linear latency histogram in the style of HdrHistogram: values (in
// microseconds) below 2^bits are counted exactly; above, every power of two
// is split into 2^(bits-1) equal sub-buckets, so a value is known to within a
// relative error of 1 / 2^(bits-1). With 3 significant digits (the default)
// that is 1/1024, under 0.1%, at a fixed memory cost of about 190 KB.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace troupe::bench {

class histogram {
 public:
  // significant_digits in [1, 4] (clamped): the relative error is at most
  // 10^-significant_digits. Values above max_value are counted as max_value
  // (the exact maximum is still kept in max()).
  explicit histogram(int significant_digits = 3, uint64_t max_value = 3'600'000'000ULL);

  void record(uint64_t value) { record_n(value, 1); }
  void record_n(uint64_t value, uint64_t n) {
    if (n == 0) return;
    counts_[index_of(value < max_value_ ? value : max_value_)] += n;
    total_ += n;
    sum_ += value * n;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }
  // Adds another histogram's counts; both must have the same shape.
  void merge(const histogram& other);
  void reset();

  uint64_t count() const { return total_; }
  uint64_t min() const { return total_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return total_ ? double(sum_) / double(total_) : 0.0; }
  // The smallest recorded value v such that at least p% of the values are <= v,
  // reported as the top of its bucket (never above max()). 0 when empty.
  uint64_t value_at_percentile(double p) const;

  // Bucket access, for reports that walk the distribution.
  size_t bucket_count() const { return counts_.size(); }
  uint64_t count_at(size_t index) const { return counts_[index]; }
  uint64_t lowest_at(size_t index) const;
  uint64_t highest_at(size_t index) const;
  size_t index_of(uint64_t value) const;
  int sub_bucket_bits() const { return bits_; }

 private:
  int bits_;       // values below 2^bits_ have their own bucket
  uint64_t half_;  // 2^(bits_-1): sub-buckets per power of two above that
  uint64_t max_value_;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace troupe::bench
