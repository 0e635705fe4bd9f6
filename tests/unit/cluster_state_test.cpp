// cluster_state's table and CLUSTER commands: the replies and error texts are
// those redis-server 7.0.15 gave for the same commands on the same cluster
// (the fixtures under fixtures/cluster/ are that cluster's nodes.conf files).
#include <gtest/gtest.h>

#include "cluster_test_support.hpp"
#include "topology/cluster/cluster_render.hpp"

using namespace cluster_test;

namespace {

const std::string id27101 = "135510ff87a7618ed2e18e09ef3d37a398165b7b";
const std::string id27102 = "24fd6e719beaddbc05488f8bc13ff2387f7d98de";
const std::string id27103 = "f3fb6b81c097294b3d25f774abb1c1e4bfe02e40";
const std::string id27104 = "b1796800d91ec5868101aa5f463e3728d13ce1d5";

cluster_state fresh(int64_t now = 1000, keyspace_hooks hooks = {}) {
  return cluster_state(options_for(7000), seeded(1), now, std::move(hooks));
}

bool has_event(const cluster_output& out, cluster_event::kind k) {
  for (auto& e : out.events)
    if (e.what == k) return true;
  return false;
}

}  // namespace

TEST(cluster_state, a_fresh_node_is_a_master_alone_with_a_random_id) {
  cluster_state a = fresh();
  cluster_state b(options_for(7001), seeded(2), 1000);
  EXPECT_EQ(a.myself().id.size(), 40u);
  EXPECT_EQ(a.myself().id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a.myself().id, b.myself().id);
  EXPECT_EQ(cluster_state(options_for(7000), seeded(1), 0).myself().id, a.myself().id);
  EXPECT_TRUE(a.myself().is_master());
  EXPECT_TRUE(a.myself().has(node_flag::myself));
  EXPECT_EQ(a.node_count(), 1u);
  EXPECT_EQ(a.current_epoch(), 0u);
  EXPECT_FALSE(a.ok());
  EXPECT_EQ(a.size(), 0);
}

TEST(cluster_state, addslots_and_delslots_errors_are_redis_texts) {
  cluster_state st = fresh();
  EXPECT_EQ(st.addslotsrange({"0", "100"}), ok());
  EXPECT_EQ(st.addslots({"200", "300", "5000"}), ok());
  EXPECT_EQ(st.addslots({"200"}), "ERR Slot 200 is already busy");
  EXPECT_EQ(st.addslots({"16384"}), "ERR Invalid or out of range slot");
  EXPECT_EQ(st.addslots({"7", "7"}), "ERR Slot 7 is already busy");
  EXPECT_EQ(st.addslotsrange({"400", "300"}),
            "ERR start slot number 400 is greater than end slot number 300");
  EXPECT_EQ(st.addslotsrange({"400", "500", "450", "460"}),
            "ERR Slot 450 specified multiple times");
  EXPECT_EQ(st.addslotsrange({"400", "500", "600", "700", "650", "800"}),
            "ERR Slot 650 specified multiple times");
  EXPECT_EQ(st.delslots({"9000"}), "ERR Slot 9000 is already unassigned");
  EXPECT_EQ(st.delslotsrange({"9000", "9001"}), "ERR Slot 9000 is already unassigned");
  EXPECT_EQ(st.delslots({"5", "5"}), "ERR Slot 5 specified multiple times");
  EXPECT_EQ(st.addslots({"-1"}), "ERR Invalid or out of range slot");
  EXPECT_EQ(st.addslots({"abc"}), "ERR Invalid or out of range slot");
  EXPECT_EQ(st.addslots({"9000", "9000"}), "ERR Slot 9000 specified multiple times");
  EXPECT_EQ(st.addslotsrange({"1"}),
            "ERR wrong number of arguments for 'cluster|addslotsrange' command");
  EXPECT_EQ(st.delslotsrange({"1", "2", "3"}),
            "ERR wrong number of arguments for 'cluster|delslotsrange' command");
  // A failed command changed nothing.
  EXPECT_EQ(st.slot_owner(400), nullptr);
  EXPECT_EQ(st.slot_owner(9000), nullptr);
  EXPECT_EQ(st.myself().numslots, 104);
  EXPECT_EQ(node_line(st, st.myself()),
            st.myself().id + " :7000@17000 myself,master - 0 0 0 connected 0-100 200 300 5000");
  EXPECT_EQ(st.delslotsrange({"0", "99"}), ok());
  EXPECT_EQ(st.myself().numslots, 4);
  EXPECT_TRUE(has_event(st.take_output(), cluster_event::kind::save_config));
}

TEST(cluster_state, state_is_ok_with_every_slot_covered_after_the_rejoin_delay) {
  // As redis-server 7.0: a master that saw itself in the minority (here: no
  // master serving slots) waits min(node-timeout, 5 s) before turning ok.
  cluster_state st = fresh(0);
  st.tick(2500);  // past the 2 s startup delay: no slots served, a minority
  st.set_now(2600);
  EXPECT_EQ(st.addslotsrange({"0", "16382"}), ok());
  st.tick(7000);
  EXPECT_FALSE(st.ok());  // slot 16383 is not covered
  EXPECT_EQ(st.addslots({"16383"}), ok());
  EXPECT_FALSE(st.ok());
  st.tick(7400);
  EXPECT_FALSE(st.ok());
  st.tick(7600);
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(st.slots_assigned(), 16384);
  EXPECT_EQ(st.size(), 1);
  // Without full coverage required, the cluster is ok with holes.
  cluster_options o = options_for(7000);
  o.require_full_coverage = false;
  cluster_state partial(o, seeded(3), 0);
  EXPECT_EQ(partial.addslots({"1"}), ok());
  partial.tick(1000);
  EXPECT_FALSE(partial.ok());  // a fresh master waits 2 s before it is ok
  auto out = partial.tick(2100);
  EXPECT_TRUE(partial.ok());
  EXPECT_TRUE(has_event(out, cluster_event::kind::state_changed));
}

TEST(cluster_state, setslot_checks_and_errors_are_redis_texts) {
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  ASSERT_EQ(st->myself().id, id27101);
  EXPECT_EQ(st->setslot({"5", "importing", "abc"}), "ERR I'm already the owner of hash slot 5");
  EXPECT_EQ(st->setslot({"5", "migrating", "abc"}), "ERR I don't know about node abc");
  EXPECT_EQ(st->setslot({"20000", "stable"}), "ERR Invalid or out of range slot");
  EXPECT_EQ(st->setslot({"5", "foo"}),
            "ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
  EXPECT_EQ(st->setslot({"5", "node", "abc"}), "ERR Unknown node abc");
  EXPECT_EQ(st->setslot({"8001", "migrating", id27103}), "ERR I'm not the owner of hash slot 8001");
  EXPECT_EQ(st->setslot({"9000", "migrating", id27103}), "ERR I'm not the owner of hash slot 9000");
  EXPECT_EQ(st->setslot({"50", "importing", id27101}), "ERR I'm already the owner of hash slot 50");
  EXPECT_EQ(st->setslot({"51", "migrating", id27104}), "ERR Target node is not a master");
  EXPECT_EQ(st->setslot({"8002", "importing", id27104}), "ERR Target node is not a master");
  EXPECT_EQ(st->setslot({"8002", "node", id27104}), "ERR Target node is not a master");

  EXPECT_EQ(st->setslot({"51", "migrating", id27103}), ok());
  EXPECT_EQ(st->migrating_to(51)->id, id27103);
  EXPECT_EQ(st->setslot({"51", "stable"}), ok());
  EXPECT_EQ(st->migrating_to(51), nullptr);

  // A replica refuses SETSLOT.
  auto replica = loaded_state(fixture("nodes-4node-27104.conf"), 27104);
  EXPECT_EQ(replica->setslot({"1", "stable"}), "ERR Please use SETSLOT only with masters.");
}

TEST(cluster_state, setslot_node_moves_a_slot_and_ends_an_import_with_a_new_epoch) {
  uint64_t keys = 3;
  keyspace_hooks hooks;
  hooks.keys_in_slot = [&](int slot) -> uint64_t { return slot == 60 ? keys : 0; };
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101, 100000, hooks);
  EXPECT_EQ(st->setslot({"60", "node", id27103}),
            "ERR Can't assign hashslot 60 to a different node while I still hold keys for this "
            "hash slot.");
  keys = 0;
  EXPECT_EQ(st->setslot({"60", "migrating", id27103}), ok());
  EXPECT_EQ(st->setslot({"60", "node", id27103}), ok());
  EXPECT_EQ(st->slot_owner(60)->id, id27103);
  EXPECT_EQ(st->migrating_to(60), nullptr);  // no keys left: the migration is over

  // The import of 8001 ends on its owner with a bumped epoch.
  ASSERT_NE(st->importing_from(8001), nullptr);
  uint64_t before = st->current_epoch();
  EXPECT_EQ(st->setslot({"8001", "node", id27101}), ok());
  EXPECT_EQ(st->slot_owner(8001)->id, id27101);
  EXPECT_EQ(st->importing_from(8001), nullptr);
  EXPECT_EQ(st->myself().config_epoch, before + 1);
  EXPECT_EQ(st->current_epoch(), before + 1);
}

TEST(cluster_state, atomic_migration_checks_and_the_two_ends_of_a_hand_over) {
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101, 100000);
  int theirs = -1;
  for (int s = 0; s < 16384 && theirs < 0; ++s)
    if (st->slot_owner(s) && st->slot_owner(s)->id == id27103) theirs = s;
  ASSERT_GE(theirs, 0);
  EXPECT_EQ(st->check_migration({60}, id27101), "ERR Can't migrate slots to myself");
  EXPECT_EQ(st->check_migration({60}, std::string(40, 'f')),
            "ERR Unknown node " + std::string(40, 'f'));
  EXPECT_EQ(st->check_migration({theirs}, id27103),
            "ERR I'm not the owner of hash slot " + std::to_string(theirs));
  EXPECT_EQ(st->check_migration({60}, id27103), ok());
  // A slot in a SETSLOT migration cannot also move atomically.
  EXPECT_EQ(st->setslot({"61", "migrating", id27103}), ok());
  EXPECT_EQ(st->check_migration({60, 61}, id27103),
            "ERR Hash slot 61 is being migrated with SETSLOT");
  // The source's end: the slot is the target's, the epoch unchanged.
  uint64_t before = st->current_epoch();
  EXPECT_EQ(st->give_migrated_slots({60}, id27103), ok());
  EXPECT_EQ(st->slot_owner(60)->id, id27103);
  EXPECT_EQ(st->current_epoch(), before);
  // The target's end: slots of the source become ours under a new epoch.
  EXPECT_EQ(st->take_imported_slots({theirs}, id27101),
            "ERR Hash slot " + std::to_string(theirs) + " is not served by the source");
  EXPECT_EQ(st->take_imported_slots({theirs}, id27103), ok());
  EXPECT_EQ(st->slot_owner(theirs)->id, id27101);
  EXPECT_EQ(st->myself().config_epoch, before + 1);
  EXPECT_EQ(st->current_epoch(), before + 1);
}

TEST(cluster_state, a_master_giving_away_its_last_slot_follows_it) {
  // Learn another master through a fixture-like line.
  auto conf = std::get<nodes_conf>(parse_nodes_conf(
      fixture("nodes-single-addslotsrange.conf") +
      "24fd6e719beaddbc05488f8bc13ff2387f7d98de 127.0.0.1:27102@37102 master - 0 0 3 connected\n"));
  cluster_state s2(options_for(27101), seeded(5), 0);
  ASSERT_EQ(apply_nodes_conf(conf, s2, 0), std::nullopt);
  EXPECT_EQ(s2.delslotsrange({"1", "100"}), ok());
  EXPECT_EQ(s2.setslot({"0", "node", id27102}), ok());
  EXPECT_TRUE(s2.myself().is_replica());
  EXPECT_EQ(s2.myself().master_id, id27102);
  EXPECT_TRUE(has_event(s2.take_output(), cluster_event::kind::become_replica));
}

TEST(cluster_state, replicate_forget_and_their_errors) {
  uint64_t db_keys = 0;
  keyspace_hooks hooks;
  hooks.keys_in_db0 = [&]() { return db_keys; };
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101, 100000, hooks);
  EXPECT_EQ(st->replicate("abc"), "ERR Unknown node abc");
  EXPECT_EQ(st->replicate(id27101), "ERR Can't replicate myself");
  EXPECT_EQ(st->replicate(id27104), "ERR I can only replicate a master, not a replica.");
  EXPECT_EQ(st->replicate(id27102),
            "ERR To set a master the node must be empty and without assigned slots.");
  EXPECT_EQ(st->forget(id27101), "ERR I tried hard but I can't forget myself...");
  EXPECT_EQ(st->forget("abc"), "ERR Unknown node abc");
  EXPECT_EQ(st->forget(id27102), ok());
  EXPECT_EQ(st->node(id27102), nullptr);
  EXPECT_EQ(st->node_count(), 3u);

  auto replica = loaded_state(fixture("nodes-4node-27104.conf"), 27104);
  EXPECT_EQ(replica->forget(id27101), "ERR Can't forget my master!");
  // An empty master without slots may follow another one.
  cluster_state empty(options_for(27105), seeded(9), 0, hooks);
  auto conf = std::get<nodes_conf>(parse_nodes_conf(fixture("nodes-4node-27104.conf")));
  ASSERT_EQ(apply_nodes_conf(conf, empty, 0), std::nullopt);
  EXPECT_EQ(empty.replicate(id27103), ok());
  EXPECT_EQ(empty.myself().master_id, id27103);
  auto reps = std::get<std::vector<const cluster_node*>>(empty.replicas_of(id27103));
  ASSERT_EQ(reps.size(), 1u);
  EXPECT_EQ(reps[0]->id, id27104);
  EXPECT_EQ(std::get<std::string>(empty.replicas_of(id27104)),
            "ERR The specified node is not a master");
}

TEST(cluster_state, forgotten_nodes_are_not_relearned_for_60_seconds) {
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101, 100000);
  st->set_now(100000);
  ASSERT_EQ(st->forget(id27102), ok());
  // 27103 still gossips about 27102.
  cluster_message ping = [&] {
    cluster_message m;
    m.type = message_type::ping;
    m.sender = id27103;
    m.port = 27103;
    m.cport = 37103;
    m.ip = "127.0.0.1";
    m.flags = node_flag::master;
    for (int s = 8001; s < slot_count; ++s) m.slots.set(s);
    m.gossip.push_back({id27102, 0, 100, "127.0.0.1", 27102, 37102, node_flag::master});
    return m;
  }();
  st->receive(ping, {"", "127.0.0.1", "127.0.0.1"}, 130000);
  EXPECT_EQ(st->node(id27102), nullptr);
  st->receive(ping, {"", "127.0.0.1", "127.0.0.1"}, 160001);
  ASSERT_NE(st->node(id27102), nullptr);
  EXPECT_EQ(st->node(id27102)->port, 27102);
}

TEST(cluster_state, epochs_bumpepoch_and_set_config_epoch) {
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  EXPECT_EQ(st->current_epoch(), 3u);
  EXPECT_EQ(st->bumpepoch(), "BUMPED 4");
  EXPECT_EQ(st->bumpepoch(), "STILL 4");
  auto replica = loaded_state(fixture("nodes-4node-27104.conf"), 27104);
  EXPECT_EQ(replica->bumpepoch(), "BUMPED 4");
  EXPECT_EQ(st->set_config_epoch("5"),
            "ERR The user can assign a config epoch only when the node does not know any other "
            "node.");
  cluster_state alone = fresh();
  EXPECT_EQ(alone.set_config_epoch("-1"), "ERR Invalid config epoch specified: -1");
  EXPECT_EQ(alone.set_config_epoch("x"), "ERR value is not an integer or out of range");
  EXPECT_EQ(alone.set_config_epoch("7"), ok());
  EXPECT_EQ(alone.myself().config_epoch, 7u);
  EXPECT_EQ(alone.current_epoch(), 7u);
  EXPECT_EQ(alone.set_config_epoch("8"), "ERR Node config epoch is already non-zero");
  EXPECT_EQ(alone.bumpepoch(), "STILL 7");
}

TEST(cluster_state, count_failure_reports_and_flushslots) {
  uint64_t db_keys = 1;
  keyspace_hooks hooks;
  hooks.keys_in_db0 = [&]() { return db_keys; };
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101, 100000, hooks);
  EXPECT_EQ(std::get<int64_t>(st->count_failure_reports(id27102)), 0);
  EXPECT_EQ(std::get<std::string>(st->count_failure_reports("abc")), "ERR Unknown node abc");
  EXPECT_EQ(st->flushslots(), "ERR DB must be empty to perform CLUSTER FLUSHSLOTS.");
  db_keys = 0;
  EXPECT_EQ(st->flushslots(), ok());
  EXPECT_EQ(st->myself().numslots, 0);
  EXPECT_EQ(st->slot_owner(8001)->id, id27103);  // others keep theirs
}

TEST(cluster_state, reset_soft_and_hard) {
  auto st = loaded_state(fixture("nodes-4node-27104.conf"), 27104);
  EXPECT_EQ(st->reset({"medium"}), "ERR syntax error");
  EXPECT_EQ(st->reset({}), ok());
  EXPECT_EQ(st->myself().id, id27104);
  EXPECT_TRUE(st->myself().is_master());
  EXPECT_EQ(st->node_count(), 1u);
  EXPECT_EQ(st->slots_assigned(), 0);
  EXPECT_EQ(st->current_epoch(), 3u);  // soft: epochs stay
  auto out = st->take_output();
  EXPECT_TRUE(has_event(out, cluster_event::kind::become_master));
  EXPECT_TRUE(has_event(out, cluster_event::kind::empty_data));  // it was a replica

  auto hard = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  EXPECT_EQ(hard->reset({"HARD"}), ok());
  EXPECT_NE(hard->myself().id, id27101);
  EXPECT_EQ(hard->node(hard->myself().id), &hard->myself());
  EXPECT_EQ(hard->current_epoch(), 0u);
  EXPECT_EQ(hard->last_vote_epoch(), 0u);
  EXPECT_EQ(hard->myself().config_epoch, 0u);
  EXPECT_EQ(hard->migrating_to(50), nullptr);

  keyspace_hooks hooks;
  hooks.keys_in_db0 = []() -> uint64_t { return 2; };
  auto full = loaded_state(fixture("nodes-4node-27101.conf"), 27101, 0, hooks);
  EXPECT_EQ(full->reset({}), "ERR CLUSTER RESET can't be called with master nodes containing keys");
}

TEST(cluster_state, meet_starts_a_handshake_that_times_out) {
  cluster_state st = fresh(1000);
  EXPECT_EQ(st.meet("1.2.3", "7001"), "ERR Invalid node address specified: 1.2.3:7001");
  EXPECT_EQ(st.meet("127.0.0.1", "70000"), "ERR Invalid node address specified: 127.0.0.1:70000");
  EXPECT_EQ(st.meet("127.0.0.1", "x"), "ERR Invalid TCP base port specified: x");
  EXPECT_EQ(st.meet("127.0.0.1", "7001", "y"), "ERR Invalid TCP bus port specified: y");
  EXPECT_EQ(st.meet("127.0.0.1", "7001"), ok());
  EXPECT_EQ(st.meet("127.0.0.1", "7001"), ok());  // already in handshake: no second node
  ASSERT_EQ(st.node_count(), 2u);
  const cluster_node* h = st.nodes()[1];
  EXPECT_TRUE(h->has(node_flag::handshake));
  EXPECT_EQ(h->cport, 17001);
  EXPECT_EQ(node_flags_text(h->flags), "handshake");
  auto out = st.tick(1100);
  EXPECT_TRUE(has_event(out, cluster_event::kind::connect));
  // The handshake ends unanswered after max(node-timeout, 1 s).
  st.tick(16000);
  EXPECT_EQ(st.node_count(), 2u);
  out = st.tick(16101);
  EXPECT_EQ(st.node_count(), 1u);
  EXPECT_TRUE(has_event(out, cluster_event::kind::node_deleted));
}

TEST(cluster_state, manual_failover_command_errors) {
  auto master = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  EXPECT_EQ(master->failover({}), "ERR You should send CLUSTER FAILOVER to a replica");
  EXPECT_EQ(master->failover({"soon"}), "ERR syntax error");
  auto replica = loaded_state(fixture("nodes-4node-27104.conf"), 27104);
  // Loaded links are down: the master looks unreachable.
  EXPECT_EQ(replica->failover({}),
            "ERR Master is down or failed, please use CLUSTER FAILOVER FORCE");
  EXPECT_EQ(replica->failover({"force"}), ok());
  EXPECT_TRUE(replica->manual_failover_in_progress());
  EXPECT_TRUE(replica->manual_failover_can_start());
}
