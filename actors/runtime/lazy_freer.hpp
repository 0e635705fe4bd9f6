// Frees big values in the background (UNLINK, FLUSHALL ASYNC, lazyfree-*), on
// CAF's scheduler, so the reactor that dropped them keeps serving clients.
// The values wait in the server's lazy_free_queue (storage/lazy_free.hpp); the
// freer's only message is a wake-up, and it frees everything queued.
#pragma once
#include "actors/runtime/registered_actor.hpp"

namespace troupe {

class lazy_free_queue;

class lazy_freer : public registered_actor {
 public:
  lazy_freer(caf::actor_config& cfg, lazy_free_queue& queue);
  caf::behavior make_behavior() override;
  const char* name() const override { return "lazy_freer"; }

 private:
  lazy_free_queue& queue_;
};

}  // namespace troupe
