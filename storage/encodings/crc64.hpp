// Redis's CRC64: the Jones polynomial (0xad93d23594c935a9), bit-reflected, initial
// value 0, no final xor. It protects RDB files (the 8-byte trailer) and DUMP
// payloads. crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9ca.
#pragma once
#include <cstddef>
#include <cstdint>

namespace troupe {

// Continues a checksum over n more bytes: crc64(crc64(0, a, n), b, m) is the
// checksum of a followed by b. Table driven, eight bytes per step.
uint64_t crc64(uint64_t crc, const void* p, size_t n);

}  // namespace troupe
