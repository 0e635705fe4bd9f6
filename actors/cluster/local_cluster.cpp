#include "actors/cluster/local_cluster.hpp"

#include <chrono>
#include <thread>

#include "actors/cluster/cluster_control.hpp"
#include "actors/runtime/log.hpp"
#include "actors/server/server.hpp"

namespace troupe {

std::vector<std::vector<std::string>> local_cluster_node_directives(int base_port,
                                                                    int base_bus_port, int i) {
  std::string port = std::to_string(base_port + i);
  int bus = base_bus_port != 0 ? base_bus_port + i : base_port + i + 10000;
  return {{"port", port},
          {"cluster-enabled", "yes"},
          {"cluster-port", std::to_string(bus)},
          {"cluster-config-file", "nodes-" + port + ".conf"},
          {"dbfilename", "dump-" + port + ".rdb"},
          {"appenddirname", "appendonlydir-" + port}};
}

namespace {

bool fresh(server& s) {
  return s.cluster()->view([](const cluster::cluster_state& st) {
    return st.node_count() == 1 && st.myself().numslots == 0 && st.current_epoch() == 0;
  });
}

bool knows_everyone(server& s, size_t n) {
  return s.cluster()->view([n](const cluster::cluster_state& st) {
    if (st.node_count() != n) return false;
    for (const cluster::cluster_node* x : st.nodes())
      if (x->has(cluster::node_flag::handshake)) return false;
    return true;
  });
}

}  // namespace

std::optional<std::string> form_local_cluster(const std::vector<server*>& nodes, int replicas) {
  for (server* s : nodes)
    if (!fresh(*s)) {
      log_notice("Local cluster: the nodes have a configuration already, keeping it");
      return std::nullopt;
    }
  int n = int(nodes.size());
  int masters = std::max(1, n / (replicas + 1));
  for (int i = 0; i < masters; i++) {
    int first = int(int64_t(cluster::slot_count) * i / masters);
    int last = int(int64_t(cluster::slot_count) * (i + 1) / masters) - 1;
    auto err = nodes[size_t(i)]->cluster()->command([&](cluster::cluster_state& st) {
      if (auto e = st.addslotsrange({std::to_string(first), std::to_string(last)})) return e;
      return st.set_config_epoch(std::to_string(i + 1));
    });
    if (err) return "assigning slots: " + *err;
  }
  for (int i = 1; i < n; i++) {
    server& s = *nodes[size_t(i)];
    auto err = nodes[0]->cluster()->command([&](cluster::cluster_state& st) {
      return st.meet("127.0.0.1", std::to_string(s.tcp_port()),
                     std::to_string(s.cluster()->bus_port()));
    });
    if (err) return "meet: " + *err;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (server* s : nodes)
    while (!knows_everyone(*s, nodes.size())) {
      if (std::chrono::steady_clock::now() > deadline)
        return std::string("the nodes did not meet within 30 seconds");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  for (int i = masters; i < n; i++) {
    std::string master = nodes[size_t((i - masters) % masters)]->cluster()->view(
        [](const cluster::cluster_state& st) { return st.myself().id; });
    auto err = nodes[size_t(i)]->cluster()->command(
        [&](cluster::cluster_state& st) { return st.replicate(master); });
    if (err) return "replicate: " + *err;
  }
  log_notice("Local cluster formed: {} masters, {} replicas", masters, n - masters);
  return std::nullopt;
}

}  // namespace troupe
