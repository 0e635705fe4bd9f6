// SHA-256 (FIPS 180-4), for ACL passwords: users keep only the hash of each
// password, shown as 64 lower-case hex digits by ACL GETUSER / LIST, as Redis.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace troupe {

std::array<uint8_t, 32> sha256(std::string_view data);
// The digest as 64 lower-case hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace troupe
