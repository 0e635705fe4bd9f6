// One replica attached to this master, as both sides of it see it: its feed
// (the actor that owns the socket) writes its progress here, and the master
// (INFO, ROLE, WAIT, min-replicas-to-write, full syncs) reads it and hands it
// the full sync it takes part in.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <caf/actor.hpp>

#include "actors/replication/replica_request.hpp"
#include "storage/journal/journal.hpp"

namespace troupe {

class full_sync;
class reactor;

// Redis's replica states; INFO prints wait_bgsave for the first two.
enum class replica_state { wait_bgsave_start, wait_bgsave_end, send_bulk, online };

const char* replica_state_name(replica_state s);

struct replica_link {
  // Fixed when the feed starts.
  uint64_t client_id = 0;
  std::string ip;        // announced (REPLCONF ip-address) or the peer's address
  int port = 0;          // announced listening port
  std::string log_name;  // "ip:port" as Redis's logs name a replica
  replica_request req;
  caf::actor feed;
  reactor* home = nullptr;
  int64_t since_ms = 0;  // when it asked for a sync (repl-diskless-sync-delay)

  // Written by the feed, read anywhere.
  std::atomic<replica_state> state{replica_state::wait_bgsave_start};
  std::atomic<int64_t> ack_offset{0};
  std::atomic<int64_t> ack_time_ms{0};

  // Handed over by the master (a full sync's cut) and read by the feed.
  mutable std::mutex mutex;
  std::shared_ptr<full_sync> job;
  std::optional<journal::reader_id> stream_reader;   // the write stream
  std::optional<journal::reader_id> payload_reader;  // a diskless RDB
};

}  // namespace troupe
