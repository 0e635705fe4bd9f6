// Base class for actors that live on a reactor rather than on CAF's scheduler:
// every message to them, from any thread, is queued on their reactor, and they
// run on its thread. Connections, listeners and shards are hosted actors.
#pragma once
#include "actors/runtime/reactor.hpp"
#include "actors/runtime/registered_actor.hpp"

namespace troupe {

class hosted_actor : public registered_actor {
 public:
  hosted_actor(caf::actor_config& cfg, reactor& home) : registered_actor(cfg), home_(home) {}

  reactor& home() { return home_; }
  // Runs while a long script holds its reactor (reactor::poll_while_blocked):
  // connections and listeners, which answer clients; not shards or links.
  virtual bool serves_while_busy() const { return false; }

  using registered_actor::enqueue;
  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit*) override {
    note_enqueued();
    caf::scheduled_actor::enqueue(std::move(ptr), home_.hosting_unit());
  }
  void launch(caf::execution_unit*, bool lazy, bool hide) override {
    caf::scheduled_actor::launch(home_.hosting_unit(), lazy, hide);
  }

 private:
  reactor& home_;
};

}  // namespace troupe
