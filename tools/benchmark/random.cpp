#include "tools/benchmark/random.hpp"

#include <algorithm>
#include <cmath>

namespace troupe::bench {

namespace {
uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

// log1p(x) / x and expm1(x) / x, with their series near 0 where the division
// would lose precision.
double log1p_over_x(double x) {
  if (std::fabs(x) > 1e-8) return std::log1p(x) / x;
  return 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}
double expm1_over_x(double x) {
  if (std::fabs(x) > 1e-8) return std::expm1(x) / x;
  return 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}
}  // namespace

rng::rng(uint64_t seed) {
  for (auto& s : s_) s = splitmix64(seed);
}

uint64_t rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

uint64_t derive_seed(uint64_t seed, uint64_t stream) {
  uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);
  return splitmix64(x);
}

zipf_sampler::zipf_sampler(uint64_t n, double s) : n_(std::max<uint64_t>(n, 1)), s_(s) {
  if (s_ <= 0) s_ = 1;  // unused: key_picker only samples with s > 0
  h_x1_ = big_h(1.5) - 1;
  h_n_ = big_h(double(n_) + 0.5);
  cut_ = 2 - big_h_inv(big_h(2.5) - h(2));
}

double zipf_sampler::h(double x) const {
  return std::exp(-s_ * std::log(x));
}

// (x^(1-s) - 1) / (1 - s), written so that s = 1 (where it becomes log x) is
// not a special case.
double zipf_sampler::big_h(double x) const {
  const double log_x = std::log(x);
  return expm1_over_x((1 - s_) * log_x) * log_x;
}

double zipf_sampler::big_h_inv(double x) const {
  double t = x * (1 - s_);
  if (t < -1) t = -1;  // rounding can push it just past the domain of log1p
  return std::exp(log1p_over_x(t) * x);
}

uint64_t zipf_sampler::sample(rng& r) const {
  for (;;) {
    const double u = h_n_ + r.uniform() * (h_x1_ - h_n_);
    const double x = big_h_inv(u);
    double k = std::floor(x + 0.5);
    if (k < 1) k = 1;
    if (k > double(n_)) k = double(n_);
    // Accept if k is close enough to x, or u falls under the histogram bar of k.
    if (k - x <= cut_ || u >= big_h(k + 0.5) - h(k)) return uint64_t(k);
  }
}

key_picker::key_picker(uint64_t keyspace, double zipf_exponent)
    : keyspace_(keyspace),
      zipf_exponent_(zipf_exponent),
      zipf_(keyspace, zipf_exponent > 0 ? zipf_exponent : 1) {}

}  // namespace troupe::bench
