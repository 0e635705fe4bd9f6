#include "actors/commands/cluster_keyspace.hpp"

#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

bool refused_without_cluster(exec_context& c) {
  if (c.srv.cluster_enabled()) return false;
  c.out.error("ERR This instance has cluster support disabled");
  return true;
}

// Redis's getLongLongFromObjectOrReply.
bool long_arg(exec_context& c, size_t i, int64_t& v) {
  auto r = parse_int64(c.arg(i));
  if (!r) {
    c.out.error(errors::not_integer);
    return false;
  }
  v = *r;
  return true;
}

}  // namespace

void cmd_cluster_countkeysinslot(exec_context& c) {
  if (refused_without_cluster(c)) return;
  int64_t slot;
  if (!long_arg(c, 2, slot)) return;
  if (slot < 0 || slot >= int64_t(cluster_slots)) return c.out.error("ERR Invalid slot");
  c.out.integer(int64_t(c.ks.keys_in_slot(uint16_t(slot))));
}

// Runs under every shard (the row's all_shards), so it reads the index of the
// slot's shard whichever reactor owns it.
void cmd_cluster_getkeysinslot(exec_context& c) {
  if (refused_without_cluster(c)) return;
  int64_t slot, count;
  if (!long_arg(c, 2, slot) || !long_arg(c, 3, count)) return;
  if (slot < 0 || slot >= int64_t(cluster_slots) || count < 0)
    return c.out.error("ERR Invalid slot or number of keys");
  const slot_index* index = c.ks.shard(c.ks.shard_of_slot(uint16_t(slot))).db(0).slots();
  uint64_t n = index != nullptr ? index->count(uint16_t(slot)) : 0;
  if (uint64_t(count) < n) n = uint64_t(count);
  c.out.array(size_t(n));
  if (n == 0) return;
  // Expired keys not yet deleted are listed too, as Redis does.
  index->visit(uint16_t(slot), size_t(n), [&](kv_entry* e) { c.out.bulk(e->key()); });
}

void cmd_readonly_command(exec_context& c) {
  if (refused_without_cluster(c)) return;
  c.client.set(client_readonly);
  c.out.ok();
}

void cmd_readwrite_command(exec_context& c) {
  if (refused_without_cluster(c)) return;
  c.client.clear(client_readonly);
  c.out.ok();
}

// The next command (or the next MULTI ... EXEC) may use a slot this node is
// importing; the dispatcher clears the flag after it.
void cmd_asking_command(exec_context& c) {
  if (refused_without_cluster(c)) return;
  c.client.set(client_asking);
  c.out.ok();
}

}  // namespace troupe
