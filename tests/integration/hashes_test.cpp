// Hash commands against a running server, compared reply by reply with a real
// redis-server 7.0, in both encodings; random replies checked by properties.
#include <gtest/gtest.h>

#include <set>

#include "type_test_support.hpp"

using namespace troupe;
using namespace troupe::test;

class hashes : public differential_suite<hashes> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->both({"HELLO", "2"});
    d->same({"FLUSHALL"});
  }
  // Fills h with n fields, as a listpack (small) or a table (big).
  void fill(const std::string& key, int n) {
    std::vector<std::string> cmd = {"HSET", key};
    for (int i = 0; i < n; ++i) {
      cmd.push_back("f" + std::to_string(i));
      cmd.push_back(i % 2 ? std::to_string(i * 7) : "v" + std::to_string(i));
    }
    d->same(cmd);
  }
};

TEST_F(hashes, set_get_and_delete) {
  for (int n : {3, 600}) {
    std::string h = "h" + std::to_string(n);
    fill(h, n);
    d->same({"HSET", h, "f1", "new", "extra", "1"});
    d->same({"HSET", h, "odd"});
    d->same({"HSET", h, "a", "b", "c"});
    d->same({"HMSET", h, "a", "b", "c"});
    d->same({"HMSET", h, "m1", "x", "m2", "y"});
    d->same({"HSETNX", h, "m1", "z"});
    d->same({"HSETNX", h, "m3", "z"});
    d->same({"HGET", h, "m1"});
    d->same({"HGET", h, "nope"});
    d->same({"HGET", "missing", "f"});
    d->same({"HMGET", h, "f0", "nope", "f1", "m3"});
    d->same({"HMGET", "missing", "a", "b"});
    d->same({"HLEN", h});
    d->same({"HLEN", "missing"});
    d->same({"HSTRLEN", h, "f1"});
    d->same({"HSTRLEN", h, "f3"});
    d->same({"HSTRLEN", h, "nope"});
    d->same({"HEXISTS", h, "f2"});
    d->same({"HEXISTS", h, "nope"});
    d->same({"HDEL", h, "f0", "f0", "nope", "f2"});
    d->same({"HDEL", "missing", "a"});
    d->same({"HLEN", h});
    same_unordered(*d, {"HGETALL", h}, true);
    same_unordered(*d, {"HKEYS", h});
    same_unordered(*d, {"HVALS", h});
  }
  d->same({"HGETALL", "missing"});
  d->same({"HKEYS", "missing"});
  d->same({"HSET", "one", "a", "1"});
  d->same({"HDEL", "one", "a", "b"});
  d->same({"EXISTS", "one"});
}

TEST_F(hashes, counters) {
  d->same({"HINCRBY", "h", "n", "5"});
  d->same({"HINCRBY", "h", "n", "-10"});
  d->same({"HINCRBY", "h", "n", "abc"});
  d->same({"HSET", "h", "s", "hello", "big", "9223372036854775807", "sp", " 1"});
  d->same({"HINCRBY", "h", "s", "1"});
  d->same({"HINCRBY", "h", "sp", "1"});
  d->same({"HINCRBY", "h", "big", "1"});
  d->same({"HINCRBY", "h", "n", "-9223372036854775808"});
  d->same({"HINCRBY", "h", "n", "-9223372036854775808"});
  d->same({"HINCRBYFLOAT", "h", "f", "1.5"});
  d->same({"HINCRBYFLOAT", "h", "f", "0.1"});
  d->same({"HINCRBYFLOAT", "h", "f", "-1e2"});
  d->same({"HINCRBYFLOAT", "h", "n", "1.25"});
  d->same({"HINCRBYFLOAT", "h", "s", "1"});
  d->same({"HINCRBYFLOAT", "h", "f", "abc"});
  d->same({"HINCRBYFLOAT", "h", "f", "inf"});
  d->same({"HINCRBYFLOAT", "h", "f", "-inf"});
  d->same({"HINCRBYFLOAT", "h", "f", "1e308"});
  d->same({"HSET", "h", "huge", "1e308"});
  d->same({"HINCRBYFLOAT", "h", "huge", "1e308"});
  same_unordered(*d, {"HGETALL", "h"}, true);
  d->same({"HINCRBYFLOAT", "new", "x", "3"});
  d->same({"HGETALL", "new"});
}

TEST_F(hashes, wrong_type_and_arity) {
  d->same({"SET", "s", "v"});
  for (auto cmd : std::vector<std::vector<std::string>>{{"HSET", "s", "a", "b"},
                                                        {"HSETNX", "s", "a", "b"},
                                                        {"HGET", "s", "a"},
                                                        {"HMGET", "s", "a"},
                                                        {"HDEL", "s", "a"},
                                                        {"HLEN", "s"},
                                                        {"HSTRLEN", "s", "a"},
                                                        {"HEXISTS", "s", "a"},
                                                        {"HKEYS", "s"},
                                                        {"HVALS", "s"},
                                                        {"HGETALL", "s"},
                                                        {"HINCRBY", "s", "a", "1"},
                                                        {"HINCRBYFLOAT", "s", "a", "1"},
                                                        {"HRANDFIELD", "s"},
                                                        {"HRANDFIELD", "s", "2"},
                                                        {"HSCAN", "s", "0"},
                                                        {"HSET", "s"},
                                                        {"HGET", "s"},
                                                        {"HMSET", "s", "a"},
                                                        {"HINCRBY", "s", "a", "x"}})
    d->same(cmd);
}

TEST_F(hashes, hrandfield_properties) {
  for (int n : {5, 1000}) {
    std::string h = "h" + std::to_string(n);
    fill(h, n);
    auto fields = [&](const resp_value& v, bool withvalues) {
      std::vector<std::string> out;
      for (size_t i = 0; i < v.elements.size(); i += withvalues ? 2 : 1)
        out.push_back(v.elements[i].str);
      return out;
    };
    resp_value one = d->troupe_client().call({"HRANDFIELD", h});
    ASSERT_EQ(one.type, resp_value::kind::bulk);
    EXPECT_EQ(d->troupe_client().call({"HEXISTS", h, one.str}).integer, 1);
    for (int count : {0, 1, 3, n - 1, n, n + 10}) {
      resp_value v = d->troupe_client().call({"HRANDFIELD", h, std::to_string(count)});
      auto f = fields(v, false);
      EXPECT_EQ(f.size(), size_t(std::min(count, n)));
      EXPECT_EQ(std::set<std::string>(f.begin(), f.end()).size(), f.size()) << "distinct";
      for (auto& x : f) EXPECT_EQ(d->troupe_client().call({"HEXISTS", h, x}).integer, 1);
    }
    resp_value neg = d->troupe_client().call({"HRANDFIELD", h, "-20", "WITHVALUES"});
    ASSERT_EQ(neg.elements.size(), 40u);
    for (size_t i = 0; i < 40; i += 2)
      EXPECT_EQ(d->troupe_client().call({"HGET", h, neg.elements[i].str}).str,
                neg.elements[i + 1].str);
    resp_value pos = d->troupe_client().call({"HRANDFIELD", h, "3", "WITHVALUES"});
    EXPECT_EQ(pos.elements.size(), 6u);
  }
  d->same({"HRANDFIELD", "missing"});
  d->same({"HRANDFIELD", "missing", "3"});
  d->same({"HRANDFIELD", "h5", "0"});
  d->same({"HRANDFIELD", "h5", "abc"});
  d->same({"HRANDFIELD", "h5", "1", "WITHSCORES"});
  d->same({"HRANDFIELD", "h5", "1", "WITHVALUES", "x"});
  d->same({"HRANDFIELD", "h5", "-9223372036854775808"});
  d->same({"HRANDFIELD", "h5", "-9223372036854775807", "WITHVALUES"});
  d->same({"HRANDFIELD", "h5", "9223372036854775807", "WITHVALUES"});
  d->same({"HRANDFIELD", "h5", "10"});
  // RESP3: pairs become nested arrays.
  d->both({"HELLO", "3"});
  resp_value v = d->troupe_client().call({"HRANDFIELD", "h5", "-3", "WITHVALUES"});
  ASSERT_EQ(v.elements.size(), 3u);
  for (auto& e : v.elements) EXPECT_EQ(e.elements.size(), 2u);
  same_typed(*d, {"HGETALL", "missing"});
  same_typed(*d, {"HRANDFIELD", "missing", "-2"});
  same_unordered(*d, {"HGETALL", "h5"});
}

TEST_F(hashes, hscan) {
  fill("small", 10);
  same_unordered(*d, {"HSCAN", "small", "0"});
  d->same({"HSCAN", "small", "0", "MATCH", "f1*"});
  d->same({"HSCAN", "small", "0", "COUNT", "2"});
  d->same({"HSCAN", "small", "abc"});
  d->same({"HSCAN", "small", "0", "COUNT", "0"});
  d->same({"HSCAN", "small", "0", "COUNT"});
  d->same({"HSCAN", "small", "0", "FOO", "bar"});
  d->same({"HSCAN", "missing", "0"});
  d->same({"HSCAN", "missing", "0", "FOO"});
  // A big hash: a full scan returns every field exactly with its value.
  fill("big", 2000);
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    resp_value r = d->troupe_client().call({"HSCAN", "big", cursor, "COUNT", "50"});
    ASSERT_EQ(r.elements.size(), 2u);
    cursor = r.elements[0].str;
    for (size_t i = 0; i < r.elements[1].elements.size(); i += 2) {
      std::string f = r.elements[1].elements[i].str;
      seen.insert(f);
      EXPECT_EQ(d->troupe_client().call({"HGET", "big", f}).str, r.elements[1].elements[i + 1].str);
    }
    ++calls;
  } while (cursor != "0" && calls < 10000);
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_GT(calls, 10);
  resp_value m = d->troupe_client().call({"HSCAN", "big", "0", "MATCH", "f19*", "COUNT", "100000"});
  EXPECT_EQ(m.elements[1].elements.size(), 2u * 111);
}

// Found by the hostile-input tester (which cannot send these to Redis).
TEST_F(hashes, hrandfield_repetitions_are_bounded) {
  resp_client& t = d->troupe_client();
  t.call({"HSET", "h", "a", "1", "b", "2"});  // listpack
  t.call({"HSET", "h:big", std::string(1000, 'x'), "v"});
  expect_repetitions_bounded(t, {"HRANDFIELD", "h"}, {"WITHVALUES"});
  fill("h", 600);  // hashtable
  expect_repetitions_bounded(t, {"HRANDFIELD", "h"}, {"WITHVALUES"});
}
