#include "actors/runtime/registered_actor.hpp"

#include <caf/all.hpp>

namespace troupe {

caf::invoke_message_result registered_actor::consume(caf::mailbox_element& x) {
  auto result = caf::event_based_actor::consume(x);
  if (actor_entry* e = entry_.get()) {
    // Only this actor's thread writes these: a load and a store, no atomic RMW.
    e->handled.store(e->handled.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    e->last_active_ms.store(coarse_wall_clock_ms(), std::memory_order_relaxed);
  }
  return result;
}

}  // namespace troupe
