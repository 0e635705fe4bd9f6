// Key selection: uniform and Zipf-skewed numbers, reproducible from a seed.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tools/benchmark/command_template.hpp"
#include "tools/benchmark/random.hpp"

using namespace troupe::bench;

TEST(benchmark_random, same_seed_same_sequence) {
  rng a(123), b(123), c(124);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    differs |= x != c.next();
  }
  EXPECT_TRUE(differs);
  EXPECT_NE(derive_seed(1, 0), derive_seed(1, 1));
  EXPECT_EQ(derive_seed(9, 3), derive_seed(9, 3));
}

TEST(benchmark_random, uniform_covers_the_range_evenly) {
  rng r(42);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t v = r.below(10);
    ASSERT_LT(v, 10u);
    ++counts[v];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
  for (int i = 0; i < 1000; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(benchmark_random, zipf_frequencies_follow_the_exponent) {
  // With s = 1 over 100 ranks, P(k) = (1/k) / H(100).
  const uint64_t n = 100;
  zipf_sampler z(n, 1.0);
  rng r(3);
  std::vector<int> counts(n + 1, 0);
  const int draws = 400000;
  for (int i = 0; i < draws; ++i) {
    const uint64_t k = z.sample(r);
    ASSERT_GE(k, 1u);
    ASSERT_LE(k, n);
    ++counts[k];
  }
  double harmonic = 0;
  for (uint64_t k = 1; k <= n; ++k) harmonic += 1.0 / double(k);
  for (uint64_t k : {1u, 2u, 3u, 10u, 50u, 100u}) {
    const double expected = draws / (double(k) * harmonic);
    EXPECT_NEAR(counts[k], expected, 5 * std::sqrt(expected) + 0.02 * expected) << "rank " << k;
  }
}

TEST(benchmark_random, zipf_skew_grows_with_the_exponent) {
  rng r(8);
  auto share_of_hottest = [&](double s) {
    key_picker keys(1'000'000, s);
    int hits = 0;
    for (int i = 0; i < 100000; ++i) hits += keys.pick(r) == 0;
    return hits / 100000.0;
  };
  const double mild = share_of_hottest(0.5);
  const double strong = share_of_hottest(1.2);
  EXPECT_LT(mild, 0.01);
  EXPECT_GT(strong, 0.15);
}

TEST(benchmark_random, key_picker_stays_in_the_keyspace) {
  rng r(1);
  key_picker uniform(1000, 0), skewed(1000, 0.99), empty(0, 0);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_LT(uniform.pick(r), 1000u);
    ASSERT_LT(skewed.pick(r), 1000u);
    ASSERT_EQ(empty.pick(r), 0u);
  }
}

TEST(benchmark_random, twelve_digit_keys) {
  char buf[13] = {};
  write_12_digits(buf, 42);
  EXPECT_STREQ(buf, "000000000042");
  write_12_digits(buf, 999999999999ULL);
  EXPECT_STREQ(buf, "999999999999");
}
