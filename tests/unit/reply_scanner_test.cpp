// protocol/resp/reply_scanner as the proxy uses it: the end of every reply,
// for every RESP type, fed whole, cut at every byte, and fed garbage.
// (tests/unit/benchmark/reply_scanner_test.cpp checks the reply counts and
// error texts troupe-benchmark relies on.)
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
    "|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n",
    "_\r\n",
    ",1.5\r\n",
    "#t\r\n",
    "(12345678901234567890\r\n",
    "=8\r\ntxt:abcd\r\n",
    "!3\r\nerr\r\n",
};

// The ends of the replies in `s`, fed `chunk` bytes at a time with the
// unconsumed bytes carried over, as a reader does.
std::vector<size_t> reply_ends(const std::string& s, size_t chunk, bool* failed = nullptr) {
  reply_scanner sc;
  std::vector<size_t> ends;
  size_t fed = 0;  // bytes consumed by the scanner so far
  for (size_t avail = std::min(chunk, s.size());; avail = std::min(avail + chunk, s.size())) {
    size_t base = fed;
    fed += sc.scan(s.data() + base, avail - base,
                   [&](bool, std::string_view, size_t end) { ends.push_back(base + end); });
    if (sc.failed() || avail == s.size()) break;
  }
  if (failed) *failed = sc.failed();
  return ends;
}

}  // namespace

TEST(ReplyScanner, FindsTheEndOfEveryType) {
  for (const auto& s : scanner_samples) {
    EXPECT_EQ(reply_ends(s + s, s.size() * 2), (std::vector<size_t>{s.size(), 2 * s.size()})) << s;
  }
}

TEST(ReplyScanner, ResumesAcrossEveryCut) {
  std::string all;
  std::vector<size_t> expected;
  for (const auto& s : scanner_samples) {
    all += s;
    expected.push_back(all.size());
  }
  for (size_t chunk = 1; chunk <= 7; ++chunk) EXPECT_EQ(reply_ends(all, chunk), expected) << chunk;
}

TEST(ReplyScanner, RefusesGarbage) {
  for (std::string bad : {"?x\r\n", "$abc\r\n", ":1\rX\n", "$99999999999999999999\r\n",
                          "*1000000000000000000000\r\n"}) {
    bool failed = false;
    reply_ends(bad, bad.size(), &failed);
    EXPECT_TRUE(failed) << bad;
  }
  // Nesting past the limit is an error, not a stack without bound.
  for (const char* open : {"*1\r\n", "|1\r\n"}) {
    std::string deep;
    for (size_t i = 0; i <= reply_scanner::max_depth; ++i) deep += open;
    bool failed = false;
    reply_ends(deep, deep.size(), &failed);
    EXPECT_TRUE(failed) << open;
  }
}

TEST(ReplyScanner, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  const std::string alphabet = "+-:$*%~>|_,#(=!0123456789\r\n-ab";
  for (int round = 0; round < 20000; ++round) {
    std::string s(size_t(rng() % 40), ' ');
    for (auto& c : s) c = alphabet[rng() % alphabet.size()];
    size_t last = 0;
    for (size_t end : reply_ends(s, 1 + rng() % 8)) {
      ASSERT_GT(end, last);
      ASSERT_LE(end, s.size());
      last = end;
    }
  }
}
