// Cluster mode's keyspace side over real sockets, against redis-server 7.0:
// the same script of commands runs on two Troupe nodes and on two redis-server
// nodes started with cluster-enabled yes, and the replies must match (ports
// written as the node's letter). It covers serving versus CLUSTERDOWN on a
// lone node, MOVED, CROSSSLOT, ASK / ASKING / TRYAGAIN around SETSLOT
// MIGRATING and IMPORTING, MULTI/EXEC with a foreign key (queued and at EXEC),
// scripts, COUNTKEYSINSLOT / GETKEYSINSLOT, and the commands that name another
// database.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

// The two nodes of a run: A serves slots 0..8000, B 8001..16383.
struct pair_of_nodes {
  server_process::kind kind;
  server_process a, b;
  explicit pair_of_nodes(server_process::kind k)
      : kind(k), a(args(k, "nodes-a.conf"), k), b(args(k, "nodes-b.conf"), k) {}

  // Troupe runs two reactors: keys of a migrating slot are looked up in a
  // shard of the other thread too.
  static std::vector<std::string> args(server_process::kind k, const char* conf) {
    std::vector<std::string> v = {"--cluster-enabled",      "yes", "--cluster-config-file", conf,
                                  "--cluster-node-timeout", "3000"};
    if (k == server_process::kind::troupe)
      for (const char* x : {"--threads", "2", "--shards", "4"}) v.push_back(x);
    return v;
  }

  std::string id_a, id_b;

  // Text with the nodes' ports and ids written as their letters.
  std::string neutral(std::string s) const {
    replace_all(s, std::to_string(a.port()), "<A port>");
    replace_all(s, std::to_string(b.port()), "<B port>");
    if (!id_a.empty()) replace_all(s, id_a, "<A id>");
    if (!id_b.empty()) replace_all(s, id_b, "<B id>");
    return s;
  }
};

bool cluster_ok(const server_process& s) {
  return s.call({"CLUSTER", "INFO"}).str.find("cluster_state:ok") != std::string::npos;
}

// Runs the script on a fresh pair of nodes of `kind`; one line per reply.
std::vector<std::string> transcript(server_process::kind kind) {
  std::vector<std::string> out;
  pair_of_nodes n(kind);
  if (!n.a.start() || !n.b.start()) {
    out.push_back("start failed");
    return out;
  }
  resp_client a = n.a.client();
  resp_client a2 = n.a.client();
  resp_client b = n.b.client();
  // One command: its line and its reply. Arrays of keys come in the order
  // of each server's index: sorted, or only counted.
  enum class keys_as { is, sorted, counted };
  auto on = [&](resp_client& c, const char* who, std::vector<std::string> args,
                keys_as how = keys_as::is) {
    std::string line = who;
    for (auto& x : args) line += " " + x;
    resp_value v = c.call(args);
    std::string reply;
    if (how == keys_as::counted && v.type == resp_value::kind::array) {
      reply = std::to_string(v.elements.size()) + " keys";
    } else {
      if (how == keys_as::sorted)
        std::sort(v.elements.begin(), v.elements.end(),
                  [](const resp_value& x, const resp_value& y) { return x.str < y.str; });
      reply = v.to_string();
    }
    out.push_back(n.neutral(line + " => " + reply));
  };

  // A alone with some slots: its own are down with the cluster, others unbound.
  on(a, "A", {"CLUSTER", "ADDSLOTSRANGE", "0", "8000"});
  on(a, "A", {"GET", "b"});    // slot 3300
  on(a, "A", {"GET", "foo"});  // slot 12182
  on(a, "A", {"MGET", "a", "b"});

  // B takes the rest; they meet.
  on(b, "B", {"CLUSTER", "ADDSLOTSRANGE", "8001", "16383"});
  on(a, "A", {"CLUSTER", "MEET", "127.0.0.1", std::to_string(n.b.port())});
  if (!wait_for([&] { return cluster_ok(n.a) && cluster_ok(n.b); }, 20000)) {
    out.push_back("cluster never ok");
    return out;
  }
  n.id_a = n.a.call({"CLUSTER", "MYID"}).str;
  n.id_b = n.b.call({"CLUSTER", "MYID"}).str;

  on(a, "A", {"SET", "b", "1"});
  on(a, "A", {"GET", "b"});
  on(a, "A", {"GET", "foo"});
  on(a, "A", {"SET", "foo", "1"});
  on(a, "A", {"MGET", "a", "b"});
  on(a, "A", {"MGET", "b", "{b}x"});
  on(a, "A", {"SPUBLISH", "ch", "x"});  // shard channel of slot 13271
  on(a, "A", {"PING"});
  // Only database 0.
  on(a, "A", {"SELECT", "1"});
  on(a, "A", {"SELECT", "x"});
  on(a, "A", {"SELECT", "0"});
  on(a, "A", {"MOVE", "b", "1"});
  on(a, "A", {"SWAPDB", "0", "1"});
  on(a, "A", {"COPY", "b", "{b}c", "DB", "1"});
  on(a, "A", {"COPY", "b", "{b}c", "DB", "99"});
  on(a, "A", {"COPY", "b", "{b}c", "DB", "0"});
  // The slot index.
  on(a, "A", {"CLUSTER", "COUNTKEYSINSLOT", "3300"});
  on(a, "A", {"CLUSTER", "COUNTKEYSINSLOT", "12182"});
  on(a, "A", {"CLUSTER", "COUNTKEYSINSLOT", "16384"});
  on(a, "A", {"CLUSTER", "COUNTKEYSINSLOT", "-1"});
  on(a, "A", {"CLUSTER", "COUNTKEYSINSLOT", "x"});
  on(a, "A", {"CLUSTER", "GETKEYSINSLOT", "3300", "10"}, keys_as::sorted);
  on(a, "A", {"CLUSTER", "GETKEYSINSLOT", "3300", "1"}, keys_as::counted);
  on(a, "A", {"CLUSTER", "GETKEYSINSLOT", "3300", "0"});
  on(a, "A", {"CLUSTER", "GETKEYSINSLOT", "3300", "-1"});
  on(a, "A", {"CLUSTER", "GETKEYSINSLOT", "16384", "1"});
  on(a, "A", {"CLUSTER", "GETKEYSINSLOT", "0", "99999999999999999999"});
  on(a, "A", {"READONLY"});
  on(a, "A", {"READWRITE"});
  // Transactions: a foreign key dooms it; a local one runs.
  on(a, "A", {"MULTI"});
  on(a, "A", {"GET", "foo"});
  on(a, "A", {"EXEC"});
  on(a, "A", {"MULTI"});
  on(a, "A", {"GET", "b"});
  on(a, "A", {"EXEC"});
  // Scripts.
  on(a, "A", {"EVAL", "return redis.call('get','foo')", "0"});
  on(a, "A", {"EVAL", "return redis.pcall('get','foo')", "0"});
  on(a, "A", {"EVAL", "return redis.call('get','b')", "0"});
  on(a, "A", {"EVAL", "return 1", "1", "foo"});
  on(a, "A", {"EVAL", "#!lua flags=no-cluster\nreturn 1", "0"});

  // Slot 3300 moves from A to B.
  on(a, "A", {"CLUSTER", "SETSLOT", "3300", "MIGRATING", n.id_b});
  on(b, "B", {"CLUSTER", "SETSLOT", "3300", "IMPORTING", n.id_a});
  on(a, "A", {"GET", "b"});
  on(a, "A", {"GET", "{b}zz"});
  on(a, "A", {"SET", "{b}zz", "1"});
  on(a, "A", {"MGET", "{b}q1", "{b}q2"});
  on(a, "A", {"MGET", "b", "{b}zz"});
  on(a, "A", {"EVAL", "return redis.call('get','{b}zz')", "0"});
  on(b, "B", {"GET", "{b}zz"});
  on(b, "B", {"ASKING"});
  on(b, "B", {"GET", "{b}zz"});
  on(b, "B", {"GET", "{b}zz"});
  on(b, "B", {"ASKING"});
  on(b, "B", {"PING"});
  on(b, "B", {"GET", "{b}zz"});
  on(b, "B", {"ASKING"});
  on(b, "B", {"MGET", "{b}zz", "{b}yy"});
  on(b, "B", {"ASKING"});
  on(b, "B", {"SET", "{b}zz", "v"});
  on(b, "B", {"ASKING"});
  on(b, "B", {"MGET", "{b}zz", "{b}yy"});
  on(b, "B", {"READONLY"});
  on(b, "B", {"GET", "{b}zz"});
  on(b, "B", {"CLUSTER", "COUNTKEYSINSLOT", "3300"});
  on(b, "B", {"ASKING"});
  on(b, "B", {"MULTI"});
  on(b, "B", {"GET", "{b}zz"});
  on(b, "B", {"EXEC"});
  // A key that leaves between MULTI and EXEC: EXEC answers the redirect.
  on(a, "A", {"MULTI"});
  on(a, "A", {"GET", "{b}c"});
  on(a2, "A2", {"DEL", "{b}c"});
  on(a, "A", {"EXEC"});
  on(a, "A", {"EXEC"});
  on(a, "A", {"CLUSTER", "COUNTKEYSINSLOT", "3300"});
  return out;
}

}  // namespace

TEST(cluster_routing, replies_match_redis_server) {
  std::vector<std::string> redis = transcript(server_process::kind::redis);
  std::vector<std::string> troupe = transcript(server_process::kind::troupe);
  // The script reached every case (not two equal failures).
  std::string all;
  for (auto& l : redis) all += l + "\n";
  for (const char* seen : {"CLUSTERDOWN Hash slot not served", "CLUSTERDOWN The cluster is down",
                           "MOVED 12182 127.0.0.1:<B port>", "MOVED 3300 127.0.0.1:<A port>",
                           "ASK 3300 127.0.0.1:<B port>", "TRYAGAIN", "CROSSSLOT", "EXECABORT",
                           "non local key", "SELECT is not allowed", "A EXEC => [\"1\"]"})
    EXPECT_NE(all.find(seen), std::string::npos) << seen << " in:\n" << all;
  for (size_t i = 0; i < std::max(redis.size(), troupe.size()); ++i) {
    std::string want = i < redis.size() ? redis[i] : "(nothing)";
    std::string got = i < troupe.size() ? troupe[i] : "(nothing)";
    EXPECT_EQ(got, want) << "line " << i;
  }
}

// The index keeps up with keys coming and going while the node serves them,
// with one reactor and with two (shards of another thread, locked).
TEST(cluster_routing, slot_counts_follow_writes_expiry_and_reloads) {
  for (const char* threads : {"1", "2"}) {
    SCOPED_TRACE(std::string("threads ") + threads);
    server_process s({"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                      "--enable-debug-command", "yes", "--threads", threads, "--shards", "4"});
    ASSERT_TRUE(s.start()) << s.log_text();
    ASSERT_EQ(s.call({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"}).str, "OK");
    ASSERT_TRUE(wait_for([&] { return cluster_ok(s); })) << s.call({"CLUSTER", "INFO"}).str;
    resp_client c = s.client();
    for (int i = 0; i < 100; ++i)
      ASSERT_EQ(c.call({"SET", "{t}" + std::to_string(i), "v"}).str, "OK");
    for (int i = 0; i < 20; ++i)
      ASSERT_EQ(c.call({"PEXPIRE", "{t}" + std::to_string(i), "1"}).integer, 1);
    std::string slot = std::to_string(c.call({"CLUSTER", "KEYSLOT", "{t}"}).integer);
    // Active expiry removes the 20 without anyone touching them.
    ASSERT_TRUE(wait_for([&] {
      return c.call({"CLUSTER", "COUNTKEYSINSLOT", slot}).integer == 80;
    })) << c.call({"CLUSTER", "COUNTKEYSINSLOT", slot}).to_string();
    EXPECT_EQ(c.call({"CLUSTER", "GETKEYSINSLOT", slot, "1000"}).elements.size(), 80u);
    // Inside a transaction with a key of another shard.
    EXPECT_EQ(c.call({"MULTI"}).str, "OK");
    EXPECT_EQ(c.call({"GET", "other"}).str, "QUEUED");
    EXPECT_EQ(c.call({"CLUSTER", "GETKEYSINSLOT", slot, "5"}).str, "QUEUED");
    resp_value ex = c.call({"EXEC"});
    ASSERT_EQ(ex.elements.size(), 2u) << ex.to_string();
    EXPECT_EQ(ex.elements[1].elements.size(), 5u);
    // Loading an RDB file fills the index too.
    EXPECT_EQ(c.call({"DEBUG", "RELOAD"}).str, "OK");
    EXPECT_EQ(c.call({"CLUSTER", "COUNTKEYSINSLOT", slot}).integer, 80);
    EXPECT_EQ(c.call({"FLUSHALL"}).str, "OK");
    EXPECT_EQ(c.call({"CLUSTER", "COUNTKEYSINSLOT", slot}).integer, 0);
  }
}

// A node that learns another owns one of its slots (a higher config epoch)
// deletes the keys it still has there, as Redis 7.0's delKeysInSlot: the
// "del" events fire and the AOF (like replicas) gets the DELs; its clients
// blocked on keys of the slot are redirected.
TEST(cluster_routing, a_node_that_loses_a_slot_deletes_its_keys) {
  std::vector<std::string> common = {
      "--cluster-enabled", "yes", "--cluster-config-file",    "nodes.conf", "--threads", "2",
      "--shards",          "4",   "--notify-keyspace-events", "KEA"};
  std::vector<std::string> with_aof = common;
  for (const char* x : {"--appendonly", "yes"}) with_aof.push_back(x);
  server_process a(with_aof), b(common);
  ASSERT_TRUE(a.start()) << a.log_text();
  ASSERT_TRUE(b.start()) << b.log_text();
  ASSERT_EQ(a.call({"CLUSTER", "ADDSLOTSRANGE", "0", "8000"}).str, "OK");
  ASSERT_EQ(b.call({"CLUSTER", "ADDSLOTSRANGE", "8001", "16383"}).str, "OK");
  ASSERT_EQ(a.call({"CLUSTER", "MEET", "127.0.0.1", std::to_string(b.port())}).str, "OK");
  ASSERT_TRUE(wait_for([&] { return cluster_ok(a) && cluster_ok(b); }, 20000));
  resp_client c = a.client();
  ASSERT_EQ(c.call({"SET", "b", "1"}).str, "OK");  // slot 3300
  ASSERT_EQ(c.call({"SET", "{b}2", "1"}).str, "OK");
  ASSERT_EQ(c.call({"SET", "{user1000}.a", "1"}).str, "OK");  // slot 3443 stays
  resp_client events = a.client();
  ASSERT_EQ(events.call({"SUBSCRIBE", "__keyevent@0__:del"}).elements.size(), 3u);

  // A client blocked on a key of the slot (BLPOP) is redirected when it goes.
  resp_client blocked = a.client();
  blocked.append({"BLPOP", "{b}list", "0"});
  ASSERT_TRUE(blocked.flush());
  ASSERT_TRUE(wait_for([&] { return info_field(a, "clients", "blocked_clients") == "1"; }));

  std::string id_b = b.call({"CLUSTER", "MYID"}).str;
  ASSERT_EQ(b.call({"CLUSTER", "SETSLOT", "3300", "NODE", id_b}).str, "OK");
  // BUMPED, or STILL when B's epoch is the greatest already (collisions
  // resolved): either way above A's.
  std::string bumped = b.call({"CLUSTER", "BUMPEPOCH"}).str;
  ASSERT_TRUE(bumped.rfind("BUMPED ", 0) == 0 || bumped.rfind("STILL ", 0) == 0) << bumped;
  ASSERT_TRUE(wait_for(
      [&] {
        return c.call({"CLUSTER", "COUNTKEYSINSLOT", "3300"}).integer == 0;
      },
      20000));
  EXPECT_EQ(c.call({"GET", "b"}).str, "MOVED 3300 127.0.0.1:" + std::to_string(b.port()));
  EXPECT_EQ(c.call({"DBSIZE"}).integer, 1);
  EXPECT_EQ(blocked.read_reply().str, "MOVED 3300 127.0.0.1:" + std::to_string(b.port()));
  std::vector<std::string> deleted;
  for (int i = 0; i < 2; ++i) {
    resp_value m = events.read_reply();
    ASSERT_EQ(m.elements.size(), 3u) << m.to_string();
    deleted.push_back(m.elements[2].str);
  }
  std::sort(deleted.begin(), deleted.end());
  EXPECT_EQ(deleted, (std::vector<std::string>{"b", "{b}2"}));
  std::string aof;
  ASSERT_TRUE(wait_for([&] {
    aof = run_command("cat " + a.dir() + "/appendonlydir/*.incr.aof");
    return aof.find("DEL\r\n$4\r\n{b}2") != std::string::npos;
  })) << aof;
  EXPECT_NE(aof.find("DEL\r\n$1\r\nb\r\n"), std::string::npos) << aof;
}
