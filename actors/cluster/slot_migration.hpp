// Atomic slot migration: CLUSTER MIGRATESLOTS SLOTSRANGE start end [...] NODE
// id, after Valkey 9's command of that name (Redis 8.4's CLUSTER MIGRATION
// IMPORT is driven from the target instead; the source is where the data and
// the write stream are, so driving it from there needs one connection and no
// new bus messages).
//
// The source copies the slots to the target over one ordinary client
// connection, which the target marks as an import (CLUSTER SYNCSLOTS
// ESTABLISH): each slot's keys as the commands that rebuild them, taken on the
// slot's reactor at one cut of the journal, then every later write to a
// copied slot from the journal (topology/cluster/slot_stream_filter.hpp).
// Clients keep using the source meanwhile; the target does not serve the
// slots yet. When the stream has caught up, the source holds writes for a
// moment, sends the last of the stream and CLUSTER SYNCSLOTS FINISH: the
// target takes the slots under a new config epoch and tells every node; the
// source gives them up, deletes its copies and lets the held writes go on,
// which now get -MOVED to the target. No -ASK, no -TRYAGAIN, no key ever in
// two places for a client. A migration that fails or is cancelled ends with
// the connection; the target then deletes what it had received.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace troupe {

class server;
class cluster_control;

struct slot_migration {
  std::string name;  // shown by CLUSTER GETSLOTMIGRATIONS
  std::vector<std::pair<int, int>> ranges;
  std::vector<int> slots;
  std::string source_id, target_id, target_host;
  int target_port = 0;
  int64_t created_ms = 0;
  std::atomic<bool> cancel{false};
  // The connection to the target, shut down to end a blocked read on cancel.
  std::atomic<int> fd{-1};

  // What GETSLOTMIGRATIONS shows, under `mutex`.
  mutable std::mutex mutex;
  std::string state = "connecting";  // connecting, snapshot, streaming, handover, success, failed
  std::string message;
  int64_t ended_ms = 0;
  uint64_t keys = 0, stream_commands = 0, bytes = 0;

  bool finished() const {
    std::lock_guard<std::mutex> g(mutex);
    return ended_ms != 0;
  }
  void set_state(const char* s) {
    std::lock_guard<std::mutex> g(mutex);
    state = s;
  }
};

// Runs one migration to its end on the calling thread (a detached actor's:
// the I/O to the target blocks, the copying runs on the slots' reactors).
void run_slot_migration(server& srv, cluster_control& ctl, slot_migration& m);
// Asks a running migration to stop (its I/O is interrupted).
void cancel_slot_migration(slot_migration& m);

}  // namespace troupe
