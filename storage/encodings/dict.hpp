// The keyspace's hash table: a str_table (storage/str_table.hpp) of kv_entry nodes,
// chained through the entry's `next` link. It rehashes incrementally: a resize only
// allocates the new buckets, each lookup and insert moves one bucket across, and the
// shard's cron moves more within a time budget (rehash_until). It shrinks only when
// the cron asks (shrink_if_sparse), as Redis does for its keyspace.
//
// scan() uses the reverse-binary cursor, so a full scan returns every key that was
// present for the whole scan at least once, across resizes.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string_view>

#include "storage/encodings/str_table.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

struct kv_traits {
  using node = kv_entry;
  static std::string_view key(const kv_entry* e) { return e->key(); }
  static kv_entry*& next(kv_entry* e) { return e->next; }
};

class dict {
 public:
  using clock = std::chrono::steady_clock;

  dict() = default;
  ~dict();
  dict(const dict&) = delete;
  dict& operator=(const dict&) = delete;
  dict(dict&& o) noexcept;
  dict& operator=(dict&& o) noexcept;

  size_t size() const { return table_.size(); }
  size_t buckets() const { return table_.buckets(); }
  bool rehashing() const { return table_.rehashing(); }

  kv_entry* find(std::string_view key, uint64_t hash) {
    location loc = locate(key, hash);
    return loc ? loc.entry() : nullptr;
  }
  // Where a key's entry hangs: the link (bucket slot or a `next` field) that points
  // at it. Valid until the next locate() or insert(); unlink() of another entry
  // leaves it valid.
  struct location {
    kv_entry** link = nullptr;
    explicit operator bool() const { return link != nullptr; }
    kv_entry* entry() const { return *link; }
  };
  location locate(std::string_view key, uint64_t hash) { return {table_.locate(key, hash)}; }
  // Inserts an entry whose key is not present.
  void insert(kv_entry* e, uint64_t hash) { table_.insert(e, hash); }
  // Unlinks the entry at `loc` and returns it.
  kv_entry* unlink(location loc) { return table_.unlink(loc.link, /*may_shrink=*/false); }
  // Points `loc` at a moved entry (after realloc of the entry it pointed to).
  static void relink(location loc, kv_entry* moved) { *loc.link = moved; }

  // A random entry, or nullptr when empty (RANDOMKEY, eviction sampling).
  kv_entry* random_entry(std::mt19937_64& rng);
  // Up to `count` entries from consecutive buckets at a random place (eviction).
  template <class F>
  size_t sample(size_t count, std::mt19937_64& rng, F&& visit) const {
    return table_.sample(count, rng, visit);
  }
  // Visits the entries of one step of a scan; returns the next cursor (0: done).
  uint64_t scan(uint64_t cursor, const std::function<void(kv_entry*)>& visit);
  // Visits every entry; the callback must not change the dict.
  void for_each(const std::function<void(kv_entry*)>& visit) const;

  // Frees every entry (with destroy_entry) and the tables.
  void clear();
  // Hands all entries over to the caller as a chain (for lazy freeing) and empties.
  kv_entry* release_all();

  // Rehash work: `n` buckets; returns true while more remains.
  bool rehash(int n) { return table_.rehash(size_t(n)); }
  // Rehashes until done or `deadline` (cron); true while more remains.
  bool rehash_until(clock::time_point deadline) { return table_.rehash_until(deadline); }
  // Starts shrinking the table when it is less than 10% full (cron), as Redis does.
  void shrink_if_sparse() { table_.shrink_if_sparse(); }
  void reserve(size_t n) { table_.reserve(n); }

 private:
  str_table<kv_traits> table_;
};

}  // namespace troupe
