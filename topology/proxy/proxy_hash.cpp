// nutcracker's key hashes, written from their definitions (Jenkins' one-at-a-
// time and lookup3, Hsieh's SuperFastHash, MurmurHash2, FNV-1/FNV-1a, CRC-16/XMODEM,
// CRC-32) with nutcracker's own twists reproduced: see the notes at each one.
#include "topology/proxy/proxy_hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>

namespace troupe::proxy {

namespace {

// nutcracker reads key bytes as `char`, signed on x86-64: a byte of 0x80 or
// more widens to 0xFFFFFFxx wherever it casts a char to a wider unsigned type.
inline uint32_t proxy_hash_signed_byte(char c) {
  return static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(c)));
}
inline uint32_t proxy_hash_unsigned_byte(char c) {
  return static_cast<uint32_t>(static_cast<unsigned char>(c));
}

constexpr std::array<uint32_t, 256> proxy_hash_crc32_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int b = 0; b < 8; b++) c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    t[i] = c;
  }
  return t;
}
constexpr auto proxy_hash_crc32_tab = proxy_hash_crc32_table();

// CRC-16/XMODEM's table (polynomial 0x1021, most significant bit first).
constexpr std::array<uint16_t, 256> proxy_hash_crc16_table() {
  std::array<uint16_t, 256> t{};
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i << 8;
    for (int b = 0; b < 8; b++) c = (c & 0x8000) ? ((c << 1) ^ 0x1021u) : (c << 1);
    t[i] = static_cast<uint16_t>(c & 0xffff);
  }
  return t;
}
constexpr auto proxy_hash_crc16_tab = proxy_hash_crc16_table();

uint32_t proxy_hash_one_at_a_time(std::string_view key) {
  uint32_t v = 0;
  for (char c : key) {
    v += proxy_hash_signed_byte(c);
    v += v << 10;
    v ^= v >> 6;
  }
  v += v << 3;
  v ^= v >> 11;
  v += v << 15;
  return v;
}

uint32_t proxy_hash_md5(std::string_view key) {
  unsigned char d[16];
  proxy_md5(key, d);
  return uint32_t(d[0]) | (uint32_t(d[1]) << 8) | (uint32_t(d[2]) << 16) | (uint32_t(d[3]) << 24);
}

// nutcracker 0.5.0's crc16: CRC-16/XMODEM's step, but in a 32-bit register
// that is never cut back to 16 bits, so the bits shifted past bit 15 stay and
// the result is a 32-bit value whose low 16 bits are the XMODEM CRC.
uint32_t proxy_hash_crc16(std::string_view key) {
  uint32_t crc = 0;
  for (char c : key) {
    crc = (crc << 8) ^ proxy_hash_crc16_tab[((crc >> 8) ^ proxy_hash_signed_byte(c)) & 0xff];
  }
  return crc;
}

uint32_t proxy_hash_crc32_raw(std::string_view key) {
  uint32_t crc = 0xFFFFFFFFu;
  for (char c : key) {
    crc = (crc >> 8) ^ proxy_hash_crc32_tab[(crc ^ proxy_hash_unsigned_byte(c)) & 0xff];
  }
  return ~crc;
}

// libmemcached's "crc32": bits 16..30 of the real CRC-32 only.
uint32_t proxy_hash_crc32(std::string_view key) {
  return (proxy_hash_crc32_raw(key) >> 16) & 0x7fff;
}

// FNV-1 with 64-bit arithmetic, truncated to its low 32 bits at the end; the
// byte is sign-extended to 64 bits before the xor.
uint32_t proxy_hash_fnv1_64(std::string_view key) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : key) {
    h *= 0x100000001b3ull;
    h ^= static_cast<uint64_t>(static_cast<int64_t>(static_cast<signed char>(c)));
  }
  return static_cast<uint32_t>(h);
}

// nutcracker's "fnv1a_64" is not 64-bit FNV-1a: it runs in 32 bits with the
// 64-bit offset basis and prime both truncated to 32 bits (0x84222325, 0x1b3).
uint32_t proxy_hash_fnv1a_64(std::string_view key) {
  uint32_t h = 0x84222325u;
  for (char c : key) {
    h ^= proxy_hash_signed_byte(c);
    h *= 0x000001b3u;
  }
  return h;
}

uint32_t proxy_hash_fnv1_32(std::string_view key) {
  uint32_t h = 2166136261u;
  for (char c : key) {
    h *= 16777619u;
    h ^= proxy_hash_signed_byte(c);
  }
  return h;
}

uint32_t proxy_hash_fnv1a_32(std::string_view key) {
  uint32_t h = 2166136261u;
  for (char c : key) {
    h ^= proxy_hash_signed_byte(c);
    h *= 16777619u;
  }
  return h;
}

inline uint32_t proxy_hash_le16(const unsigned char* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8);
}

// Paul Hsieh's SuperFastHash; an empty key hashes to 0, and the third byte of
// a 3-byte tail is sign-extended (nutcracker reads it as a char).
uint32_t proxy_hash_hsieh(std::string_view key) {
  if (key.empty()) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  size_t len = key.size();
  uint32_t h = 0;
  size_t rem = len & 3;
  for (size_t n = len >> 2; n > 0; n--) {
    h += proxy_hash_le16(p);
    uint32_t tmp = (proxy_hash_le16(p + 2) << 11) ^ h;
    h = (h << 16) ^ tmp;
    p += 4;
    h += h >> 11;
  }
  switch (rem) {
    case 3:
      h += proxy_hash_le16(p);
      h ^= h << 16;
      h ^= proxy_hash_signed_byte(static_cast<char>(p[2])) << 18;
      h += h >> 11;
      break;
    case 2:
      h += proxy_hash_le16(p);
      h ^= h << 11;
      h += h >> 17;
      break;
    case 1:
      h += p[0];
      h ^= h << 10;
      h += h >> 1;
      break;
    default:
      break;
  }
  h ^= h << 3;
  h += h >> 5;
  h ^= h << 4;
  h += h >> 17;
  h ^= h << 25;
  h += h >> 6;
  return h;
}

// MurmurHash2 with nutcracker's seed: 0xdeadbeef times the key length.
uint32_t proxy_hash_murmur(std::string_view key) {
  constexpr uint32_t m = 0x5bd1e995u;
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  size_t len = key.size();
  uint32_t h = (0xdeadbeefu * static_cast<uint32_t>(len)) ^ static_cast<uint32_t>(len);
  while (len >= 4) {
    uint32_t k =
        uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
    k *= m;
    k ^= k >> 24;
    k *= m;
    h *= m;
    h ^= k;
    p += 4;
    len -= 4;
  }
  switch (len) {
    case 3:
      h ^= uint32_t(p[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t(p[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= p[0];
      h *= m;
      break;
    default:
      break;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return h;
}

inline uint32_t proxy_hash_rot(uint32_t x, int k) {
  return (x << k) | (x >> (32 - k));
}

// Bob Jenkins' lookup3 hashlittle() with initval 13, read byte by byte (its
// aligned paths give the same result on a little-endian machine).
uint32_t proxy_hash_jenkins(std::string_view key) {
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  size_t len = key.size();
  uint32_t a, b, c;
  a = b = c = 0xdeadbeefu + static_cast<uint32_t>(len) + 13u;
  auto word = [](const unsigned char* p, size_t n) {
    uint32_t w = 0;
    for (size_t i = 0; i < n; i++) w |= uint32_t(p[i]) << (8 * i);
    return w;
  };
  while (len > 12) {
    a += word(k, 4);
    b += word(k + 4, 4);
    c += word(k + 8, 4);
    a -= c;
    a ^= proxy_hash_rot(c, 4);
    c += b;
    b -= a;
    b ^= proxy_hash_rot(a, 6);
    a += c;
    c -= b;
    c ^= proxy_hash_rot(b, 8);
    b += a;
    a -= c;
    a ^= proxy_hash_rot(c, 16);
    c += b;
    b -= a;
    b ^= proxy_hash_rot(a, 19);
    a += c;
    c -= b;
    c ^= proxy_hash_rot(b, 4);
    b += a;
    len -= 12;
    k += 12;
  }
  if (len == 0) return c;
  a += word(k, len < 4 ? len : 4);
  if (len > 4) b += word(k + 4, len < 8 ? len - 4 : 4);
  if (len > 8) c += word(k + 8, len - 8);
  c ^= b;
  c -= proxy_hash_rot(b, 14);
  a ^= c;
  a -= proxy_hash_rot(c, 11);
  b ^= a;
  b -= proxy_hash_rot(a, 25);
  c ^= b;
  c -= proxy_hash_rot(b, 16);
  a ^= c;
  a -= proxy_hash_rot(c, 4);
  b ^= a;
  b -= proxy_hash_rot(a, 14);
  c ^= b;
  c -= proxy_hash_rot(b, 24);
  return c;
}

constexpr std::array<std::string_view, 12> proxy_hash_names = {
    "one_at_a_time", "md5",     "crc16",    "crc32", "crc32a", "fnv1_64",
    "fnv1a_64",      "fnv1_32", "fnv1a_32", "hsieh", "murmur", "jenkins"};

}  // namespace

void proxy_md5(std::string_view data, unsigned char out[16]) {
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out, &n, EVP_md5(), nullptr) != 1 || n != 16) {
    std::memset(out, 0, 16);
  }
}

std::string_view hash_name(hash_kind k) {
  auto i = static_cast<size_t>(k);
  return i < proxy_hash_names.size() ? proxy_hash_names[i] : std::string_view{};
}

std::optional<hash_kind> parse_hash_kind(std::string_view name) {
  for (size_t i = 0; i < proxy_hash_names.size(); i++) {
    if (proxy_hash_names[i] == name) return static_cast<hash_kind>(i);
  }
  return std::nullopt;
}

uint32_t proxy_hash(hash_kind k, std::string_view key) {
  switch (k) {
    case hash_kind::one_at_a_time:
      return proxy_hash_one_at_a_time(key);
    case hash_kind::md5:
      return proxy_hash_md5(key);
    case hash_kind::crc16:
      return proxy_hash_crc16(key);
    case hash_kind::crc32:
      return proxy_hash_crc32(key);
    case hash_kind::crc32a:
      return proxy_hash_crc32_raw(key);
    case hash_kind::fnv1_64:
      return proxy_hash_fnv1_64(key);
    case hash_kind::fnv1a_64:
      return proxy_hash_fnv1a_64(key);
    case hash_kind::fnv1_32:
      return proxy_hash_fnv1_32(key);
    case hash_kind::fnv1a_32:
      return proxy_hash_fnv1a_32(key);
    case hash_kind::hsieh:
      return proxy_hash_hsieh(key);
    case hash_kind::murmur:
      return proxy_hash_murmur(key);
    case hash_kind::jenkins:
      return proxy_hash_jenkins(key);
  }
  return 0;
}

}  // namespace troupe::proxy
