// What the dispatcher needs from whoever owns a client session (a connection
// actor, the in-process test harness): somewhere to deliver a reply produced
// after the command returned.
#pragma once
#include <cstdint>

#include "storage/dispatch/pause_kind.hpp"
#include "storage/keyspace/blocking.hpp"

namespace troupe {

class client_endpoint {
 public:
  virtual ~client_endpoint() = default;
  // The client's command blocked on keys (their shards are held). The endpoint
  // sets `w->wake` so a reply served later reaches the client, and ends the
  // wait after `timeout_ms` (0: never) with dispatcher::end_block.
  virtual void on_block(const blocked_ptr& w, int64_t timeout_ms) = 0;
  // Clients are paused and this command must wait: it did not run and sent no
  // reply. The endpoint keeps it (and what follows it) and dispatches it again
  // once the pause ends (or weakens below `held`, the pause the dispatcher saw
  // holding it). False if the endpoint cannot wait (it then runs now).
  virtual bool on_postpone(pause_kind /*held*/) { return false; }
};

}  // namespace troupe
