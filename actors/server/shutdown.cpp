#include "actors/server/shutdown.hpp"

#include "actors/replication/replication_master.hpp"
#include "actors/runtime/log.hpp"
#include "actors/server/server.hpp"
#include "storage/dispatch/session.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {

shutdown_sequence::outcome shutdown_sequence::begin(uint32_t flags, const blocked_ptr& waiter,
                                                    const char* signal_name) {
  std::lock_guard<std::mutex> g(mutex_);
  if (waiting_) {
    if (waiter) waiters_.push_back(waiter);
    return outcome::waiting;
  }
  flags_ = flags;
  signal_name_ = signal_name != nullptr ? signal_name : "";
  if (waiter) waiters_.push_back(waiter);
  log_warning("User requested shutdown...");
  int64_t timeout_s = srv_.config().shutdown_timeout.get();
  if (!(flags & shutdown_now) && timeout_s > 0 && !replicas_caught_up()) {
    waiting_ = true;
    deadline_ms_ = wall_clock_ms() + timeout_s * 1000;
    // The GETACK goes before the pause (it moves the offset; nothing does after).
    srv_.replicas().request_acks();
    srv_.pauses().pause(pause_purpose::shutdown, pause_kind::write, INT64_MAX);
    log_notice("Waiting for replicas before shutting down.");
    return outcome::waiting;
  }
  return finish(false);
}

bool shutdown_sequence::abort() {
  std::lock_guard<std::mutex> g(mutex_);
  if (!waiting_) return false;
  waiting_ = false;
  awaiting_snapshot_ = false;
  finishing_ = false;
  log_warning("Shutdown manually aborted.");
  srv_.pauses().unpause(pause_purpose::shutdown);
  answer_waiters("-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
  return true;
}

void shutdown_sequence::cron() {
  std::lock_guard<std::mutex> g(mutex_);
  if (!waiting_) return;
  if (awaiting_snapshot_) {
    if (srv_.snapshots().busy()) return;
    awaiting_snapshot_ = false;
    waiting_ = false;
    finish(false);
    return;
  }
  bool timed_out = wall_clock_ms() >= deadline_ms_;
  if (!timed_out && !replicas_caught_up()) return;
  waiting_ = false;
  finish(timed_out);
}

bool shutdown_sequence::replicas_caught_up() const {
  int64_t end = int64_t(srv_.journal_log().repl_offset());
  for (auto& r : srv_.replicas().failover_candidates())
    if (r.acked != end) return false;
  return true;
}

shutdown_sequence::outcome shutdown_sequence::finish(bool timed_out) {
  if (timed_out) log_lagging_replicas();
  const server_config& cfg = srv_.config();
  bool save = (flags_ & shutdown_save) || (!(flags_ & shutdown_nosave) && cfg.save.any());
  // A replica loading its master's dataset has nothing of its own to save.
  if (srv_.is_replica() && srv_.loading() != dataset_loading::none) save = false;
  if (save && srv_.snapshots().busy()) {
    // A BGSAVE or AOF rewrite is walking the data (Redis would kill its fork):
    // the final save waits for it, and the cron comes back.
    if (!awaiting_snapshot_)
      log_notice("A background save is in progress: the final save waits for it to end.");
    awaiting_snapshot_ = true;
    finishing_ = true;
    waiting_ = true;
    srv_.pauses().pause(pause_purpose::shutdown, pause_kind::write, INT64_MAX);
    return outcome::waiting;
  }
  if (save) {
    log_notice("Saving the final RDB snapshot before exiting.");
    if (auto err = srv_.snapshots().save(); err && !(flags_ & shutdown_force)) {
      log_warning("Error trying to save the DB, can't exit.");
      if (!signal_name_.empty())
        log_warning(
            "{} received but errors trying to shut down the server, check the logs for more "
            "information",
            signal_name_);
      finishing_ = false;
      srv_.pauses().unpause(pause_purpose::shutdown);
      answer_waiters("-ERR Errors trying to SHUTDOWN. Check logs.\r\n");
      return outcome::failed;
    }
  }
  // The waiting SHUTDOWN clients get no reply: their connections close with the server.
  waiters_.clear();
  srv_.request_shutdown(0);
  return outcome::exiting;
}

void shutdown_sequence::log_lagging_replicas() {
  int64_t end = int64_t(srv_.journal_log().repl_offset());
  for (auto& r : srv_.replicas().failover_candidates())
    if (r.acked != end)
      log_warning("Lagging replica {}:{} reported offset {} behind master, state={}.", r.host,
                  r.port, end - r.acked, r.online ? "online" : "wait_bgsave");
}

void shutdown_sequence::answer_waiters(const std::string& reply) {
  for (auto& w : waiters_) {
    if (w->done.exchange(true)) continue;  // gone meanwhile
    w->s->clear(client_blocked);
    srv_.keys().blocked_clients.fetch_sub(1, std::memory_order_relaxed);
    w->wake(reply);
  }
  waiters_.clear();
}

}  // namespace troupe
