// Keys by hash slot, for the cluster layer (cluster mode keeps a per-slot key
// index of database 0: storage/keyspace/slot_index.hpp).
#pragma once
#include <cstdint>

namespace troupe {

class server;

// Keys of database 0 in `slot` (0 for a slot out of range, or when the server
// is not in cluster mode). Any thread.
uint64_t count_keys_in_slot(server& srv, int slot);
// Keys in database 0, as the shards' counters say now. Any thread.
uint64_t keys_in_db0(server& srv);
// Deletes every key of `slot`, as Redis 7.0's delKeysInSlot: each one is
// journaled as a DEL (UNLINK under lazyfree-lazy-server-del) for the AOF and
// the replicas, WATCHers and tracking clients hear of it, and the "del"
// keyspace event fires. Runs on the reactor of the slot's shard, soon after
// the call (any thread).
void delete_keys_in_slot(server& srv, int slot);
// Drops every key at once, not journaled (Redis's emptyData, as CLUSTER RESET
// of a replica does). Takes every shard: not from within a shard's work.
void empty_dataset(server& srv);

}  // namespace troupe
