// The one way Troupe spawns an actor:
//
//   spawn_actor<connection>(registry, placement::on(r), {peer, listener_id}, srv, fd, ...);
//   spawn_actor<lazy_freer>(registry, placement::scheduler(), {"background free"}, srv);
//
// It builds the actor (a hosted actor gets its reactor as first constructor
// argument), records it in the registry with its type (the actor's name()),
// label, parent, placement and peers, binds the entry the actor counts its
// messages in, attaches the functor that removes it from the registry when it
// terminates, and only then launches it, so the registry never misses an actor
// nor keeps a dead one.
#pragma once
#include <cassert>
#include <type_traits>
#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/make_actor.hpp>

#include "actors/runtime/actor_registry.hpp"
#include "actors/runtime/hosted_actor.hpp"
#include "actors/runtime/registered_actor.hpp"

namespace troupe {

// Where a new actor runs.
struct placement {
  reactor* home = nullptr;  // null: CAF's scheduler (or a thread of its own)
  // A thread of its own, for work that blocks for long (loading a replica's
  // dataset) and must hold neither a reactor nor a scheduler worker.
  bool own_thread = false;
  static placement scheduler() { return {}; }
  static placement on(reactor& r) { return {&r}; }
  static placement detached() { return {nullptr, true}; }
};

template <class A, class... Ts>
caf::actor spawn_actor(actor_registry& reg, placement where, spawn_site site, Ts&&... xs) {
  static_assert(std::is_base_of_v<registered_actor, A>,
                "every Troupe actor derives from registered_actor (hosted_actor on a reactor)");
  constexpr bool hosted = std::is_base_of_v<hosted_actor, A>;
  caf::actor_system& sys = reg.system();
  caf::actor_config cfg;
  cfg.host = sys.dummy_execution_unit();
  // Hosted actors belong to their reactor, which ends with the process: CAF's
  // "wait for all actors" at shutdown must not wait for them.
  if (hosted) cfg.flags |= caf::abstract_actor::is_hidden_flag;
  if (where.own_thread) cfg.flags |= caf::abstract_actor::is_detached_flag;
  caf::actor handle;
  int where_index = on_scheduler;
  if constexpr (hosted) {
    assert(where.home != nullptr);
    where_index = where.home->index();
    handle = caf::make_actor<A, caf::actor>(sys.next_actor_id(), sys.node(), &sys, cfg, *where.home,
                                            std::forward<Ts>(xs)...);
  } else {
    assert(where.home == nullptr);
    handle = caf::make_actor<A, caf::actor>(sys.next_actor_id(), sys.node(), &sys, cfg,
                                            std::forward<Ts>(xs)...);
  }
  auto* self = static_cast<A*>(caf::actor_cast<caf::abstract_actor*>(handle));
  self->bind_registry_entry(reg.enter(self->id(), self->name(), where_index, std::move(site)));
  self->attach_functor(reg.leaver(self->id()));
  self->launch(cfg.host, false, hosted);
  return handle;
}

}  // namespace troupe
