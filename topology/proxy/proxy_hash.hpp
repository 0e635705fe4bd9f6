// The key hash functions of a twemproxy (nutcracker 0.5.0) pool, by the names
// its YAML `hash:` directive takes, bit-exact with nutcracker's hashkit on
// x86-64 (where `char` is signed: several of its functions widen key bytes
// through a signed char, which changes the result for bytes >= 0x80).
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace troupe::proxy {

// In nutcracker's order (its HASH_CODEC).
enum class hash_kind {
  one_at_a_time,
  md5,
  crc16,
  crc32,
  crc32a,
  fnv1_64,
  fnv1a_64,
  fnv1_32,
  fnv1a_32,
  hsieh,
  murmur,
  jenkins,
};

// The name nutcracker's configuration uses ("fnv1a_64", ...).
std::string_view hash_name(hash_kind k);
// Exact, case-sensitive match of a configuration name; nullopt when unknown.
std::optional<hash_kind> parse_hash_kind(std::string_view name);

// The 32-bit hash nutcracker computes for `key` with this function.
uint32_t proxy_hash(hash_kind k, std::string_view key);

// The 16-byte MD5 digest (ketama's point keys use it too).
void proxy_md5(std::string_view data, unsigned char out[16]);

}  // namespace troupe::proxy
