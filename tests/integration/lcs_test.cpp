// LCS against a real redis-server 7.0: the subsequence, LEN, IDX ranges with
// MINMATCHLEN and WITHMATCHLEN (RESP2 and RESP3), errors, and the bound on
// the table it would need.
#include <gtest/gtest.h>

#include <random>

#include "integration/type_test_support.hpp"
#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class lcs : public differential_suite<lcs> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

TEST_F(lcs, replies_and_options) {
  d->same({"MSET", "key1", "ohmytext", "key2", "mynewtext"});
  d->same({"LCS", "key1", "key2"});
  d->same({"LCS", "key1", "key2", "LEN"});
  d->same({"LCS", "key1", "key2", "IDX"});
  d->same({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"});
  d->same({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"});
  d->same({"LCS", "key1", "key2", "IDX", "WITHMATCHLEN", "MINMATCHLEN", "-5"});
  d->same({"LCS", "key1", "key2", "LEN", "IDX"});
  d->same({"LCS", "key1", "key2", "WITHMATCHLEN"});
  d->same({"LCS", "key1", "key2", "MINMATCHLEN"});
  d->same({"LCS", "key1", "key2", "MINMATCHLEN", "x"});
  d->same({"LCS", "key1", "key2", "BOGUS"});
  d->same({"LCS", "key1", "missing"});
  d->same({"LCS", "missing", "missing2", "IDX"});
  d->same({"LCS", "key1", "key1", "IDX", "WITHMATCHLEN"});
  d->same({"LPUSH", "list", "a"});
  d->same({"LCS", "key1", "list"});
  d->same({"LCS", "list", "missing", "LEN"});
  d->same({"SET", "n1", "12345"});
  d->same({"SET", "n2", "2x4y5"});
  d->same({"LCS", "n1", "n2", "IDX", "WITHMATCHLEN"});
  d->same({"LCS", "key1"});
  d->both({"HELLO", "3"});
  same_typed(*d, {"LCS", "key1", "key2", "IDX", "WITHMATCHLEN"});
  same_typed(*d, {"LCS", "key1", "key2", "LEN"});
  same_typed(*d, {"LCS", "missing", "key2"});
  d->both({"HELLO", "2"});
}

TEST_F(lcs, random_strings_match_redis) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string a, b;
    size_t la = rng() % 60, lb = rng() % 60;
    char alphabet = char('a' + 1 + rng() % 4);
    for (size_t i = 0; i < la; ++i) a.push_back(char('a' + rng() % (alphabet - 'a' + 1)));
    for (size_t i = 0; i < lb; ++i) b.push_back(char('a' + rng() % (alphabet - 'a' + 1)));
    d->same({"MSET", "a", a, "b", b});
    d->same({"LCS", "a", "b"});
    d->same({"LCS", "a", "b", "IDX", "MINMATCHLEN", std::to_string(rng() % 4), "WITHMATCHLEN"});
  }
}

// The table needs 4 bytes per pair of positions: past proto-max-bulk-len the
// command is refused at once, as Redis refuses it.
TEST_F(lcs, big_inputs_are_refused_by_the_table_bound) {
  d->same({"CONFIG", "SET", "proto-max-bulk-len", "1mb"});
  d->same({"SET", "x", std::string(1000, 'a')});
  d->same({"SET", "y", std::string(1000, 'b')});
  d->same({"LCS", "x", "y", "LEN"});
  d->same({"SETRANGE", "x", "200000", "z"});
  d->same({"LCS", "x", "y", "LEN"});
  d->same({"CONFIG", "SET", "proto-max-bulk-len", "512mb"});
  // Two strings of 100 MB: 4e16 bytes of table, refused without allocating.
  resp_client& t = d->troupe_client();
  EXPECT_EQ(t.call({"SETRANGE", "big1", "100000000", "x"}).integer, 100000001);
  EXPECT_EQ(t.call({"SETRANGE", "big2", "100000000", "y"}).integer, 100000001);
  EXPECT_EQ(t.call({"LCS", "big1", "big2"}).str,
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  EXPECT_EQ(t.call({"PING"}).str, "PONG");
}
