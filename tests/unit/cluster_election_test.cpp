// Replica elections, votes, manual failover and replica migration of
// cluster_state on a simulated cluster (3 masters, their replicas).
#include <gtest/gtest.h>

#include "cluster_sim.hpp"

using namespace cluster_test;

namespace {

// Masters 0..2 with slots, replicas 3..(3+extra) of masters (i - 3) % 3.
void build(cluster_sim& sim, int replicas = 3, cluster_options base = {},
           std::vector<cluster_options> per_node = {}) {
  for (int i = 0; i < 3 + replicas; ++i) {
    cluster_options o = base;
    if (size_t(i) < per_node.size()) o = per_node[i];
    sim.add(2000, o);
  }
  sim.meet_all();
  ASSERT_TRUE(sim.run_until([&] { return sim.everyone_knows_everyone(); }, 10000));
  ASSERT_EQ(sim.st(0).addslotsrange({"0", "5460"}), std::nullopt);
  ASSERT_EQ(sim.st(1).addslotsrange({"5461", "10922"}), std::nullopt);
  ASSERT_EQ(sim.st(2).addslotsrange({"10923", "16383"}), std::nullopt);
  for (int i = 3; i < 3 + replicas; ++i) {
    ASSERT_EQ(sim.st(i).replicate(sim.id((i - 3) % 3)), std::nullopt);
    sim.command(i, sim.st(i).take_output());
  }
  ASSERT_TRUE(sim.run_until(
      [&] {
        if (!sim.all_up_ok()) return false;
        for (size_t i = 0; i < sim.nodes.size(); ++i)
          for (int r = 3; r < 3 + replicas; ++r)
            if (!sim.st(int(i)).node(sim.id(r))->is_replica()) return false;
        return true;
      },
      20000));
  sim.run(3000);  // epochs settle
}

bool owns(cluster_sim& sim, int observer, int owner, int slot) {
  const cluster_node* o = sim.st(observer).slot_owner(slot);
  return o && o->id == sim.id(owner);
}

// No two nodes that each believe they serve `slot` do so under one epoch.
void check_single_owner_per_epoch(cluster_sim& sim, int slot) {
  std::map<uint64_t, int> claim;
  for (size_t i = 0; i < sim.nodes.size(); ++i) {
    const cluster_state& s = sim.st(int(i));
    if (!sim.nodes[i].up || !s.myself().is_master() || s.slot_owner(slot) != &s.myself()) continue;
    auto [it, fresh] = claim.emplace(s.myself().config_epoch, int(i));
    EXPECT_TRUE(fresh) << "nodes " << it->second << " and " << i << " serve slot " << slot
                       << " in epoch " << s.myself().config_epoch;
  }
}

bool has_event(cluster_sim& sim, int i, cluster_event::kind k) {
  for (auto& e : sim.nodes[i].events)
    if (e.what == k) return true;
  return false;
}

}  // namespace

TEST(cluster_election, a_failed_master_is_replaced_by_its_replica_and_rejoins_as_replica) {
  cluster_sim sim;
  build(sim);
  uint64_t max_epoch = 0;
  for (int i = 0; i < 6; ++i) max_epoch = std::max(max_epoch, sim.st(i).current_epoch());
  sim.crash(0);
  int64_t crashed = sim.now;
  ASSERT_TRUE(sim.run_until(
      [&] {
        check_single_owner_per_epoch(sim, 0);
        return sim.st(3).myself().is_master() && owns(sim, 1, 3, 0) && owns(sim, 2, 3, 0) &&
               sim.all_up_ok();
      },
      15000));
  // node-timeout 2 s, then FAIL, then the election delay (500..1000 ms).
  EXPECT_GE(sim.now - crashed, 2500);
  EXPECT_TRUE(sim.logged(3, "Failover election won, I'm the new master."));
  EXPECT_TRUE(sim.logged(3, "Start of election delayed for"));
  EXPECT_TRUE(has_event(sim, 3, cluster_event::kind::become_master));
  EXPECT_GT(sim.st(3).myself().config_epoch, max_epoch);
  EXPECT_EQ(sim.st(3).myself().numslots, 5461);
  for (int m : {1, 2}) {
    EXPECT_EQ(sim.st(m).last_vote_epoch(), sim.st(3).myself().config_epoch);
    EXPECT_TRUE(sim.logged(m, "Failover auth granted to " + sim.id(3) + " for epoch"));
  }

  // The old master comes back with its old view: it is told, and follows.
  sim.restart(0);
  ASSERT_TRUE(sim.run_until(
      [&] {
        check_single_owner_per_epoch(sim, 0);
        return sim.st(0).myself().is_replica() && sim.st(0).myself().master_id == sim.id(3);
      },
      15000));
  EXPECT_TRUE(sim.logged(
      0, "Configuration change detected. Reconfiguring myself as a replica of " + sim.id(3)));
  EXPECT_TRUE(has_event(sim, 0, cluster_event::kind::become_replica));
  EXPECT_EQ(sim.st(0).myself().numslots, 0);
  ASSERT_TRUE(sim.run_until(
      [&] {
        for (int i = 0; i < 6; ++i) {
          const cluster_node* n = sim.st(i).node(sim.id(0));
          if (!n->is_replica() || n->master_id != sim.id(3) || n->failing()) return false;
        }
        return sim.all_up_ok();
      },
      15000));
}

TEST(cluster_election, the_replica_with_the_most_data_goes_first) {
  cluster_sim sim;
  build(sim, 4);  // replicas 3 and 6 of master 0
  sim.st(3).set_replication_offset(500);
  sim.st(6).set_replication_offset(900);
  sim.run(2000);  // they learn each other's offsets from pings
  sim.crash(0);
  ASSERT_TRUE(sim.run_until(
      [&] { return sim.st(6).myself().is_master() || sim.st(3).myself().is_master(); }, 15000));
  EXPECT_TRUE(sim.st(6).myself().is_master());
  EXPECT_TRUE(sim.logged(3, "(rank #1, offset 500)"));
  EXPECT_TRUE(sim.logged(6, "(rank #0, offset 900)"));
  // The other replica follows the winner.
  ASSERT_TRUE(sim.run_until([&] { return sim.st(3).myself().master_id == sim.id(6); }, 10000));
}

TEST(cluster_election, masters_vote_once_per_epoch_and_by_the_rules) {
  cluster_sim sim;
  build(sim);
  cluster_state& voter = sim.st(1);
  auto request = [&](int from, uint64_t epoch_delta, bool force) {
    cluster_message req = sim.st(from).make_header(message_type::failover_auth_request);
    req.current_epoch = voter.current_epoch() + epoch_delta;
    if (force) req.mflags |= message_flag::force_ack;
    return req;
  };
  auto ask = [&](const cluster_message& req) {
    size_t before = sim.nodes[1].log.size();
    cluster_output out = voter.receive(req, {"", "127.0.0.1", "127.0.0.1"}, sim.now);
    bool acked = false;
    for (auto& m : out.messages) acked |= m.msg.type == message_type::failover_auth_ack;
    sim.handle(1, std::move(out));
    std::string said;
    for (size_t i = before; i < sim.nodes[1].log.size(); ++i) said += sim.nodes[1].log[i];
    return std::make_pair(acked, said);
  };
  const std::string r3 = sim.id(3);
  auto [a1, s1] = ask(request(3, 1, false));
  EXPECT_FALSE(a1);
  EXPECT_EQ(s1, "Failover auth denied to " + r3 + ": its master is up");
  auto [a2, s2] = ask(request(2, 1, true));
  EXPECT_FALSE(a2);
  EXPECT_EQ(s2, "Failover auth denied to " + sim.id(2) + ": it is a master node");
  auto [a3, s3] = ask(request(3, 0, true));
  EXPECT_TRUE(a3) << s3;
  EXPECT_EQ(
      s3, "Failover auth granted to " + r3 + " for epoch " + std::to_string(voter.current_epoch()));
  auto [a4, s4] = ask(request(3, 0, true));
  EXPECT_FALSE(a4);
  EXPECT_EQ(s4, "Failover auth denied to " + r3 + ": already voted for epoch " +
                    std::to_string(voter.current_epoch()));
  // A new epoch, the same master within 2 x node-timeout.
  auto [a5, s5] = ask(request(3, 1, true));
  EXPECT_FALSE(a5);
  EXPECT_NE(s5.find("Failover auth denied to " + r3 + ": can't vote about this master before "),
            std::string::npos)
      << s5;
  // An old epoch.
  cluster_message old = request(4, 0, true);
  old.current_epoch = voter.current_epoch() - 1;
  auto [a6, s6] = ask(old);
  EXPECT_FALSE(a6);
  EXPECT_EQ(s6, "Failover auth denied to " + sim.id(4) + ": reqEpoch (" +
                    std::to_string(old.current_epoch) + ") < curEpoch(" +
                    std::to_string(voter.current_epoch()) + ")");
  // A claim on slots served under a newer epoch than the request's.
  // (the first slot of the master with the newest epoch: epochs differ, so it is > 0)
  int newest = 0;
  for (int m = 1; m < 3; ++m)
    if (voter.node(sim.id(m))->config_epoch > voter.node(sim.id(newest))->config_epoch) newest = m;
  const int slot = newest == 0 ? 0 : newest == 1 ? 5461 : 10923;
  const uint64_t epoch = voter.node(sim.id(newest))->config_epoch;
  ASSERT_GT(epoch, 0u);
  cluster_message stale = request(5, 1, true);
  stale.config_epoch = 0;
  stale.slots.reset();
  stale.slots.set(slot);
  auto [a7, s7] = ask(stale);
  EXPECT_FALSE(a7);
  EXPECT_EQ(s7, "Failover auth denied to " + sim.id(5) + ": slot " + std::to_string(slot) +
                    " epoch (" + std::to_string(epoch) + ") > reqEpoch (0)");
  // Replicas do not vote.
  cluster_output none =
      sim.st(4).receive(request(3, 1, true), {"", "127.0.0.1", "127.0.0.1"}, sim.now);
  for (auto& m : none.messages) EXPECT_NE(m.msg.type, message_type::failover_auth_ack);
}

TEST(cluster_election, manual_failover_waits_for_the_replica_to_catch_up) {
  cluster_sim sim;
  build(sim);
  sim.st(0).set_replication_offset(1000);
  sim.st(3).set_replication_offset(900);
  sim.run(1000);
  ASSERT_EQ(sim.st(3).failover({}), std::nullopt);
  sim.command(3, sim.st(3).take_output());
  EXPECT_TRUE(sim.logged(3, "Manual failover user request accepted."));
  EXPECT_TRUE(sim.logged(0, "Manual failover requested by replica " + sim.id(3) + "."));
  EXPECT_TRUE(has_event(sim, 0, cluster_event::kind::pause_writes));
  EXPECT_TRUE(sim.logged(3, "Received replication offset for paused master manual failover: 1000"));
  sim.run(1000);
  EXPECT_FALSE(sim.st(3).manual_failover_can_start());
  EXPECT_TRUE(sim.st(3).myself().is_replica());
  // The replica processed the whole stream: the election runs, no FAIL needed.
  sim.st(3).set_replication_offset(1000);
  ASSERT_TRUE(sim.run_until([&] { return sim.st(3).myself().is_master(); }, 3000));
  EXPECT_TRUE(sim.logged(3, "All master replication stream processed, manual failover can start."));
  ASSERT_TRUE(sim.run_until(
      [&] { return sim.st(0).myself().is_replica() && sim.st(0).myself().master_id == sim.id(3); },
      5000));
  EXPECT_TRUE(has_event(sim, 0, cluster_event::kind::unpause_writes));
  for (int i = 0; i < 6; ++i) EXPECT_TRUE(owns(sim, i, 3, 100)) << i;
  check_single_owner_per_epoch(sim, 100);
}

TEST(cluster_election, manual_failover_times_out_and_the_master_resumes) {
  cluster_sim sim;
  build(sim);
  sim.st(0).set_replication_offset(1000);
  sim.st(3).set_replication_offset(10);
  ASSERT_EQ(sim.st(3).failover({}), std::nullopt);
  sim.command(3, sim.st(3).take_output());
  sim.run(6000);
  EXPECT_TRUE(sim.logged(3, "Manual failover timed out."));
  EXPECT_TRUE(sim.logged(0, "Manual failover timed out."));
  EXPECT_TRUE(has_event(sim, 0, cluster_event::kind::unpause_writes));
  EXPECT_TRUE(sim.st(0).myself().is_master());
  EXPECT_FALSE(sim.st(3).manual_failover_in_progress());
}

TEST(cluster_election, failover_force_and_takeover) {
  cluster_sim sim;
  build(sim);
  // FORCE: the master is unreachable but not yet FAIL; masters vote anyway.
  sim.partition({0});
  ASSERT_EQ(sim.st(3).failover({"FORCE"}), std::nullopt);
  sim.command(3, sim.st(3).take_output());
  ASSERT_TRUE(sim.run_until([&] { return sim.st(3).myself().is_master(); }, 1500));
  EXPECT_FALSE(sim.st(1).node(sim.id(0))->has(node_flag::fail));
  sim.heal();
  ASSERT_TRUE(sim.run_until([&] { return sim.st(0).myself().master_id == sim.id(3); }, 10000));

  // TAKEOVER: no votes at all, a new epoch of its own.
  sim.partition({4});
  uint64_t before = sim.st(4).current_epoch();
  ASSERT_EQ(sim.st(4).failover({"takeover"}), std::nullopt);
  sim.command(4, sim.st(4).take_output());
  EXPECT_TRUE(sim.st(4).myself().is_master());
  EXPECT_EQ(sim.st(4).myself().config_epoch, before + 1);
  EXPECT_TRUE(sim.logged(4, "Taking over the master (user request)."));
  sim.heal();
  ASSERT_TRUE(sim.run_until([&] { return owns(sim, 2, 4, 5461) && owns(sim, 1, 4, 5461); }, 10000));
  ASSERT_TRUE(sim.run_until([&] { return sim.st(1).myself().master_id == sim.id(4); }, 10000));
}

TEST(cluster_election, no_failover_for_stale_replicas_or_with_replica_no_failover) {
  {
    cluster_sim sim;
    build(sim);
    // Disconnected from the master for far longer than validity allows.
    sim.st(3).set_master_link_down_since(sim.now - 600000);
    sim.crash(0);
    sim.run(12000);
    EXPECT_TRUE(sim.st(3).myself().is_replica());
    EXPECT_FALSE(sim.st(3).failover_auth_sent());
    EXPECT_TRUE(sim.logged(3,
                           "Currently unable to failover: Disconnected from master for longer "
                           "than allowed."));
  }
  {
    cluster_options lenient;
    lenient.replica_validity_factor = 0;  // no limit
    cluster_sim sim;
    build(sim, 3, lenient);
    sim.st(3).set_master_link_down_since(sim.now - 600000);
    sim.crash(0);
    ASSERT_TRUE(sim.run_until([&] { return sim.st(3).myself().is_master(); }, 12000));
  }
  {
    cluster_options no_failover;
    no_failover.replica_no_failover = true;
    cluster_sim sim;
    build(sim, 3, {}, {{}, {}, {}, no_failover});
    EXPECT_TRUE(sim.st(1).node(sim.id(3))->has(node_flag::nofailover));
    sim.crash(0);
    sim.run(12000);
    EXPECT_TRUE(sim.st(3).myself().is_replica());
    EXPECT_FALSE(sim.st(1).ok());
  }
}

TEST(cluster_election, a_replica_migrates_to_an_orphaned_master) {
  for (bool allowed : {true, false}) {
    SCOPED_TRACE(allowed);
    cluster_options o;
    o.allow_replica_migration = allowed;
    cluster_sim sim;
    build(sim, 4, o);  // master 0: replicas 3 and 6; master 1: 4; master 2: 5
    sim.crash(4);
    int smaller = sim.id(3) < sim.id(6) ? 3 : 6;
    int other = smaller == 3 ? 6 : 3;
    bool moved =
        sim.run_until([&] { return sim.st(smaller).myself().master_id == sim.id(1); }, 15000);
    EXPECT_EQ(moved, allowed);
    EXPECT_EQ(sim.st(other).myself().master_id, sim.id(0));
    if (allowed) {
      EXPECT_TRUE(sim.logged(smaller, "Migrating to orphaned master " + sim.id(1)));
      // Others learn the move.
      ASSERT_TRUE(sim.run_until(
          [&] { return sim.st(2).node(sim.id(smaller))->master_id == sim.id(1); }, 5000));
    }
  }
}
