// Frees big values in the background (UNLINK, FLUSHALL ASYNC, lazyfree-*), on
// CAF's scheduler, so the reactor that dropped them keeps serving clients.
#pragma once
#include <caf/event_based_actor.hpp>

#include "storage/counters.hpp"

namespace troupe {

class server;

class lazy_freer : public caf::event_based_actor {
 public:
  lazy_freer(caf::actor_config& cfg, server& srv);
  caf::behavior make_behavior() override;
  const char* name() const override { return "lazy_freer"; }

  // Entries waiting to be freed and entries freed so far (INFO lazyfree_*).
  static counter pending;
  static counter freed;

 private:
  server& srv_;
};

}  // namespace troupe
