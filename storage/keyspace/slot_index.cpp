#include "storage/keyspace/slot_index.hpp"

#include <cstdlib>
#include <new>
#include <utility>

#include "protocol/commands/key_slot.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {
namespace {

constexpr size_t min_capacity = 4;

size_t home_of(const kv_entry* e, size_t mask) {
  uint64_t h = uint64_t(reinterpret_cast<uintptr_t>(e)) * 0x9E3779B97F4A7C15ull;
  return size_t(h ^ (h >> 32)) & mask;
}

}  // namespace

slot_index::slot_index(int shard, int shards)
    : shard_(shard),
      shards_(shards),
      table_count_((cluster_slots + size_t(shards) - 1 - size_t(shard)) / size_t(shards)) {
  tables_ = std::make_unique<table[]>(table_count_);
}

slot_index::~slot_index() {
  for (size_t i = 0; i < table_count_; ++i) release(tables_[i]);
}

slot_index::table& slot_index::table_of(const kv_entry* e) {
  return tables_[key_hash_slot(e->key()) / unsigned(shards_)];
}

void slot_index::insert_cell(table& t, kv_entry* e) {
  size_t i = home_of(e, t.mask);
  while (t.cells[i] != nullptr) i = (i + 1) & t.mask;
  t.cells[i] = e;
}

bool slot_index::erase_cell(table& t, const kv_entry* e) {
  if (t.cells == nullptr) return false;
  size_t i = home_of(e, t.mask);
  while (t.cells[i] != e) {
    if (t.cells[i] == nullptr) return false;  // not indexed
    i = (i + 1) & t.mask;
  }
  // Backward shift: later cells of the run whose home is not in (i, j] move
  // into the hole, so lookups never need tombstones.
  for (size_t j = i;;) {
    j = (j + 1) & t.mask;
    if (t.cells[j] == nullptr) break;
    size_t k = home_of(t.cells[j], t.mask);
    bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (!stays) {
      t.cells[i] = t.cells[j];
      i = j;
    }
  }
  t.cells[i] = nullptr;
  return true;
}

void slot_index::resize(table& t, size_t capacity) {
  auto* fresh = static_cast<kv_entry**>(std::calloc(capacity, sizeof(kv_entry*)));
  if (fresh == nullptr) throw std::bad_alloc();
  kv_entry** old = t.cells;
  size_t old_capacity = old != nullptr ? t.mask + 1 : 0;
  t.cells = fresh;
  t.mask = capacity - 1;
  for (size_t i = 0; i < old_capacity; ++i)
    if (old[i] != nullptr) insert_cell(t, old[i]);
  std::free(old);
}

void slot_index::release(table& t) {
  std::free(t.cells);
  t.cells = nullptr;
  t.mask = 0;
}

void slot_index::add(kv_entry* e) {
  table& t = table_of(e);
  uint64_t n = t.size.load(std::memory_order_relaxed);
  if (t.cells == nullptr)
    resize(t, min_capacity);
  else if ((n + 1) * 4 > (t.mask + 1) * 3)
    resize(t, (t.mask + 1) * 2);
  insert_cell(t, e);
  t.size.store(n + 1, std::memory_order_relaxed);
  total_.store(total_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void slot_index::remove(kv_entry* e) {
  table& t = table_of(e);
  if (!erase_cell(t, e)) return;
  uint64_t n = t.size.load(std::memory_order_relaxed);
  t.size.store(--n, std::memory_order_relaxed);
  total_.store(total_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
  size_t capacity = t.mask + 1;
  if (n == 0)
    release(t);
  else if (capacity > min_capacity && n * 8 < capacity)
    resize(t, capacity / 2);
}

void slot_index::moved(const kv_entry* from, kv_entry* to) {
  if (from == to) return;
  table& t = table_of(to);
  if (erase_cell(t, from)) insert_cell(t, to);
}

void slot_index::clear() {
  for (size_t i = 0; i < table_count_; ++i) {
    release(tables_[i]);
    tables_[i].size.store(0, std::memory_order_relaxed);
  }
  total_.store(0, std::memory_order_relaxed);
}

void slot_index::swap(slot_index& o) {
  for (size_t i = 0; i < table_count_ && i < o.table_count_; ++i) {
    table& a = tables_[i];
    table& b = o.tables_[i];
    std::swap(a.cells, b.cells);
    std::swap(a.mask, b.mask);
    uint64_t n = a.size.load(std::memory_order_relaxed);
    a.size.store(b.size.load(std::memory_order_relaxed), std::memory_order_relaxed);
    b.size.store(n, std::memory_order_relaxed);
  }
  uint64_t n = total_.load(std::memory_order_relaxed);
  total_.store(o.total_.load(std::memory_order_relaxed), std::memory_order_relaxed);
  o.total_.store(n, std::memory_order_relaxed);
}

size_t slot_index::memory() const {
  size_t bytes = table_count_ * sizeof(table);
  for (size_t i = 0; i < table_count_; ++i)
    if (tables_[i].cells != nullptr) bytes += (tables_[i].mask + 1) * sizeof(kv_entry*);
  return bytes;
}

}  // namespace troupe
