// The log-linear latency histogram: exact at small values, bounded relative
// error above, correct percentiles, merges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "tools/benchmark/histogram.hpp"
#include "tools/benchmark/random.hpp"

using namespace troupe::bench;

TEST(benchmark_histogram, buckets_tile_the_range_without_gaps) {
  for (int digits = 1; digits <= 4; ++digits) {
    histogram h(digits, 100'000'000);
    uint64_t expected_low = 0;
    for (size_t i = 0; i < h.bucket_count(); ++i) {
      ASSERT_EQ(h.lowest_at(i), expected_low) << "digits " << digits << " bucket " << i;
      ASSERT_GE(h.highest_at(i), h.lowest_at(i));
      ASSERT_EQ(h.index_of(h.lowest_at(i)), i);
      ASSERT_EQ(h.index_of(h.highest_at(i)), i);
      expected_low = h.highest_at(i) + 1;
    }
    EXPECT_GE(expected_low, 100'000'000u);
  }
}

TEST(benchmark_histogram, small_values_are_exact) {
  histogram h(3);
  // 3 digits: below 2048 microseconds every value has its own bucket.
  for (uint64_t v : {0u, 1u, 15u, 167u, 999u, 2047u}) {
    EXPECT_EQ(h.lowest_at(h.index_of(v)), v);
    EXPECT_EQ(h.highest_at(h.index_of(v)), v);
  }
}

TEST(benchmark_histogram, relative_error_is_bounded_by_precision) {
  for (int digits = 1; digits <= 4; ++digits) {
    histogram h(digits);
    const double bound = std::pow(10.0, -digits);
    rng r(7);
    for (int i = 0; i < 20000; ++i) {
      // Log-uniform values from 1 us to 1000 s.
      const auto v = uint64_t(std::exp(r.uniform() * std::log(1e9)));
      const size_t idx = h.index_of(v);
      const double width = double(h.highest_at(idx) - h.lowest_at(idx));
      ASSERT_LE(width, bound * double(v)) << "digits " << digits << " value " << v;
    }
  }
}

TEST(benchmark_histogram, percentiles_min_max_mean) {
  histogram h;
  for (uint64_t v = 1; v <= 1000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 1000u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 1000u);
  EXPECT_DOUBLE_EQ(h.mean(), 500.5);
  EXPECT_EQ(h.value_at_percentile(50), 500u);
  EXPECT_EQ(h.value_at_percentile(90), 900u);
  EXPECT_EQ(h.value_at_percentile(99), 990u);
  EXPECT_EQ(h.value_at_percentile(99.9), 999u);
  EXPECT_EQ(h.value_at_percentile(100), 1000u);
  EXPECT_EQ(h.value_at_percentile(0), 1u);
}

TEST(benchmark_histogram, percentiles_of_large_values_stay_within_error) {
  histogram h(3);
  std::vector<uint64_t> values;
  rng r(11);
  for (int i = 0; i < 100000; ++i) values.push_back(1000 + r.below(5'000'000));
  for (uint64_t v : values) h.record(v);
  std::sort(values.begin(), values.end());
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const uint64_t exact = values[size_t(std::ceil(p / 100 * double(values.size()))) - 1];
    const uint64_t got = h.value_at_percentile(p);
    EXPECT_GE(got, exact) << p;
    EXPECT_LE(double(got - exact), 0.001 * double(exact)) << p;
  }
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.min(), values.front());
}

TEST(benchmark_histogram, record_n_equals_repeated_record) {
  histogram a, b;
  a.record_n(250, 16);
  for (int i = 0; i < 16; ++i) b.record(250);
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.count_at(a.index_of(250)), 16u);
  EXPECT_DOUBLE_EQ(a.mean(), b.mean());
  a.record_n(999, 0);
  EXPECT_EQ(a.count(), 16u);
  EXPECT_EQ(a.max(), 250u);
}

TEST(benchmark_histogram, merge_adds_counts_and_extremes) {
  histogram a, b;
  a.record(10);
  a.record(20);
  b.record(5);
  b.record(50000);
  a.merge(b);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(a.min(), 5u);
  EXPECT_EQ(a.max(), 50000u);
  EXPECT_DOUBLE_EQ(a.mean(), (10 + 20 + 5 + 50000) / 4.0);
  histogram other_shape(1);
  EXPECT_THROW(a.merge(other_shape), std::invalid_argument);
}

TEST(benchmark_histogram, values_above_the_maximum_are_clamped_but_max_is_exact) {
  histogram h(3, 1000);
  h.record(5'000'000);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.max(), 5'000'000u);
  EXPECT_EQ(h.index_of(1000), h.bucket_count() - 1);
  EXPECT_EQ(h.count_at(h.bucket_count() - 1), 1u);
}

TEST(benchmark_histogram, empty_and_reset) {
  histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.value_at_percentile(50), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  h.record(42);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.count_at(h.index_of(42)), 0u);
}
