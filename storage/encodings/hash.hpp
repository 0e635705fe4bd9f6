// The keyspace's 64-bit string hash: 8 bytes at a time, multiply-xorshift mixing,
// with a per-process random seed so that clients cannot choose colliding keys.
#pragma once
#include <cstdint>
#include <cstring>
#include <string_view>

namespace troupe {

extern uint64_t hash_seed;  // set once at start-up (random)

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

inline uint64_t hash_bytes(const char* p, size_t n) {
  constexpr uint64_t k = 0x9e3779b97f4a7c15ULL;
  uint64_t h = hash_seed ^ (n * k);
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = (h ^ mix64(w + k)) * k;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ mix64(w ^ (uint64_t(n) << 56))) * k;
  }
  return mix64(h);
}

inline uint64_t hash_key(std::string_view s) {
  return hash_bytes(s.data(), s.size());
}

}  // namespace troupe
