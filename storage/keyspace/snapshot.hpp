// Point-in-time snapshots without fork(). At the cut every database slice flips
// its parity bit, which marks every entry that exists as "not yet saved"; new
// entries are marked "saved" (they are after the cut). Each shard then walks its
// tables a batch at a time between commands, saving what is not yet saved, and
// any write command saves an entry *before* it touches it. So the snapshot is
// exactly the data at the cut, while clients are served and without copying
// the dataset.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "storage/types/kv_entry.hpp"

namespace troupe {

class shard_store;

// Where saved entries go (an RDB chunk encoder, an AOF rewrite encoder).
class snapshot_sink {
 public:
  virtual ~snapshot_sink() = default;
  // Called under the shard's lock, at most once per entry.
  virtual void entry(int db, const kv_entry* e) = 0;
  // The shard has saved everything.
  virtual void finish() = 0;
  // Whether the walk stops here, asked once per step so the answer cannot
  // change between "whether" and "how long" (it did: a pause that ran out
  // between two calls left the walk stopped with no timer to resume it).
  //  not_paused: go on.
  //  0: whoever takes the bytes is behind; the walk stops until it is told to
  //     go on (writes still save what they touch). A diskless full sync paces
  //     the walk by its slowest replica this way.
  //  > 0: paused for that many milliseconds (rdb-key-save-delay).
  static constexpr int64_t not_paused = -1;
  virtual int64_t pause_ms() { return not_paused; }
  // Entries per walk step (rdb-key-save-delay takes fewer per step).
  virtual uint64_t step_entries() const { return 128; }
};

struct shard_snapshot {
  bool active = false;
  // Null when the snapshot was abandoned: the walk still finishes, only to
  // bring every entry's mark back to the slice's parity.
  std::shared_ptr<snapshot_sink> sink;
  int db = 0;
  uint64_t cursor = 0;
  uint64_t saved = 0;
};

// Saves e now unless already saved in this snapshot (the shard's lock is held).
void snapshot_touch(shard_store& s, int db, kv_entry* e);
// Begins a snapshot in this shard (part of the cut; all shards are held).
void snapshot_begin(shard_store& s, std::shared_ptr<snapshot_sink> sink);
// Saves up to `max_entries` more; returns true while work remains.
bool snapshot_step(shard_store& s, size_t max_entries);
// Saves everything not yet saved in db (before FLUSHDB / SWAPDB change it wholesale).
void snapshot_drain_db(shard_store& s, int db);

}  // namespace troupe
