// Redis Cluster's routing decision (topology/cluster/slot_routing): each
// branch of getNodeByQuery as Redis 7.0 takes it, with its error text.
#include "topology/cluster/slot_routing.hpp"

#include <gtest/gtest.h>

using namespace troupe;
using namespace troupe::cluster;

namespace {

// Three nodes: 0 is us, 1 and 2 are other masters. Slots 0..5460 ours,
// 5461..10922 node 1's, the rest node 2's.
slot_routing three_masters() {
  slot_routing r;
  r.nodes = {{"a", "127.0.0.1", 7000}, {"b", "127.0.0.1", 7001}, {"c", "10.0.0.3", 7002}};
  r.self = 0;
  r.cluster_ok = true;
  for (unsigned s = 0; s < cluster_slots; ++s) r.owner[s] = s <= 5460 ? 0 : s <= 10922 ? 1 : 2;
  return r;
}

key_summary keys(std::initializer_list<std::string_view> ks) {
  key_summary k;
  for (auto key : ks) k.add(key);
  return k;
}

}  // namespace

TEST(SlotRouting, KeysOfOurSlotsAreServedHere) {
  auto r = three_masters();
  // "foo" hashes to 12182 (node 2), "{user1000}.a" to 3443 (ours).
  ASSERT_EQ(key_hash_slot("{user1000}.a"), 3443);
  auto d = route(r, keys({"{user1000}.a", "{user1000}.b"}), {}, 0);
  EXPECT_EQ(d.kind, route_kind::serve_here);
  EXPECT_EQ(route_error(r, d), "");
}

TEST(SlotRouting, NoKeysIsNeverRedirected) {
  auto r = three_masters();
  r.cluster_ok = false;
  EXPECT_EQ(route(r, keys({}), {}, 0).kind, route_kind::serve_here);
}

TEST(SlotRouting, OtherOwnersGetMovedWithTheirEndpoint) {
  auto r = three_masters();
  auto d = route(r, keys({"foo"}), {}, 0);
  EXPECT_EQ(d.kind, route_kind::moved);
  EXPECT_EQ(route_error(r, d), "MOVED 12182 10.0.0.3:7002");
}

TEST(SlotRouting, KeysOfTwoSlotsAreCrossSlot) {
  auto r = three_masters();
  auto d = route(r, keys({"{user1000}.a", "foo"}), {}, 0);
  EXPECT_EQ(route_error(r, d), "CROSSSLOT Keys in request don't hash to the same slot");
  // The same key twice is one key.
  EXPECT_FALSE(keys({"foo", "foo"}).multiple_keys());
  EXPECT_TRUE(keys({"{t}a", "{t}b"}).multiple_keys());
}

TEST(SlotRouting, AnUnownedFirstSlotWinsOverCrossSlot) {
  auto r = three_masters();
  r.owner[key_hash_slot("foo")] = slot_routing::none;
  auto d = route(r, keys({"foo", "{user1000}.a"}), {}, 0);
  EXPECT_EQ(route_error(r, d), "CLUSTERDOWN Hash slot not served");
}

TEST(SlotRouting, ADownClusterRefusesUnlessReadsAreAllowed) {
  auto r = three_masters();
  r.cluster_ok = false;
  request_traits write{.is_write = true};
  EXPECT_EQ(route_error(r, route(r, keys({"{user1000}"}), {}, 0)),
            "CLUSTERDOWN The cluster is down");
  r.allow_reads_when_down = true;
  EXPECT_EQ(route(r, keys({"{user1000}"}), {}, 0).kind, route_kind::serve_here);
  EXPECT_EQ(route_error(r, route(r, keys({"{user1000}"}), write, 0)),
            "CLUSTERDOWN The cluster is down and only accepts read commands");
  // Reads of another node's slot are still redirected.
  EXPECT_EQ(route(r, keys({"foo"}), {}, 0).kind, route_kind::moved);
}

TEST(SlotRouting, ShardChannelsFollowTheirOwnDownRule) {
  auto r = three_masters();
  r.cluster_ok = false;
  request_traits shard{.pubsub_shard = true};
  EXPECT_EQ(route(r, keys({"{user1000}"}), shard, 0).kind, route_kind::serve_here);
  r.allow_pubsubshard_when_down = false;
  EXPECT_EQ(route(r, keys({"{user1000}"}), shard, 0).kind, route_kind::down);
}

TEST(SlotRouting, AMigratingSlotAsksForKeysItNoLongerHas) {
  auto r = three_masters();
  uint16_t slot = key_hash_slot("{user1000}");
  r.migrating_to[slot] = 1;
  EXPECT_TRUE(r.slot_open(slot));
  EXPECT_EQ(route(r, keys({"{user1000}"}), {}, 0).kind, route_kind::serve_here);
  auto d = route(r, keys({"{user1000}"}), {}, 1);
  EXPECT_EQ(route_error(r, d), "ASK 3443 127.0.0.1:7001");
  // MIGRATE itself runs here while the slot is open.
  EXPECT_EQ(route(r, keys({"{user1000}"}), {.is_migrate = true}, 1).kind, route_kind::serve_here);
}

TEST(SlotRouting, AnImportingSlotServesAskingClientsOnly) {
  auto r = three_masters();
  uint16_t slot = key_hash_slot("foo");  // owned by node 2
  r.importing_from[slot] = 2;
  EXPECT_EQ(route(r, keys({"foo"}), {}, 1).kind, route_kind::moved);
  EXPECT_EQ(route(r, keys({"foo"}), {.asking = true}, 1).kind, route_kind::serve_here);
  // Several keys, some not here yet: TRYAGAIN.
  auto d = route(r, keys({"{foo}a", "{foo}b"}), {.asking = true}, 1);
  EXPECT_EQ(route_error(r, d), "TRYAGAIN Multiple keys request during rehashing of slot");
  EXPECT_EQ(route(r, keys({"{foo}a", "{foo}b"}), {.asking = true}, 0).kind, route_kind::serve_here);
}

TEST(SlotRouting, AReadOnlyReplicaServesItsMastersReads) {
  auto r = three_masters();
  r.self = 3;
  r.nodes.push_back({"d", "127.0.0.1", 7003});
  r.master_of_self = 2;
  EXPECT_EQ(route(r, keys({"foo"}), {}, 0).kind, route_kind::moved);
  EXPECT_EQ(route(r, keys({"foo"}), {.readonly_client = true}, 0).kind, route_kind::serve_here);
  EXPECT_EQ(route(r, keys({"foo"}), {.is_write = true, .readonly_client = true}, 0).kind,
            route_kind::moved);
  // Not our master's slot: redirected even for READONLY clients.
  EXPECT_EQ(route(r, keys({"{user1000}"}), {.readonly_client = true}, 0).kind, route_kind::moved);
}
