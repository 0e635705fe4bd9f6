// SORT and SORT_RO against a real redis-server 7.0: numeric and ALPHA sorts
// of lists, sets and sorted sets, BY patterns (string keys, hash fields,
// missing keys, nosort), GET patterns and #, LIMIT (extreme values too),
// ASC/DESC, STORE, errors, RESP3, events, COMMAND INFO/GETKEYS and the AOF.
#include <gtest/gtest.h>

#include <random>

#include "integration/command_test_support.hpp"
#include "integration/type_test_support.hpp"

using namespace troupe;
using namespace troupe::test;

class sort : public differential_suite<sort> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
    d->same({"RPUSH", "l", "3", "10", "1", "2.5", "-4", "10"});
    d->same({"SADD", "s", "c", "a", "b", "aa", "B"});
    d->same({"ZADD", "z", "3", "x", "1", "y", "2", "w", "2", "v"});
    d->same({"MSET", "w_3", "30", "w_10", "5", "w_1", "100", "w_2.5", "7", "w_-4", "-1"});
    d->same({"HSET", "h_3", "f", "z", "n", "9"});
    d->same({"HSET", "h_10", "f", "a", "n", "8"});
    d->same({"HSET", "h_1", "f", "m"});
    d->same({"MSET", "o_x", "ox", "o_y", "oy", "o_v", "ov"});
  }
};

TEST_F(sort, plain_sorts) {
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"SORT", "l"},
           {"SORT", "l", "DESC"},
           {"SORT", "l", "ALPHA"},
           {"SORT", "l", "ALPHA", "DESC"},
           {"SORT", "s", "ALPHA"},
           {"SORT", "s", "ALPHA", "DESC", "LIMIT", "1", "2"},
           {"SORT", "s"},
           {"SORT", "z"},
           {"SORT", "z", "ALPHA"},
           {"SORT", "z", "ALPHA", "DESC"},
           {"SORT", "missing"},
           {"SORT", "missing", "ALPHA", "DESC", "LIMIT", "0", "5"},
           {"SORT", "l", "LIMIT", "1", "2"},
           {"SORT", "l", "LIMIT", "-5", "2"},
           {"SORT", "l", "LIMIT", "2", "-1"},
           {"SORT", "l", "LIMIT", "100", "2"},
           {"SORT", "l", "LIMIT", "0", "0"},
           {"SORT", "l", "LIMIT", "1", "9223372036854775807"},
           {"SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"},
           {"SORT", "l", "LIMIT", "-9223372036854775808", "-9223372036854775808"},
           {"SORT", "l", "LIMIT", "1"},
           {"SORT", "l", "LIMIT", "x", "1"},
           {"SORT", "l", "BOGUS"},
           {"SORT", "l", "ASC", "DESC", "ASC"},
           {"SORT_RO", "l", "DESC", "LIMIT", "0", "3"},
           {"SORT_RO", "l", "STORE", "x"},
       })
    d->same(cmd);
  d->same({"SET", "str", "x"});
  d->same({"SORT", "str"});
  d->same({"SORT", "str", "BOGUS"});
  d->same({"RPUSH", "bad", "1", "x", "2"});
  d->same({"SORT", "bad"});
  d->same({"SORT", "bad", "ALPHA"});
  d->same({"RPUSH", "odd", "1e400", " 5", "0x10", "", "nan"});
  d->same({"SORT", "odd"});
  d->same({"SORT", "odd", "ALPHA"});
}

TEST_F(sort, by_and_get_patterns) {
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"SORT", "l", "BY", "w_*"},
           {"SORT", "l", "BY", "w_*", "DESC"},
           {"SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*"},
           {"SORT", "l", "BY", "h_*->n"},
           {"SORT", "l", "BY", "h_*->f", "ALPHA"},
           {"SORT", "l", "BY", "h_*->f", "ALPHA", "DESC", "GET", "h_*->f", "GET", "#"},
           {"SORT", "l", "BY", "h_*->", "ALPHA"},
           {"SORT", "l", "BY", "missing_*"},
           {"SORT", "l", "BY", "missing_*", "ALPHA"},
           {"SORT", "l", "BY", "nosort"},
           {"SORT", "l", "BY", "nosort", "DESC"},
           {"SORT", "l", "BY", "nosort", "LIMIT", "1", "3"},
           {"SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "3"},
           {"SORT", "l", "BY", "nosort", "GET", "w_*"},
           {"SORT", "z", "BY", "nosort"},
           {"SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"},
           {"SORT", "z", "BY", "nosort", "GET", "o_*", "GET", "#"},
           {"SORT", "z", "BY", "o_*", "ALPHA"},
           {"SORT", "l", "GET", "nostar"},
           {"SORT", "l", "GET", "w_*", "GET", "h_*->f", "GET", "h_*->missing", "GET", "l_*"},
           {"SORT", "l", "BY", "w_*", "LIMIT", "1", "2", "GET", "w_*"},
           {"SORT", "s", "BY", "nosort", "ALPHA", "STORE", "dst"},
           {"LRANGE", "dst", "0", "-1"},
           {"SORT", "l", "BY", "w_*", "GET", "#", "GET", "h_*->f", "STORE", "dst"},
           {"LRANGE", "dst", "0", "-1"},
           {"SORT", "l", "STORE", "dst", "LIMIT", "0", "0"},
           {"EXISTS", "dst"},
           {"SORT", "missing", "STORE", "dst2"},
           {"SORT", "l", "STORE", "l"},
           {"LRANGE", "l", "0", "-1"},
           {"SORT", "l", "STORE", "a", "STORE", "b"},
           {"EXISTS", "a"},
           {"LRANGE", "b", "0", "-1"},
           {"SORT", "l", "BY", "w_*", "STORE", "str2"},
           {"SORT", "l", "BY", "l"},
           {"SORT", "l", "BY"},
           {"SORT", "l", "GET"},
       })
    d->same(cmd);
}

TEST_F(sort, random_lists_match_redis) {
  std::mt19937 rng(5);
  for (int round = 0; round < 60; ++round) {
    std::vector<std::string> push = {"RPUSH", "r" + std::to_string(round)};
    int n = int(rng() % 40);
    for (int i = 0; i < n; ++i) {
      int kind = int(rng() % 3);
      push.push_back(kind == 0 ? std::to_string(int(rng() % 100) - 50)
                     : kind == 1
                         ? std::to_string(rng() % 1000) + "." + std::to_string(rng() % 10)
                         : std::string(1, char('a' + rng() % 26)) + std::to_string(rng() % 5));
      d->same({"SET", "k_" + push.back(), std::to_string(rng() % 20)});
      d->same({"SET", "a_" + push.back(), "v" + push.back()});
    }
    if (n) d->same(push);
    std::string key = push[1];
    d->same({"SORT", key, "ALPHA"});
    d->same({"SORT", key, "BY", "k_*", "DESC", "GET", "#", "GET", "k_*"});
    d->same(
        {"SORT", key, "ALPHA", "LIMIT", std::to_string(rng() % 10), std::to_string(rng() % 10)});
    // Redis sorts a LIMIT range with a partial quicksort: elements whose BY
    // values are equal (and not compared further, as with ALPHA) come in
    // that algorithm's order, so these BY values are distinct.
    d->same({"SORT", key, "BY", "a_*", "ALPHA", "LIMIT", "2", "5"});
    d->same({"SORT", key, "BY", "k_*", "LIMIT", "1", "4"});
  }
}

TEST_F(sort, resp3_events_info_and_aof) {
  d->both({"HELLO", "3"});
  same_typed(*d, {"SORT", "l", "GET", "#", "GET", "nothere_*"});
  same_typed(*d, {"SORT", "missing"});
  same_typed(*d, {"SORT", "l", "STORE", "dst"});
  d->both({"HELLO", "2"});
  expect_same_events(*d, {{"SORT", "l", "STORE", "dst"}, {"SORT", "missing", "STORE", "dst"}});
  expect_same_command_info(d->redis_client(), d->troupe_client(), {"sort", "sort_ro"});
  d->same({"COMMAND", "GETKEYS", "SORT", "l", "STORE", "a"});
  d->same({"COMMAND", "GETKEYS", "SORT", "l", "BY", "store", "STORE", "a", "STORE", "b"});
  d->same({"COMMAND", "GETKEYS", "SORT", "l", "LIMIT", "0", "1", "GET", "store"});
  d->same({"COMMAND", "GETKEYS", "SORT_RO", "l", "GET", "x"});
  expect_same_aof({{"RPUSH", "l", "3", "1", "2"},
                   {"SORT", "l", "STORE", "d"},
                   {"SORT", "l"},
                   {"SORT", "missing", "STORE", "d"},
                   {"SET", "end", "1"}});
}
