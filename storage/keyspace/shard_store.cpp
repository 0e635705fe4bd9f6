#include "storage/keyspace/shard_store.hpp"

#include <chrono>

namespace troupe {

shard_store::shard_store(int index, int databases)
    : index_(index),
      dbs_(size_t(databases)),
      watched_(size_t(databases)),
      blocked_(size_t(databases)),
      rng_(std::random_device{}() + uint64_t(index)) {}

void shard_store::active_expire(int64_t now_ms, int64_t budget_us,
                                const std::function<void(int, kv_entry*)>& on_expire) {
  constexpr int keys_per_loop = 20;     // ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
  constexpr int acceptable_stale = 10;  // percent
  auto start = std::chrono::steady_clock::now();
  int total_sampled = 0, total_expired = 0;
  int ndb = databases();
  bool timed_out = false;
  for (int n = 0; n < ndb && !timed_out; ++n) {
    int dbi = (next_expire_db_ + n) % ndb;
    db_slice& d = dbs_[size_t(dbi)];
    int iterations = 0;
    for (;;) {
      if (d.volatile_count() == 0) break;
      auto [sampled, expired] = d.expire_sample(keys_per_loop, now_ms, rng_, [&](kv_entry* e) {
        snapshot_touch(*this, dbi, e);
        on_expire(dbi, e);
      });
      total_sampled += sampled;
      total_expired += expired;
      stats_.expired_keys.add(uint64_t(expired));
      if ((++iterations & 15) == 0) {
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
        if (us > budget_us) {
          timed_out = true;
          stats_.expired_time_cap_reached.add();
          break;
        }
      }
      if (sampled == 0 || expired * 100 / sampled <= acceptable_stale) break;
    }
  }
  next_expire_db_ = (next_expire_db_ + 1) % ndb;
  if (total_sampled > 0)
    stats_.expired_stale_perc_x100.set(uint64_t(total_expired) * 10000 / uint64_t(total_sampled));
}

void shard_store::maintain_tables(int64_t budget_us) {
  auto deadline = dict::clock::now() + std::chrono::microseconds(budget_us);
  size_t ndb = dbs_.size();
  // Start where the last tick stopped, so every database gets its turn.
  for (size_t n = 0; n < ndb; ++n) {
    dict& keys = dbs_[(next_rehash_db_ + n) % ndb].keys;
    keys.shrink_if_sparse();
    if (keys.rehashing() && keys.rehash_until(deadline)) {
      next_rehash_db_ = (next_rehash_db_ + n) % ndb;
      return;
    }
  }
}

}  // namespace troupe
