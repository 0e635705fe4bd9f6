#include "storage/types/memory_usage.hpp"

#include <malloc.h>

#include "storage/encodings/intset.hpp"
#include "storage/encodings/listpack.hpp"
#include "storage/encodings/quicklist.hpp"
#include "storage/encodings/skiplist.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/set_type.hpp"
#include "storage/types/stream_type.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe {
namespace {

// Sums the sizes of up to `samples` elements and scales the sum to `count`.
struct sampler {
  size_t samples;
  size_t seen = 0;
  size_t bytes = 0;
  bool want() const { return seen < samples; }
  void add(size_t b) {
    bytes += b;
    ++seen;
  }
  size_t scaled(size_t count) const {
    if (seen == 0) return 0;
    if (seen >= count) return bytes;
    return size_t(double(bytes) / double(seen) * double(count));
  }
};

size_t quicklist_memory(const quicklist* ql, size_t samples) {
  sampler s{samples};
  for (const ql_node* n = ql->head(); n != nullptr && s.want(); n = n->next)
    s.add(heap_block_size(n) + heap_block_size(n->lp));
  return heap_block_size(ql) + s.scaled(ql->node_count());
}

// A table of blob nodes (big hashes and sets): object, buckets, nodes.
size_t blob_table_memory(const blob_table* t, size_t samples) {
  sampler s{samples};
  uint64_t cursor = 0;
  do {
    cursor = t->scan(cursor, [&](blob_node* n) {
      if (s.want()) s.add(heap_block_size(n));
    });
  } while (cursor != 0 && s.want());
  // The bucket array is one calloc'ed block.
  size_t buckets = t->memory();
  return heap_block_size(t) + (buckets ? buckets + sizeof(size_t) : 0) + s.scaled(t->size());
}

size_t zset_big_memory(const zset_big* z, size_t samples) {
  sampler s{samples};
  for (const zs_node* n = z->list.first(); n != nullptr && s.want(); n = zskiplist::next(n))
    s.add(heap_block_size(n));
  size_t buckets = z->dict.memory();
  return heap_block_size(z) + heap_block_size(z->list.head()) +
         (buckets ? buckets + sizeof(size_t) : 0) + s.scaled(z->size());
}

size_t value_memory(const kv_entry* e, size_t samples) {
  if (e->type() == value_type::string) return 0;  // inline in the entry
  const void* obj = e->object();
  switch (e->encoding()) {
    case value_encoding::listpack:
    case value_encoding::intset:
      return heap_block_size(obj);
    case value_encoding::quicklist:
      return quicklist_memory(static_cast<const quicklist*>(obj), samples);
    case value_encoding::hashtable:
      return blob_table_memory(static_cast<const blob_table*>(obj), samples);
    case value_encoding::skiplist:
      return zset_big_memory(static_cast<const zset_big*>(obj), samples);
    case value_encoding::stream:
      return static_cast<const stream*>(obj)->memory();
    default:
      return 0;
  }
}

}  // namespace

size_t heap_block_size(const void* p) {
  if (p == nullptr) return 0;
  // glibc keeps an 8-byte size word in front of every block it hands out.
  return malloc_usable_size(const_cast<void*>(p)) + sizeof(size_t);
}

size_t entry_value_memory(const kv_entry* e, size_t samples) {
  return heap_block_size(e) + value_memory(e, samples);
}

size_t key_memory_usage(const db_slice& db, const kv_entry* e, size_t samples) {
  size_t bytes = entry_value_memory(e, samples);
  size_t keys = db.keys.size();
  if (keys > 0) bytes += (db.keys.buckets() * sizeof(kv_entry*) + keys - 1) / keys;
  if (e->has_expire()) bytes += sizeof(kv_entry*);
  return bytes;
}

}  // namespace troupe
