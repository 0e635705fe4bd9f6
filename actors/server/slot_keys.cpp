#include "actors/server/slot_keys.hpp"

#include <mutex>
#include <string>
#include <vector>

#include "actors/replication/replica_dataset.hpp"
#include "actors/server/server.hpp"
#include "storage/encodings/hash.hpp"
#include "storage/keyspace/blocking.hpp"
#include "storage/keyspace/lazy_free.hpp"
#include "storage/keyspace/snapshot.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {
namespace {

bool valid_slot(int slot) {
  return slot >= 0 && slot < int(cluster_slots);
}

// Up to this many keys are copied out of the index at a time.
constexpr size_t delete_batch = 1024;

void delete_now(server& srv, uint16_t slot, int reactor) {
  keyspace& ks = srv.keys();
  shard_store& s = ks.shard(ks.shard_of_slot(slot));
  std::unique_lock<std::mutex> lock(s.lock(), std::defer_lock);
  if (ks.concurrent()) lock.lock();
  db_slice& db = s.db(0);
  const slot_index* index = db.slots();
  if (index == nullptr) return;
  bool lazy = srv.config().lazyfree_lazy_server_del.get();
  bool notify = srv.config().notify_keyspace_events.get() & notify_generic;
  std::vector<std::string> keys;
  bool progress = true;
  while (index->count(slot) > 0 && progress) {
    progress = false;
    keys.clear();
    index->visit(slot, delete_batch, [&](kv_entry* e) { keys.emplace_back(e->key()); });
    for (const std::string& key : keys) {
      dict::location loc = db.keys.locate(key, hash_key(key));
      if (!loc) continue;
      snapshot_touch(s, 0, loc.entry());  // a snapshot in progress saves it first
      srv.journal(0, {lazy ? "UNLINK" : "DEL", key});
      ks.key_modified(0, key);
      kv_entry* e = db.detach(loc);
      progress = true;
      if (lazy && free_effort(e) > lazyfree_threshold)
        srv.free_later(entry_chain::single(e));
      else
        destroy_entry(e);
      ks.dirty.fetch_add(1, std::memory_order_relaxed);
      if (notify) srv.keyspace_event(notify_generic, "del", key, 0);
      // Stream readers blocked on it are told it is gone.
      if (ks.blocked_clients.load(std::memory_order_relaxed) > 0) signal_key_ready(ks, s, 0, key);
    }
  }
  // Their waiters are served now (the dispatcher takes the locks itself).
  if (lock.owns_lock()) lock.unlock();
  if (reactor >= 0 && ks.ready_pending.load(std::memory_order_relaxed))
    srv.dispatcher_of(reactor).serve_ready_keys();
}

}  // namespace

uint64_t count_keys_in_slot(server& srv, int slot) {
  return valid_slot(slot) ? srv.keys().keys_in_slot(uint16_t(slot)) : 0;
}

uint64_t keys_in_db0(server& srv) {
  keyspace& ks = srv.keys();
  if (!ks.slot_indexed()) return ks.db_size(0);
  uint64_t n = 0;
  for (int i = 0; i < ks.shard_count(); ++i) n += ks.shard(i).db(0).slots()->total();
  return n;
}

void delete_keys_in_slot(server& srv, int slot) {
  if (!valid_slot(slot) || !srv.keys().slot_indexed()) return;
  // Before the reactors run (loading), at once on this thread.
  if (srv.reactor_count() == 0) return delete_now(srv, uint16_t(slot), -1);
  int reactor = srv.keys().shard_of_slot(uint16_t(slot)) % srv.reactor_count();
  srv.reactor_at(reactor).post([&srv, slot, reactor] { delete_now(srv, uint16_t(slot), reactor); });
}

void empty_dataset(server& srv) {
  shard_set_guard guard;
  guard.acquire_all(srv.keys());
  flush_dataset(srv, srv.keys(), false);
}

}  // namespace troupe
