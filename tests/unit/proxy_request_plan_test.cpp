// topology/proxy/request_plan: what the proxy does with each command, from the
// one command table.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/command_harness.hpp"
#include "topology/proxy/request_plan.hpp"

using namespace troupe::proxy;

namespace {

request_plan plan_of(std::vector<std::string> words) {
  // The storage families' commands; the server's own (PING, INFO, AUTH...) are
  // not linked into the unit tests, so the local ones are checked by proxy_test.
  static troupe::test::command_harness registers_the_table;
  std::vector<std::string_view> args(words.begin(), words.end());
  request_plan p;
  plan_request(args, p);
  return p;
}

}  // namespace

TEST(ProxyRequestPlan, RoutesByTheTable) {
  auto get = plan_of({"GET", "k"});
  EXPECT_EQ(get.route, route_kind::forward);
  EXPECT_EQ(get.keys, (std::vector<int>{1}));

  auto mget = plan_of({"mget", "a", "b", "c"});
  EXPECT_EQ(mget.route, route_kind::split);
  EXPECT_EQ(mget.merge, merge_kind::values_in_order);
  EXPECT_EQ(mget.keys, (std::vector<int>{1, 2, 3}));

  auto mset = plan_of({"MSET", "a", "1", "b", "2"});
  EXPECT_EQ(mset.route, route_kind::split);
  EXPECT_EQ(mset.merge, merge_kind::all_ok);
  EXPECT_EQ(mset.group, 2);
  EXPECT_EQ(mset.keys, (std::vector<int>{1, 3}));

  for (const char* sum : {"DEL", "UNLINK", "EXISTS", "TOUCH"}) {
    auto p = plan_of({sum, "a", "b"});
    EXPECT_EQ(p.route, route_kind::split) << sum;
    EXPECT_EQ(p.merge, merge_kind::integer_sum) << sum;
  }
  // One key: nothing to split.
  EXPECT_EQ(plan_of({"DEL", "a"}).route, route_kind::forward);
  // Several keys that must stay together: forwarded, the caller checks the ring.
  auto sunion = plan_of({"SUNIONSTORE", "d", "a", "b"});
  EXPECT_EQ(sunion.route, route_kind::forward);
  EXPECT_EQ(sunion.keys.size(), 3u);
  auto eval = plan_of({"EVAL", "return 1", "2", "a", "b", "arg"});
  EXPECT_EQ(eval.route, route_kind::forward);
  EXPECT_EQ(eval.keys, (std::vector<int>{3, 4}));
}

TEST(ProxyRequestPlan, RefusesWhatAProxyCannotServe) {
  for (auto words :
       std::vector<std::vector<std::string>>{{"KEYS", "*"},
                                             {"SCAN", "0"},
                                             {"FLUSHALL"},
                                             {"MULTI"},
                                             {"EXEC"},
                                             {"WATCH", "a"},
                                             {"BLPOP", "a", "0"},
                                             {"BRPOPLPUSH", "a", "b", "0"},
                                             {"EVAL", "return 1", "0"},
                                             {"XREAD", "BLOCK", "0", "STREAMS", "s", "0"},
                                             {"DBSIZE"}}) {
    auto p = plan_of(words);
    EXPECT_EQ(p.route, route_kind::refused) << words[0];
    EXPECT_NE(p.error.find("proxy"), std::string::npos) << p.error;
  }
  // Non-blocking XREAD is an ordinary keyed read.
  EXPECT_EQ(plan_of({"XREAD", "STREAMS", "s", "0"}).route, route_kind::forward);
  // Redis's own errors for unknown commands and arities.
  EXPECT_EQ(plan_of({"NOPE", "a"}).error,
            "ERR unknown command 'NOPE', with args beginning with: 'a' ");
  EXPECT_EQ(plan_of({"GET"}).error, "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(plan_of({"MSET", "a", "1", "b"}).error,
            "ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(plan_of({"OBJECT", "NOPE"}).error, "ERR unknown subcommand 'NOPE'. Try OBJECT HELP.");
}
