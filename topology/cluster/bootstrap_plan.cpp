#include "topology/cluster/bootstrap_plan.hpp"

#include <algorithm>
#include <charconv>

#include "topology/cluster/cluster_messages.hpp"

namespace troupe::cluster {
namespace {

bool parse_nonzero_port(std::string_view s, int& out) {
  int v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v <= 0 || v > 65535) return false;
  out = v;
  return true;
}

bool loopback(const std::string& h) {
  return h == "localhost" || h == "::1" || h.rfind("127.", 0) == 0;
}

}  // namespace

std::variant<bootstrap_plan, std::string> make_bootstrap_plan(
    std::string_view list, int replicas, int self_port,
    const std::vector<std::string>& self_hosts) {
  bootstrap_plan p;
  size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == ',')) i++;
    size_t j = i;
    while (j < list.size() && list[j] != ' ' && list[j] != ',') j++;
    if (j == i) break;
    std::string_view item = list.substr(i, j - i);
    i = j;
    bootstrap_member m;
    std::string_view bus;
    if (auto at = item.find('@'); at != std::string_view::npos) {
      bus = item.substr(at + 1);
      item = item.substr(0, at);
    }
    auto colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0 ||
        !parse_nonzero_port(item.substr(colon + 1), m.port))
      return "cluster-bootstrap: '" + std::string(item) + "' is not host:port[@busport]";
    m.host = std::string(item.substr(0, colon));
    if (m.host.size() > 2 && m.host.front() == '[' && m.host.back() == ']')
      m.host = m.host.substr(1, m.host.size() - 2);
    if (bus.empty()) {
      m.cport = m.port + 10000;
      if (m.cport > 65535) return "cluster-bootstrap: no bus port for " + std::string(item);
    } else if (!parse_nonzero_port(bus, m.cport)) {
      return "cluster-bootstrap: bad bus port in " + std::string(item);
    }
    if (p.members.size() >= size_t(slot_count)) return "cluster-bootstrap: too many members";
    p.members.push_back(std::move(m));
  }
  if (p.members.empty()) return "cluster-bootstrap: no members";
  for (size_t a = 0; a < p.members.size(); a++) {
    const bootstrap_member& m = p.members[a];
    if (m.port != self_port) continue;
    bool mine = loopback(m.host) ||
                std::find(self_hosts.begin(), self_hosts.end(), m.host) != self_hosts.end();
    if (!mine) continue;
    if (p.self != -1) return "cluster-bootstrap: this node is in the list twice";
    p.self = int(a);
  }
  if (p.self == -1) return "cluster-bootstrap: this node is not in the list";
  int n = int(p.members.size());
  p.masters = std::max(1, n / (replicas + 1));
  if (p.self < p.masters) {
    p.first_slot = int(int64_t(slot_count) * p.self / p.masters);
    p.last_slot = int(int64_t(slot_count) * (p.self + 1) / p.masters) - 1;
    p.config_epoch = uint64_t(p.self + 1);
  } else {
    p.master = (p.self - p.masters) % p.masters;
  }
  return p;
}

}  // namespace troupe::cluster
