#include "storage/scripting/sha1.hpp"

#include <cstdint>
#include <cstring>

namespace troupe {
namespace {

uint32_t rotl(uint32_t v, int n) {
  return (v << n) | (v >> (32 - n));
}

// One 64-byte block into the state (FIPS 180-4, 6.1.2).
void compress(uint32_t h[5], const unsigned char* block) {
  uint32_t w[80];
  for (int t = 0; t < 16; ++t)
    w[t] = uint32_t(block[4 * t]) << 24 | uint32_t(block[4 * t + 1]) << 16 |
           uint32_t(block[4 * t + 2]) << 8 | uint32_t(block[4 * t + 3]);
  for (int t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int t = 0; t < 80; ++t) {
    uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6;
    }
    uint32_t temp = rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

}  // namespace

void sha1_hex(std::string_view s, char* out) {
  uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  size_t full = n / 64 * 64;
  for (size_t i = 0; i < full; i += 64) compress(h, p + i);
  // The tail, the 0x80 marker, zeros and the length in bits (big endian):
  // one block, or two when fewer than 9 bytes are left in the first.
  unsigned char tail[128] = {};
  size_t rest = n - full;
  if (rest > 0) memcpy(tail, p + full, rest);
  tail[rest] = 0x80;
  size_t tail_size = rest + 9 <= 64 ? 64 : 128;
  uint64_t bits = uint64_t(n) * 8;
  for (int i = 0; i < 8; ++i)
    tail[tail_size - 1 - size_t(i)] = static_cast<unsigned char>(bits >> (8 * i));
  compress(h, tail);
  if (tail_size == 128) compress(h, tail + 64);
  static const char digits[] = "0123456789abcdef";
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 8; ++j) out[8 * i + j] = digits[(h[i] >> (28 - 4 * j)) & 15];
}

std::string sha1_hex(std::string_view s) {
  std::string out(sha1_hex_size, '0');
  sha1_hex(s, out.data());
  return out;
}

}  // namespace troupe
