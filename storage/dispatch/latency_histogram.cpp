#include "storage/dispatch/latency_histogram.hpp"

#include <algorithm>

namespace troupe {
namespace {

constexpr int64_t sub_bucket_mask = latency_histogram::sub_bucket_count - 1;  // unit magnitude 0

int bucket_of(int64_t value) {
  int pow2ceiling = 64 - __builtin_clzll(uint64_t(value | sub_bucket_mask));
  return pow2ceiling - (latency_histogram::sub_bucket_half_count_magnitude + 1);
}

int64_t sub_bucket_of(int64_t value, int bucket) {
  return value >> bucket;
}

}  // namespace

size_t latency_histogram::index_of(int64_t value) {
  int bucket = bucket_of(value);
  int64_t sub = sub_bucket_of(value, bucket);
  return size_t(((int64_t(bucket) + 1) << sub_bucket_half_count_magnitude) +
                (sub - sub_bucket_half_count));
}

int64_t latency_histogram::value_at(size_t index) {
  int64_t bucket = int64_t(index >> sub_bucket_half_count_magnitude) - 1;
  int64_t sub = int64_t(index & (sub_bucket_half_count - 1)) + sub_bucket_half_count;
  if (bucket < 0) {
    sub -= sub_bucket_half_count;
    bucket = 0;
  }
  return sub << bucket;
}

int64_t latency_histogram::highest_equivalent(int64_t value) {
  int bucket = bucket_of(value);
  int64_t sub = sub_bucket_of(value, bucket);
  int64_t lowest_equal = sub << bucket;
  int adjusted = sub >= sub_bucket_count ? bucket + 1 : bucket;
  return lowest_equal + (int64_t(1) << adjusted) - 1;
}

void latency_histogram::record(int64_t ns) {
  counts_[index_of(std::clamp(ns, lowest, highest))].add();
}

void latency_histogram::reset() {
  for (auto& c : counts_) c.set(0);
}

void latency_histogram::add_to(std::vector<uint64_t>& into) const {
  into.resize(counts_len);
  for (size_t i = 0; i < counts_len; ++i) into[i] += counts_[i].get();
}

int64_t latency_histogram::value_at_percentile(const std::vector<uint64_t>& counts, uint64_t total,
                                               double p) {
  p = std::min(p, 100.0);
  auto wanted = uint64_t(p / 100 * double(total) + 0.5);
  wanted = std::max<uint64_t>(wanted, 1);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= wanted) return highest_equivalent(value_at(i));
  }
  return 0;
}

std::vector<std::pair<int64_t, uint64_t>> latency_histogram::cumulative_log2(
    const std::vector<uint64_t>& counts, uint64_t total) {
  std::vector<std::pair<int64_t, uint64_t>> out;
  uint64_t cumulative = 0, reported = 0;
  int64_t level = 1024;
  size_t i = 0;
  // Each level L reports every count at or below L's own bucket.
  while (cumulative < total && level <= highest * 2) {
    size_t last = index_of(std::min(level, highest));
    for (; i <= last && i < counts.size(); ++i) cumulative += counts[i];
    if (cumulative > reported) {
      out.emplace_back(highest_equivalent(level) / 1000, cumulative);
      reported = cumulative;
    }
    level *= 2;
  }
  return out;
}

}  // namespace troupe
