// The routing snapshot (slot_routing) the dispatcher reads, built from this
// node's cluster_state: slot owners, migrations, self, its master, cluster ok.
#pragma once
#include "topology/cluster/cluster_render.hpp"
#include "topology/cluster/cluster_state.hpp"
#include "topology/cluster/slot_routing.hpp"

namespace troupe::cluster {

struct routing_options {
  endpoint_type preferred = endpoint_type::ip;  // cluster-preferred-endpoint-type
  bool allow_reads_when_down = false;           // cluster-allow-reads-when-down
  bool allow_pubsubshard_when_down = true;      // cluster-allow-pubsubshard-when-down
};

// Every node of the table is in `nodes` (in table order), so indexes stay
// meaningful for migrations towards nodes that own nothing yet.
slot_routing make_slot_routing(const cluster_state& st, const routing_options& opts = {});

}  // namespace troupe::cluster
