// Where a replica's link to its master stands, as ROLE and INFO name it, and
// what its INFO Replication section says about it (Redis 7.0's fields, in its
// order). Pure functions of the state: the master link actor fills it in.
#pragma once
#include <cstdint>
#include <string>

#include "protocol/config/config_replication_rows.hpp"

namespace troupe {

enum class replica_link_state : uint8_t {
  none,        // not a replica
  connect,     // waiting for the next attempt to connect
  connecting,  // TCP connect in progress
  handshake,   // PING, AUTH, REPLCONF, PSYNC
  transfer,    // receiving (and loading) the RDB of a full sync
  connected,   // following the master's command stream
};

// ROLE's word: "connect", "connecting", "handshake", "sync", "connected".
const char* role_state_name(replica_link_state s);

// Whether a full sync's RDB is parsed straight from the socket rather than
// saved to disk first (repl-diskless-load): always with swapdb, with
// on-empty-db only when the replica holds no key.
bool load_from_socket(diskless_load_mode mode, bool dataset_empty);

// Everything INFO Replication shows about the link, in one snapshot.
struct replica_link_info {
  std::string master_host;
  int master_port = 0;
  replica_link_state state = replica_link_state::connect;
  // Seconds since the last byte from the master; -1 without a synced link.
  int64_t last_io_seconds_ago = -1;
  // Offsets of the link (INFO slave_read_repl_offset, slave_repl_offset); 1
  // when there is neither a link nor a history to resume, as Redis prints.
  int64_t read_offset = 1, applied_offset = 1;
  // During a transfer: bytes announced (-1 with the EOF framing), read so far,
  // and seconds since the last of them.
  int64_t transfer_size = -1, transfer_read = 0, transfer_last_io_seconds_ago = 0;
  // Seconds since the link went down; -1 if it never was up.
  int64_t down_since_seconds = -1;
  int64_t replica_priority = 100;
  bool read_only = true;
  bool announced = true;
};

// The replica part of INFO Replication, from master_host to replica_announced,
// as "name:value\r\n" lines.
std::string replica_info_fields(const replica_link_info& i);

}  // namespace troupe
