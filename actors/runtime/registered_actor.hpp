// The base of every actor Troupe spawns. It keeps the actor's registry entry
// (bound by the spawn helper before the actor starts) and counts messages where
// CAF handles them: enqueue() for mailbox arrivals (any thread) and consume()
// for each message the actor processes (its own thread), which also stamps the
// last activity. Commands never go through a mailbox (connections run them
// directly on their reactor), so this costs nothing on the command path.
#pragma once
#include <functional>
#include <memory>

#include <caf/event_based_actor.hpp>

#include "actors/runtime/actor_registry.hpp"

namespace troupe {

class registered_actor : public caf::event_based_actor {
 public:
  explicit registered_actor(caf::actor_config& cfg) : caf::event_based_actor(cfg) {}

  using caf::event_based_actor::enqueue;
  void enqueue(caf::mailbox_element_ptr ptr, caf::execution_unit* eu) override {
    note_enqueued();
    caf::event_based_actor::enqueue(std::move(ptr), eu);
  }
  caf::invoke_message_result consume(caf::mailbox_element& x) override;

  // The spawn helper binds the entry before the actor is launched.
  void bind_registry_entry(std::shared_ptr<actor_entry> e) { entry_ = std::move(e); }

 protected:
  void note_enqueued() {
    if (entry_) entry_->enqueued.fetch_add(1, std::memory_order_relaxed);
  }

 private:
  std::shared_ptr<actor_entry> entry_;
};

// A small actor defined by a function, for timers and the like, registered like
// every other: spawn_actor<function_actor>(registry, where, site, "aof_fsync", fn).
class function_actor : public registered_actor {
 public:
  using init_fn = std::function<caf::behavior(function_actor*)>;
  function_actor(caf::actor_config& cfg, const char* type, init_fn init)
      : registered_actor(cfg), type_(type), init_(std::move(init)) {}
  caf::behavior make_behavior() override { return init_(this); }
  const char* name() const override { return type_; }

 private:
  const char* type_;
  init_fn init_;
};

}  // namespace troupe
