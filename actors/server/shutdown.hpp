// SHUTDOWN, SIGTERM and SIGINT as Redis 7.0 does them: a master with replicas
// that have not acknowledged the whole stream pauses writes, asks them for
// their offsets and waits (shutdown-timeout seconds at most, unless NOW) so no
// acknowledged write is lost; then it saves the final RDB when asked to (SAVE,
// or save points without NOSAVE) and exits. A failed save stops the shutdown
// unless FORCE. SHUTDOWN ABORT ends a wait. The SHUTDOWN client stays blocked
// while the replicas catch up.
//
// Any thread may begin or abort; reactor 0's cron finishes a wait.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "storage/keyspace/blocking.hpp"

namespace troupe {

class server;

class shutdown_sequence {
 public:
  explicit shutdown_sequence(server& srv) : srv_(srv) {}

  enum class outcome {
    exiting,  // the server is stopping
    waiting,  // replicas are catching up; `waiter` (if any) is answered later
    failed,   // the final save failed (without FORCE): the server goes on
  };
  // `flags`: shutdown_flag bits (protocol/config/config_special_rows.hpp).
  // `waiter`: the blocked SHUTDOWN client, or null (a signal). A shutdown
  // already waiting takes the new waiter along and keeps its flags.
  outcome begin(uint32_t flags, const blocked_ptr& waiter, const char* signal_name = nullptr);
  // SHUTDOWN ABORT: false when no shutdown is waiting.
  bool abort();
  // The cron: finishes the wait when the replicas caught up or time ran out.
  void cron();
  // The wait for replicas is over and the final save waits for a background
  // snapshot to end: no new full sync may start (Redis kills its RDB child
  // here; a replica retrying a failed full sync would otherwise start one
  // after another and the server would never exit).
  bool finishing() const { return finishing_.load(std::memory_order_acquire); }

 private:
  bool replicas_caught_up() const;
  // Saves if asked and stops the server; on failure answers the waiters.
  outcome finish(bool timed_out);
  void log_lagging_replicas();
  void answer_waiters(const std::string& reply);

  server& srv_;
  std::mutex mutex_;  // serialises begin / abort / cron
  bool waiting_ = false;
  bool awaiting_snapshot_ = false;  // the final save waits for a background one
  std::atomic<bool> finishing_{false};
  int64_t deadline_ms_ = 0;
  uint32_t flags_ = 0;
  std::string signal_name_;
  std::vector<blocked_ptr> waiters_;
};

}  // namespace troupe
