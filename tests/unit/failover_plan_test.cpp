// The FAILOVER state machine without sockets: argument parsing, the checks
// in Redis's order, choosing the replica that caught up, TIMEOUT with and
// without FORCE, and the deadline of a switch the target never answers.
#include <gtest/gtest.h>

#include "topology/replication/failover_plan.hpp"

using namespace troupe;

namespace {

failover_request parse_ok(std::vector<std::string_view> args) {
  auto r = parse_failover(args);
  EXPECT_TRUE(std::holds_alternative<failover_request>(r));
  return std::holds_alternative<failover_request>(r) ? std::get<failover_request>(r)
                                                     : failover_request{};
}

std::string parse_error(std::vector<std::string_view> args) {
  auto r = parse_failover(args);
  return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : "";
}

std::vector<failover_candidate> two_replicas(int64_t acked_a, int64_t acked_b) {
  return {{"10.0.0.1", 6379, true, acked_a}, {"10.0.0.2", 6380, true, acked_b}};
}

}  // namespace

TEST(failover_plan, parses_arguments_as_redis) {
  failover_request r = parse_ok({"TO", "h", "7000", "force", "TIMEOUT", "50"});
  EXPECT_TRUE(r.has_target);
  EXPECT_EQ(r.host, "h");
  EXPECT_EQ(r.port, 7000);
  EXPECT_TRUE(r.force);
  EXPECT_EQ(r.timeout_ms, 50);
  EXPECT_TRUE(parse_ok({"abort"}).abort);
  EXPECT_EQ(parse_error({"abort", "timeout", "5"}), "ERR syntax error");
  EXPECT_EQ(parse_error({"timeout", "0"}), "ERR FAILOVER timeout must be greater than 0");
  EXPECT_EQ(parse_error({"timeout", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(parse_error({"to", "h", "x"}), "ERR value is not an integer or out of range");
  EXPECT_EQ(parse_error({"to", "h"}), "ERR syntax error");
  EXPECT_EQ(parse_error({"timeout", "5", "timeout", "6"}), "ERR syntax error");
}

TEST(failover_plan, checks_come_in_redis_order) {
  failover_plan p;
  failover_request abort;
  abort.abort = true;
  EXPECT_EQ(p.begin(abort, false, {}, 0), "ERR No failover in progress.");
  EXPECT_EQ(p.begin({}, true, two_replicas(0, 0), 0),
            "ERR FAILOVER is not valid when server is a replica.");
  EXPECT_EQ(p.begin({}, false, {}, 0), "ERR FAILOVER requires connected replicas.");
  failover_request force;
  force.force = true;
  force.timeout_ms = 10;
  EXPECT_EQ(p.begin(force, false, two_replicas(0, 0), 0),
            "ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
  failover_request to = parse_ok({"to", "10.0.0.9", "6379"});
  EXPECT_EQ(p.begin(to, false, two_replicas(0, 0), 0),
            "ERR FAILOVER target HOST and PORT is not a replica.");
  auto offline = two_replicas(0, 0);
  offline[1].online = false;
  EXPECT_EQ(p.begin(parse_ok({"to", "10.0.0.2", "6380"}), false, offline, 0),
            "ERR FAILOVER target replica is not online.");
  EXPECT_EQ(p.state(), failover_plan::phase::none);
  EXPECT_EQ(p.begin({}, false, two_replicas(0, 0), 0), std::nullopt);
  EXPECT_STREQ(p.state_name(), "waiting-for-sync");
  EXPECT_EQ(p.begin({}, false, two_replicas(0, 0), 0), "ERR FAILOVER already in progress.");
  EXPECT_EQ(p.begin(abort, false, {}, 0), std::nullopt);  // the caller aborts
}

TEST(failover_plan, switches_to_the_first_replica_that_has_the_whole_stream) {
  failover_plan p;
  ASSERT_EQ(p.begin({}, false, two_replicas(90, 95), 1000), std::nullopt);
  EXPECT_EQ(p.check(1001, 100, two_replicas(90, 95)).what,
            failover_plan::decision::kind::keep_waiting);
  auto d = p.check(1002, 100, two_replicas(90, 100));
  EXPECT_EQ(d.what, failover_plan::decision::kind::switch_roles);
  EXPECT_FALSE(d.forced);
  EXPECT_EQ(p.target_host(), "10.0.0.2");
  EXPECT_EQ(p.target_port(), 6380);
  p.switched(1002);
  EXPECT_STREQ(p.state_name(), "failover-in-progress");
  EXPECT_FALSE(p.switch_timed_out(1003));
  EXPECT_TRUE(p.switch_timed_out(1002 + failover_switch_grace_ms));
  p.clear();
  EXPECT_STREQ(p.state_name(), "no-failover");
}

TEST(failover_plan, a_named_target_is_waited_for_until_the_timeout) {
  failover_plan p;
  ASSERT_EQ(p.begin(parse_ok({"to", "10.0.0.1", "6379", "timeout", "100"}), false,
                    two_replicas(50, 100), 0),
            std::nullopt);
  // The other replica is caught up: it does not matter.
  EXPECT_EQ(p.check(10, 100, two_replicas(50, 100)).what,
            failover_plan::decision::kind::keep_waiting);
  auto d = p.check(100, 100, two_replicas(50, 100));
  EXPECT_EQ(d.what, failover_plan::decision::kind::abort);
  EXPECT_EQ(d.reason, "Replica never caught up before timeout");
  // With FORCE the switch happens at the timeout anyway.
  p.clear();
  ASSERT_EQ(p.begin(parse_ok({"to", "10.0.0.1", "6379", "timeout", "100", "force"}), false,
                    two_replicas(50, 100), 0),
            std::nullopt);
  d = p.check(100, 100, two_replicas(50, 100));
  EXPECT_EQ(d.what, failover_plan::decision::kind::switch_roles);
  EXPECT_TRUE(d.forced);
  EXPECT_EQ(p.target_host(), "10.0.0.1");
}
