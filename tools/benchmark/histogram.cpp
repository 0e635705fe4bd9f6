#include "tools/benchmark/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace troupe::bench {

namespace {
// Smallest number of bits such that 2^(bits-1) >= 10^digits.
int bits_for_digits(int digits) {
  uint64_t want = 1;
  for (int i = 0; i < digits; ++i) want *= 10;
  int bits = 1;
  while ((uint64_t{1} << (bits - 1)) < want) ++bits;
  return bits;
}
}  // namespace

histogram::histogram(int significant_digits, uint64_t max_value)
    : bits_(bits_for_digits(std::clamp(significant_digits, 1, 4))),
      half_(uint64_t{1} << (bits_ - 1)),
      max_value_(std::max<uint64_t>(max_value, 1)) {
  counts_.assign(index_of(max_value_) + 1, 0);
}

size_t histogram::index_of(uint64_t value) const {
  const uint64_t exact = uint64_t{1} << bits_;
  if (value < exact) return size_t(value);
  // value has its top bit at position msb >= bits_; its power-of-two range is
  // split into half_ sub-buckets of width 2^shift.
  const int msb = 63 - std::countl_zero(value);
  const int shift = msb - bits_ + 1;
  return size_t(exact + uint64_t(shift - 1) * half_ + ((value >> shift) - half_));
}

uint64_t histogram::lowest_at(size_t index) const {
  const uint64_t exact = uint64_t{1} << bits_;
  if (index < exact) return index;
  const uint64_t j = index - exact;
  const int shift = int(j / half_) + 1;
  return (j % half_ + half_) << shift;
}

uint64_t histogram::highest_at(size_t index) const {
  const uint64_t exact = uint64_t{1} << bits_;
  if (index < exact) return index;
  const int shift = int((index - exact) / half_) + 1;
  return lowest_at(index) + (uint64_t{1} << shift) - 1;
}

void histogram::merge(const histogram& other) {
  if (other.counts_.size() != counts_.size() || other.bits_ != bits_) {
    throw std::invalid_argument("histogram::merge: different shapes");
  }
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

uint64_t histogram::value_at_percentile(double p) const {
  if (total_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // The rank of the wanted value, 1-based; at least the first value.
  // The guard keeps 99.9% of 1000 at rank 999 despite 99.9 having no exact
  // binary form.
  const double exact_rank = p / 100.0 * double(total_);
  auto rank = uint64_t(std::ceil(exact_rank - 1e-9 * std::max(1.0, exact_rank)));
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_at(i), max_);
  }
  return max_;
}

}  // namespace troupe::bench
