// The actor that owns one keyspace shard on its reactor. Commands run directly
// on its data (keyspace.hpp); the actor does the shard's own work: the active
// expiry cycle and incremental rehashing on each cron tick, and later the
// shard's part of snapshots.
#pragma once
#include "actors/hosted_actor.hpp"
#include "storage/shard_store.hpp"

namespace troupe {

class server;

class shard : public hosted_actor {
 public:
  shard(caf::actor_config& cfg, reactor& home, server& srv, shard_store& store);
  caf::behavior make_behavior() override;
  const char* name() const override { return "shard"; }

 private:
  void cron();

  server& srv_;
  shard_store& store_;
};

}  // namespace troupe
