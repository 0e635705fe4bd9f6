// The bus logic of cluster_state on a simulated cluster: MEET and handshakes,
// gossip spreading nodes and slots, config-epoch collisions, PFAIL/FAIL with
// failure reports, FAIL clearing, UPDATE for stale owners, the gossip sample
// and ping choice, address updates.
#include <gtest/gtest.h>

#include "cluster_sim.hpp"
#include "topology/cluster/cluster_render.hpp"

using namespace cluster_test;

namespace {

// Three masters that met and split the slots; ok everywhere.
void three_masters(cluster_sim& sim) {
  for (int i = 0; i < 3; ++i) sim.add();
  sim.meet_all();
  ASSERT_TRUE(sim.run_until([&] { return sim.everyone_knows_everyone(); }, 10000));
  ASSERT_EQ(sim.st(0).addslotsrange({"0", "5460"}), std::nullopt);
  ASSERT_EQ(sim.st(1).addslotsrange({"5461", "10922"}), std::nullopt);
  ASSERT_EQ(sim.st(2).addslotsrange({"10923", "16383"}), std::nullopt);
  ASSERT_TRUE(sim.run_until([&] { return sim.all_up_ok(); }, 20000));
}

const cluster_node* seen_by(cluster_sim& sim, int observer, int subject) {
  return sim.st(observer).node(sim.id(subject));
}

std::string nodes_conf_with(int n, bool with_slots) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    char id[41];
    snprintf(id, sizeof id, "%040x", i + 1);
    text += std::string(id) + " 127.0.0.1:" + std::to_string(20000 + i) + "@" +
            std::to_string(30000 + i) + (i == 0 ? " myself,master" : " master") + " - 0 0 " +
            std::to_string(i) + " connected";
    if (with_slots) text += " " + std::to_string(i);
    text += "\n";
  }
  return text + "vars currentEpoch " + std::to_string(n) + " lastVoteEpoch 0\n";
}

}  // namespace

TEST(cluster_gossip, meet_and_gossip_make_everyone_know_everyone) {
  cluster_sim sim;
  for (int i = 0; i < 5; ++i) sim.add();
  sim.meet_all();
  ASSERT_TRUE(sim.run_until([&] { return sim.everyone_knows_everyone(); }, 10000));
  for (int i = 0; i < 5; ++i) {
    for (int j = 0; j < 5; ++j) {
      const cluster_node* n = seen_by(sim, i, j);
      ASSERT_NE(n, nullptr) << i << " does not know " << j;
      EXPECT_EQ(n->port, sim.nodes[j].port);
      EXPECT_EQ(n->cport, sim.nodes[j].port + 10000);
      EXPECT_EQ(n->ip, "127.0.0.1");
      EXPECT_TRUE(n->is_master());
    }
  }
  // Node 0 learned its own address from the MEET's socket, others from pings.
  EXPECT_TRUE(sim.logged(1, "IP address for this node updated to 127.0.0.1"));
  EXPECT_TRUE(sim.logged(0, "Handshake with node " + sim.id(1) + " completed."));
  bool renamed = false;
  for (auto& e : sim.nodes[0].events)
    if (e.what == cluster_event::kind::node_renamed && e.text == sim.id(1)) renamed = true;
  EXPECT_TRUE(renamed);
}

TEST(cluster_gossip, slots_spread_and_epoch_collisions_are_resolved) {
  cluster_sim sim;
  three_masters(sim);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sim.st(i).slot_owner(0)->id, sim.id(0));
    EXPECT_EQ(sim.st(i).slot_owner(5461)->id, sim.id(1));
    EXPECT_EQ(sim.st(i).slot_owner(16383)->id, sim.id(2));
    EXPECT_EQ(sim.st(i).size(), 3);
  }
  // All started at configEpoch 0: the smaller ids moved on until all differ.
  sim.run(5000);
  std::set<uint64_t> epochs;
  for (int i = 0; i < 3; ++i) epochs.insert(sim.st(i).myself().config_epoch);
  EXPECT_EQ(epochs.size(), 3u);
  bool collision_logged = false;
  for (int i = 0; i < 3; ++i) collision_logged |= sim.logged(i, "WARNING: configEpoch collision");
  EXPECT_TRUE(collision_logged);
  // Everybody agrees on everybody's epoch.
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_EQ(seen_by(sim, i, j)->config_epoch, sim.st(j).myself().config_epoch);
}

TEST(cluster_gossip, a_crashed_master_is_pfail_then_fail_by_majority) {
  cluster_sim sim;
  for (int i = 0; i < 5; ++i) sim.add();
  sim.meet_all();
  ASSERT_TRUE(sim.run_until([&] { return sim.everyone_knows_everyone(); }, 10000));
  const char* ranges[5][2] = {
      {"0", "3000"}, {"3001", "6000"}, {"6001", "9000"}, {"9001", "12000"}, {"12001", "16383"}};
  for (int i = 0; i < 5; ++i)
    ASSERT_EQ(sim.st(i).addslotsrange({ranges[i][0], ranges[i][1]}), std::nullopt);
  ASSERT_TRUE(sim.run_until([&] { return sim.all_up_ok(); }, 20000));

  int64_t crash_time = sim.now;
  sim.crash(4);
  // PFAIL only after node-timeout (2 s) without an answer.
  sim.run(1500);
  EXPECT_FALSE(seen_by(sim, 0, 4)->failing());
  ASSERT_TRUE(sim.run_until([&] { return seen_by(sim, 0, 4)->failing(); }, 3000));
  EXPECT_GE(sim.now - crash_time, 2000);
  // Reports from a majority of masters (3 of 5): FAIL everywhere, by broadcast.
  ASSERT_TRUE(sim.run_until(
      [&] {
        for (int i = 0; i < 4; ++i)
          if (!seen_by(sim, i, 4)->has(node_flag::fail)) return false;
        return true;
      },
      10000));
  bool quorum_logged = false;
  for (int i = 0; i < 4; ++i)
    quorum_logged |= sim.logged(i, "Marking node " + sim.id(4) + " as failing (quorum reached).");
  EXPECT_TRUE(quorum_logged);
  // Its slots have no live owner: the cluster is down with full coverage.
  EXPECT_FALSE(sim.st(0).ok());
  EXPECT_EQ(sim.st(0).slots_fail(), 4383);

  // Back up: a master with slots keeps FAIL until 2 x node-timeout passed,
  // then it is cleared as nobody took its slots.
  sim.restart(4);
  ASSERT_TRUE(sim.run_until([&] { return !seen_by(sim, 0, 4)->has(node_flag::fail); }, 10000));
  EXPECT_TRUE(sim.logged(0, "Clear FAIL state for node " + sim.id(4) +
                                ": is reachable again and nobody is serving its slots after "
                                "some time."));
  ASSERT_TRUE(sim.run_until([&] { return sim.all_up_ok(); }, 10000));
}

TEST(cluster_gossip, failure_reports_expire_after_twice_the_node_timeout) {
  cluster_sim sim;
  three_masters(sim);
  // Node 2 is cut from node 0 only: node 0 suspects it, node 1 does not.
  sim.cut.insert({0, 2});
  sim.cut.insert({2, 0});
  ASSERT_TRUE(sim.run_until([&] { return seen_by(sim, 0, 2)->has(node_flag::pfail); }, 8000));
  // Node 1 hears node 0's opinion: one report, short of the majority (2).
  ASSERT_TRUE(sim.run_until(
      [&] { return std::get<int64_t>(sim.st(1).count_failure_reports(sim.id(2))) == 1; }, 5000));
  EXPECT_FALSE(seen_by(sim, 1, 2)->has(node_flag::fail));
  EXPECT_FALSE(seen_by(sim, 0, 2)->has(node_flag::fail));
  // Healed: node 0 clears PFAIL on the next pong, and stops reporting it;
  // node 1's report goes away (withdrawn or expired).
  sim.heal();
  ASSERT_TRUE(sim.run_until(
      [&] {
        return !seen_by(sim, 0, 2)->failing() &&
               std::get<int64_t>(sim.st(1).count_failure_reports(sim.id(2))) == 0;
      },
      10000));
}

TEST(cluster_gossip, fail_from_an_unknown_sender_is_ignored) {
  cluster_state st(options_for(7000), seeded(1), 0);
  cluster_message fail;
  fail.type = message_type::fail;
  fail.sender = std::string(40, 'a');
  fail.about = st.myself().id;
  auto out = st.receive(fail, {"", "10.0.0.1", "10.0.0.2"}, 10);
  ASSERT_FALSE(out.events.empty());
  EXPECT_EQ(out.events[0].text,
            "Ignoring FAIL message from unknown node " + fail.sender + " about " + st.myself().id);
  EXPECT_FALSE(st.myself().has(node_flag::fail));
}

TEST(cluster_gossip, a_stale_slot_claim_gets_an_update_and_the_claimer_gives_up) {
  cluster_sim sim;
  three_masters(sim);
  sim.run(3000);
  // Node 1 takes slot 0 with a newer epoch (as after a SETSLOT NODE + bump).
  int64_t epoch_before = seen_by(sim, 2, 0)->config_epoch;
  ASSERT_EQ(sim.st(1).setslot({"0", "importing", sim.id(0)}), std::nullopt);
  ASSERT_EQ(sim.st(1).setslot({"0", "node", sim.id(1)}), std::nullopt);
  sim.command(1, sim.st(1).take_output());
  EXPECT_GT(sim.st(1).myself().config_epoch, static_cast<uint64_t>(epoch_before));
  ASSERT_TRUE(sim.run_until(
      [&] {
        for (int i = 0; i < 3; ++i)
          if (sim.st(i).slot_owner(0) != sim.st(i).node(sim.id(1))) return false;
        return true;
      },
      10000));
  EXPECT_EQ(sim.st(0).myself().numslots, 5460);
  // Node 0 gossips slot 0 as its own no more; had it, others would answer
  // with an UPDATE. Force that: a pong claiming slot 0 with the old epoch.
  cluster_message stale = sim.st(0).make_header(message_type::pong);
  stale.slots.set(0);
  stale.ip = "127.0.0.1";
  cluster_output out = sim.st(2).receive(stale, {"", "127.0.0.1", "127.0.0.1"}, sim.now);
  bool update = false;
  for (auto& m : out.messages) {
    if (m.msg.type == message_type::update && m.target == sim.id(0)) {
      update = true;
      EXPECT_EQ(m.msg.about, sim.id(1));
      EXPECT_TRUE(m.msg.update_slots.test(0));
      // Node 0 applies it.
      sim.st(0).receive(m.msg, {"", "127.0.0.1", "127.0.0.1"}, sim.now);
    }
  }
  EXPECT_TRUE(update);
  EXPECT_EQ(sim.st(2).slot_owner(0)->id, sim.id(1));
}

TEST(cluster_gossip, gossip_sample_is_a_tenth_of_the_nodes_at_least_three) {
  // The pong answering a ping from node 2 talks about `wanted` others (never
  // the receiver, never us), chosen at random, no one twice.
  auto pong_gossip = [](cluster_state& st, int nodes) {
    cluster_message ping;
    ping.type = message_type::ping;
    char id[41];
    snprintf(id, sizeof id, "%040x", 2);
    ping.sender = id;
    ping.port = 20001;
    ping.cport = 30001;
    ping.ip = "127.0.0.1";
    ping.flags = node_flag::master;
    ping.config_epoch = 1;
    ping.current_epoch = nodes;
    ping.slots.set(1);
    auto out = st.receive(ping, {"", "127.0.0.1", "127.0.0.1"}, 100000);
    EXPECT_EQ(out.messages.size(), 1u);
    EXPECT_TRUE(out.messages[0].reply);
    EXPECT_EQ(out.messages[0].msg.type, message_type::pong);
    for (auto& e : out.messages[0].msg.gossip) {
      EXPECT_NE(e.node_id, st.myself().id);
      EXPECT_NE(e.node_id, ping.sender);
    }
    return out.messages[0].msg.gossip;
  };
  for (auto [nodes, wanted] : {std::pair<int, size_t>{3, 1}, {5, 3}, {25, 3}, {40, 4}, {80, 8}}) {
    SCOPED_TRACE(nodes);
    auto st = loaded_state(nodes_conf_with(nodes, true), 20000);
    ASSERT_EQ(st->node_count(), static_cast<size_t>(nodes));
    // Random picks that hit us, the receiver or a node already chosen use up
    // tries (3 per wanted entry), so a sample can be smaller, never larger.
    size_t largest = 0;
    for (int i = 0; i < 20; ++i) {
      auto g = pong_gossip(*st, nodes);
      EXPECT_LE(g.size(), wanted);
      largest = std::max(largest, g.size());
      std::set<std::string> ids;
      for (auto& e : g) ids.insert(e.node_id);
      EXPECT_EQ(ids.size(), g.size());
    }
    EXPECT_EQ(largest, wanted);
  }
  // Nodes we have no link to and that serve no slot are not worth gossip.
  auto st = loaded_state(nodes_conf_with(10, false), 20000);
  EXPECT_TRUE(pong_gossip(*st, 10).empty());
}

TEST(cluster_gossip, pings_go_to_nodes_whose_pong_is_older_than_half_the_timeout) {
  cluster_sim sim;
  sim.add(4000);
  sim.add(4000);
  sim.meet_all();
  ASSERT_TRUE(sim.run_until([&] { return sim.everyone_knows_everyone(); }, 10000));
  sim.run(1000);
  cluster_state& a = sim.st(0);
  const cluster_node* b = a.node(sim.id(1));
  ASSERT_TRUE(b->link);
  int64_t pong = b->pong_received;
  ASSERT_GT(pong, 0);
  // Over a long run every gap between pongs stays within timeout/2 + a tick
  // (or the once-a-second random ping makes it shorter).
  int64_t last = pong;
  int64_t worst = 0;
  for (int i = 0; i < 200; ++i) {
    sim.step();
    if (b->pong_received != last) {
      worst = std::max(worst, b->pong_received - last);
      last = b->pong_received;
    }
  }
  EXPECT_GT(worst, 0);
  EXPECT_LE(worst, 2000 + 100);
  EXPECT_FALSE(b->failing());
}

TEST(cluster_gossip, a_node_that_moved_is_found_at_its_new_address) {
  cluster_sim sim;
  three_masters(sim);
  // Node 2 restarts on another port (same identity).
  sim.crash(2);
  sim.run(500);
  sim.nodes[2].port = 39999;
  cluster_options o = sim.st(2).options();
  o.port = 39999;
  o.cport = 49999;
  sim.st(2).set_options(o);
  sim.restart(2);
  ASSERT_TRUE(sim.run_until([&] { return seen_by(sim, 0, 2)->port == 39999; }, 20000));
  EXPECT_EQ(seen_by(sim, 0, 2)->cport, 49999);
  EXPECT_TRUE(sim.logged(0, "Address updated for node " + sim.id(2)));
}

TEST(cluster_gossip, publish_reaches_every_node_and_spublish_only_the_shard) {
  cluster_sim sim;
  for (int i = 0; i < 4; ++i) sim.add();
  sim.meet_all();
  ASSERT_TRUE(sim.run_until([&] { return sim.everyone_knows_everyone(); }, 10000));
  ASSERT_EQ(sim.st(0).addslotsrange({"0", "8000"}), std::nullopt);
  ASSERT_EQ(sim.st(1).addslotsrange({"8001", "16383"}), std::nullopt);
  ASSERT_EQ(sim.st(2).replicate(sim.id(0)), std::nullopt);
  ASSERT_EQ(sim.st(3).replicate(sim.id(1)), std::nullopt);
  sim.command(2, sim.st(2).take_output());
  sim.command(3, sim.st(3).take_output());
  sim.run(3000);
  auto received = [&](int i, cluster_event::kind k) {
    int n = 0;
    for (auto& e : sim.nodes[i].events)
      if (e.what == k && e.text == "news" && e.payload == "hello") ++n;
    return n;
  };
  sim.command(2, sim.st(2).publish("news", "hello", false));
  for (int i : {0, 1, 3}) EXPECT_EQ(received(i, cluster_event::kind::publish), 1) << i;
  EXPECT_EQ(received(2, cluster_event::kind::publish), 0);  // the caller delivers locally
  sim.command(2, sim.st(2).publish("news", "hello", true));
  EXPECT_EQ(received(0, cluster_event::kind::publishshard), 1);
  EXPECT_EQ(received(1, cluster_event::kind::publishshard), 0);
  EXPECT_EQ(received(3, cluster_event::kind::publishshard), 0);
}

TEST(cluster_gossip, random_messages_never_break_the_state) {
  // Any message from anybody, about anybody: no crash, and the slot table
  // stays consistent with every node's own count.
  cluster_sim sim;
  three_masters(sim);
  auto rng = seeded(7);
  std::vector<std::string> ids = {sim.id(0), sim.id(1), sim.id(2),           std::string(40, 'f'),
                                  "",        "short",   std::string(40, '0')};
  auto pick = [&] { return ids[rng() % ids.size()]; };
  cluster_state& st = sim.st(0);
  for (int i = 0; i < 3000; ++i) {
    cluster_message m;
    m.type = static_cast<message_type>(rng() % message_type_count);
    m.sender = pick();
    m.current_epoch = rng() % 20;
    m.config_epoch = rng() % 20;
    m.repl_offset = static_cast<int64_t>(rng() % 1000) - 10;
    m.ip = rng() % 2 ? "127.0.0.1" : "";
    m.port = static_cast<int>(rng() % 70000);
    m.cport = static_cast<int>(rng() % 70000);
    m.flags = static_cast<uint16_t>(rng());
    m.mflags = static_cast<uint8_t>(rng());
    m.master_id = rng() % 3 ? "" : pick();
    for (int s = 0; s < 20; ++s) m.slots.set(rng() % slot_count);
    int g = static_cast<int>(rng() % 4);
    for (int k = 0; k < g; ++k)
      m.gossip.push_back({pick(), static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng()),
                          "127.0.0.1", static_cast<int>(rng() % 70000),
                          static_cast<int>(rng() % 70000), static_cast<uint16_t>(rng())});
    m.about = pick();
    m.update_config_epoch = rng() % 30;
    for (int s = 0; s < 20; ++s) m.update_slots.set(rng() % slot_count);
    link_origin from;
    if (rng() % 3 == 0) from.node_id = pick();
    from.peer_ip = "127.0.0.1";
    from.local_ip = "127.0.0.1";
    sim.now += 10;
    (void)st.receive(m, from, sim.now);
    if (i % 10 == 0) (void)st.tick(sim.now);
  }
  int owned = 0;
  for (const cluster_node* n : st.nodes()) {
    owned += n->numslots;
    EXPECT_EQ(n->numslots, static_cast<int>(n->slots.count()));
    if (n->is_replica() && !n->master_id.empty()) {
      EXPECT_NE(n->master_id, n->id);
    }
  }
  EXPECT_EQ(owned, st.slots_assigned());
  EXPECT_TRUE(st.node(st.myself().id) == &st.myself());
}
