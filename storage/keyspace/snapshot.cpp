#include "storage/keyspace/snapshot.hpp"

#include "storage/keyspace/shard_store.hpp"

namespace troupe {

void snapshot_touch(shard_store& s, int db, kv_entry* e) {
  shard_snapshot& snap = s.snapshot();
  if (!snap.active) return;
  db_slice& slice = s.db(db);
  if (e->snapshot_mark() == slice.parity) return;
  if (snap.sink) snap.sink->entry(db, e);
  e->set_snapshot_mark(slice.parity);
  ++snap.saved;
}

void snapshot_begin(shard_store& s, std::shared_ptr<snapshot_sink> sink) {
  shard_snapshot& snap = s.snapshot();
  for (int db = 0; db < s.databases(); ++db) s.db(db).parity = !s.db(db).parity;
  snap.active = true;
  snap.sink = std::move(sink);
  snap.db = 0;
  snap.cursor = 0;
  snap.saved = 0;
}

bool snapshot_step(shard_store& s, size_t max_entries) {
  shard_snapshot& snap = s.snapshot();
  if (!snap.active) return false;
  size_t visited = 0;
  while (snap.db < s.databases() && visited < max_entries) {
    db_slice& slice = s.db(snap.db);
    if (slice.size() == 0) {
      snap.db++;
      snap.cursor = 0;
      continue;
    }
    int db = snap.db;
    snap.cursor = slice.keys.scan(snap.cursor, [&](kv_entry* e) {
      ++visited;
      snapshot_touch(s, db, e);
    });
    if (snap.cursor == 0) snap.db++;
  }
  if (snap.db < s.databases()) return true;
  snap.active = false;
  if (snap.sink) snap.sink->finish();
  snap.sink.reset();
  return false;
}

void snapshot_drain_db(shard_store& s, int db) {
  shard_snapshot& snap = s.snapshot();
  if (!snap.active) return;
  s.db(db).keys.for_each([&](kv_entry* e) { snapshot_touch(s, db, e); });
}

}  // namespace troupe
