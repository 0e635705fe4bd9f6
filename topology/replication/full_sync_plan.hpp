// When a master starts a full sync, for whom, and how: Redis 7.0's rules for
// replicas waiting for an RDB (replicationStartPendingFork), as a pure
// function. Replicas asking for the same contents share one snapshot; a
// diskless sync waits up to repl-diskless-sync-delay seconds for more
// replicas, or until repl-diskless-sync-max-replicas of them wait; the RDB
// is streamed only when every member can read the $EOF framing.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace troupe {

struct waiting_replica {
  int64_t waited_ms = 0;      // since it asked for the sync
  bool capa_eof = false;      // REPLCONF capa eof
  bool exclude_data = false;  // REPLCONF rdb-filter-only: wants no keys
};

struct full_sync_settings {
  bool diskless_sync = true;  // repl-diskless-sync
  int64_t delay_s = 5;        // repl-diskless-sync-delay
  int64_t max_replicas = 0;   // repl-diskless-sync-max-replicas (0: no limit)
};

struct full_sync_plan {
  bool start = false;
  bool diskless = false;
  std::vector<size_t> members;  // indexes into the waiting list
};

// `force`: start without waiting for the delay (a replica that cannot wait for
// a diskless sync, or the delay is 0).
full_sync_plan plan_full_sync(const std::vector<waiting_replica>& waiting,
                              const full_sync_settings& settings, bool force);

}  // namespace troupe
