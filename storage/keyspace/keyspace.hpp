// The whole keyspace: K shards, each holding a slice of every database. A key
// belongs to the shard of its hash slot (slot % K), exactly as a cluster node
// owns slots, so a {hash tag} keeps keys together and a slot never spans shards.
//
// Commands run directly on shard memory. With one reactor that is always safe;
// with several, the dispatcher first locks every shard the command touches, in
// ascending index order (shard_set_guard), so multi-shard commands are atomic and
// isolated and two commands can never deadlock.
#pragma once
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "protocol/commands/key_slot.hpp"
#include "storage/keyspace/shard_store.hpp"
#include "storage/keyspace/tracking_table.hpp"

namespace troupe {

class keyspace {
 public:
  keyspace(int shards, int databases);

  int shard_count() const { return int(shards_.size()); }
  int databases() const { return databases_; }
  shard_store& shard(int i) { return *shards_[size_t(i)]; }
  int shard_of_slot(uint16_t slot) const { return int(slot % shards_.size()); }
  int shard_of_key(std::string_view key) const { return shard_of_slot(key_hash_slot(key)); }

  // True when several reactors run commands, so shards must be locked.
  bool concurrent() const { return concurrent_; }
  void set_concurrent(bool v) { concurrent_ = v; }

  // A key changed (an empty key: the whole database): clients WATCHing it
  // will fail their EXEC. The caller holds the key's shard (all shards for a
  // whole database).
  // `by`: the client whose command changed it (0: the server itself), for
  // CLIENT TRACKING's NOLOOP and the order of its own invalidations.
  void key_modified(int db, std::string_view key, uint64_t by = 0);
  // Every key of the dataset may have changed (FLUSHALL, FLUSHDB, a replica's
  // full sync): tracking clients are told to drop everything.
  void dataset_flushed(uint64_t by = 0);

  // Client-side caching: who tracks which keys, and where the server sends
  // what the table says (set by the server at start; any thread).
  tracking_table tracking;
  std::function<void(std::vector<invalidation>&, uint64_t by)> deliver_invalidations;

  // Cluster mode: database 0 keeps a per-slot key index (slot_index.hpp), so
  // a slot's keys can be counted from any thread and listed by their shard.
  // Called once, at start, before clients come.
  void enable_slot_index();
  bool slot_indexed() const { return slot_indexed_; }
  // Keys in `slot` (database 0); 0 when not indexed. Any thread.
  uint64_t keys_in_slot(uint16_t slot) {
    const slot_index* idx = shard(shard_of_slot(slot)).db(0).slots();
    return idx != nullptr ? idx->count(slot) : 0;
  }

  size_t db_size(int db);
  size_t db_volatile(int db);
  size_t total_keys();

  // Counts changes since the last save (Redis's "dirty").
  std::atomic<int64_t> dirty{0};
  // Keys WATCHed by any client: when zero, writes skip the watch lookup.
  std::atomic<int64_t> watched_keys{0};
  // Clients blocked on keys, and whether some shard has ready keys to serve.
  std::atomic<int64_t> blocked_clients{0};
  std::atomic<bool> ready_pending{false};

 private:
  std::vector<std::unique_ptr<shard_store>> shards_;
  int databases_;
  bool concurrent_ = false;
  bool slot_indexed_ = false;
};

// Locks a set of shards in ascending order for the lifetime of the guard (only
// when the keyspace is concurrent).
class shard_set_guard {
 public:
  shard_set_guard() = default;
  shard_set_guard(const shard_set_guard&) = delete;
  shard_set_guard& operator=(const shard_set_guard&) = delete;
  ~shard_set_guard() { release(); }

  // `shards` may hold duplicates and be in any order.
  void acquire(keyspace& ks, std::vector<int>& shards);
  void acquire_all(keyspace& ks);
  void release();

 private:
  std::vector<std::mutex*> held_;
};

}  // namespace troupe
