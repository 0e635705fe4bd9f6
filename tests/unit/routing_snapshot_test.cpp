// The dispatcher's routing snapshot built from a cluster_state: owners,
// migrations, self and its master, and the decisions (MOVED, ASK) they lead to.
#include <gtest/gtest.h>

#include "cluster_test_support.hpp"
#include "protocol/commands/key_slot.hpp"
#include "topology/cluster/routing_snapshot.hpp"

using namespace cluster_test;

namespace {

const std::string id27101 = "135510ff87a7618ed2e18e09ef3d37a398165b7b";
const std::string id27103 = "f3fb6b81c097294b3d25f774abb1c1e4bfe02e40";

std::string key_in_slot(uint16_t slot) {
  for (int i = 0;; ++i) {
    std::string k = "key:" + std::to_string(i);
    if (troupe::key_hash_slot(k) == slot) return k;
  }
}

route_decision route_key(const slot_routing& r, uint16_t slot, request_traits t = {},
                         size_t missing = 0) {
  key_summary keys;
  keys.add(key_in_slot(slot));
  return route(r, keys, t, missing);
}

}  // namespace

TEST(routing_snapshot, owners_and_migrations_of_a_master) {
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  slot_routing r = make_slot_routing(*st);
  ASSERT_EQ(r.nodes.size(), st->node_count());
  ASSERT_NE(r.self, slot_routing::none);
  EXPECT_EQ(r.nodes[r.self].node_id, id27101);
  EXPECT_EQ(r.master_of_self, slot_routing::none);
  EXPECT_EQ(r.owner[0], r.self);
  EXPECT_EQ(r.owner[101], slot_routing::none);
  EXPECT_EQ(r.nodes[r.owner[9000]].node_id, id27103);
  EXPECT_EQ(r.nodes[r.importing_from[8001]].node_id, id27103);
  EXPECT_EQ(r.migrating_to[50], r.self);
  EXPECT_FALSE(r.cluster_ok);

  // The cluster is down (slots uncovered): everything says so.
  EXPECT_EQ(route_error(r, route_key(r, 9000)), "CLUSTERDOWN The cluster is down");
  // Once ok: MOVED to the owner's address.
  r.cluster_ok = true;
  EXPECT_EQ(route_error(r, route_key(r, 9000)), "MOVED 9000 127.0.0.1:27103");
  EXPECT_EQ(route_key(r, 10).kind, route_kind::serve_here);
  EXPECT_EQ(route_error(r, route_key(r, 200)), "CLUSTERDOWN Hash slot not served");

  // A migration to 27103: missing keys are asked there.
  ASSERT_EQ(st->setslot({"60", "migrating", id27103}), std::nullopt);
  r = make_slot_routing(*st);
  r.cluster_ok = true;
  EXPECT_EQ(route_error(r, route_key(r, 60, {}, 1)), "ASK 60 127.0.0.1:27103");
  EXPECT_EQ(route_key(r, 60, {}, 0).kind, route_kind::serve_here);
}

TEST(routing_snapshot, a_replica_knows_its_master_and_hostnames_when_preferred) {
  auto st = loaded_state(fixture("nodes-4node-27104.conf"), 27104);
  routing_options o;
  o.preferred = endpoint_type::hostname;
  o.allow_reads_when_down = true;
  slot_routing r = make_slot_routing(*st, o);
  ASSERT_NE(r.master_of_self, slot_routing::none);
  EXPECT_EQ(r.nodes[r.master_of_self].node_id, id27101);
  EXPECT_EQ(r.nodes[r.master_of_self].host, "host-one.example");
  EXPECT_EQ(r.nodes[r.master_of_self].port, 27101);
  EXPECT_TRUE(r.allow_reads_when_down);
  r.cluster_ok = true;
  EXPECT_EQ(route_error(r, route_key(r, 5)), "MOVED 5 host-one.example:27101");
  request_traits readonly;
  readonly.readonly_client = true;
  EXPECT_EQ(route_key(r, 5, readonly).kind, route_kind::serve_here);
  EXPECT_EQ(route_error(r, route_key(r, 9000)), "MOVED 9000 ?:27103");
}

// The snapshot is built from the nodes' bitmaps a run at a time and looks at
// open slots 64 at a time: it must still agree with the state slot by slot,
// at both ends of the slot space too.
TEST(routing_snapshot, agrees_with_the_state_on_every_slot) {
  auto st = loaded_state(fixture("nodes-4node-27101.conf"), 27101);
  auto check = [&] {
    slot_routing r = make_slot_routing(*st);
    auto idx = [&](const cluster_node* n) -> int16_t {
      if (!n) return slot_routing::none;
      for (size_t i = 0; i < r.nodes.size(); ++i)
        if (r.nodes[i].node_id == n->id) return int16_t(i);
      return -2;
    };
    for (int s = 0; s < slot_count; ++s) {
      ASSERT_EQ(r.owner[s], idx(st->slot_owner(s))) << "slot " << s;
      ASSERT_EQ(r.migrating_to[s], idx(st->migrating_to(s))) << "slot " << s;
      ASSERT_EQ(r.importing_from[s], idx(st->importing_from(s))) << "slot " << s;
    }
  };
  check();
  ASSERT_EQ(st->delslots({"0", "16383"}), std::nullopt);
  ASSERT_EQ(st->addslots({"16383"}), std::nullopt);
  check();
  ASSERT_EQ(st->setslot({"16383", "migrating", id27103}), std::nullopt);
  ASSERT_EQ(st->setslot({"1", "migrating", id27103}), std::nullopt);
  ASSERT_EQ(st->setslot({"9000", "importing", id27103}), std::nullopt);
  check();
  ASSERT_EQ(st->setslot({"9000", "node", id27101}), std::nullopt);
  ASSERT_EQ(st->setslot({"16383", "stable"}), std::nullopt);
  check();
}

TEST(routing_snapshot, slot_ranges_at_the_ends) {
  slot_bitmap b;
  EXPECT_TRUE(slot_ranges(b).empty());
  b.set(0);
  b.set(16383);
  EXPECT_EQ(slot_ranges(b), (std::vector<std::pair<int, int>>{{0, 0}, {16383, 16383}}));
  b.set(1);
  b.set(63);
  b.set(64);
  b.set(65);
  b.set(16382);
  EXPECT_EQ(slot_ranges(b), (std::vector<std::pair<int, int>>{{0, 1}, {63, 65}, {16382, 16383}}));
  b.set();
  EXPECT_EQ(slot_ranges(b), (std::vector<std::pair<int, int>>{{0, 16383}}));
  b.reset(8000);
  EXPECT_EQ(slot_ranges(b), (std::vector<std::pair<int, int>>{{0, 7999}, {8001, 16383}}));
}
