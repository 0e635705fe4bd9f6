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
