#include "actors/lazy_freer.hpp"

#include <caf/all.hpp>

#include "actors/messages.hpp"
#include "actors/server.hpp"
#include "storage/kv_entry.hpp"

namespace troupe {

counter lazy_freer::pending;
counter lazy_freer::freed;

lazy_freer::lazy_freer(caf::actor_config& cfg, server& srv)
    : caf::event_based_actor(cfg), srv_(srv) {}

caf::behavior lazy_freer::make_behavior() {
  srv_.directory().add({id(), "lazy_freer", "background free", 0, -1, {}});
  return {
      [](free_atom, uintptr_t chain_ptr) {
        auto* e = reinterpret_cast<kv_entry*>(chain_ptr);
        uint64_t n = 0;
        while (e != nullptr) {
          kv_entry* next = e->next;
          destroy_entry(e);
          e = next;
          ++n;
        }
        freed.add(n);
      },
  };
}

}  // namespace troupe
