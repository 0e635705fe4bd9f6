#include "actors/runtime/lazy_freer.hpp"

#include <caf/all.hpp>

#include "actors/runtime/messages.hpp"
#include "storage/keyspace/lazy_free.hpp"

namespace troupe {

lazy_freer::lazy_freer(caf::actor_config& cfg, lazy_free_queue& queue)
    : registered_actor(cfg), queue_(queue) {}

caf::behavior lazy_freer::make_behavior() {
  return {
      [this](free_atom) { queue_.free_all(); },
  };
}

}  // namespace troupe
