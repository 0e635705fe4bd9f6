// Redis Cluster's key to hash-slot mapping: CRC16 (XMODEM) of the key, or of the
// first non-empty {hash tag}, modulo 16384.
#pragma once
#include <cstdint>
#include <string_view>

namespace troupe {
constexpr unsigned cluster_slots = 16384;
uint16_t crc16(const char* data, size_t len);
uint16_t key_hash_slot(std::string_view key);
}  // namespace troupe
