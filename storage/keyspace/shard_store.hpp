// The data of one keyspace shard: its slice of every database, its statistics,
// its active expiry cycle. The `shard` actor (actors/) owns one and runs its cron;
// connections run commands on it directly while they hold it (see keyspace.hpp).
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/keyspace/blocking.hpp"
#include "storage/keyspace/counters.hpp"
#include "storage/keyspace/db_slice.hpp"
#include "storage/keyspace/snapshot.hpp"

namespace troupe {

struct session;
// WATCHed keys of one database in this shard, and who watches them.
using watch_map = std::unordered_map<std::string, std::vector<session*>>;

struct shard_stats {
  counter expired_keys;
  counter expired_time_cap_reached;
  counter expire_cycle_us;  // time spent in active expiry cycles
  counter keyspace_hits;
  counter keyspace_misses;
  counter evicted_keys;
  // Percentage (x100) of keys found expired among those sampled by the last cycle.
  counter expired_stale_perc_x100;
};

class shard_store {
 public:
  shard_store(int index, int databases);

  int index() const { return index_; }
  db_slice& db(int i) { return dbs_[size_t(i)]; }
  int databases() const { return int(dbs_.size()); }
  shard_stats& stats() { return stats_; }
  watch_map& watched(int db) { return watched_[size_t(db)]; }
  blocked_map& blocked(int db) { return blocked_[size_t(db)]; }
  shard_snapshot& snapshot() { return snapshot_; }
  // Keys created while clients wait on them, to be served after the command.
  std::vector<std::pair<int, std::string>>& ready_keys() { return ready_; }
  std::mt19937_64& rng() { return rng_; }

  // Held while a command runs on this shard when more than one reactor exists.
  std::mutex& lock() { return lock_; }

  // One pass of Redis's slow active expiry: samples keys with a TTL in every
  // database and frees expired ones, repeating while more than 10% of a sample
  // was expired, for at most `budget_us` microseconds.
  // `on_expire(db, entry)` is called before each expired entry is freed.
  void active_expire(int64_t now_ms, int64_t budget_us,
                     const std::function<void(int, kv_entry*)>& on_expire);
  // Cron work on the keyspace tables: starts shrinking sparse ones and moves
  // buckets of those being resized for at most `budget_us` microseconds.
  void maintain_tables(int64_t budget_us);

 private:
  int index_;
  std::vector<db_slice> dbs_;
  std::vector<watch_map> watched_;
  std::vector<blocked_map> blocked_;
  std::vector<std::pair<int, std::string>> ready_;
  shard_snapshot snapshot_;
  shard_stats stats_;
  std::mt19937_64 rng_;
  std::mutex lock_;
  int next_expire_db_ = 0;
  size_t next_rehash_db_ = 0;
};

}  // namespace troupe
