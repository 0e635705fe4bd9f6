#include "actors/runtime/shard.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>

#include <caf/all.hpp>

#include "actors/runtime/messages.hpp"
#include "actors/server/server.hpp"
#include "storage/keyspace/blocking.hpp"
#include "storage/keyspace/snapshot.hpp"

namespace troupe {

shard::shard(caf::actor_config& cfg, reactor& home, server& srv, shard_store& store)
    : hosted_actor(cfg, home), srv_(srv), store_(store) {}

caf::behavior shard::make_behavior() {
  return {
      [this](tick_atom) { cron(); },
      [this](snapshot_atom) { walk_snapshot(); },
  };
}

void shard::cron() {
  std::unique_lock<std::mutex> lock(store_.lock(), std::defer_lock);
  if (srv_.keys().concurrent()) lock.lock();
  int hz = srv_.hz();
  // The shards of one reactor share its thread, so they share the budgets Redis
  // gives its one keyspace per cron tick.
  int64_t sharing = std::max(1, srv_.keys().shard_count() / std::max(1, srv_.reactor_count()));
  // The slow expiry cycle: 25% of a cron period.
  int64_t budget_us = 1000000 / hz / 4 / sharing;
  auto started = std::chrono::steady_clock::now();
  // A replica does not expire keys itself: its master's DELs do. Nor does a
  // server whose clients are paused (its stream stands still).
  if (!srv_.is_replica() && srv_.clients_paused() == pause_kind::none &&
      srv_.active_expire_enabled.load(std::memory_order_relaxed))
    store_.active_expire(wall_clock_ms(), budget_us, [this](int db, kv_entry* e) {
      uint32_t flags = srv_.config().notify_keyspace_events.get();
      if (flags & notify_expired) srv_.keyspace_event(notify_expired, "expired", e->key(), db);
      srv_.keys().key_modified(db, e->key());
      srv_.journal(db, {"DEL", std::string(e->key())});
      // Group readers blocked on an expired stream are told it is gone.
      if (e->type() == value_type::stream &&
          srv_.keys().blocked_clients.load(std::memory_order_relaxed) > 0)
        signal_key_ready(srv_.keys(), store_, db, e->key());
    });
  auto took_us = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count();
  store_.stats().expire_cycle_us.add(uint64_t(took_us));
  int64_t threshold = srv_.config().latency_monitor_threshold.get();
  if (threshold > 0 && took_us / 1000 >= threshold)
    srv_.latency_events.add("expire-cycle", uint32_t(took_us / 1000), wall_clock_ms() / 1000);
  // Rehashing: 1 ms per tick.
  store_.maintain_tables(1000 / sharing);
  // Waiters of keys the cycle expired are served now (the dispatcher takes
  // the shard locks itself), not at the next command.
  if (srv_.keys().ready_pending.load(std::memory_order_relaxed)) {
    if (lock.owns_lock()) lock.unlock();
    srv_.dispatcher_of(home().index()).serve_ready_keys();
  }
}

void shard::walk_snapshot() {
  // A walk in progress also covers a snapshot begun since: it runs until the
  // shard has nothing left to save.
  if (walking_) return;
  walking_ = true;
  // The reactor runs the steps in bounded time slices between its passes
  // (reactor::add_task); the task holds a reference so the shard outlives it.
  home().add_task([this, self = caf::strong_actor_ptr(ctrl())] {
    if (snapshot_step_locked()) return true;
    walking_ = false;
    return false;
  });
}

bool shard::snapshot_step_locked() {
  std::unique_lock<std::mutex> lock(store_.lock(), std::defer_lock);
  if (srv_.keys().concurrent()) lock.lock();
  // Paused by its sink: the walk ends here and a snapshot_atom resumes it.
  shard_snapshot& snap = store_.snapshot();
  if (snap.active && snap.sink) {
    int64_t pause = snap.sink->pause_ms();
    // Paused for a time (rdb-key-save-delay): a timer resumes it. Otherwise
    // whoever paused it sends a snapshot_atom.
    if (pause > 0)
      home().after(pause, [this, self = caf::strong_actor_ptr(ctrl())] { walk_snapshot(); });
    if (pause != snapshot_sink::not_paused) return false;
  }
  // A small step: the reactor bounds the slice.
  return snapshot_step(store_, snap.active && snap.sink ? snap.sink->step_entries() : 128);
}

}  // namespace troupe
