// The replica's side of connecting to a master, as Redis 7.0 does it: PING,
// AUTH (masterauth / masteruser), REPLCONF listening-port, REPLCONF ip-address
// (replica-announce-ip), REPLCONF capa eof capa psync2, then PSYNC with the
// cached history (or "? -1"), falling back to SYNC when the master does not
// know PSYNC. A pure state machine: it says what to send and digests replies;
// the master link actor does the I/O.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace troupe {

struct resp_value;

class replica_handshake {
 public:
  struct settings {
    std::string masteruser, masterauth;
    int listening_port = 0;
    std::string announce_ip;
    // The history to resume (PSYNC replid offset+1); empty replid: none.
    std::string cached_replid;
    int64_t cached_offset = -1;
    // This node is a master handing over to the one it connects to (FAILOVER):
    // `PSYNC replid offset FAILOVER`, and a refusal is final (no SYNC).
    bool failover = false;
  };

  enum class outcome {
    send,          // send `command` and wait for its reply
    full_sync,     // +FULLRESYNC: the RDB payload follows; replid/offset set
    partial_sync,  // +CONTINUE: the stream follows; replid set if the master changed it
    retry_later,   // the master cannot sync now (-LOADING, -NOMASTERSYNC...)
    failed,        // an error to log; drop the link and try again later
  };
  struct step {
    outcome what = outcome::send;
    std::vector<std::string> command;
    std::string replid;
    int64_t offset = 0;
    std::string message;  // for the log (a failure's reason, a warning)
    // +FULLRESYNC ... frames: the payload comes in sync frames with the stream
    // between them (topology/replication/sync_frames.hpp).
    bool framed = false;
  };

  explicit replica_handshake(settings s) : cfg_(std::move(s)) {}

  // The first command (PING).
  step start();
  // Digests the reply to the last command sent.
  step on_reply(const resp_value& reply);
  // Whether the last command was the old SYNC (its answer is the payload itself).
  bool sent_sync() const { return state_ == state::sync; }

 private:
  enum class state { idle, ping, auth, port, ip, capa, psync, sync, done };
  step send(state next, std::vector<std::string> cmd);
  step after_auth();
  step after_port();
  step psync();

  settings cfg_;
  state state_ = state::idle;
};

}  // namespace troupe
