#include "actors/cluster/local_cluster.hpp"

namespace troupe {

std::vector<std::vector<std::string>> local_cluster_node_directives(int base_port,
                                                                    int base_bus_port, int i, int n,
                                                                    int replicas) {
  auto bus_of = [&](int k) {
    return base_bus_port != 0 ? base_bus_port + k : base_port + k + 10000;
  };
  std::string members;
  for (int k = 0; k < n; k++)
    members += (k ? " " : "") + std::string("127.0.0.1:") + std::to_string(base_port + k) + "@" +
               std::to_string(bus_of(k));
  std::string port = std::to_string(base_port + i);
  return {{"port", port},
          {"cluster-enabled", "yes"},
          {"cluster-port", std::to_string(bus_of(i))},
          {"cluster-config-file", "nodes-" + port + ".conf"},
          {"dbfilename", "dump-" + port + ".rdb"},
          {"appenddirname", "appendonlydir-" + port},
          {"cluster-bootstrap", members},
          {"cluster-bootstrap-replicas", std::to_string(replicas)}};
}

}  // namespace troupe
