// A Troupe cluster driven by stock tools and clients only, over real sockets.
//
// Tools: the `redis-cli --cluster` subcommands cluster_test.cpp does not cover
// (info, call, rebalance with and without --cluster-use-empty-masters, fix of
// an open slot and of an uncovered slot, add-node as master and as replica,
// del-node), run step by step on Troupe nodes and on redis-server 7.0 cluster
// nodes; exit statuses, slot layouts and key counts must match.
//
// Clients: redis-py's RedisCluster and (when installed) ioredis's Cluster
// write and read keys without pause while slots are resharded with
// `redis-cli --cluster reshard` and while a master is killed with SIGKILL and
// its replica takes over. No acknowledged write may be lost and no error may
// reach the client during the reshard; writes lost at the kill are counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/cluster_nodes.hpp"
#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe::test;
using troupe::resp_client;
using troupe::resp_value;

namespace {

using kind = server_process::kind;

uint16_t crc16(const std::string& s) {
  uint16_t crc = 0;
  for (unsigned char c : s) {
    crc ^= uint16_t(c) << 8;
    for (int i = 0; i < 8; i++) crc = (crc & 0x8000) ? uint16_t((crc << 1) ^ 0x1021) : crc << 1;
  }
  return crc;
}

int key_slot(const std::string& key) {
  auto open = key.find('{');
  if (open != std::string::npos) {
    auto close = key.find('}', open + 1);
    if (close != std::string::npos && close > open + 1)
      return crc16(key.substr(open + 1, close - open - 1)) & 16383;
  }
  return crc16(key) & 16383;
}

// A hash tag whose keys all land in `slot`.
std::string tag_for_slot(int slot) {
  for (int i = 0;; i++) {
    std::string t = "t" + std::to_string(i);
    if (key_slot(t) == slot) return t;
  }
}

bool state_ok(const server_process& s) {
  return info_field(s.call({"CLUSTER", "INFO"}).str, "cluster_state") == "ok";
}

// redis-cli with these arguments, `answer` on its stdin (`--cluster fix`
// asks before covering slots even with --cluster-yes); its output without
// colour escapes.
std::string redis_cli(const std::vector<std::string>& args, int* status,
                      const std::string& answer = "") {
  std::string cmd = "printf '" + answer + "' | redis-cli";
  for (auto& a : args) cmd += " '" + a + "'";
  std::string text = run_command(cmd + " 2>&1", status), plain;
  for (size_t i = 0; i < text.size(); i++) {
    if (text[i] == '\x1b') {
      while (i < text.size() && text[i] != 'm') i++;
      continue;
    }
    plain += text[i];
  }
  return plain;
}

// Owner (its port) of every slot, from CLUSTER SLOTS of `s`.
std::vector<int> slot_owners(const server_process& s) {
  std::vector<int> owner(16384, 0);
  resp_value v = s.call({"CLUSTER", "SLOTS"});
  for (auto& r : v.elements) {
    if (r.elements.size() < 3) continue;
    for (int64_t slot = r.elements[0].integer; slot <= r.elements[1].integer; slot++)
      owner[size_t(slot)] = int(r.elements[2].elements[1].integer);
  }
  return owner;
}

// Nodes of one kind, all on 127.0.0.1, client ports and bus ports each a
// block below the ephemeral range.
struct rig {
  kind k;
  std::string name;
  std::vector<std::unique_ptr<server_process>> nodes;

  rig(kind k_, int count) : k(k_), name(k_ == kind::troupe ? "troupe" : "redis") {
    int base = free_port_block(count);
    int bus = free_port_block(count, base);
    for (int i = 0; i < count; i++)
      nodes.push_back(std::make_unique<server_process>(
          std::vector<std::string>{"--port", std::to_string(base + i), "--cluster-enabled", "yes",
                                   "--cluster-port", std::to_string(bus + i),
                                   "--cluster-node-timeout", "2000", "--save", "",
                                   "--repl-diskless-sync-delay", "0"},
          k));
  }
  server_process& operator[](size_t i) { return *nodes[i]; }
  std::string addr(size_t i) const { return "127.0.0.1:" + std::to_string(nodes[i]->port()); }
  std::string id(size_t i) const { return nodes[i]->call({"CLUSTER", "MYID"}).str; }
  size_t index_of_port(int port) const {
    for (size_t i = 0; i < nodes.size(); i++)
      if (nodes[i]->port() == port) return i;
    return nodes.size();
  }

  std::string cluster(const std::vector<std::string>& args, int* status,
                      const std::string& answer = "") const {
    std::vector<std::string> full = {"--cluster"};
    full.insert(full.end(), args.begin(), args.end());
    return redis_cli(full, status, answer);
  }
  int check(size_t seed) const {
    int st = -1;
    cluster({"check", addr(seed)}, &st);
    return st;
  }

  // Every live node knows exactly the live nodes (no handshake, no failure
  // flag) besides the `dead` ones (which it must see failed), is ok, and
  // `--cluster check` passes.
  bool converged(const std::vector<size_t>& live, const std::set<std::string>& dead = {}) {
    for (size_t i : live) {
      auto view = nodes_of(*nodes[i]);
      if (view.size() != live.size() + dead.size()) return false;
      for (auto& n : view) {
        if (dead.count(n.id)) {
          if (!n.has("fail") || n.has("fail?")) return false;
          continue;
        }
        if (n.has("handshake") || n.has("fail") || n.has("noaddr") || n.open) return false;
      }
      if (!state_ok(*nodes[i])) return false;
    }
    return check(live.front()) == 0;
  }

  // Sets `count` keys prefix:0.. on their owners.
  void load(const std::string& prefix, int count, size_t seed) {
    auto owner = slot_owners(*nodes[seed]);
    std::map<int, resp_client> conn;
    for (int i = 0; i < count; i++) {
      std::string key = prefix + ":" + std::to_string(i);
      int port = owner[size_t(key_slot(key))];
      auto it = conn.find(port);
      if (it == conn.end()) {
        it = conn.emplace(port, resp_client()).first;
        it->second.connect("127.0.0.1", port, 5000);
      }
      resp_value r = it->second.call({"SET", key, "v"});
      EXPECT_EQ(r.str, "OK") << name << " " << key << " on " << port;
    }
  }

  int64_t keys(const std::vector<size_t>& on) {
    int64_t n = 0;
    for (size_t i : on) n += nodes[i]->call({"DBSIZE"}).integer;
    return n;
  }

  // Slot counts of the given nodes, sorted.
  std::string layout(const std::vector<size_t>& masters) {
    std::vector<int> v;
    for (size_t i : masters) v.push_back(myself_of(*nodes[i]).slots);
    std::sort(v.begin(), v.end());
    std::string s;
    for (int x : v) s += std::to_string(x) + " ";
    return s;
  }
};

// What must come out the same on Troupe and on redis-server.
struct tools_outcome {
  std::vector<std::pair<std::string, int>> statuses;  // step, exit status
  std::vector<std::pair<std::string, std::string>> facts;
  std::string timeline;  // seconds from the start at each step, for the log
};

// The tools' scenario on five fresh nodes of `k`: 0-2 created as masters,
// 3 added as an empty master, 4 added as its replica.
tools_outcome run_tools(kind k) {
  tools_outcome out;
  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  rig r(k, 5);
  const std::string& who = r.name;
  for (auto& n : r.nodes)
    if (!n->start()) {
      ADD_FAILURE() << who << " node did not start";
      return out;
    }
  auto step = [&](const std::string& label, const std::vector<std::string>& args,
                  const std::string& answer = "") {
    int st = -1;
    std::string text = r.cluster(args, &st, answer);
    out.statuses.emplace_back(label, st);
    char at[32];
    snprintf(at, sizeof at, " %.1f ", std::chrono::duration<double>(clock::now() - t0).count());
    out.timeline += label + at;
    return text;
  };
  auto fact = [&](const std::string& label, const std::string& value) {
    out.facts.emplace_back(label, value);
  };
  const std::vector<size_t> first3 = {0, 1, 2};
  std::vector<size_t> live = first3;
  auto wait_converged = [&](const char* what) {
    bool ok = wait_for([&] { return r.converged(live); }, 30000);
    EXPECT_TRUE(ok) << who << ": not converged after " << what << "\n"
                    << r.cluster({"check", r.addr(0)}, nullptr);
    return ok;
  };

  std::string text = step("create", {"create", r.addr(0), r.addr(1), r.addr(2), "--cluster-yes"});
  EXPECT_NE(text.find("[OK] All 16384 slots covered"), std::string::npos) << who << text;
  if (!wait_converged("create")) return out;
  std::vector<std::string> id(5);
  for (size_t i = 0; i < 5; i++) id[i] = r.id(i);
  r.load("k", 600, 0);
  EXPECT_EQ(r.keys(first3), 600) << who;

  // info: one line per master and the total.
  text = step("info", {"info", r.addr(1)});
  EXPECT_NE(text.find("[OK] 600 keys in 3 masters."), std::string::npos) << who << text;
  for (size_t i : first3) {
    std::string line = r.addr(i) + " (" + id[i].substr(0, 8) + "...) -> " +
                       std::to_string(r[i].call({"DBSIZE"}).integer) + " keys | " +
                       std::to_string(myself_of(r[i]).slots) + " slots | 0 slaves.";
    EXPECT_NE(text.find(line), std::string::npos) << who << " " << line << "\n" << text;
  }

  // call: the command on every node, each answering for itself.
  text = step("call", {"call", r.addr(2), "DBSIZE"});
  EXPECT_NE(text.find(">>> Calling DBSIZE"), std::string::npos) << who << text;
  for (size_t i : first3) {
    std::string line = r.addr(i) + ": " + std::to_string(r[i].call({"DBSIZE"}).integer) + "\n";
    EXPECT_NE(text.find(line), std::string::npos) << who << " " << line << "\n" << text;
  }

  // Uneven: 200 slots from node 1 to node 0 (more than rebalance's 2%
  // threshold); rebalance evens them out.
  step("reshard", {"reshard", r.addr(0), "--cluster-from", id[1], "--cluster-to", id[0],
                   "--cluster-slots", "200", "--cluster-yes"});
  if (!wait_converged("reshard")) return out;
  fact("after reshard", r.layout(first3));
  EXPECT_EQ(myself_of(r[0]).slots, 5461 + 200) << who;
  EXPECT_EQ(r.keys(first3), 600) << who;
  text = step("rebalance", {"rebalance", r.addr(0)});
  if (!wait_converged("rebalance")) return out;
  fact("after rebalance", r.layout(first3));
  EXPECT_EQ(r.layout(first3), "5461 5461 5462 ") << who << text;
  EXPECT_EQ(r.keys(first3), 600) << who;

  // add-node as a master: empty, and left alone by a plain rebalance.
  text = step("add-node", {"add-node", r.addr(3), r.addr(0)});
  EXPECT_NE(text.find("[OK] New node added correctly."), std::string::npos) << who << text;
  live = {0, 1, 2, 3};
  if (!wait_converged("add-node")) return out;
  EXPECT_TRUE(myself_of(r[3]).has("master")) << who;
  text = step("rebalance-no-empty", {"rebalance", r.addr(0)});
  EXPECT_NE(text.find("No rebalancing needed"), std::string::npos) << who << text;
  EXPECT_EQ(myself_of(r[3]).slots, 0) << who;
  // With --cluster-use-empty-masters it takes its share (a small weight keeps
  // the move short: 16384 * 0.02 / 3.02 slots).
  text = step("rebalance-empty", {"rebalance", r.addr(0), "--cluster-use-empty-masters",
                                  "--cluster-weight", id[3] + "=0.02"});
  if (!wait_converged("rebalance --cluster-use-empty-masters")) return out;
  const std::vector<size_t> four = {0, 1, 2, 3};
  fact("after rebalance-empty", r.layout(four));
  EXPECT_GT(myself_of(r[3]).slots, 80) << who << text;
  EXPECT_LT(myself_of(r[3]).slots, 140) << who << text;
  EXPECT_EQ(r.keys(four), 600) << who;

  // add-node as a replica of node 3.
  text = step("add-node-replica",
              {"add-node", r.addr(4), r.addr(0), "--cluster-slave", "--cluster-master-id", id[3]});
  live = {0, 1, 2, 3, 4};
  if (!wait_converged("add-node --cluster-slave")) return out;
  EXPECT_TRUE(wait_for(
      [&] {
        cluster_node_line me = myself_of(r[4]);
        if (!me.has("slave") || me.master != id[3]) return false;
        if (info_field(r[4].call({"INFO", "replication"}).str, "master_link_status") != "up")
          return false;
        for (size_t i : live)
          for (auto& n : nodes_of(r[i]))
            if (n.id == id[4] && (!n.has("slave") || n.master != id[3])) return false;
        return true;
      },
      30000))
      << who << " " << r[4].call({"CLUSTER", "NODES"}).str;
  text = step("info-replica", {"info", r.addr(0)});
  EXPECT_NE(text.find("(" + id[3].substr(0, 8) + "...) -> " +
                      std::to_string(r[3].call({"DBSIZE"}).integer) + " keys | " +
                      std::to_string(myself_of(r[3]).slots) + " slots | 1 slaves."),
            std::string::npos)
      << who << text;

  // fix, 1: a slot of node 0 left migrating to node 1 (and importing there),
  // with keys in it.
  auto owner = slot_owners(r[0]);
  int open_slot = -1;
  for (int s = 16383; s >= 0 && open_slot < 0; s--)
    if (owner[size_t(s)] == r[0].port()) open_slot = s;
  std::string tag = tag_for_slot(open_slot);
  for (int i = 0; i < 5; i++)
    EXPECT_EQ(r[0].call({"SET", "{" + tag + "}" + std::to_string(i), "x"}).str, "OK");
  EXPECT_EQ(r[1].call({"CLUSTER", "SETSLOT", std::to_string(open_slot), "IMPORTING", id[0]}).str,
            "OK");
  EXPECT_EQ(r[0].call({"CLUSTER", "SETSLOT", std::to_string(open_slot), "MIGRATING", id[1]}).str,
            "OK");
  out.statuses.emplace_back("check-open-slot", r.check(0));
  text = step("fix-open-slot", {"fix", r.addr(0), "--cluster-yes"});
  if (!wait_converged("fix of an open slot")) return out;
  size_t open_owner = r.index_of_port(slot_owners(r[2])[size_t(open_slot)]);
  fact("open slot's owner", std::to_string(open_owner));
  EXPECT_EQ(r[open_owner].call({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(open_slot)}).integer,
            5)
      << who << text;
  EXPECT_EQ(r.keys(four), 605) << who;

  // fix, 2: node 2 drops one of its slots (with keys): no one covers it.
  owner = slot_owners(r[0]);
  int lost_slot = -1;
  for (int s = 0; s < 16384 && lost_slot < 0; s++)
    if (owner[size_t(s)] == r[2].port()) lost_slot = s;
  tag = tag_for_slot(lost_slot);
  for (int i = 0; i < 3; i++)
    EXPECT_EQ(r[2].call({"SET", "{" + tag + "}" + std::to_string(i), "y"}).str, "OK");
  EXPECT_EQ(r[2].call({"CLUSTER", "DELSLOTS", std::to_string(lost_slot)}).str, "OK");
  EXPECT_TRUE(wait_for([&] { return !state_ok(r[2]); }, 10000)) << who;
  out.statuses.emplace_back("check-uncovered", r.check(0));
  text = step("fix-uncovered", {"fix", r.addr(0), "--cluster-yes"}, "yes\\n");
  EXPECT_NE(text.find("Covering slot " + std::to_string(lost_slot) + " with " + r.addr(2)),
            std::string::npos)
      << who << text;
  if (!wait_converged("fix of an uncovered slot")) return out;
  size_t lost_owner = r.index_of_port(slot_owners(r[1])[size_t(lost_slot)]);
  fact("uncovered slot's owner", std::to_string(lost_owner));
  EXPECT_EQ(lost_owner, 2u) << who << text;
  EXPECT_EQ(r.keys(four), 608) << who;

  // del-node: a master with slots is refused; the replica goes; the master
  // goes once emptied by rebalance with weight 0.
  text = step("del-node-not-empty", {"del-node", r.addr(0), id[3]});
  text = step("del-node-replica", {"del-node", r.addr(0), id[4]});
  live = {0, 1, 2, 3};
  if (!wait_converged("del-node of the replica")) return out;
  text = step("rebalance-away", {"rebalance", r.addr(0), "--cluster-weight", id[3] + "=0"});
  EXPECT_EQ(myself_of(r[3]).slots, 0) << who << text;
  // Emptied, node 3 follows the node that took its last slot (Redis 7.0's
  // cluster-allow-replica-migration). del-node waits until it has synced: a
  // node loading a full sync answers LOADING (Troupe always loads in the
  // background, Redis blocks), and redis-cli gives up on it ("Unable to load
  // info for node").
  bool follows = wait_for(
      [&] {
        if (!myself_of(r[3]).has("slave")) return false;
        return info_field(r[3].call({"INFO", "replication"}).str, "master_link_status") == "up" &&
               info_field(r[3].call({"INFO", "persistence"}).str, "loading") == "0";
      },
      20000);
  fact("emptied master follows", follows ? "yes" : "no");
  text = step("del-node-master", {"del-node", r.addr(0), id[3]});
  EXPECT_NE(text.find("Sending CLUSTER RESET SOFT to the deleted node."), std::string::npos)
      << who << text;
  live = first3;
  if (!wait_converged("del-node of the master")) return out;
  // The deleted nodes were reset: each knows only itself.
  for (size_t i : {3, 4}) {
    EXPECT_EQ(nodes_of(r[i]).size(), 1u) << who << " " << i << r[i].call({"CLUSTER", "NODES"}).str;
    EXPECT_EQ(myself_of(r[i]).slots, 0) << who;
    fact("keys of deleted node " + std::to_string(i),
         std::to_string(r[i].call({"DBSIZE"}).integer));
  }
  fact("final layout", r.layout(first3));
  fact("final keys", std::to_string(r.keys(first3)));
  EXPECT_EQ(r.keys(first3), 608) << who;
  out.statuses.emplace_back("final-check", r.check(1));
  return out;
}

TEST(ClusterTools, RedisCliClusterSubcommandsMatchRedis) {
  // Both at once: most of the time goes in waiting for gossip.
  auto t0 = std::chrono::steady_clock::now();
  auto timed = [&](kind k, double* seconds) {
    tools_outcome o = run_tools(k);
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return o;
  };
  double ts = 0, rs = 0;
  auto redis_side = std::async(std::launch::async, timed, kind::redis, &rs);
  tools_outcome t = timed(kind::troupe, &ts);
  tools_outcome r = redis_side.get();
  std::cout << "troupe " << ts << " s, redis " << rs << " s\ntroupe:" << t.timeline
            << "\nredis: " << r.timeline << "\n";
  EXPECT_EQ(t.statuses, r.statuses);
  EXPECT_EQ(t.facts, r.facts);
  // What Redis gives, spelled out (a failing comparison above shows which side moved).
  std::map<std::string, int> want = {
      {"check-open-slot", 1}, {"check-uncovered", 1}, {"del-node-not-empty", 1}};
  for (auto& [label, st] : t.statuses) EXPECT_EQ(st, want.count(label) ? want[label] : 0) << label;
}

}  // namespace

namespace {

// The client side: a script that writes key <prefix>:<n> = n and reads back a
// random acknowledged key, without pause, until told "stop" on its stdin.
// Lines on stdin: "phase NAME" (resumes too), "pause" (answers "paused" once
// no command is in flight), "stop". It prints "first NAME" and "hundred NAME"
// at a phase's first and 100th acknowledged write, then, after reading every acknowledged key back:
//   stat PHASE OK ERRORS READ_OK READ_BAD LOST
//   error PHASE COUNT MESSAGE
//   done ACKED
const char* python_client = R"PY(
import logging, random, sys, threading, time
from redis.cluster import RedisCluster, ClusterNode
from redis.exceptions import RedisClusterException

logging.disable(logging.CRITICAL)  # redis-py logs every MOVED it follows
ports = [int(p) for p in sys.argv[1].split(",")]
prefix = sys.argv[2]

def connect():
    return RedisCluster(startup_nodes=[ClusterNode("127.0.0.1", p) for p in ports],
                        socket_timeout=3.0, socket_connect_timeout=1.0)

rc = connect()
ctl = {"phase": "warm", "pause": False, "stop": False}

def control():
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        if w[0] == "phase":
            ctl["phase"] = w[1]
            ctl["pause"] = False
        elif w[0] == "pause":
            ctl["pause"] = True
        elif w[0] == "stop":
            break
    ctl["stop"] = True

threading.Thread(target=control, daemon=True).start()

def say(*a):
    print(*a, flush=True)

stats = {}
def st(ph):
    return stats.setdefault(ph, {"ok": 0, "err": 0, "read_ok": 0, "read_bad": 0, "errors": {}})

def failed(s, what, e):
    global rc
    s["err"] += 1
    m = "%s %s: %s" % (what, type(e).__name__, str(e)[:300].replace("\n", " "))
    s["errors"][m] = s["errors"].get(m, 0) + 1
    # redis-py 4.3.4 cannot refresh its slot map once a node is gone (on this
    # Python, "cannot pickle '_thread.lock' object" on every later command,
    # against redis-server too): a fresh client can.
    if isinstance(e, RedisClusterException):
        try:
            rc = connect()
        except Exception:
            time.sleep(0.1)

acked = []
seen = set()
seq = 0
paused_said = False
deadline = time.time() + 240
while not ctl["stop"] and time.time() < deadline:
    if ctl["pause"]:
        if not paused_said:
            say("paused")
            paused_said = True
        time.sleep(0.002)
        continue
    paused_said = False
    ph = ctl["phase"]
    s = st(ph)
    k = "%s:%d" % (prefix, seq)
    v = str(seq)
    seq += 1
    try:
        if rc.set(k, v) is True:
            s["ok"] += 1
            acked.append((k, v, ph))
            if ph not in seen:
                seen.add(ph)
                say("first", ph)
            if s["ok"] == 100:
                say("hundred", ph)
        else:
            s["err"] += 1
    except Exception as e:
        failed(s, "set", e)
    if acked:
        rk, rv, _ = random.choice(acked)
        try:
            if rc.get(rk) == rv.encode():
                s["read_ok"] += 1
            else:
                s["read_bad"] += 1
        except Exception as e:
            failed(s, "get", e)
    time.sleep(0.0005)

lost = {}
for k, v, ph in acked:
    got = None
    for attempt in range(20):
        try:
            got = rc.get(k)
            break
        except Exception as e:
            failed(st("verify"), "get", e)
            time.sleep(0.1)
    if got != v.encode():
        lost[ph] = lost.get(ph, 0) + 1
for ph, s in stats.items():
    say("stat", ph, s["ok"], s["err"], s["read_ok"], s["read_bad"], lost.get(ph, 0))
    for m, n in s["errors"].items():
        say("error", ph, n, m)
say("done", len(acked))
)PY";

// The same with ioredis's Cluster (options as a production service would set
// them: retries on MOVED/ASK/TRYAGAIN/CLUSTERDOWN, a bounded wait per command).
const char* node_client = R"JS(
'use strict';
const readline = require('readline');
const Redis = require('ioredis');
const ports = process.argv[2].split(',').map(Number);
const prefix = process.argv[3];
const c = new Redis.Cluster(ports.map((port) => ({ host: '127.0.0.1', port })), {
  scaleReads: 'master', maxRedirections: 16, retryDelayOnFailover: 200,
  retryDelayOnClusterDown: 200, retryDelayOnTryAgain: 200, slotsRefreshTimeout: 2000,
  clusterRetryStrategy: (times) => Math.min(100 * times, 1000),
  redisOptions: { maxRetriesPerRequest: 3 },
});
c.on('error', () => {});
const say = (...a) => process.stdout.write(a.join(' ') + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function timed(p) {
  let timer;
  return Promise.race([p, new Promise((_, rej) => {
    timer = setTimeout(() => rej(new Error('client timeout')), 3000);
  })]).finally(() => clearTimeout(timer));
}
const ctl = { phase: 'warm', pause: false, stop: false };
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const w = line.trim().split(/\s+/);
  if (w[0] === 'phase') { ctl.phase = w[1]; ctl.pause = false; }
  if (w[0] === 'pause') ctl.pause = true;
  if (w[0] === 'stop') ctl.stop = true;
});
rl.on('close', () => { ctl.stop = true; });
const stats = {};
const st = (ph) => (stats[ph] = stats[ph] || { ok: 0, err: 0, read_ok: 0, read_bad: 0, errors: {} });
function failed(s, what, e) {
  s.err++;
  const m = `${what} ${String((e && e.message) || e).slice(0, 300).replace(/\n/g, ' ')}`;
  s.errors[m] = (s.errors[m] || 0) + 1;
}
async function main() {
  const acked = [];
  const seen = new Set();
  let seq = 0;
  let pausedSaid = false;
  const deadline = Date.now() + 240000;
  while (!ctl.stop && Date.now() < deadline) {
    if (ctl.pause) {
      if (!pausedSaid) { say('paused'); pausedSaid = true; }
      await sleep(2);
      continue;
    }
    pausedSaid = false;
    const ph = ctl.phase;
    const s = st(ph);
    const k = `${prefix}:${seq}`;
    const v = String(seq);
    seq++;
    try {
      const r = await timed(c.set(k, v));
      if (r === 'OK') {
        s.ok++;
        acked.push([k, v, ph]);
        if (!seen.has(ph)) { seen.add(ph); say('first', ph); }
        if (s.ok === 100) say('hundred', ph);
      } else s.err++;
    } catch (e) { failed(s, 'set', e); }
    if (acked.length) {
      const [rk, rv] = acked[Math.floor(Math.random() * acked.length)];
      try {
        if ((await timed(c.get(rk))) === rv) s.read_ok++; else s.read_bad++;
      } catch (e) { failed(s, 'get', e); }
    }
    await sleep(0);
  }
  const lost = {};
  for (let i = 0; i < acked.length; i += 200) {
    const batch = acked.slice(i, i + 200);
    await Promise.all(batch.map(async ([k, v, ph]) => {
      let got;
      for (let attempt = 0; attempt < 10; attempt++) {
        try { got = await timed(c.get(k)); break; } catch (e) { await sleep(200); }
      }
      if (got !== v) lost[ph] = (lost[ph] || 0) + 1;
    }));
  }
  for (const [ph, s] of Object.entries(stats)) {
    say('stat', ph, s.ok, s.err, s.read_ok, s.read_bad, lost[ph] || 0);
    for (const [m, n] of Object.entries(s.errors)) say('error', ph, n, m);
  }
  say('done', acked.length);
  c.disconnect();
  process.exit(0);
}
main();
)JS";

// A client script running with its stdin held here and its output in a file.
class client_run {
 public:
  client_run(const std::string& cmd, std::string out_path) : out_(std::move(out_path)) {
    in_ = popen((cmd + " > " + out_ + " 2>&1").c_str(), "w");
  }
  ~client_run() { finish(); }
  bool started() const { return in_ != nullptr; }
  void send(const std::string& line) {
    if (in_ == nullptr) return;
    fputs((line + "\n").c_str(), in_);
    fflush(in_);
  }
  std::string output() const { return read_file(out_); }
  bool said(const std::string& line) const {
    return ("\n" + output()).find("\n" + line + "\n") != std::string::npos;
  }
  // Tells it to stop and waits for it; its exit status.
  int finish() {
    if (in_ == nullptr) return -1;
    send("stop");
    int st = pclose(in_);
    in_ = nullptr;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }

 private:
  FILE* in_ = nullptr;
  std::string out_;
};

struct phase_stat {
  int64_t ok = -1, err = -1, read_ok = -1, read_bad = -1, lost = -1;
};

std::map<std::string, phase_stat> stats_of(const std::string& out) {
  std::map<std::string, phase_stat> m;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream l(line);
    std::string word, phase;
    l >> word;
    if (word != "stat") continue;
    phase_stat s;
    l >> phase >> s.ok >> s.err >> s.read_ok >> s.read_bad >> s.lost;
    m[phase] = s;
  }
  return m;
}

// Six Troupe nodes formed by `redis-cli --cluster create --cluster-replicas 1`,
// shared by the client tests: each reshards between two masters and kills
// a third one that still has a replica.
class ClusterClients : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);  // a client that died must not take the test down
    r_ = new rig(kind::troupe, 6);
    for (auto& n : r_->nodes)
      if (!n->start()) return;
    int st = -1;
    std::vector<std::string> args = {"create"};
    for (size_t i = 0; i < 6; i++) args.push_back(r_->addr(i));
    args.insert(args.end(), {"--cluster-replicas", "1", "--cluster-yes"});
    r_->cluster(args, &st);
    if (st != 0) return;
    for (size_t i = 0; i < 6; i++) live_.push_back(i);
    ready_ = wait_for([] { return r_->converged(live_) && replicas_synced(); }, 30000);
    if (!ready_) {
      std::cout << "converged " << r_->converged(live_) << " synced " << replicas_synced() << "\n"
                << r_->cluster({"check", r_->addr(0)}, nullptr);
      for (size_t i = 0; i < 6; i++) std::cout << (*r_)[i].call({"INFO", "replication"}).str;
    }
  }
  static void TearDownTestSuite() {
    delete r_;
    r_ = nullptr;
  }

  // Every live replica's link is up and it has its master's offset.
  static bool replicas_synced() {
    std::map<std::string, size_t> by_id;
    for (size_t i : live_) by_id[r_->id(i)] = i;
    for (size_t i : live_) {
      cluster_node_line me = myself_of((*r_)[i]);
      if (!me.has("slave")) continue;
      std::string info = (*r_)[i].call({"INFO", "replication"}).str;
      if (info_field(info, "master_link_status") != "up" || !by_id.count(me.master)) return false;
      std::string mine = info_field(info, "master_repl_offset");
      std::string theirs = info_field((*r_)[by_id[me.master]].call({"INFO", "replication"}).str,
                                      "master_repl_offset");
      if (mine.empty() || mine != theirs) return false;
    }
    return true;
  }

  // Runs `cmd` (a client script taking the seed ports and a key prefix)
  // through a reshard and a kill -9; checks and prints its counts.
  static void reshard_and_failover(const std::string& cmd, const std::string& prefix) {
    ASSERT_TRUE(ready_) << "the cluster did not form";
    rig& r = *r_;
    // Masters with slots; the victim has a live replica (its heir).
    std::vector<size_t> masters;
    size_t victim = 99, heir = 99;
    for (size_t i : live_) {
      cluster_node_line me = myself_of(r[i]);
      if (me.has("master") && me.slots > 0) masters.push_back(i);
    }
    ASSERT_EQ(masters.size(), 3u);
    for (size_t m : masters)
      for (size_t i : live_)
        if (victim == 99 && myself_of(r[i]).master == r.id(m)) victim = m, heir = i;
    ASSERT_NE(victim, 99u);
    std::vector<size_t> others;
    for (size_t m : masters)
      if (m != victim) others.push_back(m);
    std::string from = r.id(others[0]), to = r.id(others[1]);

    std::string seeds;
    for (size_t i : live_) seeds += (seeds.empty() ? "" : ",") + std::to_string(r[i].port());
    std::string out = r[0].dir() + "/" + prefix + "-client.txt";
    client_run c(cmd + " " + seeds + " " + prefix, out);
    ASSERT_TRUE(c.started());
    // Some keys in place before slots move.
    int64_t before = r.keys(masters);
    ASSERT_TRUE(wait_for([&] { return r.keys(masters) >= before + 300 || c.said("done"); }, 20000))
        << c.output();
    ASSERT_TRUE(c.said("first warm")) << c.output();

    c.send("phase reshard");
    int st = -1;
    std::string text = r.cluster({"reshard", r.addr(others[0]), "--cluster-from", from,
                                  "--cluster-to", to, "--cluster-slots", "200", "--cluster-yes"},
                                 &st);
    EXPECT_EQ(st, 0) << text;
    EXPECT_TRUE(wait_for([&] { return r.converged(live_, dead_); }, 30000))
        << r.cluster({"check", r.addr(live_.front())}, nullptr);
    EXPECT_TRUE(c.said("first reshard")) << c.output();

    // Quiet: every acknowledged write so far is on the replicas.
    c.send("pause");
    EXPECT_TRUE(wait_for([&] { return c.said("paused"); }, 20000)) << c.output();
    EXPECT_TRUE(wait_for(replicas_synced, 20000));
    c.send("phase kill");
    EXPECT_TRUE(wait_for([&] { return c.said("first kill"); }, 20000)) << c.output();
    std::string victim_id = r.id(victim);
    auto t0 = std::chrono::steady_clock::now();
    r[victim].kill_now();
    live_.erase(std::find(live_.begin(), live_.end(), victim));
    dead_.insert(victim_id);
    bool took_over = wait_for(
        [&] {
          if (!myself_of(r[heir]).has("master")) return false;
          for (size_t i : live_)
            if (!state_ok(r[i])) return false;
          return true;
        },
        30000);
    EXPECT_TRUE(took_over);
    double failover_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    c.send("phase after");
    EXPECT_TRUE(wait_for([&] { return c.said("hundred after"); }, 20000)) << c.output();
    EXPECT_EQ(c.finish(), 0);
    std::string result = c.output();
    ASSERT_NE(result.find("\ndone "), std::string::npos) << result;
    auto stats = stats_of(result);
    std::cout << prefix << ": failover " << failover_s << " s\n";
    for (auto& [phase, s] : stats)
      std::cout << prefix << " " << phase << ": acked " << s.ok << ", errors " << s.err
                << ", reads ok " << s.read_ok << ", reads wrong " << s.read_bad << ", lost "
                << s.lost << "\n";
    for (const char* phase : {"warm", "reshard", "kill", "after"})
      EXPECT_GT(stats[phase].ok, 0) << phase << "\n" << result;
    // Nothing lost and no error while slots move; nothing lost before the
    // kill (the replicas had caught up) nor after it.
    for (const char* phase : {"warm", "reshard"}) {
      EXPECT_EQ(stats[phase].err, 0) << phase << "\n" << result;
      EXPECT_EQ(stats[phase].read_bad, 0) << phase << "\n" << result;
    }
    for (const char* phase : {"warm", "reshard", "after"})
      EXPECT_EQ(stats[phase].lost, 0) << phase << "\n" << result;
    // At the kill: only what the victim acknowledged and had not yet sent
    // to its replica can be gone.
    EXPECT_LT(stats["kill"].lost, stats["kill"].ok) << result;
    std::cout << result.substr(result.find("\nstat ") + 1);
  }

  static rig* r_;
  static std::vector<size_t> live_;
  static std::set<std::string> dead_;  // ids of the killed masters
  static bool ready_;
};
rig* ClusterClients::r_ = nullptr;
std::vector<size_t> ClusterClients::live_;
std::set<std::string> ClusterClients::dead_;
bool ClusterClients::ready_ = false;

std::string write_script(const std::string& name, const char* text) {
  std::string path = temp_dir("troupe-cluster-clients") + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST_F(ClusterClients, RedisPyThroughReshardAndFailover) {
  reshard_and_failover("/usr/bin/python3 " + write_script("client.py", python_client), "py");
}

TEST_F(ClusterClients, IoredisThroughReshardAndFailover) {
  // ioredis comes from npm (`npm install` in examples/clients/node), as in
  // examples/clients/clients_test.cpp.
  std::string dir = std::string(TROUPE_SOURCE_DIR) + "/examples/clients/node";
  int status = -1;
  run_command("cd " + dir + " && node -e 'require(\"ioredis\")' 2>/dev/null", &status);
  if (status != 0) GTEST_SKIP() << "ioredis is not installed in examples/clients/node";
  reshard_and_failover(
      "NODE_PATH=" + dir + "/node_modules node " + write_script("client.js", node_client), "js");
}

}  // namespace
