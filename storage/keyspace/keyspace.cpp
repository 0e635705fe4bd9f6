#include "storage/keyspace/keyspace.hpp"

#include "storage/dispatch/session.hpp"

namespace troupe {

keyspace::keyspace(int shards, int databases) : databases_(databases) {
  for (int i = 0; i < shards; ++i) shards_.push_back(std::make_unique<shard_store>(i, databases));
}

void keyspace::enable_slot_index() {
  if (slot_indexed_) return;
  slot_indexed_ = true;
  for (int i = 0; i < shard_count(); ++i) shard(i).db(0).enable_slot_index(i, shard_count());
}

size_t keyspace::db_size(int db) {
  size_t n = 0;
  for (auto& s : shards_) n += s->db(db).size();
  return n;
}

size_t keyspace::db_volatile(int db) {
  size_t n = 0;
  for (auto& s : shards_) n += s->db(db).volatile_count();
  return n;
}

size_t keyspace::total_keys() {
  size_t n = 0;
  for (int d = 0; d < databases_; ++d) n += db_size(d);
  return n;
}

void shard_set_guard::acquire(keyspace& ks, std::vector<int>& shards) {
  if (!ks.concurrent()) return;
  std::sort(shards.begin(), shards.end());
  shards.erase(std::unique(shards.begin(), shards.end()), shards.end());
  for (int i : shards) {
    std::mutex* m = &ks.shard(i).lock();
    m->lock();
    held_.push_back(m);
  }
}

void shard_set_guard::acquire_all(keyspace& ks) {
  if (!ks.concurrent()) return;
  for (int i = 0; i < ks.shard_count(); ++i) {
    std::mutex* m = &ks.shard(i).lock();
    m->lock();
    held_.push_back(m);
  }
}

void shard_set_guard::release() {
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) (*it)->unlock();
  held_.clear();
}

void keyspace::dataset_flushed(uint64_t by) {
  if (!tracking.active()) return;
  std::vector<invalidation> out;
  tracking.flushed(out);
  if (!out.empty() && deliver_invalidations) deliver_invalidations(out, by);
}

void keyspace::key_modified(int db, std::string_view key, uint64_t by) {
  if (!key.empty() && tracking.active()) {
    std::vector<invalidation> out;
    tracking.key_modified(key, by, out);
    if (!out.empty() && deliver_invalidations) deliver_invalidations(out, by);
  }
  if (watched_keys.load(std::memory_order_relaxed) == 0) return;
  auto touch = [](std::vector<session*>& watchers) {
    for (session* s : watchers) s->set(client_dirty_cas);
  };
  if (key.empty()) {
    for (auto& s : shards_)
      for (auto& [k, watchers] : s->watched(db)) touch(watchers);
    return;
  }
  watch_map& m = shard(shard_of_key(key)).watched(db);
  auto it = m.find(std::string(key));
  if (it != m.end()) touch(it->second);
}

}  // namespace troupe
