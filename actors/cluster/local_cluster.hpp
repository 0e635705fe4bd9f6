// A whole cluster in one process (`troupe-server --local-cluster N
// [--local-cluster-replicas R]`): N servers on consecutive ports, each with its
// own cluster_node, talking through the in-process bus directory instead of
// sockets. Fresh nodes form the cluster themselves, as `redis-cli --cluster
// create` would: the slots split evenly over the first N/(R+1) nodes (the
// masters), config epochs 1..M, every node met, each remaining node the
// replica of a master in turn. Nodes that come back from their nodes.conf
// keep what they had.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "protocol/config/server_config.hpp"

namespace troupe {

class server;

// The directives that make node i of a local cluster based on `base_port`
// (and `base_bus_port`, 0 for port + 10000): its port, bus port, and file
// names that do not collide in the shared directory.
std::vector<std::vector<std::string>> local_cluster_node_directives(int base_port,
                                                                    int base_bus_port, int i);

// Forms the cluster if every node is fresh; waits (bounded) for the nodes to
// know each other before making replicas. An error text if it could not.
std::optional<std::string> form_local_cluster(const std::vector<server*>& nodes, int replicas);

}  // namespace troupe
