// The fuzzers' reference glob matcher (tests/fuzz/glob_reference.hpp) is the
// oracle glob_match is held to, so it is itself checked against redis-server
// 7.0: random patterns and keys through SCAN MATCH (case-sensitive), random
// case and class variants of directive names through CONFIG GET (case-
// insensitive), and the edge cases its comment lists.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "fuzz/glob_reference.hpp"
#include "protocol/resp/split_args.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;
using troupe::fuzz::glob_reference;

namespace {

std::set<std::string> scan_match(resp_client& c, const std::string& pattern) {
  std::set<std::string> out;
  std::string cursor = "0";
  do {
    resp_value r = c.call({"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    EXPECT_EQ(r.elements.size(), 2u) << r.str;
    if (r.elements.size() != 2) break;
    cursor = r.elements[0].str;
    for (auto& k : r.elements[1].elements) out.insert(k.str);
  } while (cursor != "0");
  return out;
}

std::string random_string(std::mt19937& rng, const std::string& alphabet, size_t max_len) {
  std::string s(rng() % (max_len + 1), ' ');
  for (auto& ch : s) ch = alphabet[rng() % alphabet.size()];
  return s;
}

}  // namespace

TEST(glob_reference, agrees_with_redis_scan_match) {
  server_process redis({}, server_process::kind::redis);
  ASSERT_TRUE(redis.start());
  resp_client c = redis.client();
  std::mt19937 rng(2024);
  const std::string text_chars = std::string("abAB-]^\\z") + "\x80\xff";
  const std::string pattern_chars = std::string("abA*?[]^-\\z") + "\x80\xff";
  std::set<std::string> keys = {"", "a", "ab", "aB", "-", "]", "\\", "*x", "\xff"};
  while (keys.size() < 80) keys.insert(random_string(rng, text_chars, 6));
  for (auto& k : keys) ASSERT_EQ(c.call({"SET", k, "1"}).str, "OK");
  std::vector<std::string> patterns = {"",   "**",    "?*",  "[",    "[^",   "[]",   "[]a]",
                                       "\\", "a\\",   "[a-", "[a-]", "[\\]", "[^]]", "*[",
                                       "*?", "[z-a]", "a**", "\\*x", "[\\x", "[--]", "[\xff-a]"};
  while (patterns.size() < 400) patterns.push_back(random_string(rng, pattern_chars, 7));
  int matched = 0, unmatched = 0;
  for (auto& p : patterns) {
    std::set<std::string> got = scan_match(c, p);
    for (auto& k : keys) {
      // SCAN does not match "*" at all: it returns every key.
      bool want = p == "*" || glob_reference(p, k, false);
      ++(want ? matched : unmatched);
      EXPECT_EQ(got.count(k) == 1, want)
          << "pattern " << repr_string(p) << ", key " << repr_string(k);
    }
  }
  EXPECT_GT(matched, 500);  // both outcomes well represented
  EXPECT_GT(unmatched, 1000);
  // Redis stops after 1000 nested stars.
  std::string long_key(3000, 'a');
  ASSERT_EQ(c.call({"SET", long_key, "1"}).str, "OK");
  auto repeat = [](const std::string& s, int n) {
    std::string o;
    for (int i = 0; i < n; ++i) o += s;
    return o;
  };
  for (auto p : {repeat("a*", 1001), repeat("a*", 1002), repeat("*a", 1000), repeat("*a", 1001)})
    EXPECT_EQ(scan_match(c, p).count(long_key) == 1, glob_reference(p, long_key, false))
        << p.size();
}

TEST(glob_reference, agrees_with_redis_config_get_without_case) {
  server_process redis({}, server_process::kind::redis);
  ASSERT_TRUE(redis.start());
  resp_client c = redis.client();
  std::mt19937 rng(7);
  int matched = 0, unmatched = 0;
  auto flip = [&](char ch) {
    return rng() % 2 ? char(toupper(static_cast<unsigned char>(ch))) : ch;
  };
  for (std::string name : {"maxclients", "hz", "port", "timeout", "databases"}) {
    for (int i = 0; i < 120; ++i) {
      std::string p;
      for (char ch : name) {
        char lo = char(ch - 1 - int(rng() % 3)), hi = char(ch + int(rng() % 3));
        switch (rng() % 9) {
          case 0:
            p += '?';
            break;
          case 1:
            p += std::string("[") + flip(ch) + "]";
            break;
          case 2:
            p += std::string("[\\") + flip(ch) + "]";
            break;
          case 3:
            p += std::string("[") + flip(lo) + "-" + flip(hi) + "]";
            break;
          case 4:
            p += std::string("[") + flip(hi) + "-" + flip(lo) + "]";
            break;
          case 5:
            p += std::string("[^") + flip(hi) + "]";
            break;
          case 6:
            p += std::string("\\") + flip(ch);
            break;
          default:
            p += flip(ch);
        }
      }
      if (p.find_first_of("*?[") == std::string::npos) p += '*';  // else an exact lookup
      resp_value r = c.call({"CONFIG", "GET", p});
      bool got = false;
      for (size_t k = 0; k + 1 < r.elements.size(); k += 2) got |= r.elements[k].str == name;
      EXPECT_EQ(got, glob_reference(p, name, true)) << "pattern " << p << ", name " << name;
      ++(got ? matched : unmatched);
    }
  }
  EXPECT_GT(matched, 50);
  EXPECT_GT(unmatched, 50);
  // Ranges with bytes above 127: signed, swapped, then folded by tolower.
  for (std::string p : {"[\xa9-z]ort", "[z-\xa9]ort", "[\x80-\xff]ort", "[\xff-p]ort",
                        "[p-\xff]ort", "[\x80-Z]ort", "[^\xa9-z]ort", "[\xa9-z]OR?", "[\xff-p]ort",
                        "[\xfe-p]ort", "[\xae-\xff]ort", "[^\xae-\xff]ort"}) {
    resp_value r = c.call({"CONFIG", "GET", p});
    bool got = r.elements.size() == 2 && r.elements[0].str == "port";
    EXPECT_EQ(got, glob_reference(p, "port", true)) << repr_string(p);
  }
}
