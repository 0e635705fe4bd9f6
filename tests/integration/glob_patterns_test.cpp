// Glob patterns everywhere a client can give one (KEYS, SCAN MATCH, PSUBSCRIBE,
// CONFIG GET): Redis's answers for random patterns, and patterns built to make
// a backtracking matcher take exponential time answered at once while other
// clients keep being served.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class glob_patterns : public differential_suite<glob_patterns> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

namespace {
std::vector<std::string> sorted_strings(const resp_value& v) {
  std::vector<std::string> out;
  for (auto& e : v.elements) out.push_back(e.str);
  std::sort(out.begin(), out.end());
  return out;
}

// Every key a full SCAN MATCH returns (deduplicated).
std::set<std::string> scan_all(resp_client& c, const std::string& pattern) {
  std::set<std::string> keys;
  std::string cursor = "0";
  do {
    resp_value r = c.call({"SCAN", cursor, "MATCH", pattern, "COUNT", "100"});
    if (r.elements.size() != 2) break;
    cursor = r.elements[0].str;
    for (auto& k : r.elements[1].elements) keys.insert(k.str);
  } while (cursor != "0");
  return keys;
}

// Forty a's: "a*a*...a*b" makes naive backtracking try about 2^20 ways per key.
const std::string evil_key(40, 'a');
std::string evil_pattern() {
  std::string p;
  for (int i = 0; i < 20; ++i) p += "a*";
  return p + "b";
}
}  // namespace

TEST_F(glob_patterns, random_patterns_match_as_in_redis) {
  const std::vector<std::string> keys = {"a",    "ab",   "aB",  "ba",    "abc", "a-c",  "a]c",
                                         "a\\c", "a^c",  "a*c", "a?c",   "xyz", "[ab]", "aaa",
                                         "Abc",  "a.bc", "",    "ab-ab", "-",   "]"};
  for (auto& k : keys) d->same({"SET", k, "1"});
  std::mt19937 rng(7);
  const char alphabet[] = "abcB*?[]^-\\**";
  int matched = 0;
  for (int i = 0; i < 400; ++i) {
    std::string p;
    int len = 1 + int(rng() % 6);
    for (int j = 0; j < len; ++j) p += alphabet[rng() % (sizeof alphabet - 1)];
    auto r = d->redis_client().call({"KEYS", p});
    if (!r.elements.empty()) ++matched;
    auto t = d->troupe_client().call({"KEYS", p});
    ASSERT_EQ(sorted_strings(r), sorted_strings(t)) << "KEYS pattern '" << p << "'";
    ASSERT_EQ(scan_all(d->redis_client(), p), scan_all(d->troupe_client(), p))
        << "SCAN MATCH '" << p << "'";
  }
  EXPECT_GT(matched, 100);  // the patterns do exercise matching, not only misses
}

TEST_F(glob_patterns, backtracking_patterns_answer_and_others_are_served) {
  d->same({"SET", evil_key, "1"});
  d->same({"SET", "other", "1"});
  d->same({"KEYS", evil_pattern()});
  resp_value scan = d->troupe_client().call({"SCAN", "0", "MATCH", evil_pattern()});
  ASSERT_EQ(scan.elements.size(), 2u);
  EXPECT_TRUE(scan.elements[1].elements.empty());
  // The same pattern on a collection's SCAN.
  d->same({"SADD", "set", evil_key, "x"});
  d->same({"SSCAN", "set", "0", "MATCH", evil_pattern()});
  d->same({"HSET", "hash", evil_key, "1"});
  d->same({"HSCAN", "hash", "0", "MATCH", evil_pattern()});
  d->same({"ZADD", "zset", "1", evil_key});
  d->same({"ZSCAN", "zset", "0", "MATCH", evil_pattern()});
  // CONFIG GET takes patterns too.
  d->same({"CONFIG", "GET", evil_pattern()});
  // Another client is served right after.
  resp_client other = d->troupe().client();
  EXPECT_EQ(other.call({"PING"}).str, "PONG");
}

TEST_F(glob_patterns, psubscribe_with_a_backtracking_pattern) {
  resp_client sub = d->troupe().client();
  sub.call({"PSUBSCRIBE", evil_pattern(), "ch*"});
  sub.read_reply();  // the second subscription's confirmation
  resp_client pub = d->troupe().client();
  // The evil pattern must not match (nor hang the publisher); "ch*" does.
  EXPECT_EQ(pub.call({"PUBLISH", evil_key, "m"}).integer, 0);
  EXPECT_EQ(pub.call({"PUBLISH", "chan", "m"}).integer, 1);
  resp_value msg = sub.read_reply();
  ASSERT_EQ(msg.elements.size(), 4u);
  EXPECT_EQ(msg.elements[1].str, "ch*");
  EXPECT_EQ(msg.elements[2].str, "chan");
}
