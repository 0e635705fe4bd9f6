#include "topology/cluster/slot_routing.hpp"

namespace troupe::cluster {

void key_summary::add(std::string_view key) {
  uint16_t s = key_hash_slot(key);
  if (count_++ == 0) {
    first_ = key;
    slot_ = s;
    return;
  }
  if (key == first_) return;
  if (s != slot_) cross_slot_ = true;
  multiple_keys_ = true;
}

route_decision route(const slot_routing& r, const key_summary& keys, const request_traits& t,
                     size_t missing_keys, size_t existing_keys) {
  route_decision d;
  if (keys.empty()) return d;
  d.slot = keys.slot();
  // Redis stops at the first key when its slot has no owner, before it sees
  // the keys of other slots.
  int16_t owner = r.owner[d.slot];
  if (owner == slot_routing::none) {
    d.kind = route_kind::down_unbound;
    return d;
  }
  if (keys.cross_slot()) {
    d.kind = route_kind::cross_slot;
    return d;
  }
  bool migrating = owner == r.self && r.migrating_to[d.slot] != slot_routing::none;
  bool importing = !migrating && r.importing_from[d.slot] != slot_routing::none;
  if (!r.cluster_ok) {
    if (t.pubsub_shard) {
      if (!r.allow_pubsubshard_when_down) {
        d.kind = route_kind::down;
        return d;
      }
    } else if (!r.allow_reads_when_down) {
      d.kind = route_kind::down;
      return d;
    } else if (t.is_write) {
      d.kind = route_kind::down_readonly;
      return d;
    }
  }
  if ((migrating || importing) && t.is_migrate) return d;
  if (migrating && missing_keys > 0) {
    if (existing_keys > 0) {
      d.kind = route_kind::try_again;
      return d;
    }
    d.kind = route_kind::ask;
    d.node = r.migrating_to[d.slot];
    return d;
  }
  if (importing && t.asking) {
    if (keys.multiple_keys() && missing_keys > 0) d.kind = route_kind::try_again;
    return d;
  }
  if ((t.readonly_client || t.pubsub_shard) && !t.is_write &&
      r.master_of_self != slot_routing::none && r.master_of_self == owner)
    return d;
  if (owner != r.self) {
    d.kind = route_kind::moved;
    d.node = owner;
  }
  return d;
}

std::string route_error(const slot_routing& r, const route_decision& d) {
  switch (d.kind) {
    case route_kind::serve_here:
      return {};
    case route_kind::moved:
    case route_kind::ask: {
      const node_endpoint& n = r.nodes[size_t(d.node)];
      return std::string(d.kind == route_kind::moved ? "MOVED " : "ASK ") + std::to_string(d.slot) +
             " " + n.host + ":" + std::to_string(n.port);
    }
    case route_kind::cross_slot:
      return "CROSSSLOT Keys in request don't hash to the same slot";
    case route_kind::try_again:
      return "TRYAGAIN Multiple keys request during rehashing of slot";
    case route_kind::down_unbound:
      return "CLUSTERDOWN Hash slot not served";
    case route_kind::down:
      return "CLUSTERDOWN The cluster is down";
    case route_kind::down_readonly:
      return "CLUSTERDOWN The cluster is down and only accepts read commands";
  }
  return {};
}

}  // namespace troupe::cluster
