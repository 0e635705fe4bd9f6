// CLUSTER NODES / INFO / SLOTS / SHARDS / LINKS from a cluster_state.
#include "topology/cluster/cluster_render.hpp"

#include <algorithm>

namespace troupe::cluster {

namespace {

// Contiguous runs of set bits, found a word at a time (nodes.conf is written
// on every SETSLOT of a reshard, with every node's ranges).
std::vector<std::pair<int, int>> ranges_of(const slot_bitmap& slots) {
  std::vector<std::pair<int, int>> v;
  size_t start = slots._Find_first();
  if (start >= size_t(slot_count)) return v;
  const slot_bitmap gaps = ~slots;
  while (start < size_t(slot_count)) {
    size_t end = gaps._Find_next(start);  // slot_count when the run reaches the end
    v.emplace_back(int(start), int(end) - 1);
    if (end >= size_t(slot_count)) break;
    start = slots._Find_next(end);
  }
  return v;
}

}  // namespace

std::vector<std::pair<int, int>> slot_ranges(const slot_bitmap& slots) {
  return ranges_of(slots);
}

namespace {

slots_node slots_node_of(const cluster_node& n, endpoint_type t) {
  slots_node sn;
  if (t != endpoint_type::unknown_endpoint) sn.endpoint = preferred_endpoint(n, t);
  sn.port = n.port;
  sn.id = n.id;
  if (t != endpoint_type::ip) sn.metadata.emplace_back("ip", n.ip);
  if (t != endpoint_type::hostname && !n.hostname.empty())
    sn.metadata.emplace_back("hostname", n.hostname);
  return sn;
}

}  // namespace

std::string preferred_endpoint(const cluster_node& n, endpoint_type t) {
  switch (t) {
    case endpoint_type::ip:
      return n.ip;
    case endpoint_type::hostname:
      return n.hostname.empty() ? "?" : n.hostname;
    case endpoint_type::unknown_endpoint:
      return "";
  }
  return n.ip;
}

std::string node_flags_text(uint16_t flags) {
  static const std::pair<uint16_t, const char*> names[] = {
      {node_flag::myself, "myself"}, {node_flag::master, "master"},
      {node_flag::replica, "slave"}, {node_flag::pfail, "fail?"},
      {node_flag::fail, "fail"},     {node_flag::handshake, "handshake"},
      {node_flag::noaddr, "noaddr"}, {node_flag::nofailover, "nofailover"},
  };
  std::string s;
  for (auto& [bit, name] : names) {
    if (!(flags & bit)) continue;
    if (!s.empty()) s += ',';
    s += name;
  }
  return s.empty() ? "noflags" : s;
}

std::string node_line(const cluster_state& st, const cluster_node& n) {
  std::string s = n.id;
  s += ' ';
  s += n.ip;
  s += ':' + std::to_string(n.port) + '@' + std::to_string(n.cport);
  if (!n.hostname.empty()) s += ',' + n.hostname;
  s += ' ';
  s += node_flags_text(n.flags);
  const cluster_node* master = n.master_id.empty() ? nullptr : st.node(n.master_id);
  s += ' ';
  s += (n.is_replica() && !n.master_id.empty()) ? n.master_id : std::string("-");
  s += ' ' + std::to_string(n.ping_sent) + ' ' + std::to_string(n.pong_received) + ' ';
  // A replica shows its master's epoch.
  uint64_t epoch = (n.is_replica() && master) ? master->config_epoch : n.config_epoch;
  s += std::to_string(epoch);
  bool connected = n.link || n.has(node_flag::myself);
  s += connected ? " connected" : " disconnected";
  for (auto [a, b] : ranges_of(n.slots)) {
    s += ' ' + std::to_string(a);
    if (b != a) s += '-' + std::to_string(b);
  }
  if (n.has(node_flag::myself)) {
    for_each_open_slot(st, [&s](int slot, const cluster_node* to, const cluster_node* from) {
      if (to)
        s += " [" + std::to_string(slot) + "->-" + to->id + "]";
      else
        s += " [" + std::to_string(slot) + "-<-" + from->id + "]";
    });
  }
  return s;
}

std::string nodes_text(const cluster_state& st, bool skip_handshake) {
  std::string s;
  for (const cluster_node* n : st.nodes()) {
    if (skip_handshake && n->has(node_flag::handshake)) continue;
    s += node_line(st, *n);
    s += '\n';
  }
  return s;
}

std::string info_text(const cluster_state& st) {
  std::string s;
  auto field = [&](const char* name, const std::string& value) {
    s += name;
    s += ':';
    s += value;
    s += "\r\n";
  };
  field("cluster_state", st.ok() ? "ok" : "fail");
  field("cluster_slots_assigned", std::to_string(st.slots_assigned()));
  field("cluster_slots_ok", std::to_string(st.slots_ok()));
  field("cluster_slots_pfail", std::to_string(st.slots_pfail()));
  field("cluster_slots_fail", std::to_string(st.slots_fail()));
  field("cluster_known_nodes", std::to_string(st.node_count()));
  field("cluster_size", std::to_string(st.size()));
  field("cluster_current_epoch", std::to_string(st.current_epoch()));
  const cluster_node& me = st.myself();
  uint64_t my_epoch = me.config_epoch;
  if (me.is_replica()) {
    if (const cluster_node* m = st.node(me.master_id)) my_epoch = m->config_epoch;
  }
  field("cluster_my_epoch", std::to_string(my_epoch));
  const auto& c = st.counters();
  uint64_t total = 0;
  for (int t = 0; t < message_type_count; ++t) {
    if (!c.sent[t]) continue;
    total += c.sent[t];
    field(("cluster_stats_messages_" +
           std::string(message_type_name(static_cast<message_type>(t))) + "_sent")
              .c_str(),
          std::to_string(c.sent[t]));
  }
  field("cluster_stats_messages_sent", std::to_string(total));
  total = 0;
  for (int t = 0; t < message_type_count; ++t) {
    if (!c.received[t]) continue;
    total += c.received[t];
    field(("cluster_stats_messages_" +
           std::string(message_type_name(static_cast<message_type>(t))) + "_received")
              .c_str(),
          std::to_string(c.received[t]));
  }
  field("cluster_stats_messages_received", std::to_string(total));
  field("total_cluster_links_buffer_limit_exceeded",
        std::to_string(st.links_buffer_limit_exceeded));
  return s;
}

std::vector<slots_range> cluster_slots_reply(const cluster_state& st, endpoint_type preferred) {
  std::vector<slots_range> v;
  for (const cluster_node* n : st.nodes()) {
    if (!n->is_master() || n->numslots == 0) continue;
    for (auto [a, b] : ranges_of(n->slots)) {
      slots_range r;
      r.start = a;
      r.end = b;
      r.nodes.push_back(slots_node_of(*n, preferred));
      for (const auto& rid : n->replicas) {
        const cluster_node* rep = st.node(rid);
        if (!rep || rep->has(node_flag::fail)) continue;
        r.nodes.push_back(slots_node_of(*rep, preferred));
      }
      v.push_back(std::move(r));
    }
  }
  std::sort(v.begin(), v.end(),
            [](const slots_range& x, const slots_range& y) { return x.start < y.start; });
  return v;
}

std::vector<shard> cluster_shards_reply(const cluster_state& st, endpoint_type preferred,
                                        bool myself_loading) {
  std::vector<shard> v;
  auto node_of = [&](const cluster_node& n) {
    shard_node sn;
    sn.id = n.id;
    sn.port = n.port;
    sn.ip = n.ip;
    sn.endpoint = preferred_endpoint(n, preferred);
    sn.hostname = n.hostname;
    sn.role = n.is_master() ? "master" : "replica";
    sn.replication_offset = n.repl_offset;
    if (n.has(node_flag::fail))
      sn.health = "failed";
    else if (n.has(node_flag::myself) && myself_loading)
      sn.health = "loading";
    else
      sn.health = "online";
    return sn;
  };
  for (const cluster_node* n : st.nodes()) {
    if (!n->is_master()) continue;
    shard sh;
    sh.slots = ranges_of(n->slots);
    sh.nodes.push_back(node_of(*n));
    for (const auto& rid : n->replicas) {
      if (const cluster_node* rep = st.node(rid)) sh.nodes.push_back(node_of(*rep));
    }
    v.push_back(std::move(sh));
  }
  return v;
}

std::vector<link_field> link_fields(const link_info& link) {
  std::string events;
  if (link.readable) events += 'r';
  if (link.writable) events += 'w';
  return {
      {"direction", std::string(link.outbound ? "to" : "from"), 0},
      {"node", link.node_id, 0},
      {"create-time", std::nullopt, link.create_time_ms},
      {"events", events, 0},
      {"send-buffer-allocated", std::nullopt, link.send_buffer_allocated},
      {"send-buffer-used", std::nullopt, link.send_buffer_used},
  };
}

}  // namespace troupe::cluster
