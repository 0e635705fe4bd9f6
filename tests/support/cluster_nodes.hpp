// What cluster tests read from a node: CLUSTER NODES lines and INFO fields.
#pragma once
#include <string>
#include <vector>

#include "server_process.hpp"

namespace troupe::test {

// One line of CLUSTER NODES.
struct cluster_node_line {
  std::string id, addr, flags, master;
  int slots = 0;      // slots it serves
  bool open = false;  // a [slot->-id] or [slot-<-id] marker
  bool has(const char* f) const { return flags.find(f) != std::string::npos; }
  bool myself() const { return has("myself"); }
  bool master_role() const { return has("master"); }
  bool replica() const { return has("slave"); }
  bool failed() const { return has("fail"); }
};

std::vector<cluster_node_line> parse_cluster_nodes(const std::string& text);
// CLUSTER NODES of a server, parsed; the line of the server itself.
std::vector<cluster_node_line> nodes_of(const server_process& s);
cluster_node_line myself_of(const server_process& s);

// The value of `name:` in an INFO (or CLUSTER INFO) text; "" when absent.
std::string info_field(const std::string& info, const std::string& name);

}  // namespace troupe::test
