#include "storage/eviction/evictor.hpp"

#include <cmath>
#include <limits>
#include <mutex>

#include "storage/dispatch/server_services.hpp"
#include "storage/eviction/key_access.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/keyspace/keyspace.hpp"
#include "storage/keyspace/snapshot.hpp"
#include "storage/memory/used_memory.hpp"

namespace troupe {
namespace {

// Holds one shard while the keyspace is shared between reactors.
class shard_hold {
 public:
  shard_hold(keyspace& ks, shard_store& s) {
    if (ks.concurrent()) lock_ = std::unique_lock<std::mutex>(s.lock());
  }

 private:
  std::unique_lock<std::mutex> lock_;
};

}  // namespace

evictor::evictor(keyspace& ks, server_services& srv)
    : ks_(ks), srv_(srv), rng_(std::random_device{}()) {}

uint64_t evictor::time_limit_us(int64_t tenacity) {
  // As Redis: linear up to 500 us at 10, then 15% more per step, unbounded at 100.
  if (tenacity <= 10) return uint64_t(50 * std::max<int64_t>(tenacity, 0));
  if (tenacity < 100) return uint64_t(500.0 * std::pow(1.15, double(tenacity - 10)));
  return std::numeric_limits<uint64_t>::max();
}

eviction_result evictor::perform() {
  const server_config& cfg = srv_.config();
  size_t limit = size_t(cfg.maxmemory.get());
  if (limit == 0 || (srv_.is_replica() && cfg.replica_ignore_maxmemory.get())) {
    note_result(eviction_result::ok);
    return eviction_result::ok;
  }
  size_t used = used_memory();
  if (used > limit) used -= std::min(used, srv_.memory_not_counted_for_eviction());
  if (used <= limit) {
    note_result(eviction_result::ok);
    return eviction_result::ok;
  }
  if (cfg.maxmemory_policy.get() == eviction_policy::noeviction) {
    note_result(eviction_result::fail);
    return eviction_result::fail;
  }

  std::lock_guard<std::mutex> g(mutex_);
  int64_t to_free = int64_t(used - limit), freed = 0;
  uint64_t budget_us = time_limit_us(cfg.maxmemory_eviction_tenacity.get());
  int64_t start = monotonic_ns();
  eviction_result result = eviction_result::fail;
  size_t keys_freed = 0;
  eviction_candidate c;
  while (freed < to_free) {
    if (!pick(c)) break;  // nothing left to evict
    int64_t delta = evict(c);
    if (delta < 0) continue;  // gone meanwhile
    freed += delta;
    if (++keys_freed % 16 == 0 && used_memory() <= limit + srv_.memory_not_counted_for_eviction())
      break;
    // The clock after every key (Redis looks every 16): with many samples one
    // pick may take a while.
    if (uint64_t(monotonic_ns() - start) / 1000 > budget_us) {
      result = eviction_result::running;
      break;
    }
  }
  if (result != eviction_result::running &&
      (freed >= to_free || used_memory() <= limit + srv_.memory_not_counted_for_eviction()))
    result = eviction_result::ok;
  pending_.store(result == eviction_result::running, std::memory_order_relaxed);
  note_result(result);
  return result;
}

bool evictor::pick(eviction_candidate& out) {
  eviction_policy policy = srv_.config().maxmemory_policy.get();
  if (policy == eviction_policy::allkeys_random || policy == eviction_policy::volatile_random)
    return pick_random(out, policy == eviction_policy::volatile_random);
  // Redis's loop: sample into the pool, take the best that still exists; sample
  // again when the pool ran dry of live keys.
  for (int round = 0; round < 16; ++round) {
    fill_pool();
    if (pool_.size() == 0) return false;
    while (pool_.pop_best(out)) {
      shard_store& s = ks_.shard(out.shard);
      shard_hold hold(ks_, s);
      if (s.db(out.db).keys.find(out.key, hash_key(out.key)) != nullptr) return true;
    }
  }
  return false;
}

void evictor::fill_pool() {
  const server_config& cfg = srv_.config();
  eviction_policy policy = cfg.maxmemory_policy.get();
  // Redis takes any int; past 1024 keys per table more samples add nothing but time.
  size_t samples = size_t(std::min<int64_t>(cfg.maxmemory_samples.get(), 1024));
  bool all = policy_is_allkeys(policy);
  if (policy != pool_policy_) {
    pool_.clear();  // scores of another policy do not compare
    pool_policy_ = policy;
  }
  int64_t now = wall_clock_ms();
  uint32_t clock = srv_.lru_clock.load(std::memory_order_relaxed);
  int64_t decay = cfg.lfu_decay_time.get();
  auto score = [&](const kv_entry* e) -> uint64_t {
    if (policy_is_lru(policy)) return lru_idle_sixteenths(e, clock);
    if (policy_is_lfu(policy)) return lfu_score(e, now, decay);
    // volatile-ttl: the sooner it expires, the better.
    return std::numeric_limits<uint64_t>::max() - uint64_t(e->expire_at());
  };
  // Every shard's slice of every database is a table of its own, as each of
  // Redis's databases is: each contributes `samples` keys.
  for (int si = 0; si < ks_.shard_count(); ++si) {
    shard_store& s = ks_.shard(si);
    shard_hold hold(ks_, s);
    for (int db = 0; db < s.databases(); ++db) {
      db_slice& slice = s.db(db);
      auto offer = [&](kv_entry* e) { pool_.offer(score(e), si, db, e->key()); };
      if (all) {
        if (slice.size() > 0) slice.keys.sample(samples, s.rng(), offer);
      } else {
        for (size_t n = 0; n < samples && slice.volatile_count() > 0; ++n)
          offer(slice.random_volatile(s.rng()));
      }
    }
  }
}

bool evictor::pick_random(eviction_candidate& out, bool volatile_only) {
  size_t slices = size_t(ks_.shard_count()) * size_t(ks_.databases());
  for (size_t n = 0; n < slices; ++n) {
    size_t at = next_random_++ % slices;
    int si = int(at % size_t(ks_.shard_count())), db = int(at / size_t(ks_.shard_count()));
    shard_store& s = ks_.shard(si);
    shard_hold hold(ks_, s);
    db_slice& slice = s.db(db);
    kv_entry* e = volatile_only ? slice.random_volatile(s.rng()) : slice.keys.random_entry(s.rng());
    if (e == nullptr) continue;
    out.shard = si;
    out.db = db;
    out.key.assign(e->key());
    return true;
  }
  return false;
}

int64_t evictor::evict(const eviction_candidate& c) {
  shard_store& s = ks_.shard(c.shard);
  shard_hold hold(ks_, s);
  db_slice& slice = s.db(c.db);
  dict::location loc = slice.keys.locate(c.key, hash_key(c.key));
  if (!loc) return -1;
  snapshot_touch(s, c.db, loc.entry());  // a snapshot in progress saves it first
  // Replicas and the AOF learn of it as a DEL, in order with the other writes.
  srv_.journal(c.db, {"DEL", c.key});
  ks_.key_modified(c.db, c.key);  // WATCHers fail their EXEC
  kv_entry* e = slice.detach(loc);
  int64_t freed;
  if (srv_.config().lazyfree_lazy_eviction.get()) {
    freed = int64_t(entry_memory(e));  // what the background freer will give back
    srv_.free_later(entry_chain::single(e));
  } else {
    int64_t before = int64_t(used_memory());
    destroy_entry(e);
    freed = before - int64_t(used_memory());
  }
  s.stats().evicted_keys.add();
  if (srv_.config().notify_keyspace_events.get() & notify_evicted)
    srv_.keyspace_event(notify_evicted, "evicted", c.key, c.db);
  return freed > 0 ? freed : 0;
}

void evictor::note_result(eviction_result r) {
  int64_t since = exceeded_since_ms_.load(std::memory_order_relaxed);
  if (r == eviction_result::ok) {
    if (since != 0) {
      exceeded_total_ms_.fetch_add(uint64_t(std::max<int64_t>(0, wall_clock_ms() - since)));
      exceeded_since_ms_.store(0, std::memory_order_relaxed);
    }
    pending_.store(false, std::memory_order_relaxed);
  } else if (since == 0) {
    exceeded_since_ms_.store(wall_clock_ms(), std::memory_order_relaxed);
  }
}

uint64_t evictor::current_exceeded_ms() const {
  int64_t since = exceeded_since_ms_.load(std::memory_order_relaxed);
  return since == 0 ? 0 : uint64_t(std::max<int64_t>(0, wall_clock_ms() - since));
}

uint64_t evictor::total_exceeded_ms() const {
  return exceeded_total_ms_.load(std::memory_order_relaxed) + current_exceeded_ms();
}

void evictor::reset_stats() {
  exceeded_total_ms_.store(0, std::memory_order_relaxed);
  if (exceeded_since_ms_.load(std::memory_order_relaxed) != 0)
    exceeded_since_ms_.store(wall_clock_ms(), std::memory_order_relaxed);
}

}  // namespace troupe
