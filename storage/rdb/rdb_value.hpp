// Decodes one RDB value (what follows the key) into a Troupe entry, for every
// encoding Redis 2.x to 7.0 writes. The in-memory encoding is chosen from the
// limits passed in (hash-max-listpack-entries and friends), as Redis does when it
// loads: a small hash read from a HASH record becomes a listpack, a big listpack
// becomes a table. Used by the file loader and by RESTORE.
#pragma once
#include <cstdint>
#include <string_view>

#include "storage/rdb/rdb_reader.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/kv_entry.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe {

struct server_config;

// The encoding limits loaded values must respect.
struct rdb_load_limits {
  hash_limits hash;
  zset_limits zset;
  size_t set_max_intset_entries = 512;
  int list_max_listpack_size = -2;  // quicklist fill
};
rdb_load_limits load_limits_of(const server_config& s);

// Reads the value of RDB type `type` (the type byte is already consumed) and
// returns a new entry for `key`, with an expire slot if `with_expire` (set to 0).
// Returns nullptr for an empty collection (Redis skips those keys). Throws
// rdb_format_error on corrupt or unsupported input; nothing leaks.
kv_entry* read_rdb_value(rdb_reader& r, uint8_t type, std::string_view key, bool with_expire,
                         const rdb_load_limits& lim);

}  // namespace troupe
