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
