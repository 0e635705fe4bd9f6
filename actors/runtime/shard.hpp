// The actor that owns one keyspace shard on its reactor. Commands run directly
// on its data (keyspace.hpp) and never pass through its mailbox; the actor does
// the shard's own work, the work nobody's command asks for:
// - on each cron tick (tick_atom from its reactor), the active expiry cycle
//   and a step of incremental rehashing;
// - after a snapshot's cut (snapshot_atom), its part of the snapshot: it walks
//   its tables a small step at a time as a task of its reactor, between client
//   passes, and tells the snapshot writer when it is done (a walk its sink
//   paused goes on at the next snapshot_atom);
// - later, eviction.
#pragma once
#include "actors/runtime/hosted_actor.hpp"
#include "storage/keyspace/shard_store.hpp"

namespace troupe {

class server;

class shard : public hosted_actor {
 public:
  shard(caf::actor_config& cfg, reactor& home, server& srv, shard_store& store);
  caf::behavior make_behavior() override;
  const char* name() const override { return "shard"; }

 private:
  void cron();
  // Starts walking the snapshot begun at the last cut, unless already walking.
  void walk_snapshot();
  // One small step of the walk; true while work remains.
  bool snapshot_step_locked();

  server& srv_;
  shard_store& store_;
  bool walking_ = false;
};

}  // namespace troupe
