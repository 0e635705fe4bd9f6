#include "cluster_nodes.hpp"

#include <sstream>

namespace troupe::test {

std::vector<cluster_node_line> parse_cluster_nodes(const std::string& text) {
  std::vector<cluster_node_line> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::vector<std::string> f;
    std::string w;
    while (l >> w) f.push_back(w);
    if (f.size() < 8) continue;
    cluster_node_line n{f[0], f[1], f[2], f[3]};
    for (size_t i = 8; i < f.size(); i++) {
      if (f[i][0] == '[') {
        n.open = true;
        continue;
      }
      auto dash = f[i].find('-');
      n.slots += dash == std::string::npos
                     ? 1
                     : std::stoi(f[i].substr(dash + 1)) - std::stoi(f[i].substr(0, dash)) + 1;
    }
    out.push_back(n);
  }
  return out;
}

std::vector<cluster_node_line> nodes_of(const server_process& s) {
  return parse_cluster_nodes(s.call({"CLUSTER", "NODES"}).str);
}

cluster_node_line myself_of(const server_process& s) {
  for (auto& n : nodes_of(s))
    if (n.myself()) return n;
  return {};
}

std::string info_field(const std::string& info, const std::string& name) {
  // At the start of a line: "master_link_status" is not "slave0:...,master_link_status".
  auto p = ("\n" + info).find("\n" + name + ":");
  if (p == std::string::npos) return {};
  auto e = info.find_first_of("\r\n", p);
  return info.substr(p + name.size() + 1, e == std::string::npos ? e : e - p - name.size() - 1);
}

}  // namespace troupe::test
