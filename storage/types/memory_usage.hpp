// MEMORY USAGE: how many bytes a key and its value hold in Troupe's memory.
//
// What is counted, per key:
// - the kv_entry block (header, key bytes, TTL slot, and a string value inline),
//   as the allocator's block: malloc_usable_size plus glibc's 8-byte chunk
//   header, which is what the heap (INFO used_memory) really spends on it;
// - the key's share of its database table's bucket array (buckets x 8 bytes /
//   keys), since the chain link lives inside the entry;
// - for a key with a TTL, its slot in the database's list of volatile keys (8);
// - the value's structures, each as an allocator block:
//   list: the quicklist object, and per node the node and its listpack;
//   hash, set (hashtable): the table object, its bucket array, and one node per
//   field or member (field and value share the node);
//   sorted set (skiplist): the zset object, the skiplist head, the member table's
//   bucket array, and one node per member (skiplist node and table node at once);
//   listpack and intset encodings: the one block that holds them.
//
// Like Redis, big aggregates are sampled: the first `samples` quicklist nodes or
// table/skiplist elements are measured and their average is multiplied by the
// count (samples == SIZE_MAX measures every element, as SAMPLES 0 asks).
#pragma once
#include <cstddef>

#include "storage/keyspace/db_slice.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

// Redis's default number of samples for MEMORY USAGE.
inline constexpr size_t memory_usage_default_samples = 5;

// Bytes of one heap block as the allocator accounts for it (nullptr: 0).
size_t heap_block_size(const void* p);

// Bytes of the entry block and the value it points to (not the table's share).
size_t entry_value_memory(const kv_entry* e, size_t samples);

// What MEMORY USAGE reports for entry e of slice db.
size_t key_memory_usage(const db_slice& db, const kv_entry* e, size_t samples);

}  // namespace troupe
