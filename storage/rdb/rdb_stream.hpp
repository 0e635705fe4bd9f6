// Streams in RDB: STREAM_LISTPACKS_2 (type 19) as Redis 7.0 writes it, and
// the older STREAM_LISTPACKS (15) when loading. The nodes are written as they
// are (a 16-byte big-endian master ID, then the listpack), then the stream's
// counters, then each consumer group with its PEL and consumers.
//
// Untrusted input is checked whole before it is used: every node listpack
// must parse as a stream node (master entry, entries, lp-counts), IDs must
// grow, counts must add up, and every pending entry must belong to a consumer.
#pragma once
#include <cstdint>
#include <string_view>

#include "storage/rdb/rdb_reader.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

// Reads a stream value of RDB type 15 or 19 (type byte consumed); throws
// rdb_format_error on corrupt input.
kv_entry* read_rdb_stream(rdb_reader& r, uint8_t type, std::string_view key, bool with_expire);

}  // namespace troupe
