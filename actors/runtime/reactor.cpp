#include "actors/runtime/reactor.hpp"

#include "actors/runtime/hosted_actor.hpp"

#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "actors/runtime/log.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {
namespace {
thread_local reactor* this_reactor = nullptr;

// The wake-up eventfd's handler is this sentinel pointer.
io_handler* const wake_token = nullptr;
// What a destroyed handler's remaining events in a batch point to.
char gone_marker;
void* const gone_token = &gone_marker;
}  // namespace

io_handler::~io_handler() {
  if (reactor* r = current_reactor()) r->forget_handler(this);
}

void reactor::forget_handler(io_handler* h) {
  for (batch& b : dispatching_)
    for (int i = 0; i < b.count; ++i)
      if (b.events[i].data.ptr == h) b.events[i].data.ptr = gone_token;
}

// Hands a batch's socket events to their handlers (not the wake-up, which the
// caller drains). The caller has listed the batch in dispatching_.
void reactor::dispatch(epoll_event* events, int n, io_handler* skip) {
  for (int i = 0; i < n; ++i) {
    void* p = events[i].data.ptr;
    if (p == wake_token || p == gone_token || p == skip) continue;
    static_cast<io_handler*>(p)->on_io(events[i].events);
  }
}

reactor* current_reactor() {
  return this_reactor;
}

reactor::reactor(caf::actor_system& sys, int index)
    : sys_(sys), index_(index), host_unit_(&sys, this), run_unit_(&sys) {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  wakefd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd_ < 0 || wakefd_ < 0) throw std::runtime_error("cannot create event loop");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = wake_token;
  epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
}

reactor::~reactor() {
  stop();
  if (epfd_ >= 0) close(epfd_);
  if (wakefd_ >= 0) close(wakefd_);
}

void reactor::start() {
  thread_ = std::thread([this] {
    this_reactor = this;
    os_tid_.store(int(syscall(SYS_gettid)), std::memory_order_relaxed);
    thread_id_ = std::this_thread::get_id();
    loop();
  });
  // Wait until the id is published so in_loop_thread() is reliable.
  while (thread_id_ == std::thread::id()) std::this_thread::yield();
}

void reactor::stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  wake();
  thread_.join();
}

void reactor::add_fd(int fd, io_handler* h, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = h;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
    log_warning("epoll_ctl(ADD, {}) failed: {}", fd, strerror(errno));
}

void reactor::modify_fd(int fd, io_handler* h, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = h;
  epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void reactor::remove_fd(int fd) {
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
}

void reactor::post(std::function<void()> f) {
  if (in_loop_thread()) {
    ready_fns_.push_back(std::move(f));
    return;
  }
  {
    std::lock_guard<std::mutex> g(remote_mutex_);
    remote_fns_.push_back(std::move(f));
  }
  wake();
}

uint64_t reactor::every(int period_ms, std::function<void()> f) {
  uint64_t id = ++next_timer_id_;
  timers_.push_back({id, period_ms, monotonic_ms() + period_ms, std::move(f)});
  return id;
}

void reactor::set_period(uint64_t timer_id, int period_ms) {
  for (auto& t : timers_)
    if (t.id == timer_id) {
      t.period_ms = period_ms;
      t.due_ms = std::min(t.due_ms, monotonic_ms() + period_ms);
    }
}

uint64_t reactor::after(int64_t ms, std::function<void()> f) {
  uint64_t id = ++next_timer_id_;
  int64_t due = monotonic_ms() + ms;
  one_shots_.emplace(std::make_pair(due, id), std::move(f));
  one_shot_due_[id] = due;
  return id;
}

void reactor::cancel(uint64_t timer_id) {
  // A periodic timer is marked (id 0) and dropped after the timer pass: it may
  // be the one running now.
  for (auto& t : timers_)
    if (t.id == timer_id) {
      t.id = 0;
      periodic_cancelled_ = true;
      return;
    }
  auto it = one_shot_due_.find(timer_id);
  if (it == one_shot_due_.end()) return;
  one_shots_.erase({it->second, timer_id});
  one_shot_due_.erase(it);
}

void reactor::host_unit::exec_later(caf::resumable* ptr) {
  owner->schedule(ptr);
}

void reactor::run_unit::exec_later(caf::resumable* ptr) {
  system().scheduler().enqueue(ptr);
}

void reactor::schedule(caf::resumable* ptr) {
  // CAF already holds a reference for us (taken when the mailbox unblocked).
  if (in_loop_thread()) {
    ready_.push_back(ptr);
    return;
  }
  {
    std::lock_guard<std::mutex> g(remote_mutex_);
    remote_.push_back(ptr);
  }
  wake();
}

void reactor::wake() {
  if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
  uint64_t one = 1;
  ssize_t r = write(wakefd_, &one, sizeof(one));
  (void)r;
}

void reactor::drain_remote() {
  uint64_t v;
  ssize_t r = read(wakefd_, &v, sizeof(v));
  (void)r;
  wake_pending_.store(false, std::memory_order_release);
  std::lock_guard<std::mutex> g(remote_mutex_);
  ready_.insert(ready_.end(), remote_.begin(), remote_.end());
  remote_.clear();
  for (auto& f : remote_fns_) ready_fns_.push_back(std::move(f));
  remote_fns_.clear();
}

namespace {

// Runs one actor for up to 50 messages; one with more to do goes back to
// `ready` (keeping its reference), otherwise the scheduler's reference drops.
void resume_one(caf::resumable* ptr, caf::execution_unit* unit,
                std::vector<caf::resumable*>& ready) {
  switch (ptr->resume(unit, 50)) {
    case caf::resumable::resume_later:
      ready.push_back(ptr);
      break;
    case caf::resumable::shutdown_execution_unit:
      break;
    default:  // done or awaiting_message
      ptr->intrusive_ptr_release_impl();
  }
}

}  // namespace

void reactor::run_ready() {
  // Actors or functions may schedule more work while we run; loop until quiet,
  // but bound the rounds so sockets are not starved.
  for (int round = 0; round < 16 && (!ready_.empty() || !ready_fns_.empty()); ++round) {
    std::vector<std::function<void()>> fns;
    fns.swap(ready_fns_);
    for (auto& f : fns) f();
    std::vector<caf::resumable*> batch;
    batch.swap(ready_);
    for (caf::resumable* ptr : batch) resume_one(ptr, &run_unit_, ready_);
  }
}

void reactor::cancel_flush(flushable* f) {
  for (auto& p : pending_first_)
    if (p == f) p = nullptr;
  for (auto& p : pending_flush_)
    if (p == f) p = nullptr;
  for (auto& p : flushing_)
    if (p == f) p = nullptr;
}

void reactor::flush_all() {
  for (auto& f : before_flush_) f();
  for (auto* pending : {&pending_first_, &pending_flush_}) {
    flushing_.swap(*pending);
    for (size_t i = 0; i < flushing_.size(); ++i)
      if (flushable* f = flushing_[i]) f->flush_pending();
    flushing_.clear();
  }
}

void reactor::run_timers(int64_t now) {
  while (!one_shots_.empty() && one_shots_.begin()->first.first <= now) {
    auto node = one_shots_.extract(one_shots_.begin());
    one_shot_due_.erase(node.key().second);
    node.mapped()();
  }
  for (size_t i = 0; i < timers_.size(); ++i) {
    if (timers_[i].id != 0 && timers_[i].due_ms <= now) {
      timers_[i].due_ms = now + timers_[i].period_ms;
      timers_[i].fn();
    }
  }
  if (periodic_cancelled_) {
    periodic_cancelled_ = false;
    std::erase_if(timers_, [](const timer& t) { return t.id == 0; });
  }
}

int reactor::next_timeout(int64_t now) const {
  if (!ready_.empty() || !ready_fns_.empty() || has_pending_flush() || !tasks_.empty()) return 0;
  int64_t t = 1000;
  for (auto& tm : timers_) t = std::min(t, std::max<int64_t>(0, tm.due_ms - now));
  if (!one_shots_.empty())
    t = std::min(t, std::max<int64_t>(0, one_shots_.begin()->first.first - now));
  return int(t);
}

// Background tasks share the thread with the clients: a short slice per pass
// while clients are active keeps their latency (a client waits at most about
// one slice longer), a long one when the pass had no I/O finishes the work sooner.
void reactor::run_tasks(bool idle) {
  using clock = std::chrono::steady_clock;
  const auto budget = std::chrono::microseconds(idle ? 1000 : 50);
  const auto start = clock::now();
  size_t i = 0;
  do {
    if (i >= tasks_.size()) i = 0;
    if (tasks_[i]())
      ++i;
    else
      tasks_.erase(tasks_.begin() + long(i));
  } while (!tasks_.empty() && clock::now() - start < budget);
}

// Before sleeping after a busy pass, polls for a few microseconds: a request
// that arrives meanwhile is served without a sleep and a wake-up, and that
// wake-up is paid by the sender (the client) in kernel time.
//
// Or the opposite, when the machine has no idle CPU (reactor-coalesce-us):
// after a pass that had several events, waits a few microseconds before
// polling, not in epoll_wait, so the requests and replies that come meanwhile
// wake nobody and are handled in one pass. Each wake-up costs its sender
// kernel time (measured: a proxy's clients and backends spent a third of
// their CPU on it), which a saturated machine takes from useful work; with
// idle CPU the wait would only add latency, so it is skipped, as it is after
// a pass with one event (a lone client is never kept waiting).
bool reactor::should_coalesce(int64_t now_ms, int last_events) {
  if (coalesce_us_ == nullptr || coalesce_us_->get() <= 0 || last_events < 2) return false;
  if (now_ms - idle_sampled_ms_ >= 100) {
    idle_sampled_ms_ = now_ms;
    double idle = idle_.sample();
    // Hysteresis: the gathering itself leaves some CPU idle.
    machine_busy_ = machine_busy_ ? idle < 0.20 : idle < 0.05;
  }
  return machine_busy_;
}

int reactor::wait_for_events(epoll_event* events, int max_events, int last_events) {
  int64_t now = monotonic_ms();
  int timeout = next_timeout(now);
  if (timeout != 0 && should_coalesce(now, last_events)) {
    int n = epoll_wait(epfd_, events, max_events, 0);
    if (n != 0) return n;
    timespec pause{0, long(coalesce_us_->get()) * 1000};
    nanosleep(&pause, nullptr);
  }
  int spin = spin_us_ ? int(spin_us_->get()) : 0;
  if (timeout != 0 && last_events > 0 && spin > 0) {
    using clock = std::chrono::steady_clock;
    const auto until = clock::now() + std::chrono::microseconds(spin);
    do {
      int n = epoll_wait(epfd_, events, max_events, 0);
      if (n != 0) return n;
    } while (clock::now() < until);
  }
  return epoll_wait(epfd_, events, max_events, timeout);
}

namespace {
std::atomic<int64_t> stalled_until_ms{0};
}  // namespace

void reactor::stall_all_until(int64_t until_ms) {
  stalled_until_ms.store(until_ms, std::memory_order_relaxed);
}

void reactor::poll_while_blocked(io_handler* skip) {
  constexpr int max_events = 64;
  epoll_event events[max_events];
  int n = epoll_wait(epfd_, events, max_events, 0);
  dispatching_.push_back({events, n});
  for (int i = 0; i < n; ++i)
    if (events[i].data.ptr == wake_token) drain_remote();
  dispatch(events, n, skip);
  run_ready_while_busy(dynamic_cast<caf::resumable*>(skip));
  dispatching_.pop_back();
  flush_all();
}

// Only actors that answer clients run while a script holds the reactor: new
// connections start (so a client that connects during a long script gets
// -BUSY, and may send SCRIPT KILL or SHUTDOWN NOSAVE), connections take their
// messages. Everything else (shards and their cron, replication links, posted
// functions) waits in the queue for the script to end, so nothing touches
// the keyspace under the script. The running connection itself is never
// resumed from inside its own command.
void reactor::run_ready_while_busy(caf::resumable* running) {
  std::vector<caf::resumable*> later;
  for (int round = 0; round < 4 && !ready_.empty(); ++round) {
    std::vector<caf::resumable*> batch;
    batch.swap(ready_);
    for (caf::resumable* ptr : batch) {
      auto* hosted = dynamic_cast<hosted_actor*>(ptr);
      if (ptr == running || hosted == nullptr || !hosted->serves_while_busy()) {
        later.push_back(ptr);
        continue;
      }
      resume_one(ptr, &run_unit_, ready_);
    }
  }
  ready_.insert(ready_.end(), later.begin(), later.end());
}

void reactor::loop() {
  constexpr int max_events = 512;
  epoll_event events[max_events];
  int n = 0;  // the events of the last poll
  while (!stopping_.load(std::memory_order_relaxed)) {
    n = wait_for_events(events, max_events, n);
    if (int64_t until = stalled_until_ms.load(std::memory_order_relaxed); until != 0)
      while (monotonic_ms() < until) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    passes_.store(passes_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    // Listed while it is dispatched: a message handled below may destroy a
    // handler (an actor that quits) whose events are still in the batch, and
    // forget_handler takes them out.
    dispatching_.push_back({events, n});
    // Messages from other threads first: they were sent before the socket
    // input of this batch, which they may have caused (a write on another
    // reactor invalidates a tracked key: the push must reach the client
    // before the reply to the command it sends after that write's reply).
    for (int i = 0; i < n; ++i)
      if (events[i].data.ptr == wake_token) {
        drain_remote();
        run_ready();
        break;
      }
    dispatch(events, n, nullptr);
    dispatching_.pop_back();
    flush_all();
    run_ready();
    if (has_pending_flush()) flush_all();
    if (!timers_.empty() || !one_shots_.empty()) run_timers(monotonic_ms());
    if (!tasks_.empty()) run_tasks(n == 0);
    if (!pass_end_.empty()) {
      std::vector<std::function<void()>> fns;
      fns.swap(pass_end_);
      for (auto& f : fns) f();
    }
  }
}

}  // namespace troupe
