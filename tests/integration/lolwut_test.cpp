// LOLWUT against a real redis-server 7.0: the plain version reply, argument
// errors, and version 5's art (random: compared by its shape, lines and
// bytes, and its caption), RESP3 verbatim string included.
#include <gtest/gtest.h>

#include <algorithm>

#include "integration/command_test_support.hpp"
#include "integration/type_test_support.hpp"

using namespace troupe;
using namespace troupe::test;

class lolwut : public differential_suite<lolwut> {};

TEST_F(lolwut, replies_match_redis) {
  ASSERT_TRUE(d->ok());
  d->same({"LOLWUT"});
  d->same({"LOLWUT", "VERSION", "4"});
  d->same({"LOLWUT", "VERSION", "7"});
  d->same({"LOLWUT", "VERSION", "-1"});
  d->same({"LOLWUT", "VERSION", "x"});
  d->same({"LOLWUT", "VERSION"});
  d->same({"LOLWUT", "foo", "bar"});
  d->same({"LOLWUT", "VERSION", "5", "x"});
  auto shape = [](const std::string& s) {
    size_t nl = size_t(std::count(s.begin(), s.end(), '\n'));
    return std::to_string(nl) + " lines, " + std::to_string(s.size()) + " bytes, ends " +
           s.substr(s.rfind('\n', s.size() - 2) + 1);
  };
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"LOLWUT", "VERSION", "5"},
                                             {"LOLWUT", "VERSION", "5", "20", "3", "2"},
                                             {"LOLWUT", "VERSION", "5", "1", "1", "1"},
                                             {"LOLWUT", "VERSION", "5", "0", "-5", "100000"},
                                             {"LOLWUT", "VERSION", "5", "5000", "1", "1"}}) {
    resp_value r = d->redis_client().call(cmd), t = d->troupe_client().call(cmd);
    EXPECT_EQ(shape(r.str), shape(t.str)) << cmd[3] << " " << (cmd.size() > 4 ? cmd[4] : "");
  }
  d->both({"HELLO", "3"});
  same_typed(*d, {"LOLWUT", "VERSION", "7"});
  same_typed(*d, {"LOLWUT"});
  d->both({"HELLO", "2"});
  expect_same_command_info(d->redis_client(), d->troupe_client(), {"lolwut"});
  d->same({"COMMAND", "DOCS", "lolwut"});
}
