// Redis Cluster mode with real troupe-server processes: a cluster formed by
// the stock `redis-cli --cluster create`, replicas following their masters,
// kill -9 of a master and its replica's election, the old master back as a
// replica, identity and slots kept across restarts in nodes.conf, PUBLISH
// reaching every node over the bus, faults injected on the bus (Redis's
// DEBUG DROP-CLUSTER-PACKET-FILTER and Troupe's CLUSTER-LINK-FILTER), and
// CLUSTER's replies compared with a redis-server 7.0 cluster node.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "support/cluster_nodes.hpp"
#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe::test;
using troupe::resp_client;
using troupe::resp_value;

namespace {

bool state_ok(const server_process& s) {
  return s.call({"CLUSTER", "INFO"}).str.find("cluster_state:ok") != std::string::npos;
}

std::unique_ptr<server_process> cluster_node(int node_timeout_ms = 1000) {
  return std::make_unique<server_process>(std::vector<std::string>{
      "--port", std::to_string(free_port()), "--cluster-enabled", "yes", "--cluster-port",
      std::to_string(free_port()), "--cluster-node-timeout", std::to_string(node_timeout_ms),
      "--save", "", "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0"});
}

}  // namespace

TEST(Cluster, SingleNodeKeepsIdentitySlotsAndEpochsAcrossRestart) {
  auto n = cluster_node();
  ASSERT_TRUE(n->start());
  EXPECT_EQ(info_field(n->call({"INFO", "cluster"}).str, "cluster_enabled"), "1");
  std::string id = n->call({"CLUSTER", "MYID"}).str;
  ASSERT_EQ(id.size(), 40u);
  EXPECT_EQ(info_field(n->call({"CLUSTER", "INFO"}).str, "cluster_state"), "fail");
  EXPECT_EQ(n->call({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"}).str, "OK");
  EXPECT_EQ(n->call({"CLUSTER", "SET-CONFIG-EPOCH", "5"}).str, "OK");
  ASSERT_TRUE(wait_for([&] { return state_ok(*n); }, 20000));
  EXPECT_EQ(myself_of(*n).slots, 16384);
  EXPECT_EQ(n->stop(), 0);
  ASSERT_TRUE(n->start());
  EXPECT_EQ(n->call({"CLUSTER", "MYID"}).str, id);
  EXPECT_EQ(myself_of(*n).slots, 16384);
  EXPECT_EQ(info_field(n->call({"CLUSTER", "INFO"}).str, "cluster_my_epoch"), "5");
  ASSERT_TRUE(wait_for([&] { return state_ok(*n); }, 20000));
  // kill -9 too: the file was written when it changed, not at exit.
  n->kill_now();
  ASSERT_TRUE(n->start());
  EXPECT_EQ(n->call({"CLUSTER", "MYID"}).str, id);
}

TEST(Cluster, SecondServerOnTheSameNodesConfIsRefused) {
  auto a = cluster_node();
  ASSERT_TRUE(a->start());
  server_process b({"--cluster-enabled", "yes", "--cluster-port", std::to_string(free_port()),
                    "--cluster-config-file", a->dir() + "/nodes.conf"});
  EXPECT_FALSE(b.start());
  EXPECT_NE(read_file(b.log_file()).find("is already used by a different Redis Cluster node"),
            std::string::npos);
  // Saves exchange nodes.conf with a spare file: the lock stays with whichever
  // file is at the path, after an odd and an even number of saves, and the
  // file there is the latest.
  for (int slot = 1; slot <= 2; slot++) {
    EXPECT_EQ(a->call({"CLUSTER", "ADDSLOTS", std::to_string(slot)}).str, "OK");
    EXPECT_NE(read_file(a->dir() + "/nodes.conf").find(slot == 1 ? " 1\n" : " 1-2\n"),
              std::string::npos);
    server_process c({"--cluster-enabled", "yes", "--cluster-port", std::to_string(free_port()),
                      "--cluster-config-file", a->dir() + "/nodes.conf"});
    EXPECT_FALSE(c.start());
    EXPECT_NE(read_file(c.log_file()).find("is already used by a different Redis Cluster node"),
              std::string::npos);
  }
  // A clean exit leaves no spare behind.
  EXPECT_EQ(a->stop(), 0);
  EXPECT_FALSE(std::filesystem::exists(a->dir() + "/nodes.conf.tmp"));
  ASSERT_TRUE(a->start());
  EXPECT_EQ(myself_of(*a).slots, 2);
}

TEST(Cluster, RedisCliCreatesSixNodesThenAMasterIsKilledAndItsReplicaTakesOver) {
  std::vector<std::unique_ptr<server_process>> nodes;
  std::vector<std::string> cmd = {"--cluster", "create"};
  for (int i = 0; i < 6; i++) {
    nodes.push_back(cluster_node());
    ASSERT_TRUE(nodes.back()->start());
    cmd.push_back("127.0.0.1:" + std::to_string(nodes.back()->port()));
  }
  cmd.insert(cmd.end(), {"--cluster-replicas", "1", "--cluster-yes"});
  std::string out = nodes[0]->cli(cmd);
  ASSERT_NE(out.find("[OK] All 16384 slots covered"), std::string::npos) << out;

  auto settled = [&](const std::vector<server_process*>& live, int masters, int replicas) {
    for (auto* n : live) {
      if (!state_ok(*n)) return false;
      int m = 0, r = 0;
      for (auto& v : nodes_of(*n)) {
        if (v.failed()) continue;
        if (v.master_role() && v.slots > 0) m++;
        if (v.replica()) r++;
      }
      if (m != masters || r != replicas) return false;
      if (myself_of(*n).replica() &&
          info_field(n->call({"INFO", "replication"}).str, "master_link_status") != "up")
        return false;
    }
    return true;
  };
  std::vector<server_process*> all;
  for (auto& n : nodes) all.push_back(n.get());
  ASSERT_TRUE(wait_for([&] { return settled(all, 3, 3); }, 30000));
  std::string check =
      nodes[0]->cli({"--cluster", "check", "127.0.0.1:" + std::to_string(nodes[0]->port())});
  EXPECT_NE(check.find("[OK] All nodes agree about slots configuration."), std::string::npos)
      << check;

  // The victim: a master; its replica must take its slots over.
  server_process* victim = nullptr;
  server_process* heir = nullptr;
  cluster_node_line victim_view;
  for (auto& n : nodes)
    if (myself_of(*n).master_role()) {
      victim = n.get();
      victim_view = myself_of(*n);
      break;
    }
  ASSERT_NE(victim, nullptr);
  for (auto& n : nodes)
    if (myself_of(*n).master == victim_view.id) heir = n.get();
  ASSERT_NE(heir, nullptr);
  victim->kill_now();
  std::vector<server_process*> live;
  for (auto& n : nodes)
    if (n.get() != victim) live.push_back(n.get());
  ASSERT_TRUE(wait_for(
      [&] {
        cluster_node_line me = myself_of(*heir);
        if (!me.master_role() || me.slots != victim_view.slots) return false;
        for (auto* n : live)
          if (!state_ok(*n)) return false;
        return true;
      },
      30000));
  // Everyone sees the old master as failed.
  for (auto* n : live)
    for (auto& v : nodes_of(*n))
      if (v.id == victim_view.id) {
        EXPECT_TRUE(v.failed()) << v.flags;
      }

  // The old master comes back from its nodes.conf as a replica of its heir.
  ASSERT_TRUE(victim->start());
  std::string heir_id = myself_of(*heir).id;
  EXPECT_TRUE(wait_for(
      [&] {
        cluster_node_line me = myself_of(*victim);
        return me.replica() && me.master == heir_id &&
               info_field(victim->call({"INFO", "replication"}).str, "master_link_status") == "up";
      },
      30000));
  EXPECT_TRUE(wait_for([&] { return settled(all, 3, 3); }, 30000));
}

TEST(Cluster, PublishReachesSubscribersOnEveryNode) {
  auto a = cluster_node();
  auto b = cluster_node();
  ASSERT_TRUE(a->start());
  ASSERT_TRUE(b->start());
  // MEET with the bus port read from b's own CLUSTER NODES (ip:port@cport).
  std::string addr = myself_of(*b).addr;
  std::string cport = addr.substr(addr.find('@') + 1);
  ASSERT_EQ(a->call({"CLUSTER", "MEET", "127.0.0.1", std::to_string(b->port()), cport}).str, "OK");
  ASSERT_TRUE(
      wait_for([&] { return nodes_of(*a).size() == 2 && nodes_of(*b).size() == 2; }, 20000));
  ASSERT_TRUE(wait_for(
      [&] {
        for (auto& v : nodes_of(*b))
          if (v.flags.find("handshake") != std::string::npos) return false;
        return true;
      },
      20000));
  troupe::resp_client sub = b->client();
  resp_value r = sub.call({"SUBSCRIBE", "news"});
  ASSERT_EQ(r.elements.size(), 3u);
  // Local subscribers only are counted, as Redis does.
  EXPECT_EQ(a->call({"PUBLISH", "news", "hello"}).integer, 0);
  resp_value m = sub.read_reply();
  ASSERT_EQ(m.elements.size(), 3u);
  EXPECT_EQ(m.elements[0].str, "message");
  EXPECT_EQ(m.elements[2].str, "hello");
}

TEST(Cluster, DroppedPingsMakeANodeFailAndHealingClearsIt) {
  auto a = cluster_node(600);
  auto b = cluster_node(600);
  auto c = cluster_node(600);
  for (auto* n : {a.get(), b.get(), c.get()}) ASSERT_TRUE(n->start());
  EXPECT_EQ(a->call({"CLUSTER", "ADDSLOTSRANGE", "0", "5000"}).str, "OK");
  EXPECT_EQ(b->call({"CLUSTER", "ADDSLOTSRANGE", "5001", "10000"}).str, "OK");
  EXPECT_EQ(c->call({"CLUSTER", "ADDSLOTSRANGE", "10001", "16383"}).str, "OK");
  for (auto* n : {b.get(), c.get()}) {
    std::string addr = myself_of(*n).addr;
    ASSERT_EQ(a->call({"CLUSTER", "MEET", "127.0.0.1", std::to_string(n->port()),
                       addr.substr(addr.find('@') + 1)})
                  .str,
              "OK");
  }
  ASSERT_TRUE(wait_for([&] { return state_ok(*a) && state_ok(*b) && state_ok(*c); }, 20000));
  std::string cid = myself_of(*c).id;
  // c is cut off from a and b, both ways.
  for (auto* n : {a.get(), b.get()})
    EXPECT_EQ(n->call({"DEBUG", "CLUSTER-LINK-FILTER", cid, "DROP"}).str, "OK");
  for (auto* n : {a.get(), b.get()})
    EXPECT_EQ(c->call({"DEBUG", "CLUSTER-LINK-FILTER", myself_of(*n).id, "DROP"}).str, "OK");
  // The majority marks c FAIL; the cluster is down (its slots are not served).
  ASSERT_TRUE(wait_for(
      [&] {
        for (auto& v : nodes_of(*a))
          if (v.id == cid) return v.failed() && v.flags.find("fail?") == std::string::npos;
        return false;
      },
      20000));
  EXPECT_TRUE(wait_for([&] { return !state_ok(*a) && !state_ok(*b); }, 20000));
  // c, in the minority, goes down too.
  EXPECT_TRUE(wait_for([&] { return !state_ok(*c); }, 20000));
  // Healed: c is reachable again and FAIL is cleared (a master with slots).
  for (auto* n : {a.get(), b.get()})
    EXPECT_EQ(n->call({"DEBUG", "CLUSTER-LINK-FILTER", cid, "PASS"}).str, "OK");
  for (auto* n : {a.get(), b.get()})
    EXPECT_EQ(c->call({"DEBUG", "CLUSTER-LINK-FILTER", myself_of(*n).id, "PASS"}).str, "OK");
  EXPECT_TRUE(wait_for([&] { return state_ok(*a) && state_ok(*b) && state_ok(*c); }, 20000));

  // Redis's filter: c drops every PONG (type 1) it receives; PINGs still
  // arrive (and, as in Redis, keep the senders from looking dead).
  auto counter = [&](const char* name) {
    return std::stoll("0" + info_field(c->call({"CLUSTER", "INFO"}).str, name));
  };
  EXPECT_EQ(c->call({"DEBUG", "DROP-CLUSTER-PACKET-FILTER", "1"}).str, "OK");
  int64_t pongs = counter("cluster_stats_messages_pong_received");
  int64_t pings = counter("cluster_stats_messages_ping_received");
  EXPECT_TRUE(
      wait_for([&] { return counter("cluster_stats_messages_ping_received") > pings + 3; }, 20000));
  EXPECT_EQ(counter("cluster_stats_messages_pong_received"), pongs);
  EXPECT_EQ(c->call({"DEBUG", "DROP-CLUSTER-PACKET-FILTER", "-1"}).str, "OK");
  EXPECT_TRUE(
      wait_for([&] { return counter("cluster_stats_messages_pong_received") > pongs; }, 20000));
  EXPECT_EQ(c->call({"DEBUG", "DROP-CLUSTER-PACKET-FILTER", "x"}).str,
            "ERR value is not an integer or out of range");
}

// Replies and errors a client sees, compared with a redis-server 7.0 node
// in cluster mode (fresh nodes, so both answer from the same state).
TEST(Cluster, CommandRepliesMatchRedis) {
  auto t = cluster_node();
  ASSERT_TRUE(t->start());
  server_process r({"--cluster-enabled", "yes", "--cluster-port", std::to_string(free_port())},
                   server_process::kind::redis);
  ASSERT_TRUE(r.start());
  std::vector<std::vector<std::string>> cases = {
      {"CLUSTER", "ADDSLOTS", "abc"},
      {"CLUSTER", "ADDSLOTS", "16384"},
      {"CLUSTER", "ADDSLOTS", "-1"},
      {"CLUSTER", "ADDSLOTS", "1", "1"},
      {"CLUSTER", "ADDSLOTSRANGE", "5", "1"},
      {"CLUSTER", "ADDSLOTSRANGE", "1"},
      {"CLUSTER", "DELSLOTS", "7"},
      {"CLUSTER", "ADDSLOTS", "7", "8"},
      {"CLUSTER", "ADDSLOTS", "8"},
      {"CLUSTER", "DELSLOTSRANGE", "7", "8"},
      {"CLUSTER", "SETSLOT", "1", "NODE", "0000000000000000000000000000000000000000"},
      {"CLUSTER", "SETSLOT", "1", "BOGUS"},
      {"CLUSTER", "SETSLOT", "99999", "STABLE"},
      {"CLUSTER", "MEET", "127.0.0.1", "notaport"},
      {"CLUSTER", "MEET", "127.0.0.1", "7000", "17000", "extra"},
      {"CLUSTER", "MEET", "127.0.0.1", "70000"},
      {"CLUSTER", "MEET", "no-such-address", "7000"},
      {"CLUSTER", "FORGET", "0000000000000000000000000000000000000000"},
      {"CLUSTER", "REPLICATE", "0000000000000000000000000000000000000000"},
      {"CLUSTER", "COUNT-FAILURE-REPORTS", "0000000000000000000000000000000000000000"},
      {"CLUSTER", "REPLICAS", "abc"},
      {"CLUSTER", "FAILOVER"},
      {"CLUSTER", "FAILOVER", "SOMETIMES"},
      {"CLUSTER", "SET-CONFIG-EPOCH", "-3"},
      {"CLUSTER", "SET-CONFIG-EPOCH", "x"},
      {"CLUSTER", "RESET", "MEDIUM"},
      {"CLUSTER", "KEYSLOT", "{user1000}.following"},
      {"CLUSTER", "KEYSLOT", ""},
      {"CLUSTER", "BOGUS"},
      {"CLUSTER", "INFO", "extra"},
      {"CLUSTER", "FLUSHSLOTS"},
  };
  for (auto& c : cases) {
    resp_value a = t->call(c), b = r.call(c);
    std::string label;
    for (auto& w : c) label += w + " ";
    EXPECT_EQ(a.type, b.type) << label << ": " << a.str << " vs " << b.str;
    EXPECT_EQ(a.str, b.str) << label;
    EXPECT_EQ(a.integer, b.integer) << label;
  }
  // The HELP text, line for line.
  resp_value ha = t->call({"CLUSTER", "HELP"}), hb = r.call({"CLUSTER", "HELP"});
  ASSERT_EQ(ha.elements.size(), hb.elements.size());
  for (size_t i = 0; i < ha.elements.size(); i++) EXPECT_EQ(ha.elements[i].str, hb.elements[i].str);
  // CLUSTER INFO of a fresh node: the same field names in the same order.
  auto names = [](const std::string& text) {
    std::vector<std::string> v;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) v.push_back(line.substr(0, line.find(':')));
    return v;
  };
  EXPECT_EQ(names(t->call({"CLUSTER", "INFO"}).str), names(r.call({"CLUSTER", "INFO"}).str));
}

// A whole cluster in one process (--local-cluster), partitioned on its bus:
// the master cut off from everyone stops taking writes once node-timeout has
// passed; the majority promotes its replica; once healed, the old master
// follows the new one. No slot ever has two masters with the same epoch.
TEST(Cluster, LocalClusterPartitionedMasterStepsDown) {
  int base = free_port_block(6);
  int bus = free_port_block(6, base);
  server_process proc({"--port", std::to_string(base), "--cluster-port", std::to_string(bus),
                       "--local-cluster", "6", "--local-cluster-replicas", "1",
                       "--cluster-node-timeout", "2000", "--save", "", "--enable-debug-command",
                       "yes", "--repl-diskless-sync-delay", "0"});
  ASSERT_TRUE(proc.start());
  auto node = [&](int i) {
    resp_client c;
    c.connect("127.0.0.1", base + i, 5000);
    return c;
  };
  auto call = [&](int i, const std::vector<std::string>& args) { return node(i).call(args); };
  auto ok = [&](int i) {
    return call(i, {"CLUSTER", "INFO"}).str.find("cluster_state:ok") != std::string::npos;
  };
  auto id_of = [&](int i) { return call(i, {"CLUSTER", "MYID"}).str; };
  ASSERT_TRUE(wait_for(
      [&] {
        for (int i = 0; i < 6; i++)
          if (!ok(i)) return false;
        for (int i = 3; i < 6; i++)
          if (info_field(call(i, {"INFO", "replication"}).str, "master_link_status") != "up")
            return false;
        return true;
      },
      30000))
      << "running: " << proc.running() << "\n"
      << proc.log_text();
  // Node 0 is a master; node 3 its replica (the formation's order).
  std::string m = id_of(0), r = id_of(3);
  ASSERT_NE(call(3, {"CLUSTER", "NODES"}).str.find("myself,slave " + m), std::string::npos);
  // A key of node 0's slots.
  std::string key;
  for (int i = 0; key.empty(); i++) {
    std::string k = "k" + std::to_string(i);
    if (call(0, {"CLUSTER", "KEYSLOT", k}).integer < 5461) key = k;
  }
  ASSERT_EQ(call(0, {"SET", key, "before"}).str, "OK");

  for (int i = 1; i < 6; i++) {
    ASSERT_EQ(call(0, {"DEBUG", "CLUSTER-LINK-FILTER", id_of(i), "DROP"}).str, "OK");
    ASSERT_EQ(call(i, {"DEBUG", "CLUSTER-LINK-FILTER", m, "DROP"}).str, "OK");
  }
  // The minority side: writes refused once it sees itself alone.
  EXPECT_TRUE(wait_for(
      [&] {
        return call(0, {"SET", key, "minority"}).str.rfind("CLUSTERDOWN", 0) == 0;
      },
      20000));
  // The majority: node 3 is the master of node 0's slots, the cluster ok.
  EXPECT_TRUE(wait_for(
      [&] {
        std::string nodes = call(3, {"CLUSTER", "NODES"}).str;
        return nodes.find("myself,master") != std::string::npos && ok(1) && ok(2) && ok(3);
      },
      30000));
  resp_value w = call(3, {"SET", key, "after"});
  EXPECT_EQ(w.str, "OK");
  // Healed: node 0 learns the newer epoch and follows node 3.
  for (int i = 1; i < 6; i++) {
    call(0, {"DEBUG", "CLUSTER-LINK-FILTER", id_of(i), "PASS"});
    call(i, {"DEBUG", "CLUSTER-LINK-FILTER", m, "PASS"});
  }
  EXPECT_TRUE(wait_for(
      [&] {
        return call(0, {"CLUSTER", "NODES"}).str.find("myself,slave " + r) != std::string::npos;
      },
      30000));
  EXPECT_TRUE(wait_for(
      [&] {
        for (int i = 0; i < 6; i++)
          if (!ok(i)) return false;
        return call(3, {"GET", key}).str == "after";
      },
      20000))
      << [&] {
           std::string why = "GET on node 3: " + call(3, {"GET", key}).str + "\n";
           for (int i = 0; i < 6; i++)
             why += "node " + std::to_string(i) + ": " +
                    info_field(call(i, {"CLUSTER", "INFO"}).str, "cluster_state") + "\n" +
                    call(i, {"CLUSTER", "NODES"}).str;
           return why + proc.log_text();
         }();
  // Masters' config epochs are all different, on every node's view.
  for (int i = 0; i < 6; i++) {
    std::set<std::string> epochs;
    std::istringstream in(call(i, {"CLUSTER", "NODES"}).str);
    std::string line;
    int masters = 0;
    while (std::getline(in, line)) {
      std::istringstream l(line);
      std::vector<std::string> f;
      std::string x;
      while (l >> x) f.push_back(x);
      if (f.size() > 8 && f[2].find("master") != std::string::npos) {
        masters++;
        epochs.insert(f[6]);
      }
    }
    EXPECT_EQ(masters, 3) << i;
    EXPECT_EQ(epochs.size(), 3u) << i;
  }
}

// As Redis's verifyClusterConfigWithData: a node whose data has keys outside
// database 0 refuses to start in cluster mode.
TEST(Cluster, KeysOutsideDatabaseZeroRefuseClusterMode) {
  std::string dir = temp_dir("troupe-cluster-db");
  {
    server_process standalone({"--dir", dir, "--save", ""});
    ASSERT_TRUE(standalone.start());
    EXPECT_EQ(standalone.call({"SELECT", "1"}).str, "OK");
    resp_client c = standalone.client();
    c.call({"SELECT", "1"});
    EXPECT_EQ(c.call({"SET", "k", "v"}).str, "OK");
    EXPECT_EQ(c.call({"SAVE"}).str, "OK");
  }
  server_process node(
      {"--dir", dir, "--cluster-enabled", "yes", "--cluster-port", std::to_string(free_port())});
  EXPECT_FALSE(node.start());
  EXPECT_NE(node.log_text().find("You can't have keys in a DB different than DB 0 when in "
                                 "Cluster mode. Exiting."),
            std::string::npos)
      << node.log_text();
}
