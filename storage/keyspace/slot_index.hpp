// Cluster mode's per-slot key index for one database slice (database 0 of a
// shard): which keys each hash slot holds, for CLUSTER COUNTKEYSINSLOT,
// GETKEYSINSLOT and the deletion of a slot's keys (Redis's slots_to_keys).
//
// A shard holds the slots s with s % K == its index, so it keeps one small
// table per such slot: an open-addressing set of entry pointers (linear
// probing, backward-shift deletion, no tombstones), grown at 3/4 full and
// shrunk below 1/8, so a key costs about 8 bytes / load, 11 to 21 bytes (Redis
// spends 16: two pointers in its dictEntry metadata). Entries are not changed:
// the slice tells the index when one moves in memory (realloc). A server not
// in cluster mode has no index at all.
//
// Counts (per slot and in total) are relaxed atomics, readable from any
// thread; the tables themselves belong to the shard's thread (or its lock).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace troupe {

struct kv_entry;

class slot_index {
 public:
  // The index of shard `shard` of `shards`: slots s with s % shards == shard.
  slot_index(int shard, int shards);
  ~slot_index();
  slot_index(const slot_index&) = delete;
  slot_index& operator=(const slot_index&) = delete;

  void add(kv_entry* e);
  void remove(kv_entry* e);
  // The entry of the same key moved in memory from `from` (freed, never read)
  // to `to`.
  void moved(const kv_entry* from, kv_entry* to);
  // Forgets every key (the slice was emptied).
  void clear();
  // Exchanges the contents (a dataset swap); both cover the same slots.
  void swap(slot_index& o);

  // Any thread.
  uint64_t count(uint16_t slot) const {
    return owns(slot) ? tables_[slot / unsigned(shards_)].size.load(std::memory_order_relaxed) : 0;
  }
  uint64_t total() const { return total_.load(std::memory_order_relaxed); }
  bool owns(uint16_t slot) const { return int(slot % unsigned(shards_)) == shard_; }

  // Visits up to `limit` entries of a slot, in table order; f(kv_entry*)
  // must not change the index. Returns how many it visited.
  template <class F>
  size_t visit(uint16_t slot, size_t limit, F&& f) const {
    if (!owns(slot)) return 0;
    const table& t = tables_[slot / unsigned(shards_)];
    size_t n = 0;
    for (size_t i = 0; t.cells != nullptr && i <= t.mask && n < limit; ++i)
      if (t.cells[i] != nullptr) {
        f(t.cells[i]);
        ++n;
      }
    return n;
  }
  // Bytes the tables take (MEMORY STATS, tests).
  size_t memory() const;

 private:
  struct table {
    kv_entry** cells = nullptr;
    size_t mask = 0;  // capacity - 1 (a power of two) when cells is set
    std::atomic<uint64_t> size{0};
  };
  table& table_of(const kv_entry* e);
  static void insert_cell(table& t, kv_entry* e);
  static bool erase_cell(table& t, const kv_entry* e);  // false: not there
  static void resize(table& t, size_t capacity);
  static void release(table& t);

  int shard_, shards_;
  std::unique_ptr<table[]> tables_;
  size_t table_count_;
  std::atomic<uint64_t> total_{0};
};

}  // namespace troupe
