// Pausing clients, as Redis 7.0 does for CLIENT PAUSE, FAILOVER and a SHUTDOWN
// that waits for its replicas: each purpose holds its own pause (a kind and an
// end), the strongest of them is what the dispatcher sees, and a command that
// must wait is postponed by its connection (it keeps the command unread) until
// every pause that holds it has ended. Then the postponed connections are told
// to go on.
//
// Any thread may pause or unpause; reactor 0's cron ends pauses whose time has
// come.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include <caf/actor.hpp>

#include "storage/dispatch/server_services.hpp"

namespace troupe {

// cluster_failover: a master holding writes while its replica takes over
// (CLUSTER FAILOVER); slot_migration: a master holding writes for the moment
// an atomic slot migration hands its slots over (CLUSTER MIGRATESLOTS).
enum class pause_purpose : uint8_t {
  client_command,
  failover,
  shutdown,
  cluster_failover,
  slot_migration
};

class client_pause {
 public:
  // Pauses for `purpose` until `end_ms` (wall clock); a pause of the same
  // purpose already on keeps the stronger kind and the later end.
  void pause(pause_purpose purpose, pause_kind kind, int64_t end_ms);
  // Ends the pause of `purpose`; postponed clients go on if nothing else holds them.
  void unpause(pause_purpose purpose);
  // Ends pauses whose time has come (reactor 0's cron).
  void cron(int64_t now_ms);

  pause_kind current() const { return current_.load(std::memory_order_relaxed); }
  bool paused_for(pause_purpose purpose) const;

  // A connection postponed a command that `held` (the pause the dispatcher
  // saw) holds back: it is told (resume_atom) when the pause weakens, at once
  // if it already has.
  void postpone(const caf::actor& client, pause_kind held);

 private:
  struct hold {
    pause_kind kind = pause_kind::none;
    int64_t end_ms = 0;
  };
  // Recomputes current_ and, when it weakened, resumes the postponed clients.
  void update_locked(std::vector<caf::actor>& to_resume);
  static void resume(std::vector<caf::actor>& clients);

  mutable std::mutex mutex_;
  std::array<hold, 5> holds_;
  std::atomic<pause_kind> current_{pause_kind::none};
  std::vector<caf::actor> postponed_;
};

}  // namespace troupe
