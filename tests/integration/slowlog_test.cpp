// SLOWLOG against redis-server and Troupe side by side: entries' shape and
// content (arguments cut at 32 and at 128 bytes, redacted AUTH/HELLO, the
// client's address and name), newest first, GET counts, LEN, RESET,
// slowlog-max-len trimming and slowlog-log-slower-than -1; errors as Redis's.
#include <gtest/gtest.h>

#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

using kind = server_process::kind;

// An entry without its id, time and duration (which differ between servers),
// with the client address reduced to "ip:*".
std::string entry_text(const resp_value& e) {
  if (e.elements.size() != 6) return "bad entry of " + std::to_string(e.elements.size());
  std::string s;
  for (auto& a : e.elements[3].elements) s += a.str + "|";
  std::string peer = e.elements[4].str;
  s += " from " + peer.substr(0, peer.rfind(':')) + " name=" + e.elements[5].str;
  return s;
}

std::vector<std::string> script_on(kind k) {
  server_process s({"--slowlog-log-slower-than", "0", "--slowlog-max-len", "5", "--save", ""}, k);
  EXPECT_TRUE(s.start());
  std::vector<std::string> out;
  resp_client c = s.client();
  c.call({"CLIENT", "SETNAME", "tester"});
  c.call({"SLOWLOG", "RESET"});
  std::vector<std::string> many = {"RPUSH", "list"};
  for (int i = 0; i < 40; ++i) many.push_back(std::to_string(i));
  c.call(many);
  c.call({"SET", "big", std::string(300, 'x')});
  c.call({"AUTH", "nobody", "secret"});
  c.call({"HELLO", "2", "AUTH", "default", "secret", "SETNAME", "tester"});
  resp_value all = c.call({"SLOWLOG", "GET", "-1"});
  for (auto& e : all.elements) out.push_back(entry_text(e));
  // ids go up, newest first
  if (all.elements.size() >= 2)
    out.push_back(all.elements[0].elements[0].integer > all.elements[1].elements[0].integer
                      ? "newest first"
                      : "wrong order");
  out.push_back(std::to_string(c.call({"SLOWLOG", "GET", "2"}).elements.size()));
  out.push_back(std::to_string(c.call({"SLOWLOG", "LEN"}).integer));
  out.push_back(c.call({"SLOWLOG", "GET", "-2"}).str);
  out.push_back(c.call({"SLOWLOG", "GET", "x"}).str);
  out.push_back(c.call({"SLOWLOG", "LEN", "x"}).str);
  out.push_back(c.call({"SLOWLOG", "BOGUS"}).str);
  c.call({"CONFIG", "SET", "slowlog-max-len", "2"});
  out.push_back(std::to_string(c.call({"SLOWLOG", "LEN"}).integer));
  out.push_back(c.call({"SLOWLOG", "RESET"}).str);
  c.call({"CONFIG", "SET", "slowlog-log-slower-than", "-1"});
  c.call({"PING"});
  out.push_back(std::to_string(c.call({"SLOWLOG", "LEN"}).integer));
  out.push_back(c.call({"CONFIG", "SET", "slowlog-log-slower-than", "-2"}).str);
  resp_value help = c.call({"SLOWLOG", "HELP"});
  for (auto& l : help.elements) out.push_back(l.str);
  return out;
}

}  // namespace

TEST(slowlog, entries_and_commands_match_redis) {
  std::vector<std::string> redis = script_on(kind::redis), troupe = script_on(kind::troupe);
  ASSERT_EQ(troupe.size(), redis.size());
  for (size_t i = 0; i < redis.size(); ++i) EXPECT_EQ(troupe[i], redis[i]) << "line " << i;
}
