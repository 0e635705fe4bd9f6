// DUMP payloads: a value in RDB form followed by a footer of the RDB version
// (2 bytes, little endian) and the CRC64 of everything before it (8 bytes,
// little endian), exactly as Redis 7.0's DUMP makes them.
#pragma once
#include <string>
#include <string_view>

#include "storage/rdb/rdb_value.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

// The payload DUMP returns for an entry's value.
std::string make_dump_payload(const kv_entry* e, bool compression = true);

// Whether a payload's footer is acceptable: at least 10 bytes, a version we can
// read, a matching checksum (not checked with skip_checksum: DEBUG
// SET-SKIP-CHECKSUM-VALIDATION).
bool verify_dump_payload(std::string_view payload, bool skip_checksum = false);

// Decodes a verified payload into a new entry for `key` (expire slot set to 0 if
// `with_expire`). nullptr with a reason in err when the data is bad or the value
// is an empty collection.
kv_entry* load_dump_payload(std::string_view payload, std::string_view key, bool with_expire,
                            const rdb_load_limits& lim, std::string* err = nullptr);

}  // namespace troupe
