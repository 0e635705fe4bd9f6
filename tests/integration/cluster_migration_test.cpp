// Atomic slot migration (CLUSTER MIGRATESLOTS, a Troupe extension after
// Valkey 9) in an in-process cluster of two masters with a replica each:
// slots move under a steady stream of writes with no client error but MOVED,
// no acknowledged write lost or applied twice, every type and TTL intact, the
// replicas following both sides; an import that ends unfinished leaves
// nothing on the target.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "protocol/commands/key_slot.hpp"
#include "support/cluster_nodes.hpp"
#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe::test;
using troupe::resp_client;
using troupe::resp_value;

namespace {

// A key of `slot`: "{tag}name" with a tag found by search.
std::string key_in_slot(int slot, const std::string& name) {
  for (int i = 0;; ++i) {
    std::string tag = "t" + std::to_string(i);
    if (troupe::key_hash_slot(tag) == slot) return "{" + tag + "}" + name;
  }
}

class local_cluster {
 public:
  local_cluster() {
    base_ = free_port_block(4);
    int bus = free_port_block(4, base_);
    proc_ = std::make_unique<server_process>(std::vector<std::string>{
        "--port", std::to_string(base_), "--cluster-port", std::to_string(bus), "--local-cluster",
        "4", "--local-cluster-replicas", "1", "--cluster-node-timeout", "3000", "--save", "",
        "--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0"});
  }
  bool start() {
    if (!proc_->start()) return false;
    bool formed = wait_for(
        [&] {
          for (int i = 0; i < 4; i++)
            if (info_field(call(i, {"CLUSTER", "INFO"}).str, "cluster_state") != "ok") return false;
          for (int i = 2; i < 4; i++)
            if (info_field(call(i, {"INFO", "replication"}).str, "master_link_status") != "up")
              return false;
          return true;
        },
        30000);
    if (!formed) ADD_FAILURE() << "running: " << proc_->running() << "\n" << proc_->log_text();
    return formed;
  }
  int port(int i) const { return base_ + i; }
  resp_value call(int i, const std::vector<std::string>& args) const {
    resp_client c;
    c.connect("127.0.0.1", port(i), 5000);
    return c.call(args);
  }
  std::string id(int i) const { return call(i, {"CLUSTER", "MYID"}).str; }
  // The node (0..3) whose port is in a MOVED error.
  int node_of_moved(const std::string& err) const {
    auto colon = err.rfind(':');
    return std::stoi(err.substr(colon + 1)) - base_;
  }
  std::string log() const { return proc_->log_text(); }

 private:
  int base_ = 0;
  std::unique_ptr<server_process> proc_;
};

// The migration's state as CLUSTER GETSLOTMIGRATIONS on the source says.
std::string migration_state(const local_cluster& c, int node, std::string* message = nullptr) {
  resp_value v = c.call(node, {"CLUSTER", "GETSLOTMIGRATIONS"});
  if (v.elements.empty()) return "";
  const resp_value& m = v.elements.back();
  std::string state;
  for (size_t i = 0; i + 1 < m.elements.size(); i += 2) {
    if (m.elements[i].str == "state") state = m.elements[i + 1].str;
    if (message && m.elements[i].str == "message") *message = m.elements[i + 1].str;
  }
  return state;
}

}  // namespace

TEST(ClusterMigration, SlotsMoveUnderWritesWithoutErrorsOrLostWrites) {
  local_cluster c;
  ASSERT_TRUE(c.start());
  // Node 0 and node 1 are the masters (0..8191 and 8192..16383), 2 and 3
  // their replicas.
  std::string target = c.id(1);
  const int first = 100, last = 163;  // the slots that move

  // Every type, TTLs, a hash too big for one command.
  resp_client w;
  ASSERT_TRUE(w.connect("127.0.0.1", c.port(0), 5000));
  std::vector<std::string> keys;
  for (int s = first; s <= last; ++s)
    for (int k = 0; k < 20; ++k) {
      std::string key = key_in_slot(s, "str" + std::to_string(k));
      w.append({"SET", key, std::string(100, char('a' + k))});
      keys.push_back(key);
    }
  std::string list = key_in_slot(first, "list"), set = key_in_slot(first + 1, "set"),
              zset = key_in_slot(first + 2, "zset"), stream = key_in_slot(first + 3, "stream"),
              ttl = key_in_slot(first + 4, "ttl"), big = key_in_slot(first + 5, "big"),
              stays = key_in_slot(first - 1, "stays");
  for (int i = 0; i < 300; ++i) {
    w.append({"RPUSH", list, std::to_string(i)});
    w.append({"SADD", set, "m" + std::to_string(i)});
    w.append({"ZADD", zset, std::to_string(i), "z" + std::to_string(i)});
  }
  w.append({"XADD", stream, "*", "f", "v"});
  w.append({"XGROUP", "CREATE", stream, "g", "0"});
  w.append({"SET", ttl, "v", "EX", "1000"});
  w.append({"SET", stays, "here"});
  for (int i = 0; i < 50000; i += 500) {
    std::vector<std::string> hset = {"HSET", big};
    for (int j = i; j < i + 500; ++j) {
      hset.push_back("f" + std::to_string(j));
      hset.push_back("v" + std::to_string(j));
    }
    w.append(hset);
  }
  ASSERT_TRUE(w.flush());
  size_t sent = keys.size() + 900 + 4 + 100;
  for (size_t i = 0; i < sent; ++i) ASSERT_FALSE(w.read_reply().is_error());

  // Writers: INCR of counters in the moving slots, following MOVED as a
  // cluster client does; any other error is a failure.
  std::atomic<bool> stop{false};
  std::vector<std::string> counters;
  for (int s = first; s <= last; s += 7) counters.push_back(key_in_slot(s, "counter"));
  std::map<std::string, int64_t> acked;
  std::vector<std::string> errors;
  std::atomic<int> moved{0};
  std::thread writer([&] {
    std::vector<resp_client> conn(4);
    auto node_for = std::map<std::string, int>();
    for (auto& k : counters) node_for[k] = 0;
    size_t n = 0;
    while (!stop.load()) {
      const std::string& k = counters[n++ % counters.size()];
      int node = node_for[k];
      if (!conn[size_t(node)].connected())
        conn[size_t(node)].connect("127.0.0.1", c.port(node), 5000);
      resp_value r = conn[size_t(node)].call({"INCR", k});
      if (r.is_error()) {
        if (r.str.rfind("MOVED ", 0) == 0) {
          node_for[k] = c.node_of_moved(r.str);
          ++moved;
        } else {
          errors.push_back(r.str);
          conn[size_t(node)].close();
        }
        continue;
      }
      acked[k] = r.integer;
      if (acked[k] != r.integer) errors.push_back("counter went back");
    }
  });
  ASSERT_TRUE(wait_for([&] { return acked.size() == counters.size(); }, 10000));

  // Refused: slots not served here, an unknown node, itself, overlaps.
  EXPECT_EQ(
      c.call(0, {"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", "9000", "9001", "NODE", target}).str,
      "ERR I'm not the owner of hash slot 9000");
  EXPECT_EQ(
      c.call(0, {"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", "1", "2", "NODE", std::string(40, 'a')})
          .str,
      "ERR Unknown node " + std::string(40, 'a'));
  EXPECT_EQ(c.call(0, {"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", "1", "2", "NODE", c.id(0)}).str,
            "ERR Can't migrate slots to myself");
  EXPECT_EQ(
      c.call(0, {"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", "1", "5", "3", "9", "NODE", target}).str,
      "ERR Slot 3 specified multiple times");
  EXPECT_EQ(c.call(0, {"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", "1", "2", "NODE", c.id(2)}).str,
            "ERR Target node is not a master");

  resp_value r = c.call(0, {"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", std::to_string(first),
                            std::to_string(last), "NODE", target});
  ASSERT_EQ(r.str, "OK") << r.str;
  std::string message;
  EXPECT_TRUE(wait_for(
      [&] {
        std::string s = migration_state(c, 0, &message);
        return s == "success" || s == "failed";
      },
      30000));
  EXPECT_EQ(migration_state(c, 0, &message), "success") << message << "\n" << c.log();
  // Writes keep going a little on the target, then stop.
  int seen = moved.load();
  EXPECT_TRUE(wait_for(
      [&] { return moved.load() >= int(counters.size()) && moved.load() > seen - 1; }, 10000));
  stop = true;
  writer.join();
  EXPECT_TRUE(errors.empty()) << errors.size() << " errors, first: " << errors.front();

  // Every acknowledged INCR is there, once.
  for (auto& [k, v] : acked) EXPECT_EQ(c.call(1, {"GET", k}).str, std::to_string(v)) << k;
  for (auto& k : keys) EXPECT_EQ(c.call(1, {"STRLEN", k}).integer, 100) << k;
  EXPECT_EQ(c.call(1, {"LLEN", list}).integer, 300);
  EXPECT_EQ(c.call(1, {"LINDEX", list, "-1"}).str, "299");
  EXPECT_EQ(c.call(1, {"SCARD", set}).integer, 300);
  EXPECT_EQ(c.call(1, {"ZSCORE", zset, "z299"}).str, "299");
  EXPECT_EQ(c.call(1, {"XLEN", stream}).integer, 1);
  EXPECT_EQ(c.call(1, {"XINFO", "GROUPS", stream}).elements.size(), 1u);
  int64_t t = c.call(1, {"TTL", ttl}).integer;
  EXPECT_TRUE(t > 900 && t <= 1000) << t;
  EXPECT_EQ(c.call(1, {"HLEN", big}).integer, 50000);
  EXPECT_EQ(c.call(1, {"HGET", big, "f49999"}).str, "v49999");
  // The source kept nothing of the slots, and still serves its others.
  for (int s = first; s <= last; ++s)
    EXPECT_EQ(c.call(0, {"CLUSTER", "COUNTKEYSINSLOT", std::to_string(s)}).integer, 0) << s;
  EXPECT_EQ(c.call(0, {"GET", stays}).str, "here");
  resp_value g = c.call(0, {"GET", keys.front()});
  EXPECT_EQ(g.str, "MOVED " + std::to_string(troupe::key_hash_slot(keys.front())) +
                       " 127.0.0.1:" + std::to_string(c.port(1)));
  // Every node agrees on the new owner; the replicas follow their masters.
  EXPECT_TRUE(wait_for(
      [&] {
        for (int i = 0; i < 4; i++) {
          resp_value v = c.call(i, {"GET", keys.front()});
          bool served = i == 1 || i == 3;  // node 3 replicates node 1: MOVED to 1 too
          if (!served && v.str.find(":" + std::to_string(c.port(1))) == std::string::npos)
            return false;
        }
        return true;
      },
      10000));
  EXPECT_TRUE(wait_for(
      [&] {
        resp_client rc;
        rc.connect("127.0.0.1", c.port(3), 5000);
        rc.call({"READONLY"});
        return rc.call({"HLEN", big}).integer == 50000;
      },
      10000));
  EXPECT_TRUE(wait_for(
      [&] {
        for (int s = first; s <= last; s += 9)
          if (c.call(2, {"CLUSTER", "COUNTKEYSINSLOT", std::to_string(s)}).integer != 0)
            return false;
        return true;
      },
      10000));
}

// The target side alone: an import connection may write slots this node does
// not serve (clients still get MOVED for them); when it closes without
// FINISH, what it wrote is deleted.
TEST(ClusterMigration, UnfinishedImportLeavesNothingBehind) {
  local_cluster c;
  ASSERT_TRUE(c.start());
  std::string source = c.id(0);
  std::string key = key_in_slot(5, "k");
  {
    resp_client imp;
    ASSERT_TRUE(imp.connect("127.0.0.1", c.port(1), 5000));
    EXPECT_EQ(imp.call({"CLUSTER", "SYNCSLOTS", "ESTABLISH", source, "9000", "9000"}).str,
              "ERR Hash slot 9000 is not served by the source");
    ASSERT_EQ(imp.call({"CLUSTER", "SYNCSLOTS", "ESTABLISH", source, "5", "6"}).str, "OK");
    EXPECT_EQ(imp.call({"SET", key, "v"}).str, "OK");
    EXPECT_EQ(c.call(1, {"CLUSTER", "COUNTKEYSINSLOT", "5"}).integer, 1);
    EXPECT_EQ(c.call(1, {"GET", key}).str.rfind("MOVED 5 ", 0), 0u);
    resp_client other;
    ASSERT_TRUE(other.connect("127.0.0.1", c.port(1), 5000));
    EXPECT_EQ(other.call({"CLUSTER", "SYNCSLOTS", "ESTABLISH", source, "6", "7"}).str,
              "ERR Hash slot 6 is already being imported");
  }
  EXPECT_TRUE(wait_for(
      [&] {
        return c.call(1, {"CLUSTER", "COUNTKEYSINSLOT", "5"}).integer == 0;
      },
      10000));
  // Nothing changed hands.
  EXPECT_EQ(c.call(0, {"SET", key, "v"}).str, "OK");
}

// A migration cancelled while the target is stalled (DEBUG SLEEP) ends as
// failed: the source keeps every key and takes writes again, the target
// deletes what it received once it wakes up.
TEST(ClusterMigration, CancelledMigrationLeavesTheSourceWhole) {
  local_cluster c;
  ASSERT_TRUE(c.start());
  std::string target = c.id(1);
  resp_client w;
  ASSERT_TRUE(w.connect("127.0.0.1", c.port(0), 5000));
  for (int s = 200; s < 232; ++s)
    for (int k = 0; k < 50; ++k) w.append({"SET", key_in_slot(s, std::to_string(k)), "v"});
  ASSERT_TRUE(w.flush());
  for (int i = 0; i < 32 * 50; ++i) ASSERT_EQ(w.read_reply().str, "OK");
  std::thread sleeper([&] { c.call(1, {"DEBUG", "SLEEP", "3"}); });
  ASSERT_TRUE(wait_for([&] {
    resp_client probe;
    probe.connect("127.0.0.1", c.port(1), 5000);
    probe.set_timeout(100);
    return probe.call({"PING"}).is_error();  // asleep
  }));
  ASSERT_EQ(c.call(0, {"CLUSTER", "MIGRATESLOTS", "SLOTSRANGE", "200", "231", "NODE", target}).str,
            "OK");
  EXPECT_NE(migration_state(c, 0), "success");
  EXPECT_EQ(c.call(0, {"CLUSTER", "CANCELSLOTMIGRATIONS"}).str, "OK");
  std::string message;
  EXPECT_TRUE(wait_for([&] { return migration_state(c, 0, &message) == "failed"; }));
  EXPECT_EQ(message, "cancelled");
  sleeper.join();
  // The source serves and takes writes; nothing moved.
  EXPECT_EQ(c.call(0, {"SET", key_in_slot(200, "new"), "v"}).str, "OK");
  int64_t total = 0;
  for (int s = 200; s < 232; ++s)
    total += c.call(0, {"CLUSTER", "COUNTKEYSINSLOT", std::to_string(s)}).integer;
  EXPECT_EQ(total, 32 * 50 + 1);
  EXPECT_TRUE(wait_for([&] {
    for (int s = 200; s < 232; ++s)
      if (c.call(1, {"CLUSTER", "COUNTKEYSINSLOT", std::to_string(s)}).integer != 0) return false;
    return true;
  }));
  EXPECT_EQ(c.call(1, {"GET", key_in_slot(200, "0")}).str.rfind("MOVED 200 ", 0), 0u);
}
