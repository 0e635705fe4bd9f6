// nodes.conf: files written by redis-server 7.0.15 load, and written back
// give the same lines (ping/pong times become the load time, as Redis loads
// them, and links start disconnected); malformed files are errors, never
// crashes.
#include <gtest/gtest.h>

#include "cluster_test_support.hpp"
#include "topology/cluster/cluster_render.hpp"

using namespace cluster_test;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> v;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    v.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return v;
}

// A node line with the fields that depend on the moment (ping sent, pong
// received, link state) blanked, to compare two files.
std::string timeless(const std::string& line) {
  std::vector<std::string> w;
  size_t i = 0;
  while (i < line.size()) {
    size_t j = line.find(' ', i);
    if (j == std::string::npos) j = line.size();
    w.push_back(line.substr(i, j - i));
    i = j + 1;
  }
  if (w.size() >= 8 && w[0] != "vars") {
    w[4] = w[4] == "0" ? "0" : "T";
    w[5] = w[5] == "0" ? "0" : "T";
    w[7] = "L";
  }
  std::string s;
  for (auto& x : w) s += (s.empty() ? "" : " ") + x;
  return s;
}

std::string error_of(std::string_view text) {
  auto r = parse_nodes_conf(text);
  auto* e = std::get_if<nodes_conf_error>(&r);
  return e ? e->message : "";
}

}  // namespace

TEST(nodes_conf, a_single_node_file_from_redis_round_trips_byte_for_byte) {
  std::string text = fixture("nodes-single-addslotsrange.conf");
  ASSERT_FALSE(text.empty());
  auto st = loaded_state(text, 27101);
  EXPECT_EQ(st->myself().id, "135510ff87a7618ed2e18e09ef3d37a398165b7b");
  EXPECT_EQ(st->myself().numslots, 101);
  EXPECT_EQ(st->slot_owner(100), &st->myself());
  EXPECT_EQ(st->slot_owner(101), nullptr);
  EXPECT_EQ(write_nodes_conf(*st), text);
}

TEST(nodes_conf, redis_files_with_replicas_migrations_hostnames_and_failures_round_trip) {
  for (auto [name, port] : {std::pair<const char*, int>{"nodes-4node-27101.conf", 27101},
                            {"nodes-4node-27104.conf", 27104},
                            {"nodes-with-fail.conf", 27101}}) {
    SCOPED_TRACE(name);
    std::string text = fixture(name);
    auto lines = lines_of(text);
    ASSERT_GE(lines.size(), 5u);
    auto st = loaded_state(text, port);
    auto ours = lines_of(write_nodes_conf(*st));
    // Same lines (Redis writes them in its hash table's order; we keep the file's).
    ASSERT_EQ(ours.size(), lines.size());
    for (size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(timeless(ours[i]), timeless(lines[i]));
  }
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  EXPECT_EQ(st->current_epoch(), 3u);
  EXPECT_EQ(st->myself().hostname, "host-one.example");
  EXPECT_EQ(st->migrating_to(50), &st->myself());
  EXPECT_EQ(st->importing_from(8001)->id, "f3fb6b81c097294b3d25f774abb1c1e4bfe02e40");
  const cluster_node* replica = st->node("b1796800d91ec5868101aa5f463e3728d13ce1d5");
  ASSERT_NE(replica, nullptr);
  EXPECT_TRUE(replica->is_replica());
  EXPECT_EQ(replica->master_id, st->myself().id);
  EXPECT_EQ(st->myself().replicas, std::vector<std::string>{replica->id});
  EXPECT_FALSE(replica->link);
  auto failed = loaded_state(fixture("nodes-with-fail.conf"), 27101);
  EXPECT_TRUE(failed->node("24fd6e719beaddbc05488f8bc13ff2387f7d98de")->has(node_flag::fail));
}

TEST(nodes_conf, loads_older_and_newer_address_forms_and_padding) {
  // Before 4.0: no bus port (port + 10000). 7.2: hostname as an aux field.
  std::string text =
      "\n135510ff87a7618ed2e18e09ef3d37a398165b7b 10.0.0.1:7000 myself,master - 0 0 2 "
      "connected 0-5\n"
      "24fd6e719beaddbc05488f8bc13ff2387f7d98de 10.0.0.2:7001@17555,,shard-id=abc,hostname=h2 "
      "master - 0 0 1 connected 6\n"
      "vars currentEpoch 2 lastVoteEpoch 1 someFutureVar 9\n\n\n";
  auto st = loaded_state(text, 7000);
  EXPECT_EQ(st->myself().ip, "10.0.0.1");
  EXPECT_EQ(st->myself().cport, 17000);
  const cluster_node* other = st->node("24fd6e719beaddbc05488f8bc13ff2387f7d98de");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->cport, 17555);
  EXPECT_EQ(other->hostname, "h2");
  EXPECT_EQ(st->last_vote_epoch(), 1u);
  EXPECT_EQ(st->slot_owner(6), other);
  // An empty file: no nodes, the caller starts fresh.
  auto empty = parse_nodes_conf("\n\n");
  ASSERT_TRUE(std::holds_alternative<nodes_conf>(empty));
  EXPECT_TRUE(std::get<nodes_conf>(empty).nodes.empty());
}

TEST(nodes_conf, malformed_files_are_errors) {
  const std::string me = "135510ff87a7618ed2e18e09ef3d37a398165b7b";
  const std::string good = me + " 127.0.0.1:7000@17000 myself,master - 0 0 0 connected";
  EXPECT_EQ(error_of(good + " 0-100\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1:7000@17000 myself,master - 0 0\n"), "");
  EXPECT_NE(error_of(good + " 0-16384\n"), "");
  EXPECT_NE(error_of(good + " 10-5\n"), "");
  EXPECT_NE(error_of(good + " x\n"), "");
  EXPECT_NE(error_of(good + " -\n"), "");
  EXPECT_NE(error_of(good + " [5->-abc]\n"), "");
  EXPECT_NE(error_of(good + " [5-?-" + me + "]\n"), "");
  EXPECT_NE(error_of(good + " [\n"), "");
  EXPECT_NE(error_of(good + " []\n"), "");
  EXPECT_NE(error_of(good + " [99999->-" + me + "]\n"), "");
  EXPECT_NE(error_of("zz" + good.substr(2) + "\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1:70000@17000 myself,master - 0 0 0 connected\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1@17000 myself,master - 0 0 0 connected\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1:7000@x myself,master - 0 0 0 connected\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1:7000@17000 myself,boss - 0 0 0 connected\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1:7000@17000 myself,master,slave - 0 0 0 connected\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1:7000@17000 myself,slave " + me + " 0 0 0 connected\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1:7000@17000 myself,master - a 0 0 connected\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1:7000@17000 myself,master - 0 0 -1 connected\n"), "");
  EXPECT_NE(error_of(me + " 127.0.0.1:7000@17000 myself,master - 0 0 0 sideways\n"), "");
  EXPECT_NE(error_of(good + "\n" + good + "\n"), "");
  EXPECT_NE(error_of(good + "\nvars currentEpoch\n"), "");
  EXPECT_NE(error_of(good + "\nvars currentEpoch x\n"), "");
  EXPECT_EQ(error_of("24fd6e719beaddbc05488f8bc13ff2387f7d98de 1.1.1.1:1@2 master - 0 0 0 "
                     "connected\n"),
            "Unrecoverable error: no myself node in the cluster config file");
  // apply refuses a config without myself and leaves the state alone.
  cluster_state st(options_for(7000), seeded(4), 0);
  std::string id = st.myself().id;
  EXPECT_NE(apply_nodes_conf(nodes_conf{}, st, 0), std::nullopt);
  EXPECT_EQ(st.myself().id, id);
}

TEST(nodes_conf, mangled_redis_files_never_crash) {
  // Every truncation and many byte substitutions of a real file: parse, and
  // apply what parses, without crashing.
  std::string text = fixture("nodes-4node-27101.conf");
  ASSERT_FALSE(text.empty());
  auto rng = seeded(42);
  auto try_one = [&](const std::string& t) {
    auto r = parse_nodes_conf(t);
    if (auto* conf = std::get_if<nodes_conf>(&r)) {
      cluster_state st(options_for(27101), seeded(1), 0);
      if (!conf->nodes.empty()) {
        EXPECT_EQ(apply_nodes_conf(*conf, st, 0), std::nullopt);
      }
      (void)write_nodes_conf(st);
    }
  };
  for (size_t n = 0; n <= text.size(); ++n) try_one(text.substr(0, n));
  const char alphabet[] = " \n:@,-[]<>0123456789abcdefxyz?";
  for (int i = 0; i < 3000; ++i) {
    std::string t = text;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) t[rng() % t.size()] = alphabet[rng() % (sizeof(alphabet) - 1)];
    try_one(t);
  }
}
