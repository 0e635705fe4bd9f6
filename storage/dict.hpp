// The keyspace's hash table: chained buckets (the chain link lives in kv_entry),
// power-of-two sizes, and incremental rehashing as Redis does it, so that growing
// a table of millions of keys never stalls a command. Two tables exist while a
// rehash is under way; every operation moves a bucket or so across, and the
// shard's cron moves more.
//
// scan() uses Redis's reverse-binary cursor, so a full scan returns every key
// that was present for the whole scan at least once, across resizes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string_view>

#include "storage/kv_entry.hpp"

namespace troupe {

class dict {
 public:
  dict() = default;
  ~dict();
  dict(const dict&) = delete;
  dict& operator=(const dict&) = delete;
  dict(dict&& o) noexcept;
  dict& operator=(dict&& o) noexcept;

  size_t size() const { return used_[0] + used_[1]; }
  size_t buckets() const { return size_[0] + size_[1]; }
  bool rehashing() const { return rehash_idx_ >= 0; }

  kv_entry* find(std::string_view key, uint64_t hash);
  // Where a key's entry hangs: the link (bucket slot or a `next` field) that points
  // at it, and which of the two tables holds it. Valid until the next insert or unlink.
  struct location {
    kv_entry** link = nullptr;
    int table = 0;
    explicit operator bool() const { return link != nullptr; }
    kv_entry* entry() const { return *link; }
  };
  location locate(std::string_view key, uint64_t hash);
  // Inserts an entry whose key is not present.
  void insert(kv_entry* e, uint64_t hash);
  // Unlinks the entry at `loc` and returns it.
  kv_entry* unlink(location loc);
  // Points `loc` at a moved entry (after realloc of the entry it pointed to).
  static void relink(location loc, kv_entry* moved) { *loc.link = moved; }

  // A random entry, or nullptr when empty (RANDOMKEY, eviction sampling).
  kv_entry* random_entry(std::mt19937_64& rng);
  // Visits the entries of one step of a scan; returns the next cursor (0: done).
  uint64_t scan(uint64_t cursor, const std::function<void(kv_entry*)>& visit);
  // Visits every entry; the callback must not change the dict.
  void for_each(const std::function<void(kv_entry*)>& visit) const;

  // Frees every entry (with destroy_entry) and the tables.
  void clear();
  // Hands all entries over to the caller as a chain (for lazy freeing) and empties.
  kv_entry* release_all();

  // Rehash work: `n` buckets; returns true while more remains.
  bool rehash(int n);
  // Rehash for about `ms` milliseconds (cron).
  void rehash_for(int ms);
  // Shrinks the table when it is less than 10% full (cron), as Redis does.
  void shrink_if_sparse();
  void reserve(size_t n);

 private:
  void expand_if_needed();
  void resize(size_t n);
  void step() {
    if (rehash_idx_ >= 0 && pause_ == 0) rehash(1);
  }
  static uint64_t hash_of(const kv_entry* e);

  kv_entry** table_[2] = {nullptr, nullptr};
  size_t size_[2] = {0, 0};
  size_t used_[2] = {0, 0};
  long rehash_idx_ = -1;
  int pause_ = 0;
};

}  // namespace troupe
