// The node's place in replication, shared by the master side (replica feeds,
// PSYNC, WAIT) and the replica side (master_link, REPLICAOF): whose replica it
// is, and the ids of the histories it can serve. One per server.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "topology/replication/replication_ids.hpp"

namespace troupe {

struct replication_state {
  // Lock-free for the per-command checks (READONLY, MASTERDOWN).
  std::atomic<bool> is_replica{false};

  // The rest under the mutex.
  mutable std::mutex mutex;
  replication_ids ids;      // master_replid, master_replid2, second_repl_offset
  std::string master_host;  // empty while a master
  int master_port = 0;

  // The history the RDB loaded at start-up carried (its repl-id, repl-offset
  // and repl-stream-db aux fields); an empty id when it carried none.
  std::string rdb_replid;
  int64_t rdb_offset = -1;
  int rdb_stream_db = -1;

  // Set by the master side: disconnects this node's own replicas, whose
  // history changed under them (a full sync from a new master, a new
  // replication id, a promotion), so that they sync again.
  std::function<void()> disconnect_replicas;
};

}  // namespace troupe
