// A whole cluster of cluster_state machines in one test, on simulated time:
// the bus is a queue, links open when both ends are up and not partitioned,
// and crashes or partitions drop messages. Deterministic: one seed, no clock.
#pragma once
#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>
#include <set>

#include "cluster_test_support.hpp"

namespace cluster_test {

class cluster_sim {
 public:
  struct node {
    std::unique_ptr<cluster_state> st;
    int port = 0;
    bool up = true;
    std::vector<std::string> log;
    std::vector<cluster_event> events;  // everything but log lines
  };

  int64_t now = 1000;
  std::vector<node> nodes;
  std::set<std::pair<int, int>> cut;  // partitioned pairs, both orders
  bool print_logs = false;

  int add(int64_t node_timeout = 2000, cluster_options base = {}) {
    int i = static_cast<int>(nodes.size());
    node n;
    n.port = 30000 + i;
    cluster_options o = base;
    o.port = n.port;
    o.cport = n.port + 10000;
    o.node_timeout_ms = node_timeout;
    n.st = std::make_unique<cluster_state>(o, seeded(1000 + i), now);
    nodes.push_back(std::move(n));
    return i;
  }
  cluster_state& st(int i) { return *nodes[i].st; }
  const std::string& id(int i) { return nodes[i].st->myself().id; }

  int by_port(int port) const {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].port == port) return static_cast<int>(i);
    return -1;
  }
  bool reachable(int a, int b) const {
    return a >= 0 && b >= 0 && nodes[a].up && nodes[b].up && !cut.count({a, b});
  }
  void partition(const std::vector<int>& side) {
    for (size_t a = 0; a < nodes.size(); ++a) {
      bool in_a = std::find(side.begin(), side.end(), int(a)) != side.end();
      for (size_t b = 0; b < nodes.size(); ++b) {
        bool in_b = std::find(side.begin(), side.end(), int(b)) != side.end();
        if (in_a != in_b) cut.insert({int(a), int(b)});
      }
    }
  }
  void heal() { cut.clear(); }

  // A crash: links to it break at once, as TCP tells the peers.
  void crash(int i) {
    nodes[i].up = false;
    for (size_t j = 0; j < nodes.size(); ++j) {
      if (int(j) == i) continue;
      for (const cluster_node* n : nodes[j].st->nodes())
        if (n->port == nodes[i].port) nodes[j].st->link_down(n->id, now);
    }
    for (const cluster_node* n : nodes[i].st->nodes()) nodes[i].st->link_down(n->id, now);
  }
  void restart(int i) { nodes[i].up = true; }

  // Where replies go: a message that came on an inbound link is answered on
  // it (the peer receives on its outbound link `link_id`), and the reverse.
  struct reply_target {
    int peer = -1;
    std::string link_id;  // the outbound side's id for the other end
    bool peer_is_outbound_side = false;
  };

  // Runs the output of node i (a command's, a tick's, a receive's).
  void handle(int from, cluster_output out, const reply_target* rt = nullptr) {
    for (auto& e : out.events) {
      if (e.what == cluster_event::kind::log) {
        if (print_logs) printf("[%lld] %d: %s\n", (long long)now, from, e.text.c_str());
        nodes[from].log.push_back(e.text);
        continue;
      }
      nodes[from].events.push_back(e);
      if (e.what == cluster_event::kind::connect) {
        const cluster_node* n = st(from).node(e.node_id);
        int to = n ? by_port(n->port) : -1;
        if (reachable(from, to))
          connects_.push_back({from, e.node_id});
        else
          st(from).link_down(e.node_id, now);
      }
    }
    for (auto& m : out.messages) {
      if (m.reply) {
        if (!rt || !reachable(from, rt->peer)) continue;
        if (rt->peer_is_outbound_side)
          on_link_.push_back({rt->peer, from, rt->link_id, std::move(m.msg)});
        else
          inbound_.push_back({rt->peer, from, rt->link_id, std::move(m.msg)});
        continue;
      }
      const cluster_node* n = st(from).node(m.target);
      int to = n ? by_port(n->port) : -1;
      if (!reachable(from, to)) continue;
      inbound_.push_back({to, from, m.target, std::move(m.msg)});
    }
  }

  void deliver_all() {
    for (int guard = 0; guard < 1000000; ++guard) {
      if (!connects_.empty()) {
        auto [from, id] = connects_.front();
        connects_.pop_front();
        if (nodes[from].up) handle(from, st(from).link_up(id, now));
        continue;
      }
      if (!inbound_.empty()) {
        // d.to receives on an inbound link opened by d.from (known there as link_id).
        auto d = std::move(inbound_.front());
        inbound_.pop_front();
        if (!reachable(d.to, d.from)) continue;
        cluster_output out = st(d.to).receive(d.msg, {"", "127.0.0.1", "127.0.0.1"}, now);
        reply_target rt{d.from, d.link_id, true};
        handle(d.to, std::move(out), &rt);
        continue;
      }
      if (!on_link_.empty()) {
        // d.to receives on its outbound link link_id, from d.from.
        auto d = std::move(on_link_.front());
        on_link_.pop_front();
        if (!reachable(d.to, d.from)) continue;
        if (!st(d.to).node(d.link_id) || !st(d.to).node(d.link_id)->link) continue;
        cluster_output out = st(d.to).receive(d.msg, {d.link_id, "127.0.0.1", "127.0.0.1"}, now);
        reply_target rt{d.from, d.link_id, false};
        handle(d.to, std::move(out), &rt);
        continue;
      }
      return;
    }
    ADD_FAILURE() << "the simulated bus did not settle";
  }

  void step(int64_t ms = 100) {
    now += ms;
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!nodes[i].up) continue;
      handle(int(i), st(int(i)).tick(now));
      deliver_all();
    }
  }
  void run(int64_t ms) {
    for (int64_t t = 0; t < ms; t += 100) step();
  }
  template <typename Pred>
  bool run_until(Pred pred, int64_t max_ms) {
    for (int64_t t = 0; t < max_ms; t += 100) {
      if (pred()) return true;
      step();
    }
    return pred();
  }

  void command(int i, cluster_output out) {
    handle(i, std::move(out));
    deliver_all();
  }

  bool all_up_ok() {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].up && !nodes[i].st->ok()) return false;
    return true;
  }
  bool logged(int i, const std::string& part) const {
    for (auto& l : nodes[i].log)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }

  // Every node meets node 0 and the cluster learns itself by gossip.
  void meet_all() {
    for (size_t i = 1; i < nodes.size(); ++i) {
      EXPECT_EQ(st(0).meet("127.0.0.1", std::to_string(nodes[i].port)), std::nullopt);
    }
    command(0, st(0).take_output());
  }
  bool everyone_knows_everyone() {
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (!nodes[i].up) continue;
      if (st(int(i)).node_count() != nodes.size()) return false;
      for (const cluster_node* n : st(int(i)).nodes())
        if (n->has(node_flag::handshake)) return false;
    }
    return true;
  }

 private:
  struct delivery {
    int to;
    int from;
    std::string link_id;  // the outbound side's id for the other end
    cluster_message msg;
  };
  std::deque<std::pair<int, std::string>> connects_;
  std::deque<delivery> inbound_;
  std::deque<delivery> on_link_;
};

}  // namespace cluster_test
