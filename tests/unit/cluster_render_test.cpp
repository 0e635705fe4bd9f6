// CLUSTER NODES / INFO / SLOTS / SHARDS / LINKS rendered from states loaded
// from redis-server 7.0.15's nodes.conf files, compared with what that server
// answered for the same cluster.
#include <gtest/gtest.h>

#include "cluster_test_support.hpp"
#include "topology/cluster/cluster_render.hpp"

using namespace cluster_test;

namespace {
const std::string id27101 = "135510ff87a7618ed2e18e09ef3d37a398165b7b";
const std::string id27102 = "24fd6e719beaddbc05488f8bc13ff2387f7d98de";
const std::string id27103 = "f3fb6b81c097294b3d25f774abb1c1e4bfe02e40";
const std::string id27104 = "b1796800d91ec5868101aa5f463e3728d13ce1d5";
}  // namespace

TEST(cluster_render, flags_as_redis_names_them) {
  EXPECT_EQ(node_flags_text(0), "noflags");
  EXPECT_EQ(node_flags_text(node_flag::myself | node_flag::master), "myself,master");
  EXPECT_EQ(node_flags_text(node_flag::replica | node_flag::pfail), "slave,fail?");
  EXPECT_EQ(node_flags_text(node_flag::master | node_flag::fail | node_flag::noaddr |
                            node_flag::nofailover | node_flag::migrate_to | node_flag::meet),
            "master,fail,noaddr,nofailover");
}

TEST(cluster_render, nodes_lines_are_redis_lines) {
  // Loaded at the moment redis-server wrote the file: myself's pong time
  // (the only non-zero time on its line) comes back as it was.
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101, 1796198001000);
  EXPECT_EQ(node_line(*st, st->myself()),
            id27101 +
                " 127.0.0.1:27101@37101,host-one.example myself,master - 0 1796198001000 1 "
                "connected 0-100 [50->-" +
                id27101 + "] [8001-<-" + id27103 + "]");
  EXPECT_EQ(node_line(*st, *st->node(id27104)), id27104 + " 127.0.0.1:27104@37104 slave " +
                                                    id27101 + " 0 1796198001000 1 disconnected");
  auto replica = loaded_state(fixture("nodes-4node-27104.conf"), 27104, 1796198001000);
  // Migrations show on myself's line only.
  EXPECT_EQ(node_line(*replica, *replica->node(id27101)),
            id27101 +
                " 127.0.0.1:27101@37101,host-one.example master - 0 1796198001000 1 disconnected "
                "0-100 200 300 5000");
  EXPECT_EQ(
      node_line(*replica, replica->myself()),
      id27104 + " 127.0.0.1:27104@37104 myself,slave " + id27101 + " 0 1796198001000 1 connected");
  std::string all = nodes_text(*st);
  EXPECT_EQ(std::count(all.begin(), all.end(), '\n'), 4);
  EXPECT_EQ(all.back(), '\n');
}

TEST(cluster_render, info_has_redis_fields_in_redis_order) {
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  // What redis-server 7.0.15 answered on 27101 with this view (before any
  // message was counted).
  EXPECT_EQ(info_text(*st),
            "cluster_state:fail\r\n"
            "cluster_slots_assigned:8484\r\n"
            "cluster_slots_ok:8484\r\n"
            "cluster_slots_pfail:0\r\n"
            "cluster_slots_fail:0\r\n"
            "cluster_known_nodes:4\r\n"
            "cluster_size:2\r\n"
            "cluster_current_epoch:3\r\n"
            "cluster_my_epoch:1\r\n"
            "cluster_stats_messages_sent:0\r\n"
            "cluster_stats_messages_received:0\r\n"
            "total_cluster_links_buffer_limit_exceeded:0\r\n");
  // Counters per type, only those used, in type order.
  cluster_message ping = st->make_header(message_type::ping);
  ping.sender = id27103;
  ping.ip = "127.0.0.1";
  ping.port = 27103;
  ping.cport = 37103;
  ping.config_epoch = 0;
  ping.hostname.clear();
  ping.flags = node_flag::master;
  ping.slots.reset();
  for (int s = 8001; s < slot_count; ++s) ping.slots.set(s);
  st->receive(ping, {"", "127.0.0.1", "127.0.0.1"}, 200000);
  cluster_message fail = st->make_header(message_type::fail);
  fail.sender = id27103;
  fail.about = id27102;
  st->receive(fail, {"", "127.0.0.1", "127.0.0.1"}, 200001);
  std::string info = info_text(*st);
  EXPECT_NE(info.find("cluster_slots_fail:0\r\ncluster_known_nodes:4\r\n"), std::string::npos);
  EXPECT_NE(info.find("cluster_my_epoch:1\r\n"
                      "cluster_stats_messages_pong_sent:1\r\n"
                      "cluster_stats_messages_sent:1\r\n"
                      "cluster_stats_messages_ping_received:1\r\n"
                      "cluster_stats_messages_fail_received:1\r\n"
                      "cluster_stats_messages_received:2\r\n"),
            std::string::npos)
      << info;
}

TEST(cluster_render, slots_as_redis_answers_them) {
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  auto slots = cluster_slots_reply(*st, endpoint_type::ip);
  // redis-server: 0-100 on 27101 (hostname in metadata) with replica 27104,
  // 8001-16383 on 27103.
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].start, 0);
  EXPECT_EQ(slots[0].end, 100);
  ASSERT_EQ(slots[0].nodes.size(), 2u);
  EXPECT_EQ(slots[0].nodes[0].endpoint, "127.0.0.1");
  EXPECT_EQ(slots[0].nodes[0].port, 27101);
  EXPECT_EQ(slots[0].nodes[0].id, id27101);
  using kv = std::pair<std::string, std::string>;
  EXPECT_EQ(slots[0].nodes[0].metadata, (std::vector<kv>{{"hostname", "host-one.example"}}));
  EXPECT_EQ(slots[0].nodes[1].id, id27104);
  EXPECT_TRUE(slots[0].nodes[1].metadata.empty());
  EXPECT_EQ(slots[1].start, 8001);
  EXPECT_EQ(slots[1].end, 16383);
  EXPECT_EQ(slots[1].nodes.size(), 1u);
  auto by_name = cluster_slots_reply(*st, endpoint_type::hostname);
  EXPECT_EQ(by_name[0].nodes[0].endpoint, "host-one.example");
  EXPECT_EQ(by_name[0].nodes[0].metadata, (std::vector<kv>{{"ip", "127.0.0.1"}}));
  EXPECT_EQ(by_name[0].nodes[1].endpoint, "?");
  auto unknown = cluster_slots_reply(*st, endpoint_type::unknown_endpoint);
  EXPECT_EQ(unknown[0].nodes[0].endpoint, std::nullopt);
  EXPECT_EQ(unknown[0].nodes[0].metadata,
            (std::vector<kv>{{"ip", "127.0.0.1"}, {"hostname", "host-one.example"}}));
}

TEST(cluster_render, shards_as_redis_answers_them) {
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  st->set_replication_offset(42);
  auto shards = cluster_shards_reply(*st, endpoint_type::ip);
  ASSERT_EQ(shards.size(), 3u);  // one per master, 27102 without slots too
  const shard* mine = nullptr;
  for (auto& s : shards)
    if (s.nodes[0].id == id27101) mine = &s;
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->slots, (std::vector<std::pair<int, int>>{{0, 100}}));
  ASSERT_EQ(mine->nodes.size(), 2u);
  EXPECT_EQ(mine->nodes[0].role, "master");
  EXPECT_EQ(mine->nodes[0].hostname, "host-one.example");
  EXPECT_EQ(mine->nodes[0].endpoint, "127.0.0.1");
  EXPECT_EQ(mine->nodes[0].replication_offset, 42);
  EXPECT_EQ(mine->nodes[0].health, "online");
  EXPECT_EQ(mine->nodes[1].role, "replica");
  EXPECT_EQ(mine->nodes[1].id, id27104);
  auto failed = loaded_state(fixture("nodes-with-fail.conf"), 27101);
  for (auto& s : cluster_shards_reply(*failed, endpoint_type::ip)) {
    if (s.nodes[0].id == id27102) {
      EXPECT_EQ(s.nodes[0].health, "failed");
    }
  }
}

TEST(cluster_render, link_fields_in_redis_order) {
  link_info l;
  l.outbound = false;
  l.node_id = id27102;
  l.create_time_ms = 1796197966886;
  auto f = link_fields(l);
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].name, "direction");
  EXPECT_EQ(f[0].text, "from");
  EXPECT_EQ(f[1].text, id27102);
  EXPECT_EQ(f[2].name, "create-time");
  EXPECT_EQ(f[2].number, 1796197966886);
  EXPECT_EQ(f[3].text, "r");
  EXPECT_EQ(f[4].name, "send-buffer-allocated");
  EXPECT_EQ(f[5].name, "send-buffer-used");
}
