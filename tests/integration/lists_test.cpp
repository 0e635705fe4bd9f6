// List commands against a running server, compared reply by reply with a real
// redis-server 7.0: pushes and pops, ranges, indexes, LINSERT, LREM, LTRIM,
// LPOS, LMOVE, LMPOP, errors and RESP3 forms.
#include <gtest/gtest.h>

#include "type_test_support.hpp"

using namespace troupe;
using namespace troupe::test;

class lists : public differential_suite<lists> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->both({"HELLO", "2"});
    d->same({"FLUSHALL"});
  }
};

TEST_F(lists, push_pop_and_length) {
  d->same({"LPUSH", "l", "a", "b", "c"});
  d->same({"RPUSH", "l", "1", "2", "-3", "4.5", ""});
  d->same({"LRANGE", "l", "0", "-1"});
  d->same({"LLEN", "l"});
  d->same({"LLEN", "missing"});
  d->same({"LPUSHX", "missing", "a"});
  d->same({"RPUSHX", "missing", "a", "b"});
  d->same({"EXISTS", "missing"});
  d->same({"LPUSHX", "l", "x", "y"});
  d->same({"RPUSHX", "l", "z"});
  d->same({"LPOP", "l"});
  d->same({"RPOP", "l"});
  d->same({"LPOP", "l", "2"});
  d->same({"RPOP", "l", "3"});
  d->same({"LPOP", "l", "0"});
  d->same({"LPOP", "l", "-1"});
  d->same({"LPOP", "l", "abc"});
  d->same({"LPOP", "l", "1", "2"});
  d->same({"LPOP", "missing"});
  d->same({"LPOP", "missing", "2"});
  d->same({"LPOP", "missing", "0"});
  d->same({"RPOP", "l", "100"});
  d->same({"EXISTS", "l"});
  d->same({"RPOP", "l"});
  d->same({"LPUSH", "l"});
}

TEST_F(lists, wrong_type) {
  d->same({"SET", "s", "v"});
  for (auto cmd : std::vector<std::vector<std::string>>{{"LPUSH", "s", "a"},
                                                        {"RPUSHX", "s", "a"},
                                                        {"LPOP", "s"},
                                                        {"RPOP", "s", "2"},
                                                        {"LRANGE", "s", "0", "1"},
                                                        {"LLEN", "s"},
                                                        {"LINDEX", "s", "0"},
                                                        {"LSET", "s", "0", "x"},
                                                        {"LINSERT", "s", "BEFORE", "a", "b"},
                                                        {"LREM", "s", "0", "a"},
                                                        {"LTRIM", "s", "0", "1"},
                                                        {"LPOS", "s", "a"},
                                                        {"LMOVE", "s", "d", "LEFT", "RIGHT"},
                                                        {"RPOPLPUSH", "s", "d"},
                                                        {"LMPOP", "1", "s", "LEFT"}})
    d->same(cmd);
  d->same({"RPUSH", "l", "a"});
  d->same({"LMOVE", "l", "s", "LEFT", "RIGHT"});
  d->same({"LRANGE", "l", "0", "-1"});
  d->same({"RPOPLPUSH", "l", "s"});
}

TEST_F(lists, ranges_and_indexes) {
  d->same({"RPUSH", "l", "a", "b", "c", "d", "e", "f"});
  for (auto [s, e] : std::vector<std::pair<std::string, std::string>>{{"0", "-1"},
                                                                      {"1", "3"},
                                                                      {"-3", "-1"},
                                                                      {"-100", "100"},
                                                                      {"5", "2"},
                                                                      {"6", "10"},
                                                                      {"0", "0"},
                                                                      {"-1", "-2"},
                                                                      {"-7", "-6"},
                                                                      {"2", "-100"}})
    d->same({"LRANGE", "l", s, e});
  d->same({"LRANGE", "l", "a", "1"});
  d->same({"LRANGE", "missing", "0", "-1"});
  for (auto i : {"0", "5", "6", "-1", "-6", "-7", "abc", "99999999999999999999"})
    d->same({"LINDEX", "l", i});
  d->same({"LINDEX", "missing", "0"});
  d->same({"LSET", "l", "0", "A"});
  d->same({"LSET", "l", "-1", "F"});
  d->same({"LSET", "l", "6", "x"});
  d->same({"LSET", "l", "-7", "x"});
  d->same({"LSET", "l", "x", "x"});
  d->same({"LSET", "missing", "0", "x"});
  d->same({"LRANGE", "l", "0", "-1"});
}

TEST_F(lists, insert_rem_trim) {
  d->same({"RPUSH", "l", "a", "b", "a", "c", "a", "1", "01"});
  d->same({"LINSERT", "l", "BEFORE", "a", "x"});
  d->same({"LINSERT", "l", "after", "c", "y"});
  d->same({"LINSERT", "l", "AFTER", "zz", "y"});
  d->same({"LINSERT", "l", "MIDDLE", "a", "y"});
  d->same({"LINSERT", "missing", "BEFORE", "a", "y"});
  d->same({"LINSERT", "l", "BEFORE", "1", "one"});
  d->same({"LINSERT", "l", "BEFORE", "01", "zero-one"});
  d->same({"LRANGE", "l", "0", "-1"});
  d->same({"LREM", "l", "1", "a"});
  d->same({"LREM", "l", "-1", "a"});
  d->same({"LRANGE", "l", "0", "-1"});
  d->same({"RPUSH", "l", "a", "a", "a"});
  d->same({"LREM", "l", "0", "a"});
  d->same({"LREM", "l", "x", "a"});
  d->same({"LREM", "missing", "0", "a"});
  d->same({"LRANGE", "l", "0", "-1"});
  d->same({"LTRIM", "l", "1", "-2"});
  d->same({"LRANGE", "l", "0", "-1"});
  d->same({"LTRIM", "l", "-100", "100"});
  d->same({"LTRIM", "l", "a", "1"});
  d->same({"LTRIM", "missing", "0", "1"});
  d->same({"LTRIM", "l", "5", "1"});
  d->same({"EXISTS", "l"});
}

TEST_F(lists, lpos) {
  d->same({"RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"});
  d->same({"LPOS", "l", "c"});
  d->same({"LPOS", "l", "c", "RANK", "2"});
  d->same({"LPOS", "l", "c", "RANK", "-1"});
  d->same({"LPOS", "l", "c", "RANK", "-3", "COUNT", "2"});
  d->same({"LPOS", "l", "c", "COUNT", "0"});
  d->same({"LPOS", "l", "c", "COUNT", "2", "MAXLEN", "4"});
  d->same({"LPOS", "l", "c", "MAXLEN", "2"});
  d->same({"LPOS", "l", "x"});
  d->same({"LPOS", "l", "x", "COUNT", "1"});
  d->same({"LPOS", "l", "2"});
  d->same({"LPOS", "missing", "x"});
  d->same({"LPOS", "missing", "x", "COUNT", "2"});
  d->same({"LPOS", "l", "c", "RANK", "0"});
  d->same({"LPOS", "l", "c", "RANK", "abc"});
  d->same({"LPOS", "l", "c", "RANK", "-9223372036854775808"});
  d->same({"LPOS", "l", "c", "COUNT", "-1"});
  d->same({"LPOS", "l", "c", "COUNT", "abc"});
  d->same({"LPOS", "l", "c", "MAXLEN", "-1"});
  d->same({"LPOS", "l", "c", "COUNT"});
  d->same({"LPOS", "l", "c", "FOO", "1"});
}

TEST_F(lists, lmove_and_rpoplpush) {
  d->same({"RPUSH", "a", "1", "2", "3"});
  d->same({"LMOVE", "a", "b", "LEFT", "RIGHT"});
  d->same({"LMOVE", "a", "b", "right", "left"});
  d->same({"LMOVE", "a", "b", "UP", "LEFT"});
  d->same({"LRANGE", "a", "0", "-1"});
  d->same({"LRANGE", "b", "0", "-1"});
  d->same({"RPOPLPUSH", "a", "b"});
  d->same({"EXISTS", "a"});
  d->same({"RPOPLPUSH", "a", "b"});
  d->same({"LMOVE", "missing", "b", "LEFT", "LEFT"});
  d->same({"LRANGE", "b", "0", "-1"});
  d->same({"RPOPLPUSH", "b", "b"});
  d->same({"LMOVE", "b", "b", "LEFT", "RIGHT"});
  d->same({"LRANGE", "b", "0", "-1"});
  d->same({"RPUSH", "one", "x"});
  d->same({"LMOVE", "one", "one", "LEFT", "RIGHT"});
  d->same({"LRANGE", "one", "0", "-1"});
}

TEST_F(lists, lmpop) {
  d->same({"RPUSH", "b", "1", "2", "3", "4"});
  d->same({"LMPOP", "2", "a", "b", "LEFT"});
  d->same({"LMPOP", "2", "a", "b", "RIGHT", "COUNT", "2"});
  d->same({"LMPOP", "1", "b", "LEFT", "COUNT", "10"});
  d->same({"LMPOP", "1", "b", "LEFT"});
  d->same({"LMPOP", "0", "b", "LEFT"});
  d->same({"LMPOP", "abc", "b", "LEFT"});
  d->same({"LMPOP", "2", "b", "LEFT"});
  d->same({"LMPOP", "5", "b", "LEFT"});
  d->same({"LMPOP", "1", "b", "MIDDLE"});
  d->same({"LMPOP", "1", "b", "LEFT", "COUNT", "0"});
  d->same({"LMPOP", "1", "b", "LEFT", "COUNT", "1", "COUNT", "1"});
  d->same({"LMPOP", "1", "b", "LEFT", "COUNT"});
}

TEST_F(lists, big_lists_cross_nodes) {
  // Thousands of elements span many quicklist nodes.
  std::vector<std::string> push = {"RPUSH", "big"};
  for (int i = 0; i < 5000; ++i)
    push.push_back(i % 3 ? std::to_string(i) : "element-" + std::to_string(i));
  d->same(push);
  d->same({"LLEN", "big"});
  d->same({"LRANGE", "big", "1000", "1100"});
  d->same({"LRANGE", "big", "-200", "-1"});
  for (auto i : {"0", "2500", "4999", "-1", "-2500", "1234"}) d->same({"LINDEX", "big", i});
  d->same({"LSET", "big", "3000", std::string(300, 'x')});
  d->same({"LINSERT", "big", "BEFORE", "4000", "inserted"});
  d->same({"LREM", "big", "0", "inserted"});
  d->same({"LPOS", "big", "4500"});
  d->same({"LPOS", "big", "element-3", "RANK", "-1"});
  d->same({"LTRIM", "big", "100", "-100"});
  d->same({"LRANGE", "big", "0", "20"});
  d->same({"LRANGE", "big", "-20", "-1"});
  d->same({"LPOP", "big", "1000"});
  d->same({"RPOP", "big", "1000"});
  d->same({"LRANGE", "big", "0", "-1"});
  d->same({"OBJECT", "ENCODING", "big"});
}

TEST_F(lists, resp3_forms) {
  d->both({"HELLO", "3"});
  same_typed(*d, {"RPUSH", "l", "a", "b", "c"});
  same_typed(*d, {"LPOP", "missing"});
  same_typed(*d, {"LPOP", "missing", "2"});
  same_typed(*d, {"LPOP", "l", "0"});
  same_typed(*d, {"LPOP", "l", "2"});
  same_typed(*d, {"LMPOP", "1", "missing", "LEFT"});
  same_typed(*d, {"LMPOP", "1", "l", "LEFT"});
  same_typed(*d, {"LINDEX", "l", "10"});
  same_typed(*d, {"LPOS", "l", "zz"});
  same_typed(*d, {"LMOVE", "missing", "x", "LEFT", "LEFT"});
  d->both({"HELLO", "2"});
  same_typed(*d, {"LPOP", "missing", "2"});
  same_typed(*d, {"LMPOP", "1", "missing", "LEFT"});
}

TEST_F(lists, keyspace_events) {
  // Subscribe on a second connection of each server and compare the events.
  resp_client rs = d->redis().client(), ts = d->troupe().client();
  d->same({"CONFIG", "SET", "notify-keyspace-events", "KEA"});
  for (auto* c : {&rs, &ts}) c->call({"PSUBSCRIBE", "__key*__:*"});
  d->same({"RPUSH", "l", "a", "b", "c"});
  d->same({"LPOP", "l"});
  d->same({"LSET", "l", "0", "x"});
  d->same({"LINSERT", "l", "BEFORE", "x", "w"});
  d->same({"LREM", "l", "1", "w"});
  d->same({"LTRIM", "l", "0", "0"});
  d->same({"LMOVE", "l", "m", "LEFT", "RIGHT"});
  d->same({"RPOP", "m"});
  d->same({"PING"});
  std::vector<std::string> rev, tev;
  for (auto [c, out] : {std::pair{&rs, &rev}, std::pair{&ts, &tev}}) {
    while (true) {
      resp_value v = c->read_reply();
      if (v.is_error() || v.elements.size() < 4) break;
      out->push_back(v.elements[2].str + " " + v.elements[3].str);
      if (v.elements[2].str == "__keyevent@0__:del" && v.elements[3].str == "m") break;
    }
  }
  EXPECT_EQ(rev, tev);
  EXPECT_FALSE(rev.empty());
  d->same({"CONFIG", "SET", "notify-keyspace-events", ""});
}

// Found by the hostile-input tester: LINDEX and LSET look the key up before
// they read the index, as Redis.
TEST_F(lists, lindex_and_lset_look_the_key_up_first) {
  d->same({"SET", "s", "v"});
  d->same({"RPUSH", "l", "a", "b"});
  for (auto key : {"missing", "s", "l"}) {
    d->same({"LINDEX", key, "-0"});
    d->same({"LINDEX", key, "f2"});
    d->same({"LINDEX", key, "-9223372036854775809"});
    d->same({"LSET", key, "x", "y"});
    d->same({"LSET", key, "01", "y"});
    d->same({"LSET", key, "-9223372036854775808", "y"});
  }
  d->same({"LRANGE", "l", "0", "-1"});
}
