// The registry of every live actor: what it is (type name, label), who spawned
// it, where it runs (a reactor or CAF's scheduler), whom it talks to, and its
// message counters. Actors enter it in the spawn helper (actors/spawn.hpp), the
// only way Troupe spawns an actor, and leave it when they terminate (a functor
// attached at spawn), so no actor adds or removes itself by hand and nothing
// else keeps a list of actors for enumeration. INFO's Troupe section and the
// admin endpoint read snapshot().
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/fwd.hpp>

namespace troupe {

struct registry_table;

// Where an actor runs: reactor index, or scheduler for CAF's worker threads.
inline constexpr int on_scheduler = -1;

// One live actor as the registry keeps it. The actor itself updates the
// counters (relaxed atomics: written by its own thread, read by INFO).
struct actor_entry {
  uint64_t id = 0;
  std::string type;   // "connection", "shard", "listener", "lazy_freer", ...
  std::string label;  // "127.0.0.1:50012", "shard 3", ...
  uint64_t parent = 0;
  int placement = on_scheduler;
  int64_t spawned_ms = 0;
  std::vector<uint64_t> peers;  // guarded by the registry's mutex

  std::atomic<uint64_t> enqueued{0};  // messages put in its mailbox (any thread)
  std::atomic<uint64_t> handled{0};   // messages it has consumed (its own thread)
  std::atomic<int64_t> last_active_ms{0};
};

// A copy of one entry at one moment.
struct actor_info {
  uint64_t id = 0;
  std::string type, label;
  uint64_t parent = 0;  // 0: the server itself
  int placement = on_scheduler;
  int64_t spawned_ms = 0;
  std::vector<uint64_t> peers;
  uint64_t handled = 0;
  uint64_t mailbox = 0;  // enqueued but not yet handled
  int64_t last_active_ms = 0;
};

// What the spawner says about a new actor.
struct spawn_site {
  spawn_site(std::string label_, uint64_t parent_ = 0, std::vector<uint64_t> peers_ = {})
      : label(std::move(label_)), parent(parent_), peers(std::move(peers_)) {}
  std::string label;
  uint64_t parent;  // the spawning actor's id, 0 for the server
  std::vector<uint64_t> peers;
};

class actor_registry {
 public:
  explicit actor_registry(caf::actor_system& sys);

  caf::actor_system& system() { return sys_; }

  // Records that actor `id` talks to `peer` (no-op if `id` has left).
  void add_peer(uint64_t id, uint64_t peer);
  // Every live actor, ordered by id (spawn order).
  std::vector<actor_info> snapshot() const;
  size_t size() const;
  // Live actors of one type.
  size_t count(const std::string& type) const;

  // -- for the spawn helper ------------------------------------------------------
  // Records a new actor and returns the entry it will update.
  std::shared_ptr<actor_entry> enter(uint64_t id, const char* type, int placement, spawn_site site);
  // A callable that removes actor `id` (run by CAF when the actor terminates;
  // safe even if the registry is gone by then).
  struct leave_fn {
    std::weak_ptr<registry_table> table;
    uint64_t id;
    void operator()() const;
  };
  leave_fn leaver(uint64_t id) const;

 private:
  caf::actor_system& sys_;
  std::shared_ptr<registry_table> table_;
};

struct registry_table {
  mutable std::mutex mutex;
  std::map<uint64_t, std::shared_ptr<actor_entry>> actors;
};

// Milliseconds since the epoch from the coarse clock (a few ns, ~4 ms steps):
// good enough for "last activity" and cheap enough to read per message.
int64_t coarse_wall_clock_ms();

}  // namespace troupe
