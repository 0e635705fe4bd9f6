#include "topology/cluster/routing_snapshot.hpp"

#include <cstdint>
#include <unordered_map>

namespace troupe::cluster {

slot_routing make_slot_routing(const cluster_state& st, const routing_options& opts) {
  slot_routing r;
  std::unordered_map<const cluster_node*, int16_t> index;
  for (const cluster_node* n : st.nodes()) {
    // More nodes than an index can hold would be a cluster no one runs; the
    // rest are left out rather than wrapped around.
    if (r.nodes.size() >= static_cast<size_t>(INT16_MAX)) break;
    index[n] = static_cast<int16_t>(r.nodes.size());
    r.nodes.push_back(
        {n->id, preferred_endpoint(*n, opts.preferred), static_cast<uint16_t>(n->port)});
  }
  // Runs of slots share an owner, and most slots migrate nowhere: remember
  // the last answer instead of hashing 49152 times (a reshard rebuilds the
  // snapshot on every SETSLOT).
  const cluster_node* last = nullptr;
  int16_t last_index = slot_routing::none;
  auto idx = [&](const cluster_node* n) -> int16_t {
    if (!n) return slot_routing::none;
    if (n == last) return last_index;
    auto it = index.find(n);
    last = n;
    last_index = it == index.end() ? slot_routing::none : it->second;
    return last_index;
  };
  for (int s = 0; s < slot_count; ++s) {
    r.owner[s] = idx(st.slot_owner(s));
    r.migrating_to[s] = idx(st.migrating_to(s));
    r.importing_from[s] = idx(st.importing_from(s));
  }
  const cluster_node& me = st.myself();
  r.self = idx(&me);
  r.master_of_self = me.is_replica() ? idx(st.node(me.master_id)) : slot_routing::none;
  r.cluster_ok = st.ok();
  r.allow_reads_when_down = opts.allow_reads_when_down;
  r.allow_pubsubshard_when_down = opts.allow_pubsubshard_when_down;
  return r;
}

}  // namespace troupe::cluster
