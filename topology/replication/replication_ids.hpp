// A node's replication history as Redis 7 names it (PSYNC2): the id of the
// history it serves now (`replid`), the id of the history it followed before
// a promotion (`replid2`) and the offset up to which that older history is
// still valid for it (`second_offset`), so replicas of its old master can
// resume with a partial resync.
#pragma once
#include <cstdint>
#include <string>

namespace troupe {

// 40 random hex characters, as Redis's replication ids and run ids.
std::string random_hex_id();

struct replication_ids {
  std::string replid = random_hex_id();
  std::string replid2 = std::string(40, '0');
  int64_t second_offset = -1;

  // Becoming a master (REPLICAOF NO ONE, a failover): the history followed so
  // far stays resumable up to `offset` (the node's replication offset), and a
  // new history starts. Redis: shiftReplicationId().
  void shift(int64_t offset);
  // Forgets the secondary history (a replica starting a new full sync).
  void clear_secondary();
};

}  // namespace troupe
