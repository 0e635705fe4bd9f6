// nodes.conf between redis-server 7.0 and topology/cluster: a file a real
// redis-server wrote (two nodes, a replica, slots, a migration) loads in
// cluster_state and shows the same CLUSTER NODES; the file cluster_state
// writes loads in a fresh redis-server, which then shows our view.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "support/server_process.hpp"
#include "topology/cluster/cluster_render.hpp"
#include "topology/cluster/nodes_conf.hpp"

using namespace troupe::test;
using namespace troupe::cluster;

namespace {

std::string bulk(const troupe::resp_value& v) {
  return v.str;
}

// Lines without the fields that depend on the moment (ping, pong, link) and
// sorted (Redis prints its hash table's order).
std::vector<std::string> timeless_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.rfind("vars", 0) == 0) continue;
    std::vector<std::string> w;
    size_t i = 0;
    while (i < line.size()) {
      size_t j = line.find(' ', i);
      if (j == std::string::npos) j = line.size();
      w.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    if (w.size() >= 8) w[4] = w[5] = w[7] = "_";
    std::string s;
    for (auto& x : w) s += (s.empty() ? "" : " ") + x;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end());
  return out;
}

template <typename Pred>
bool wait_for(Pred pred, int ms = 10000) {
  for (int t = 0; t < ms; t += 50) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

uint64_t counter = 12345;
uint64_t next_random() {
  counter = counter * 6364136223846793005ULL + 1442695040888963407ULL;
  return counter;
}

}  // namespace

TEST(cluster_nodes_conf, redis_written_file_loads_and_ours_loads_in_redis) {
  std::string dir = temp_dir("cluster-nodes-conf");
  std::string conf_a = dir + "/nodes-a.conf";
  std::string conf_b = dir + "/nodes-b.conf";
  server_process a({"--cluster-enabled", "yes", "--cluster-config-file", conf_a,
                    "--cluster-node-timeout", "2000"},
                   server_process::kind::redis);
  server_process b({"--cluster-enabled", "yes", "--cluster-config-file", conf_b,
                    "--cluster-node-timeout", "2000"},
                   server_process::kind::redis);
  ASSERT_TRUE(a.start());
  ASSERT_TRUE(b.start());
  std::string id_a = bulk(a.call({"CLUSTER", "MYID"}));
  std::string id_b = bulk(b.call({"CLUSTER", "MYID"}));
  ASSERT_EQ(id_a.size(), 40u);
  ASSERT_EQ(a.call({"CLUSTER", "ADDSLOTSRANGE", "0", "100", "200", "300"}).str, "OK");
  ASSERT_EQ(a.call({"CLUSTER", "MEET", "127.0.0.1", std::to_string(b.port())}).str, "OK");
  ASSERT_TRUE(wait_for([&] {
    return bulk(b.call({"CLUSTER", "NODES"})).find(id_a) != std::string::npos &&
           bulk(a.call({"CLUSTER", "NODES"})).find(id_b + " 127.0.0.1") != std::string::npos;
  }));
  ASSERT_EQ(b.call({"CLUSTER", "REPLICATE", id_a}).str, "OK");
  ASSERT_TRUE(wait_for([&] {
    return bulk(a.call({"CLUSTER", "NODES"})).find("slave " + id_a) != std::string::npos;
  }));
  ASSERT_EQ(a.call({"CLUSTER", "SETSLOT", "50", "MIGRATING", id_a}).str, "OK");
  ASSERT_EQ(a.call({"CLUSTER", "SAVECONFIG"}).str, "OK");
  std::string redis_nodes = bulk(a.call({"CLUSTER", "NODES"}));
  std::string file = read_file(conf_a);
  ASSERT_NE(file.find("vars currentEpoch"), std::string::npos);

  // Redis's file in cluster_state: the same CLUSTER NODES.
  cluster_options o;
  o.port = a.port();
  o.cport = a.port() + 10000;
  cluster_state st(o, next_random, 1000);
  auto parsed = parse_nodes_conf(file);
  ASSERT_TRUE(std::holds_alternative<nodes_conf>(parsed))
      << std::get<nodes_conf_error>(parsed).message;
  ASSERT_EQ(apply_nodes_conf(std::get<nodes_conf>(parsed), st, 1000), std::nullopt);
  EXPECT_EQ(st.myself().id, id_a);
  EXPECT_EQ(timeless_lines(nodes_text(st)), timeless_lines(redis_nodes));

  // Our changes, written by us, loaded by a fresh redis-server.
  ASSERT_EQ(st.addslots({"5000"}), std::nullopt);
  ASSERT_EQ(st.setslot({"51", "migrating", id_a}), std::nullopt);
  // BUMPED or STILL, as Redis's own epoch collision handling left it: either
  // way the epochs below must survive the trip.
  std::string bumped = st.bumpepoch();
  ASSERT_TRUE(bumped.rfind("BUMPED ", 0) == 0 || bumped.rfind("STILL ", 0) == 0) << bumped;
  std::string ours_path = dir + "/ours.conf";
  {
    std::ofstream f(ours_path, std::ios::binary);
    f << write_nodes_conf(st);
  }
  a.stop();
  b.stop();
  server_process c({"--cluster-enabled", "yes", "--cluster-config-file", ours_path},
                   server_process::kind::redis);
  ASSERT_TRUE(c.start()) << c.log_text();
  EXPECT_EQ(bulk(c.call({"CLUSTER", "MYID"})), id_a);
  std::string loaded = bulk(c.call({"CLUSTER", "NODES"}));
  // The port is the new server's: compare the rest.
  std::vector<std::string> theirs = timeless_lines(loaded);
  std::vector<std::string> mine = timeless_lines(nodes_text(st));
  ASSERT_EQ(theirs.size(), mine.size());
  for (size_t i = 0; i < mine.size(); ++i) {
    std::string m = mine[i];
    std::string t = theirs[i];
    if (m.find("myself") != std::string::npos) {
      // Only the address differs (the new server's port).
      auto strip = [](std::string s) { return s.substr(0, 41) + s.substr(s.find(' ', 41)); };
      m = strip(m);
      t = strip(t);
    }
    EXPECT_EQ(t, m);
  }
  std::string info = bulk(c.call({"CLUSTER", "INFO"}));
  EXPECT_NE(info.find("cluster_current_epoch:" + std::to_string(st.current_epoch()) + "\r\n"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("cluster_my_epoch:" + std::to_string(st.myself().config_epoch) + "\r\n"),
            std::string::npos)
      << info;
}
