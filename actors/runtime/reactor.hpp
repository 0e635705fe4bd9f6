// A reactor is one event loop thread that hosts actors: the connections it
// serves and the shards it owns. It is both an epoll loop (sockets call their
// handlers directly) and a CAF execution context (actors hosted here are resumed
// on this thread, so a message between two of them never crosses threads).
//
// Why not CAF's middleman? It has a single multiplexer per actor system and its
// brokers pay a mailbox hop and two epoll_ctl calls per write (PERF-FACTS.md).
// Here a request costs one recv and one send, like Redis, and `threads N` gives
// N such loops.
#pragma once
#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <caf/execution_unit.hpp>
#include <caf/fwd.hpp>
#include <caf/resumable.hpp>

#include "actors/runtime/machine_idle.hpp"
#include "protocol/config/config_rows.hpp"

namespace troupe {

// Something with a file descriptor in the reactor's epoll set.
class io_handler {
 public:
  // Takes the handler out of the event batch its reactor is dispatching: a
  // handler destroyed earlier in the same pass (an actor that quit on a
  // message) must not receive the batch's later events for it.
  virtual ~io_handler();
  // `events` is the epoll event mask that fired.
  virtual void on_io(uint32_t events) = 0;
};

// Something that wants to write its pending output once per loop pass.
class flushable {
 public:
  virtual ~flushable() = default;
  virtual void flush_pending() = 0;
};

class reactor {
 public:
  reactor(caf::actor_system& sys, int index);
  ~reactor();
  reactor(const reactor&) = delete;
  reactor& operator=(const reactor&) = delete;

  int index() const { return index_; }
  void start();
  // Asks the loop to end and joins its thread (not from the loop itself).
  void stop();
  bool in_loop_thread() const { return std::this_thread::get_id() == thread_id_; }
  // The loop thread's kernel id (INFO's used_cpu_*_main_thread reads its times).
  int os_tid() const { return os_tid_.load(std::memory_order_relaxed); }

  // DEBUG SLEEP stalls the whole server, as Redis's single thread does: the
  // caller sleeps in place and every other reactor, at the start of its next
  // pass, sleeps until `until_ms` (monotonic) too. One relaxed load per pass.
  static void stall_all_until(int64_t until_ms);

  // A script runs past busy-reply-threshold on this loop's thread: serves the
  // sockets that are ready once (their commands get -BUSY, SCRIPT KILL gets
  // through), starts connections accepted meanwhile and gives connections
  // their messages, and flushes the replies. `skip` is the script's own
  // client, which must not be re-entered. Other actors, posted functions and
  // timers wait for the script to end.
  void poll_while_blocked(io_handler* skip);

  // -- sockets (loop thread only) ------------------------------------------
  void add_fd(int fd, io_handler* h, uint32_t events);
  void modify_fd(int fd, io_handler* h, uint32_t events);
  void remove_fd(int fd);
  // The batches being dispatched forget `h` (io_handler's destructor).
  void forget_handler(io_handler* h);

  // -- work ------------------------------------------------------------------
  // Runs f on the loop thread (soon; from any thread).
  void post(std::function<void()> f);
  // Runs f at the end of the current loop pass, before sleeping (loop thread only):
  // how connections flush output produced for them by others.
  void at_pass_end(std::function<void()> f) { pass_end_.push_back(std::move(f)); }
  // Flushes f's output after this pass's events are handled, before sleeping, as
  // Redis's beforeSleep does: replies for many clients go out together, which is
  // what lets a saturated client collect more of them per wake-up.
  void defer_flush(flushable* f) { pending_flush_.push_back(f); }
  // The same, flushed before the others: a proxy's requests to its backends
  // leave before its replies to clients, so the backends (on other cores)
  // work on them while those replies are written.
  void defer_flush_first(flushable* f) { pending_first_.push_back(f); }
  // Runs f at the end of every pass, before the deferred flushes (the AOF).
  void before_flush(std::function<void()> f) { before_flush_.push_back(std::move(f)); }
  // Forgets f (it is closing).
  void cancel_flush(flushable* f);
  // Runs f every `period_ms` on the loop thread (the reactor's cron); returns
  // an id for set_period.
  uint64_t every(int period_ms, std::function<void()> f);
  // Changes a periodic timer's period (loop thread only). A shorter period takes
  // effect at once: the next run is due no later than `period_ms` from now.
  void set_period(uint64_t timer_id, int period_ms);
  // Runs f repeatedly while it returns true (background work such as a shard's
  // part of a snapshot), in a bounded time slice per pass: each call should be
  // a small step. The loop does not sleep while tasks remain.
  void add_task(std::function<bool()> f) { tasks_.push_back(std::move(f)); }
  // Where the reactor reads reactor-spin-us and reactor-coalesce-us (see
  // wait_for_events).
  void set_spin_source(const int_row* spin_us) { spin_us_ = spin_us; }
  void set_coalesce_source(const int_row* coalesce_us) { coalesce_us_ = coalesce_us; }
  // Runs f once after `ms` milliseconds (loop thread only); returns an id for cancel.
  uint64_t after(int64_t ms, std::function<void()> f);
  // Stops a timer of after() or every() (loop thread only; a periodic one may
  // cancel itself from its own callback).
  void cancel(uint64_t timer_id);

  // The execution unit that hosted actors hand to CAF: scheduling a resumable
  // here queues it on this loop.
  caf::execution_unit* hosting_unit() { return &host_unit_; }

  uint64_t passes() const { return passes_.load(std::memory_order_relaxed); }

 private:
  // exec_later() queues on this reactor; used for hosted actors.
  struct host_unit : caf::execution_unit {
    host_unit(caf::actor_system* sys, reactor* r) : caf::execution_unit(sys), owner(r) {}
    void exec_later(caf::resumable* ptr) override;
    reactor* owner;
  };
  // The context hosted actors run in. When they message an actor that lives on
  // CAF's scheduler, CAF asks this unit to run it: hand it to the scheduler.
  struct run_unit : caf::execution_unit {
    explicit run_unit(caf::actor_system* sys) : caf::execution_unit(sys) {}
    void exec_later(caf::resumable* ptr) override;
  };
  struct timer {
    uint64_t id;
    int period_ms;
    int64_t due_ms;
    std::function<void()> fn;
  };

  void loop();
  void schedule(caf::resumable* ptr);
  void wake();
  void drain_remote();
  void run_ready();
  void run_ready_while_busy(caf::resumable* running);
  void run_timers(int64_t now);
  void flush_all();
  int next_timeout(int64_t now) const;

  caf::actor_system& sys_;
  int index_;
  int epfd_ = -1;
  int wakefd_ = -1;
  std::thread thread_;
  std::thread::id thread_id_;
  std::atomic<int> os_tid_{0};
  std::atomic<bool> stopping_{false};
  host_unit host_unit_;
  run_unit run_unit_;

  // Ready actors and functions, loop thread only.
  std::vector<caf::resumable*> ready_;
  std::vector<std::function<void()>> ready_fns_;
  std::vector<std::function<void()>> pass_end_;
  std::vector<timer> timers_;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> one_shots_;  // (due, id)
  std::unordered_map<uint64_t, int64_t> one_shot_due_;
  uint64_t next_timer_id_ = 0;
  bool periodic_cancelled_ = false;  // some timers_ entry has id 0: drop it
  // The epoll batches being dispatched (the loop's, and a nested one while a
  // script polls): where forget_handler looks.
  struct batch {
    epoll_event* events;
    int count;
  };
  std::vector<batch> dispatching_;
  void dispatch(epoll_event* events, int n, io_handler* skip);
  std::vector<flushable*> pending_first_, pending_flush_, flushing_;
  bool has_pending_flush() const { return !pending_first_.empty() || !pending_flush_.empty(); }
  std::vector<std::function<void()>> before_flush_;
  std::vector<std::function<bool()>> tasks_;
  void run_tasks(bool idle);
  // `last_events`: what the previous poll returned.
  int wait_for_events(struct epoll_event* events, int max_events, int last_events);
  const int_row* spin_us_ = nullptr;  // reactor-spin-us, live
  // reactor-coalesce-us: whether the pass about to end should wait before polling.
  bool should_coalesce(int64_t now_ms, int last_events);
  const int_row* coalesce_us_ = nullptr;  // reactor-coalesce-us, live
  machine_idle idle_;
  int64_t idle_sampled_ms_ = 0;
  bool machine_busy_ = false;

  // Handed over by other threads.
  std::mutex remote_mutex_;
  std::vector<caf::resumable*> remote_;
  std::vector<std::function<void()>> remote_fns_;
  std::atomic<bool> wake_pending_{false};
  std::atomic<uint64_t> passes_{0};
};

// The reactor whose loop runs on this thread, or nullptr.
reactor* current_reactor();

}  // namespace troupe
