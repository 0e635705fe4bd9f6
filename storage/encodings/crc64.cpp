#include "storage/encodings/crc64.hpp"

#include <array>
#include <cstring>

namespace troupe {
namespace {

// The Jones polynomial with its bits reversed, for the reflected algorithm.
constexpr uint64_t reflected_poly = 0x95ac9329ac4bc9b5ULL;

// Slicing-by-8: table k gives the effect of a byte followed by k zero bytes, so
// eight input bytes fold into the CRC with eight independent look-ups.
using tables = std::array<std::array<uint64_t, 256>, 8>;

constexpr tables make_tables() {
  tables t{};
  for (uint64_t i = 0; i < 256; ++i) {
    uint64_t c = i;
    for (int b = 0; b < 8; ++b) c = (c & 1) ? (c >> 1) ^ reflected_poly : c >> 1;
    t[0][i] = c;
  }
  for (size_t k = 1; k < 8; ++k)
    for (size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
  return t;
}

constexpr tables table = make_tables();

}  // namespace

uint64_t crc64(uint64_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    if constexpr (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) w = __builtin_bswap64(w);
    crc ^= w;
    crc = table[7][crc & 0xff] ^ table[6][(crc >> 8) & 0xff] ^ table[5][(crc >> 16) & 0xff] ^
          table[4][(crc >> 24) & 0xff] ^ table[3][(crc >> 32) & 0xff] ^
          table[2][(crc >> 40) & 0xff] ^ table[1][(crc >> 48) & 0xff] ^ table[0][crc >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

}  // namespace troupe
