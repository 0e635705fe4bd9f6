// Base class for actors that live on a reactor rather than on CAF's scheduler:
// every message to them, from any thread, is queued on their reactor, and they
// run on its thread. Connections and shards are hosted actors.
#pragma once
#include <caf/event_based_actor.hpp>

#include "actors/reactor.hpp"

namespace troupe {

class hosted_actor : public caf::event_based_actor {
 public:
  hosted_actor(caf::actor_config& cfg, reactor& home) : caf::event_based_actor(cfg), home_(home) {}

  reactor& home() { return home_; }

  using caf::event_based_actor::enqueue;
  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit*) override {
    caf::scheduled_actor::enqueue(std::move(ptr), home_.hosting_unit());
  }
  void launch(caf::execution_unit*, bool lazy, bool hide) override {
    caf::scheduled_actor::launch(home_.hosting_unit(), lazy, hide);
  }

 private:
  reactor& home_;
};

}  // namespace troupe
