// FAILOVER on a master (topology/replication/failover_plan.hpp decides): the
// writes are paused, the replicas' ACKs and the cron are watched until one has
// the whole stream, then this node follows it with a PSYNC ... FAILOVER that
// makes it the master; the pause ends when it accepts, and the failover is
// undone (this node a master again) when it refuses, cannot be reached, or the
// time runs out. One per server; any thread.
#pragma once
#include <mutex>
#include <optional>
#include <string>

#include "topology/replication/failover_plan.hpp"

namespace troupe {

class server;

class failover_coordinator {
 public:
  explicit failover_coordinator(server& srv) : srv_(srv) {}

  // FAILOVER's request: nothing (OK), or the error reply.
  std::optional<std::string> request(const failover_request& req);
  // A replica acknowledged an offset, or the cron ticks: anything to do?
  void check();
  // The target answered the FAILOVER PSYNC (+CONTINUE or +FULLRESYNC).
  void accepted();
  // The target refused it, or could not be reached.
  void switch_failed(const std::string& why);
  // Ends a failover in progress (ABORT, a timeout, a refusal).
  void abort(const std::string& why);
  // INFO's master_failover_state.
  std::string state_name() const;
  bool in_progress() const;

 private:
  server& srv_;
  mutable std::mutex mutex_;
  failover_plan plan_;
};

}  // namespace troupe
