// One database's keys within one shard: the dict of entries plus the list of
// entries that carry a TTL (sampled by the active expiry cycle). All changes to
// entries go through here so the two stay consistent.
#pragma once
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>
#include <vector>

#include "storage/encodings/dict.hpp"
#include "storage/encodings/hash.hpp"
#include "storage/keyspace/slot_index.hpp"

namespace troupe {

class db_slice {
 public:
  dict keys;

  size_t size() const { return keys.size(); }
  size_t volatile_count() const { return volatile_.size(); }
  size_t volatile_capacity() const { return volatile_.capacity(); }
  // Sum of TTLs seen by the last expiry cycle, for INFO keyspace avg_ttl.
  int64_t avg_ttl = 0;
  // Snapshot parity (snapshot.hpp): entries added now count as already saved.
  bool parity = false;

  // Adds a new entry (key absent). If it has an expire slot it is registered.
  void add(kv_entry* e, uint64_t hash);
  // Unlinks and frees the entry at loc.
  void remove(dict::location loc);
  // Unlinks the entry at loc and returns it without freeing (RENAME, MOVE).
  kv_entry* detach(dict::location loc);
  // Puts `fresh` (same key) where the entry at loc was, freeing the old one.
  void replace(dict::location loc, kv_entry* fresh);
  // Tells the slice an entry moved in memory (realloc); fixes the links.
  void moved(dict::location loc, kv_entry* now);
  // Sets or clears the TTL of the entry at loc; may move it. Returns it.
  kv_entry* set_expire(dict::location loc, int64_t when_ms);
  kv_entry* persist(dict::location loc);

  // Samples up to n entries with a TTL and frees those expired at `now`.
  // Returns {sampled, expired}. `on_expire` sees each key before it is freed.
  template <class F>
  std::pair<int, int> expire_sample(int n, int64_t now, std::mt19937_64& rng, F&& on_expire);
  kv_entry* random_volatile(std::mt19937_64& rng) {
    return volatile_.empty() ? nullptr : volatile_[rng() % volatile_.size()];
  }

  // Cluster mode (database 0): keeps a per-slot index of the keys
  // (slot_index.hpp), built from the keys present. Null when not indexed.
  void enable_slot_index(int shard, int shards);
  const slot_index* slots() const { return slots_.get(); }

  // Frees everything.
  void clear();
  // Hands over the whole table for a background free, in O(1); empties the slice.
  dict release_all();
  void swap(db_slice& other);

 private:
  void track(kv_entry* e);
  void untrack(kv_entry* e);
  void rebuild_slot_index();

  std::vector<kv_entry*> volatile_;
  std::unique_ptr<slot_index> slots_;
};

template <class F>
std::pair<int, int> db_slice::expire_sample(int n, int64_t now, std::mt19937_64& rng,
                                            F&& on_expire) {
  int sampled = 0, expired = 0;
  long double ttl_sum = 0;  // TTLs reach 2^63 ms (PXAT 9223372036854775807): no int64 sum
  int ttl_samples = 0;
  while (sampled < n && !volatile_.empty()) {
    kv_entry* e = volatile_[rng() % volatile_.size()];
    ++sampled;
    if (e->expire_at() <= now) {
      std::string_view key = e->key();
      auto loc = keys.locate(key, hash_key(key));
      on_expire(e);
      remove(loc);
      ++expired;
    } else {
      ttl_sum += e->expire_at() - now;
      ++ttl_samples;
    }
  }
  if (ttl_samples > 0) {
    int64_t avg = int64_t(ttl_sum / ttl_samples);
    // Like Redis: a running average weighted towards the new sample.
    avg_ttl = avg_ttl == 0 ? avg : (avg_ttl / 50) * 49 + avg / 50;
  }
  return {sampled, expired};
}

}  // namespace troupe
