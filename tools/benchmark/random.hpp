// Random numbers for key selection: a small fast generator (xoshiro256**,
// seeded through splitmix64), uniform integers, and a Zipf sampler.
#pragma once
#include <cstdint>

namespace troupe::bench {

class rng {
 public:
  explicit rng(uint64_t seed = 0);
  uint64_t next();
  // Uniform in [0, n); n > 0. Lemire's multiply-shift: no division, and a bias
  // of at most n / 2^64, far below anything a benchmark can observe.
  uint64_t below(uint64_t n) {
    return uint64_t((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  // Uniform in [0, 1).
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t s_[4];
};

// Mixes a seed with a stream number so that each connection gets its own
// independent, reproducible sequence.
uint64_t derive_seed(uint64_t seed, uint64_t stream);

// Zipf distribution over ranks 1..n with exponent s > 0: P(k) ~ 1 / k^s.
// Rejection-inversion sampling (Hörmann and Derflinger, 1996): O(1) per draw
// and no table, so it works for any keyspace size.
class zipf_sampler {
 public:
  zipf_sampler(uint64_t n, double s);
  // A rank in [1, n].
  uint64_t sample(rng& r) const;

 private:
  double h(double x) const;          // the density, x^-s
  double big_h(double x) const;      // an antiderivative of h
  double big_h_inv(double x) const;  // its inverse
  uint64_t n_;
  double s_;
  double h_x1_;  // big_h(1.5) - 1
  double h_n_;   // big_h(n + 0.5)
  double cut_;   // squeeze bound: accept without the second test below it
};

// Picks key numbers in [0, keyspace): uniformly, or Zipf-skewed when a
// positive exponent is given (number 0 is then the hottest key).
class key_picker {
 public:
  key_picker(uint64_t keyspace, double zipf_exponent);
  uint64_t pick(rng& r) const {
    if (keyspace_ == 0) return 0;
    if (zipf_exponent_ > 0) return zipf_.sample(r) - 1;
    return r.below(keyspace_);
  }
  uint64_t keyspace() const { return keyspace_; }

 private:
  uint64_t keyspace_;
  double zipf_exponent_;
  zipf_sampler zipf_;
};

}  // namespace troupe::bench
