// OBJECT ENCODING of lists, hashes, sets and sorted sets before and after their
// size and length thresholds, with the default and CONFIG SET thresholds (and
// their old "ziplist" aliases), compared with a real redis-server 7.0.
#include <gtest/gtest.h>

#include "type_test_support.hpp"

using namespace troupe;
using namespace troupe::test;

class encodings : public differential_suite<encodings> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
    d->same({"CONFIG", "SET", "hash-max-listpack-entries", "512", "hash-max-listpack-value", "64",
             "set-max-intset-entries", "512", "zset-max-listpack-entries", "128",
             "zset-max-listpack-value", "64", "list-max-listpack-size", "-2"});
  }
  void enc(const std::string& key) { d->same({"OBJECT", "ENCODING", key}); }
};

TEST_F(encodings, directives_and_aliases) {
  same_unordered(*d, {"CONFIG", "GET", "*listpack*"}, true);
  same_unordered(*d, {"CONFIG", "GET", "*ziplist*"}, true);
  d->same({"CONFIG", "GET", "set-max-intset-entries"});
  d->same({"CONFIG", "GET", "list-compress-depth"});
  d->same({"CONFIG", "SET", "hash-max-ziplist-entries", "7"});
  d->same({"CONFIG", "GET", "hash-max-listpack-entries"});
  d->same({"CONFIG", "GET", "hash-max-ziplist-entries"});
  d->same({"CONFIG", "SET", "zset-max-ziplist-value", "9"});
  d->same({"CONFIG", "GET", "zset-max-listpack-value"});
  d->same({"CONFIG", "SET", "list-max-ziplist-size", "-5"});
  d->same({"CONFIG", "GET", "list-max-listpack-size"});
  d->same({"CONFIG", "SET", "hash-max-listpack-entries", "-1"});
  d->same({"CONFIG", "SET", "set-max-intset-entries", "abc"});
  d->same({"CONFIG", "SET", "list-compress-depth", "-1"});
}

TEST_F(encodings, hash_thresholds) {
  std::vector<std::string> cmd = {"HSET", "h"};
  for (int i = 0; i < 512; ++i) {
    cmd.push_back("f" + std::to_string(i));
    cmd.push_back("v");
  }
  d->same(cmd);
  enc("h");
  d->same({"HSET", "h", "one-more", "v"});
  enc("h");
  d->same({"HDEL", "h", "one-more", "f1", "f2"});
  enc("h");  // never converts back
  d->same({"HSET", "long", "f", std::string(64, 'x')});
  enc("long");
  d->same({"HSET", "long", "g", std::string(65, 'x')});
  enc("long");
  d->same({"HSET", "longfield", std::string(65, 'k'), "v"});
  enc("longfield");
  // HSETNX on an existing field changes nothing, the encoding included.
  d->same({"HSET", "nx", "f", "v"});
  d->same({"HSETNX", "nx", "f", std::string(100, 'x')});
  enc("nx");
  // HINCRBYFLOAT results and HINCRBY on listpacks.
  d->same({"HINCRBY", "n", "c", "5"});
  enc("n");
  d->same({"CONFIG", "SET", "hash-max-listpack-entries", "2", "hash-max-listpack-value", "3"});
  d->same({"HSET", "t", "a", "1", "b", "2"});
  enc("t");
  d->same({"HSET", "t", "c", "3"});
  enc("t");
  d->same({"HSET", "u", "a", "1234"});
  enc("u");
  d->same({"HINCRBY", "v", "a", "999"});
  enc("v");
  d->same({"HINCRBY", "v", "a", "1"});
  enc("v");
  d->same({"CONFIG", "SET", "hash-max-listpack-entries", "0"});
  d->same({"HSET", "zero", "a", "1"});
  enc("zero");
  // COPY keeps the encoding and the contents.
  d->same({"COPY", "h", "hcopy"});
  enc("hcopy");
  d->same({"HLEN", "hcopy"});
  d->same({"COPY", "t", "tcopy"});
  same_unordered(*d, {"HGETALL", "tcopy"}, true);
}

TEST_F(encodings, set_thresholds) {
  std::vector<std::string> cmd = {"SADD", "s"};
  for (int i = 0; i < 512; ++i) cmd.push_back(std::to_string(i * 3 - 700));
  d->same(cmd);
  enc("s");
  d->same({"SADD", "s", "99999"});
  enc("s");
  d->same({"SADD", "mixed", "1", "2"});
  enc("mixed");
  d->same({"SADD", "mixed", "x"});
  enc("mixed");
  d->same({"SREM", "mixed", "x"});
  enc("mixed");
  d->same({"SADD", "str", "a"});
  enc("str");
  d->same({"SADD", "big", "9223372036854775807", "-9223372036854775808"});
  enc("big");
  d->same({"SADD", "notint", "01"});
  enc("notint");
  d->same({"SADD", "notint2", "9223372036854775808"});
  enc("notint2");
  d->same({"CONFIG", "SET", "set-max-intset-entries", "3"});
  d->same({"SADD", "few", "1", "2", "3"});
  enc("few");
  d->same({"SADD", "few", "4"});
  enc("few");
  d->same({"SADD", "i1", "1", "2", "3", "4", "5"});
  d->same({"SADD", "i2", "3", "4", "5", "6"});
  d->same({"SINTERSTORE", "inter", "i1", "i2"});
  enc("inter");
  d->same({"SUNIONSTORE", "uni", "i1", "i2"});
  enc("uni");
  d->same({"SDIFFSTORE", "diff", "i1", "i2"});
  enc("diff");
  d->same({"SMOVE", "i1", "moved", "1"});
  enc("moved");
  d->both({"SPOP", "i1"});
  enc("i1");
  d->same({"COPY", "s", "scopy"});
  enc("scopy");
  d->same({"SCARD", "scopy"});
}

TEST_F(encodings, zset_thresholds) {
  std::vector<std::string> cmd = {"ZADD", "z"};
  for (int i = 0; i < 128; ++i) {
    cmd.push_back(std::to_string(i));
    cmd.push_back("m" + std::to_string(i));
  }
  d->same(cmd);
  enc("z");
  d->same({"ZADD", "z", "1000", "extra"});
  enc("z");
  d->same({"ZREMRANGEBYRANK", "z", "0", "-3"});
  enc("z");
  d->same({"ZADD", "long", "1", std::string(64, 'x')});
  enc("long");
  d->same({"ZADD", "long", "1", std::string(65, 'x')});
  enc("long");
  d->same({"ZADD", "long2", "1", std::string(65, 'x')});
  enc("long2");
  d->same({"ZINCRBY", "inc", "1", std::string(65, 'y')});
  enc("inc");
  // Store commands pick the encoding of their result.
  d->same({"ZUNIONSTORE", "u", "1", "z"});
  enc("u");
  d->same({"ZRANGESTORE", "r", "z", "0", "-1"});
  enc("r");
  d->same({"ZUNIONSTORE", "u2", "1", "long"});
  enc("u2");
  d->same({"CONFIG", "SET", "zset-max-listpack-entries", "2", "zset-max-listpack-value", "4"});
  d->same({"ZADD", "t", "1", "a", "2", "b"});
  enc("t");
  d->same({"ZADD", "t", "3", "c"});
  enc("t");
  d->same({"ZADD", "t2", "1", "a", "1", "a", "1", "a"});
  enc("t2");
  d->same({"ZADD", "t3", "1", "abcde"});
  enc("t3");
  d->same({"ZINTERSTORE", "i", "2", "t", "t"});
  enc("i");
  d->same({"ZRANGESTORE", "r2", "t", "0", "1"});
  enc("r2");
  d->same({"ZRANGESTORE", "r3", "t", "0", "-1"});
  enc("r3");
  d->same({"CONFIG", "SET", "zset-max-listpack-entries", "0"});
  d->same({"ZADD", "zero", "1", "a"});
  enc("zero");
  d->same({"ZRANGESTORE", "r4", "t", "0", "0"});
  enc("r4");
  d->same({"COPY", "z", "zcopy"});
  enc("zcopy");
  d->same({"ZRANGE", "zcopy", "0", "-1", "WITHSCORES"});
}

TEST_F(encodings, list_always_quicklist) {
  d->same({"RPUSH", "l", "a"});
  enc("l");
  d->same({"CONFIG", "SET", "list-max-listpack-size", "1"});
  std::vector<std::string> cmd = {"RPUSH", "l2"};
  for (int i = 0; i < 100; ++i) cmd.push_back(std::to_string(i));
  d->same(cmd);
  enc("l2");
  d->same({"LRANGE", "l2", "0", "-1"});
  d->same({"LINSERT", "l2", "BEFORE", "50", "x"});
  d->same({"LRANGE", "l2", "45", "55"});
  d->same({"COPY", "l2", "l3"});
  d->same({"LRANGE", "l3", "0", "-1"});
  d->same({"RPUSH", "big", std::string(100000, 'b')});
  d->same({"LPUSH", "big", std::string(70000, 'c')});
  d->same({"LLEN", "big"});
  d->same({"STRLEN", "big"});
}

// Found by the hostile-input tester: INCRBYFLOAT stores its result as text,
// so Redis reports embstr (or raw) even when the text is an integer.
TEST_F(encodings, incrbyfloat_result_is_never_int_encoded) {
  d->same({"SET", "k", "10"});
  d->same({"INCRBYFLOAT", "k", "0"});
  d->same({"OBJECT", "ENCODING", "k"});
  d->same({"SET", "k", "1.5"});
  d->same({"INCRBYFLOAT", "k", "0.5"});
  d->same({"OBJECT", "ENCODING", "k"});
  d->same({"COPY", "k", "k2"});
  d->same({"OBJECT", "ENCODING", "k2"});
  d->same({"INCRBY", "k", "1"});
  d->same({"OBJECT", "ENCODING", "k"});
  d->same({"INCRBYFLOAT", "k", "1e30"});
  d->same({"OBJECT", "ENCODING", "k"});
  d->same({"SET", "k", "9223372036854775807"});
  d->same({"INCRBYFLOAT", "k", "0"});
  d->same({"OBJECT", "ENCODING", "k"});
  d->same({"SET", "k", "7"});
  d->same({"OBJECT", "ENCODING", "k"});
}
