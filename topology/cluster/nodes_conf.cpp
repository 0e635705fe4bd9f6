// nodes.conf reading and writing.
#include "topology/cluster/nodes_conf.hpp"

#include <charconv>

#include "topology/cluster/cluster_render.hpp"

namespace troupe::cluster {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep, bool skip_empty) {
  std::vector<std::string_view> v;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view part = s.substr(start, end - start);
    if (!(skip_empty && part.empty())) v.push_back(part);
    start = end + 1;
  }
  return v;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> v;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) v.push_back(line.substr(start, i - start));
  }
  return v;
}

template <typename T>
bool parse_num(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool valid_id(std::string_view id) {
  if (id.size() != 40) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool parse_port(std::string_view s, int& out) {
  return parse_num(s, out) && out >= 0 && out <= 65535;
}

bool parse_slot_number(std::string_view s, int& out) {
  return parse_num(s, out) && out >= 0 && out < slot_count;
}

// "ip:port@cport[,hostname]" (7.0), also "ip:port" (before 4.0) and the
// "ip:port@cport,hostname,key=value" of later versions (hostname= is read).
std::optional<std::string> parse_address(std::string_view a, nodes_conf_node& n) {
  auto parts = split(a, ',', false);
  std::string_view addr = parts[0];
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    size_t eq = p.find('=');
    if (eq == std::string_view::npos) {
      if (i == 1) n.hostname = std::string(p);
    } else if (p.substr(0, eq) == "hostname") {
      n.hostname = std::string(p.substr(eq + 1));
    }
  }
  size_t at = addr.find('@');
  std::string_view cport;
  if (at != std::string_view::npos) {
    cport = addr.substr(at + 1);
    addr = addr.substr(0, at);
  }
  size_t colon = addr.rfind(':');
  if (colon == std::string_view::npos) return "Invalid address " + std::string(a);
  n.ip = std::string(addr.substr(0, colon));
  if (!parse_port(addr.substr(colon + 1), n.port)) return "Invalid port in " + std::string(a);
  if (at == std::string_view::npos) {
    n.cport = n.port + 10000;
    if (n.cport > 65535) return "Invalid port in " + std::string(a);
  } else if (!parse_port(cport, n.cport)) {
    return "Invalid cluster bus port in " + std::string(a);
  }
  return std::nullopt;
}

std::optional<std::string> parse_flags(std::string_view f, nodes_conf_node& n) {
  for (auto name : split(f, ',', true)) {
    if (name == "myself")
      n.flags |= node_flag::myself;
    else if (name == "master")
      n.flags |= node_flag::master;
    else if (name == "slave" || name == "replica")
      n.flags |= node_flag::replica;
    else if (name == "fail?")
      n.flags |= node_flag::pfail;
    else if (name == "fail")
      n.flags |= node_flag::fail;
    else if (name == "handshake")
      n.flags |= node_flag::handshake;
    else if (name == "noaddr")
      n.flags |= node_flag::noaddr;
    else if (name == "nofailover")
      n.flags |= node_flag::nofailover;
    else if (name != "noflags")
      return "Unknown flag in cluster config file: " + std::string(name);
  }
  if ((n.flags & node_flag::master) && (n.flags & node_flag::replica))
    return std::string("A node can't be both master and replica");
  return std::nullopt;
}

// "N", "A-B", "[N->-id]" or "[N-<-id]".
std::optional<std::string> parse_slot_word(std::string_view w, nodes_conf_node& n) {
  if (w.front() == '[') {
    if (w.size() < 5 || w.back() != ']') return "Invalid slot " + std::string(w);
    std::string_view in = w.substr(1, w.size() - 2);
    size_t mig = in.find("->-");
    size_t imp = in.find("-<-");
    size_t pos = mig != std::string_view::npos ? mig : imp;
    if (pos == std::string_view::npos) return "Invalid slot " + std::string(w);
    int slot = 0;
    if (!parse_slot_number(in.substr(0, pos), slot)) return "Invalid slot " + std::string(w);
    std::string_view id = in.substr(pos + 3);
    if (!valid_id(id)) return "Invalid node id in " + std::string(w);
    (mig != std::string_view::npos ? n.migrating : n.importing).emplace_back(slot, id);
    return std::nullopt;
  }
  size_t dash = w.find('-');
  int a = 0;
  int b = 0;
  if (dash == std::string_view::npos) {
    if (!parse_slot_number(w, a)) return "Invalid slot " + std::string(w);
    b = a;
  } else if (!parse_slot_number(w.substr(0, dash), a) ||
             !parse_slot_number(w.substr(dash + 1), b) || a > b) {
    return "Invalid slot range " + std::string(w);
  }
  n.slots.emplace_back(a, b);
  return std::nullopt;
}

}  // namespace

std::string write_nodes_conf(const cluster_state& st) {
  return nodes_text(st, true) + "vars currentEpoch " + std::to_string(st.current_epoch()) +
         " lastVoteEpoch " + std::to_string(st.last_vote_epoch()) + "\n";
}

std::variant<nodes_conf, nodes_conf_error> parse_nodes_conf(std::string_view text) {
  nodes_conf conf;
  int line_no = 0;
  bool have_myself = false;
  auto fail = [&](std::string msg) { return nodes_conf_error{line_no, std::move(msg)}; };
  for (std::string_view line : split(text, '\n', false)) {
    ++line_no;
    auto w = split_words(line);
    if (w.empty()) continue;  // Redis pads rewritten files with newlines
    if (w[0] == "vars") {
      if (w.size() % 2 != 1) return fail("Invalid vars line");
      for (size_t i = 1; i + 1 < w.size(); i += 2) {
        uint64_t v = 0;
        if (w[i] == "currentEpoch") {
          if (!parse_num(w[i + 1], v)) return fail("Invalid currentEpoch");
          conf.current_epoch = v;
        } else if (w[i] == "lastVoteEpoch") {
          if (!parse_num(w[i + 1], v)) return fail("Invalid lastVoteEpoch");
          conf.last_vote_epoch = v;
        }
        // Other variables are skipped, as Redis does.
      }
      continue;
    }
    if (w.size() < 8) return fail("Unrecoverable error: corrupted cluster config file");
    nodes_conf_node n;
    if (!valid_id(w[0])) return fail("Invalid node id " + std::string(w[0]));
    n.id = std::string(w[0]);
    if (auto e = parse_address(w[1], n)) return fail(*e);
    if (auto e = parse_flags(w[2], n)) return fail(*e);
    if (w[3] != "-") {
      if (!valid_id(w[3])) return fail("Invalid master id " + std::string(w[3]));
      if (w[3] == w[0]) return fail("A node can't be its own master");
      n.master_id = std::string(w[3]);
    }
    if (!parse_num(w[4], n.ping_sent) || !parse_num(w[5], n.pong_received) ||
        !parse_num(w[6], n.config_epoch))
      return fail("Invalid number in node line");
    if (w[7] != "connected" && w[7] != "disconnected") return fail("Invalid link state");
    for (size_t i = 8; i < w.size(); ++i) {
      if (auto e = parse_slot_word(w[i], n)) return fail(*e);
    }
    if (n.flags & node_flag::myself) {
      if (have_myself) return fail("More than one node flagged myself");
      have_myself = true;
    }
    for (auto& other : conf.nodes) {
      if (other.id == n.id) return fail("Node " + n.id + " listed twice");
    }
    conf.nodes.push_back(std::move(n));
  }
  line_no = 0;
  if (!conf.nodes.empty() && !have_myself)
    return fail("Unrecoverable error: no myself node in the cluster config file");
  return conf;
}

std::optional<std::string> apply_nodes_conf(const nodes_conf& conf, cluster_state& st,
                                            int64_t now_ms) {
  const nodes_conf_node* me = nullptr;
  for (auto& n : conf.nodes)
    if (n.flags & node_flag::myself) me = &n;
  if (!me) return std::string("no myself node in the cluster config file");
  st.set_now(now_ms);
  // Created in the file's order, so a file written back lists them as it did.
  for (auto& c : conf.nodes) st.load_node(c.id);
  st.load_set_myself(st.load_node(me->id));
  for (auto& c : conf.nodes) {
    cluster_node& n = st.load_node(c.id);
    n.flags = c.flags & ~node_flag::meet;
    n.ip = c.ip;
    n.port = c.port;
    n.cport = c.cport;
    n.hostname = c.hostname;
    n.ping_sent = c.ping_sent ? now_ms : 0;
    n.pong_received = c.pong_received ? now_ms : 0;
    n.config_epoch = c.config_epoch;
    n.link = false;
    if (n.has(node_flag::fail)) n.fail_time = now_ms;
    if (!c.master_id.empty()) {
      cluster_node& m = st.load_node(c.master_id);
      st.load_set_master(n, m);
    }
    for (auto [a, b] : c.slots) {
      for (int s = a; s <= b; ++s) {
        if (st.slot_owner(s) == nullptr) st.load_assign_slot(s, n);
      }
    }
    for (auto& [slot, id] : c.migrating) st.load_set_migrating(slot, st.load_node(id));
    for (auto& [slot, id] : c.importing) st.load_set_importing(slot, st.load_node(id));
  }
  st.load_set_epochs(conf.current_epoch, conf.last_vote_epoch);
  st.loaded(now_ms);
  return std::nullopt;
}

}  // namespace troupe::cluster
