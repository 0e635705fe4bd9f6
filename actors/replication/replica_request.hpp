// What a client that is becoming a replica has told its master: REPLCONF's
// settings (announced address, capabilities, rdb-only, rdb-filter-only) and the
// SYNC or PSYNC that ends the handshake. Kept in the client's session until
// the connection hands its socket to a replica_feed.
#pragma once
#include <cstdint>
#include <string>

namespace troupe {

struct replica_request {
  int listening_port = 0;    // REPLCONF listening-port (0: not announced)
  std::string ip_address;    // REPLCONF ip-address (empty: the peer's address)
  bool capa_eof = false;     // can read a diskless RDB ($EOF:<mark> framing)
  bool capa_psync2 = false;  // understands +CONTINUE <replid>
  // A Troupe replica: reads the write stream that follows a diskless RDB
  // while it loads, so the master need not hold it back until the first ACK.
  bool capa_stream_while_loading = false;
  bool rdb_only = false;  // wants the RDB and nothing after (redis-cli --rdb)
  // REPLCONF rdb-filter-only: the RDB holds only what the filters include, and
  // the one filter there is, "functions", names nothing Troupe has (redis-cli
  // --replica and --functions-rdb send it).
  bool exclude_data = false;

  // Set by SYNC / PSYNC: the connection then becomes a replica feed.
  bool psync = false;        // PSYNC (false: the old SYNC, no +FULLRESYNC line)
  std::string replid = "?";  // PSYNC's replication id
  int64_t offset = -1;       // PSYNC's offset: the next byte the replica needs
};

}  // namespace troupe
