// protocol/resp/reply_scanner: where one reply ends, for every RESP type, fed
// whole, cut at every byte, and fed garbage.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "protocol/resp/reply_scanner.hpp"

using troupe::reply_scanner;

namespace {

const std::vector<std::string> scanner_samples = {
    "+OK\r\n",
    "-ERR no\r\n",
    ":42\r\n",
    "$3\r\nfoo\r\n",
    "$0\r\n\r\n",
    "$-1\r\n",
    "*-1\r\n",
    "*0\r\n",
    "$5\r\na\r\nbc\r\n",  // CR LF inside a bulk
    "*3\r\n$1\r\na\r\n$-1\r\n:7\r\n",
    "*2\r\n*2\r\n+a\r\n+b\r\n*0\r\n",
    "%2\r\n+k\r\n:1\r\n+l\r\n*1\r\n:2\r\n",
    "~2\r\n+a\r\n+b\r\n",
    ">3\r\n+message\r\n+ch\r\n$2\r\nhi\r\n",
    "|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n",
    "_\r\n",
    ",1.5\r\n",
    "#t\r\n",
    "(12345678901234567890\r\n",
    "=8\r\ntxt:abcd\r\n",
    "!3\r\nerr\r\n",
};

}  // namespace

TEST(ReplyScanner, FindsTheEndOfEveryType) {
  for (const auto& s : scanner_samples) {
    reply_scanner sc;
    std::string two = s + s;
    ASSERT_EQ(sc.scan(two.data(), two.size()), reply_scanner::result::complete) << s;
    EXPECT_EQ(sc.length(), s.size()) << s;
    // And the next one right after it.
    ASSERT_EQ(sc.scan(two.data() + s.size(), s.size()), reply_scanner::result::complete) << s;
    EXPECT_EQ(sc.length(), s.size()) << s;
  }
}

TEST(ReplyScanner, ResumesAcrossEveryCut) {
  for (const auto& s : scanner_samples) {
    reply_scanner sc;
    for (size_t n = 0; n < s.size(); ++n)
      ASSERT_EQ(sc.scan(s.data(), n), reply_scanner::result::incomplete) << s << " at " << n;
    ASSERT_EQ(sc.scan(s.data(), s.size()), reply_scanner::result::complete) << s;
    EXPECT_EQ(sc.length(), s.size());
  }
}

TEST(ReplyScanner, RefusesGarbage) {
  for (std::string bad : {"?x\r\n", "$abc\r\n", "$-2\r\n", "*-5\r\n", "$3\r\nfooXY", ":1\rX",
                          "$99999999999999999999\r\n", "*1000000000000000000000\r\n"}) {
    reply_scanner sc;
    EXPECT_EQ(sc.scan(bad.data(), bad.size()), reply_scanner::result::error) << bad;
  }
  // Nesting past the limit is an error, not a stack without bound.
  std::string deep;
  for (size_t i = 0; i <= reply_scanner::max_depth; ++i) deep += "*1\r\n";
  reply_scanner sc;
  EXPECT_EQ(sc.scan(deep.data(), deep.size()), reply_scanner::result::error);
}

TEST(ReplyScanner, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  const std::string alphabet = "+-:$*%~>|_,#(=!0123456789\r\n-ab";
  for (int round = 0; round < 20000; ++round) {
    std::string s(size_t(rng() % 40), ' ');
    for (auto& c : s) c = alphabet[rng() % alphabet.size()];
    reply_scanner sc;
    size_t pos = 0;
    // Scan replies one after the other until the bytes end or one is refused.
    while (pos < s.size()) {
      auto r = sc.scan(s.data() + pos, s.size() - pos);
      if (r != reply_scanner::result::complete) break;
      ASSERT_GT(sc.length(), 0u);
      ASSERT_LE(sc.length(), s.size() - pos);
      pos += sc.length();
    }
  }
}
