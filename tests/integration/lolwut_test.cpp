// LOLWUT against a real redis-server 7.0: the plain version reply, argument
// errors, and version 5's and 6's art (random: compared by their shape, lines
// and pixels, colours, and caption), RESP3 verbatim string included.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

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
  // Version 6 (a random skyline): the same rows, pixels per row, colours and
  // caption as Redis's.
  auto pixels = [](const std::string& s) {
    std::string out;
    size_t pos = 0, lines = 0;
    std::set<std::string> colours;
    while (pos < s.size() && s[pos] == '\033') {
      size_t end = s.find("m \033[0m", pos);
      if (end == std::string::npos) break;
      colours.insert(s.substr(pos, end - pos));
      pos = end + 6;
      out += '.';
      if (pos < s.size() && s[pos] == '\n') {
        out += '\n';
        ++pos;
        ++lines;
      }
    }
    for (auto& c : colours)
      if (c != "\033[0;97;107" && c != "\033[0;37;47" && c != "\033[0;90;100" &&
          c != "\033[0;30;40")
        out += " odd colour " + c.substr(1);
    return out + " | " + s.substr(pos);
  };
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"LOLWUT", "VERSION", "6"},
                                             {"LOLWUT", "VERSION", "6", "3", "2"},
                                             {"LOLWUT", "VERSION", "6", "0", "-4"},
                                             {"LOLWUT", "VERSION", "6", "1500", "3"},
                                             {"LOLWUT", "VERSION", "6", "7", "40"}}) {
    resp_value r = d->redis_client().call(cmd), t = d->troupe_client().call(cmd);
    EXPECT_EQ(pixels(r.str), pixels(t.str)) << cmd.size();
  }
  d->same({"LOLWUT", "VERSION", "6", "x"});
  d->both({"HELLO", "3"});
  same_typed(*d, {"LOLWUT", "VERSION", "7"});
  same_typed(*d, {"LOLWUT"});
  d->both({"HELLO", "2"});
  expect_same_command_info(d->redis_client(), d->troupe_client(), {"lolwut"});
  d->same({"COMMAND", "DOCS", "lolwut"});
}
