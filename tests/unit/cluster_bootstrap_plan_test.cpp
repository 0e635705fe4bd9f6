// cluster-bootstrap's plan: every node reads the same list and gets the same
// split as redis-cli --cluster create; malformed lists are refused.
#include <gtest/gtest.h>

#include "topology/cluster/bootstrap_plan.hpp"

using namespace troupe::cluster;

namespace {
const char* six =
    "127.0.0.1:7000 127.0.0.1:7001 127.0.0.1:7002 127.0.0.1:7003,127.0.0.1:7004 "
    "127.0.0.1:7005@30005";

bootstrap_plan plan_for(int port, int replicas = 1, const char* list = six) {
  auto r = make_bootstrap_plan(list, replicas, port, {"127.0.0.1"});
  EXPECT_TRUE(std::holds_alternative<bootstrap_plan>(r)) << std::get<std::string>(r);
  return std::get<bootstrap_plan>(r);
}
}  // namespace

TEST(ClusterBootstrapPlan, MastersShareEverySlotOnceAndReplicasFollowInTurn) {
  int next = 0;
  for (int i = 0; i < 3; i++) {
    bootstrap_plan p = plan_for(7000 + i);
    EXPECT_EQ(p.self, i);
    EXPECT_EQ(p.masters, 3);
    EXPECT_EQ(p.first_slot, next);
    EXPECT_EQ(p.config_epoch, uint64_t(i + 1));
    EXPECT_EQ(p.master, -1);
    next = p.last_slot + 1;
  }
  EXPECT_EQ(next, 16384);
  for (int i = 3; i < 6; i++) {
    bootstrap_plan p = plan_for(7000 + i);
    EXPECT_EQ(p.first_slot, -1);
    EXPECT_EQ(p.master, i - 3);
  }
  EXPECT_EQ(plan_for(7005).members[5].cport, 30005);
  EXPECT_EQ(plan_for(7005).members[0].cport, 17000);
  // No replicas: six masters.
  EXPECT_EQ(plan_for(7004, 0).masters, 6);
  // More replicas than members: one master.
  EXPECT_EQ(plan_for(7004, 100).masters, 1);
}

TEST(ClusterBootstrapPlan, BadListsAndStrangersAreRefused) {
  auto err = [](const char* list, int port = 7000) {
    auto r = make_bootstrap_plan(list, 1, port, {"10.0.0.5"});
    return std::holds_alternative<std::string>(r);
  };
  EXPECT_TRUE(err(""));
  EXPECT_TRUE(err("127.0.0.1"));
  EXPECT_TRUE(err("127.0.0.1:0"));
  EXPECT_TRUE(err("127.0.0.1:70000"));
  EXPECT_TRUE(err("127.0.0.1:7000@x"));
  EXPECT_TRUE(err("127.0.0.1:60000"));                // no room for port + 10000
  EXPECT_TRUE(err("10.0.0.9:7000 10.0.0.8:7000"));    // not this node
  EXPECT_TRUE(err("127.0.0.1:7000 localhost:7000"));  // twice
  EXPECT_FALSE(err("10.0.0.5:7000 10.0.0.6:7000"));   // its own address
  EXPECT_FALSE(err("[::1]:7000"));
}
