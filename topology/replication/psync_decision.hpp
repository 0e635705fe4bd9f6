// What a master answers to `PSYNC replid offset`: a partial resync from its
// backlog (+CONTINUE) when the replica's history is one the master can serve
// from there, a full resync (+FULLRESYNC) otherwise. Redis 7.0's rules
// (masterTryPartialResynchronization), as a pure function.
#pragma once
#include <cstdint>
#include <string>

#include "topology/replication/replication_ids.hpp"

namespace troupe {

struct backlog_window {
  bool active = false;
  int64_t first_byte = 0;  // replication offset of the first byte held (Redis counts from 1)
  int64_t histlen = 0;     // bytes held
};

struct psync_decision {
  bool partial = false;
  // Why a full resync was chosen, in Redis's log words; empty for a partial one.
  std::string reason;
};

// `requested_offset` is what the replica asks for: the offset of the next byte
// it needs (its own replication offset + 1); "?" and -1 force a full resync.
psync_decision decide_psync(const std::string& requested_replid, int64_t requested_offset,
                            const replication_ids& ids, const backlog_window& backlog);

}  // namespace troupe
