#include "actors/replication/failover.hpp"

#include <climits>

#include "actors/replication/replica_control.hpp"
#include "actors/replication/replication_master.hpp"
#include "actors/runtime/log.hpp"
#include "actors/server/server.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {

std::optional<std::string> failover_coordinator::request(const failover_request& req) {
  if (req.abort) {
    {
      std::lock_guard<std::mutex> g(mutex_);
      if (auto err = plan_.begin(req, false, {}, 0)) return err;
    }
    abort("Failover manually aborted");
    return std::nullopt;
  }
  replication_master& master = srv_.replicas();
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (auto err =
            plan_.begin(req, srv_.is_replica(), master.failover_candidates(), wall_clock_ms()))
      return err;
    if (req.has_target)
      log_notice("FAILOVER requested to {}:{}.", req.host, req.port);
    else
      log_notice("FAILOVER requested to any replica.");
  }
  // One GETACK before the pause (it moves the offset; nothing does after), so
  // the replicas say at once that they have everything.
  master.request_acks();
  srv_.pauses().pause(pause_purpose::failover, pause_kind::write, INT64_MAX);
  check();
  return std::nullopt;
}

void failover_coordinator::check() {
  enum class next { nothing, follow, abort } act = next::nothing;
  std::string host, why;
  int port = 0;
  {
    std::lock_guard<std::mutex> g(mutex_);
    int64_t now = wall_clock_ms();
    switch (plan_.state()) {
      case failover_plan::phase::none:
        return;
      case failover_plan::phase::in_progress:
        if (plan_.switch_timed_out(now)) {
          act = next::abort;
          why = "Failover target did not accept the failover in time";
        }
        break;
      case failover_plan::phase::waiting_for_sync: {
        int64_t offset = int64_t(srv_.journal_log().repl_offset());
        auto d = plan_.check(now, offset, srv_.replicas().failover_candidates());
        using kind = failover_plan::decision::kind;
        if (d.what == kind::switch_roles) {
          if (d.forced)
            log_notice("FAILOVER to {}:{} time out exceeded, failing over.", plan_.target_host(),
                       plan_.target_port());
          else
            log_notice("Failover target {}:{} is synced, failing over.", plan_.target_host(),
                       plan_.target_port());
          plan_.switched(now);
          host = plan_.target_host();
          port = plan_.target_port();
          act = next::follow;
        } else if (d.what == kind::abort) {
          act = next::abort;
          why = d.reason;
        }
        break;
      }
    }
  }
  // Outside the lock: following and aborting take the replication locks.
  if (act == next::follow)
    srv_.replica().follow(host, port, "", true);  // the target's PSYNC FAILOVER promotes it
  else if (act == next::abort)
    abort(why);
}

void failover_coordinator::accepted() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (plan_.state() != failover_plan::phase::in_progress) return;
    plan_.clear();
  }
  srv_.pauses().unpause(pause_purpose::failover);
}

void failover_coordinator::switch_failed(const std::string& why) {
  abort(why);
}

void failover_coordinator::abort(const std::string& why) {
  bool was_switching;
  {
    std::lock_guard<std::mutex> g(mutex_);
    if (plan_.state() == failover_plan::phase::none) return;
    if (plan_.has_target())
      log_notice("FAILOVER to {}:{} aborted: {}", plan_.target_host(), plan_.target_port(), why);
    else
      log_notice("FAILOVER to any replica aborted: {}", why);
    was_switching = plan_.state() == failover_plan::phase::in_progress;
    plan_.clear();
  }
  // Undone: a master again, its data as it was (nothing was written meanwhile).
  if (was_switching) srv_.replica().promote("");
  srv_.pauses().unpause(pause_purpose::failover);
}

std::string failover_coordinator::state_name() const {
  std::lock_guard<std::mutex> g(mutex_);
  return plan_.state_name();
}

bool failover_coordinator::in_progress() const {
  std::lock_guard<std::mutex> g(mutex_);
  return plan_.state() != failover_plan::phase::none;
}

}  // namespace troupe
