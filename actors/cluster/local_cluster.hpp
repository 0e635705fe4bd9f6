// A whole cluster in one process (`troupe-server --local-cluster N
// [--local-cluster-replicas R]`): N servers on consecutive ports, each with its
// own cluster_node, talking through the in-process bus directory instead of
// sockets. They form the cluster as cluster-bootstrap does (the same list on
// every node): the slots split evenly over the first N/(R+1) nodes, the others
// their replicas in turn. Nodes that come back from their nodes.conf keep what
// they had.
#pragma once
#include <string>
#include <vector>

namespace troupe {

// The directives that make node i of an n-node local cluster based on
// `base_port` (and `base_bus_port`, 0 for port + 10000): its port, bus port,
// file names that do not collide in the shared directory, and the bootstrap
// list of all n.
std::vector<std::vector<std::string>> local_cluster_node_directives(int base_port,
                                                                    int base_bus_port, int i, int n,
                                                                    int replicas);

}  // namespace troupe
