#include "topology/cluster/routing_snapshot.hpp"

#include <algorithm>
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
  auto idx = [&](const cluster_node* n) -> int16_t {
    if (!n) return slot_routing::none;
    auto it = index.find(n);
    return it == index.end() ? slot_routing::none : it->second;
  };
  // Owners from the nodes' slot bitmaps (a slot is in its owner's bitmap and
  // no other's), a run at a time, and only the slots that are open are
  // looked at one by one: a reshard rebuilds the snapshot on every SETSLOT.
  for (const cluster_node* n : st.nodes()) {
    if (n->numslots == 0) continue;
    int16_t i = idx(n);
    if (i == slot_routing::none) continue;
    for (auto [a, b] : slot_ranges(n->slots))
      std::fill(r.owner.begin() + a, r.owner.begin() + b + 1, i);
  }
  for_each_open_slot(st, [&](int s, const cluster_node* to, const cluster_node* from) {
    r.migrating_to[s] = idx(to);
    r.importing_from[s] = idx(from);
  });
  const cluster_node& me = st.myself();
  r.self = idx(&me);
  r.master_of_self = me.is_replica() ? idx(st.node(me.master_id)) : slot_routing::none;
  r.cluster_ok = st.ok();
  r.allow_reads_when_down = opts.allow_reads_when_down;
  r.allow_pubsubshard_when_down = opts.allow_pubsubshard_when_down;
  return r;
}

}  // namespace troupe::cluster
