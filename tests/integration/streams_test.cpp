// Streams against a real redis-server 7.0: XADD (IDs, NOMKSTREAM, trimming),
// XRANGE/XREVRANGE, XLEN, XDEL, XTRIM, XSETID, XREAD, XINFO STREAM, in RESP2
// and RESP3, with explicit IDs so every reply is deterministic.
#include <gtest/gtest.h>

#include <random>

#include "integration/type_test_support.hpp"
#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class streams : public differential_suite<streams> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
    d->same({"CONFIG", "SET", "stream-node-max-entries", "100"});
    d->same({"CONFIG", "SET", "stream-node-max-bytes", "4096"});
  }
};

TEST_F(streams, xadd_ids_and_errors) {
  d->same({"XADD", "s", "1-1", "a", "1"});
  d->same({"XADD", "s", "1-1", "a", "1"});
  d->same({"XADD", "s", "1-0", "a", "1"});
  d->same({"XADD", "s", "1-*", "a", "2"});
  d->same({"XADD", "s", "2-*", "a", "3"});
  d->same({"XADD", "s", "2", "a", "3"});
  d->same({"XADD", "s", "3", "a", "3"});
  d->same({"XADD", "s", "0-0", "a", "1"});
  d->same({"XADD", "new", "0-0", "a", "1"});
  d->same({"EXISTS", "new"});
  d->same({"XADD", "new", "0-*", "a", "1"});
  d->same({"XADD", "s", "abc", "a", "1"});
  d->same({"XADD", "s", "1-x", "a", "1"});
  d->same({"XADD", "s", "-", "a", "1"});
  d->same({"XADD", "s", "+", "a", "1"});
  d->same({"XADD", "s", "-1", "a", "1"});
  d->same({"XADD", "s", "5-", "a", "1"});
  d->same({"XADD", "s", "18446744073709551616-1", "a", "1"});
  d->same({"XADD", "s", "10", "a"});
  d->same({"XADD", "s", "10", "a", "1", "b"});
  d->same({"XADD", "s", "10"});
  d->same({"XADD", "s", "NOMKSTREAM", "11", "x", "y"});
  d->same({"XADD", "nokey", "NOMKSTREAM", "11", "x", "y"});
  d->same({"EXISTS", "nokey"});
  d->same({"XADD", "s", "18446744073709551615-18446744073709551614", "a", "1"});
  d->same({"XADD", "s", "18446744073709551615-*", "a", "1"});
  d->same({"XADD", "s", "18446744073709551615-*", "a", "1"});
  d->same({"XADD", "s", "*", "a", "1"});
  d->same({"XLEN", "s"});
  d->same({"XRANGE", "s", "-", "+"});
  d->same({"SET", "str", "x"});
  d->same({"XADD", "str", "1-1", "a", "1"});
  d->same({"XLEN", "str"});
  d->same({"XRANGE", "str", "-", "+"});
  d->same({"XADD", "s2", "MAXLEN", "1", "MINID", "1", "1-1", "a", "b"});
  d->same({"XADD", "s2", "MAXLEN", "-1", "1-1", "a", "b"});
  d->same({"XADD", "s2", "MAXLEN", "x", "1-1", "a", "b"});
  d->same({"XADD", "s2", "LIMIT", "10", "1-1", "a", "b"});
  d->same({"XADD", "s2", "MAXLEN", "1", "LIMIT", "10", "1-1", "a", "b"});
  d->same({"XADD", "s2", "MAXLEN", "~", "1", "LIMIT", "-1", "1-1", "a", "b"});
  d->same({"XADD", "s2", "MINID", "x", "1-1", "a", "b"});
  d->same({"XADD", "s2", "MINID", "~", "-", "1-1", "a", "b"});
  d->same({"TYPE", "s"});
  d->same({"OBJECT", "ENCODING", "s"});
}

TEST_F(streams, same_fields_and_differing_fields_read_back) {
  for (int i = 1; i <= 250; ++i) {
    if (i % 3 == 0)
      d->same({"XADD", "s", std::to_string(i) + "-1", "f1", std::to_string(i), "f2", "v"});
    else if (i % 3 == 1)
      d->same({"XADD", "s", std::to_string(i) + "-1", "x", "12345678901234567890", "y",
               std::to_string(-i)});
    else
      d->same({"XADD", "s", std::to_string(i) + "-1", "only", std::string(size_t(i), 'z')});
  }
  d->same({"XLEN", "s"});
  d->same({"XRANGE", "s", "-", "+"});
  d->same({"XREVRANGE", "s", "+", "-"});
  d->same({"XRANGE", "s", "50", "70"});
  d->same({"XRANGE", "s", "(50-1", "(70-1"});
  d->same({"XREVRANGE", "s", "(70-1", "(50-1", "COUNT", "5"});
  d->same({"XRANGE", "s", "-", "+", "COUNT", "0"});
  d->same({"XRANGE", "s", "-", "+", "COUNT", "-3"});
  d->same({"XRANGE", "s", "-", "+", "COUNT", "7"});
  d->same({"XRANGE", "s", "-", "+", "COUNT"});
  d->same({"XRANGE", "s", "-", "+", "COUNT", "x"});
  d->same({"XRANGE", "s", "-", "+", "FOO", "1"});
  d->same({"XRANGE", "s", "(-", "+"});
  d->same({"XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"});
  d->same({"XRANGE", "s", "-", "(0-0"});
  d->same({"XRANGE", "s", "(0", "(1"});
  d->same({"XRANGE", "s", "200", "100"});
  d->same({"XRANGE", "nokey", "-", "+"});
  d->same({"XREVRANGE", "nokey", "+", "-", "COUNT", "0"});
  d->same({"XINFO", "STREAM", "s"});
  d->same({"XINFO", "STREAM", "s", "FULL", "COUNT", "3"});
}

TEST_F(streams, xdel_and_trimming) {
  for (int i = 1; i <= 300; ++i) d->same({"XADD", "s", std::to_string(i) + "-0", "f", "v"});
  d->same({"XDEL", "s", "1-0", "5-0", "5-0", "999-0"});
  d->same({"XDEL", "s", "bad"});
  d->same({"XDEL", "nokey", "1-0"});
  d->same({"XINFO", "STREAM", "s"});
  d->same({"XTRIM", "s", "MAXLEN", "~", "250"});
  d->same({"XLEN", "s"});
  d->same({"XTRIM", "s", "MAXLEN", "=", "240"});
  d->same({"XLEN", "s"});
  d->same({"XINFO", "STREAM", "s"});
  d->same({"XTRIM", "s", "MINID", "~", "150"});
  d->same({"XTRIM", "s", "MINID", "155"});
  d->same({"XRANGE", "s", "-", "+", "COUNT", "3"});
  d->same({"XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "50"});
  d->same({"XTRIM", "s", "MAXLEN", "~", "10", "LIMIT", "0"});
  d->same({"XTRIM", "s", "MAXLEN", "10", "LIMIT", "50"});
  d->same({"XTRIM", "s"});
  d->same({"XTRIM", "s", "FOO", "1"});
  d->same({"XTRIM", "nokey", "MAXLEN", "1"});
  d->same({"XTRIM", "nokey", "MINID", "bad"});
  d->same({"XTRIM", "nokey", "MAXLEN", "1", "BOGUS"});
  d->same({"SET", "str", "x"});
  d->same({"XTRIM", "str", "MAXLEN", "x"});
  d->same({"XTRIM", "str", "MAXLEN", "1"});
  d->same({"XTRIM", "s", "MAXLEN", "0"});
  d->same({"XLEN", "s"});
  d->same({"EXISTS", "s"});
  d->same({"XINFO", "STREAM", "s"});
  d->same({"XADD", "t", "MAXLEN", "2", "1-1", "a", "1"});
  d->same({"XADD", "t", "MAXLEN", "2", "1-2", "a", "1"});
  d->same({"XADD", "t", "MAXLEN", "2", "1-3", "a", "1"});
  d->same({"XADD", "t", "MINID", "1-3", "1-4", "a", "1"});
  d->same({"XRANGE", "t", "-", "+"});
  d->same({"XDEL", "t", "1-3", "1-4"});
  d->same({"XINFO", "STREAM", "t"});
  d->same({"XADD", "t", "1-5", "a", "1"});
  d->same({"XINFO", "STREAM", "t"});
}

TEST_F(streams, xsetid) {
  d->same({"XADD", "s", "5-5", "a", "1"});
  d->same({"XSETID", "s", "5-4"});
  d->same({"XSETID", "s", "5-5"});
  d->same({"XSETID", "s", "10-0", "ENTRIESADDED", "0"});
  d->same({"XSETID", "s", "10-0", "ENTRIESADDED", "-1"});
  d->same({"XSETID", "s", "10-0", "ENTRIESADDED", "5", "MAXDELETEDID", "11-0"});
  d->same({"XSETID", "s", "10-0", "ENTRIESADDED", "5", "MAXDELETEDID", "3-0"});
  d->same({"XSETID", "s", "2-0"});
  d->same({"XSETID", "s", "10-0", "BOGUS"});
  d->same({"XSETID", "s", "x"});
  d->same({"XSETID", "nokey", "1-1"});
  d->same({"XINFO", "STREAM", "s"});
  d->same({"XADD", "s", "10-0", "a", "1"});
  d->same({"XADD", "s", "10-*", "a", "1"});
  d->same({"XSETID", "s", "18446744073709551615-18446744073709551615"});
  d->same({"XADD", "s", "*", "a", "1"});
  d->same({"XADD", "s", "18446744073709551615-*", "a", "1"});
}

TEST_F(streams, xread) {
  d->same({"XADD", "a", "1-1", "f", "1"});
  d->same({"XADD", "a", "2-1", "f", "2"});
  d->same({"XADD", "b", "3-1", "g", "3"});
  d->same({"XREAD", "STREAMS", "a", "b", "0", "0"});
  d->same({"XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"});
  d->same({"XREAD", "STREAMS", "a", "b", "1-1", "3-1"});
  d->same({"XREAD", "STREAMS", "a", "b", "$", "$"});
  d->same({"XREAD", "STREAMS", "a", "nokey", "1", "0"});
  d->same({"XREAD", "STREAMS", "a", "b", "0"});
  d->same({"XREAD", "STREAMS", "a"});
  d->same({"XREAD", "COUNT", "x", "STREAMS", "a", "0"});
  d->same({"XREAD", "BLOCK", "x", "STREAMS", "a", "0"});
  d->same({"XREAD", "BLOCK", "-1", "STREAMS", "a", "0"});
  d->same({"XREAD", "GROUP", "g", "c", "STREAMS", "a", "0"});
  d->same({"XREAD", "NOACK", "STREAMS", "a", "0"});
  d->same({"XREAD", "STREAMS", "a", ">"});
  d->same({"XREAD", "STREAMS", "a", "bad"});
  d->same({"XREAD", "FOO", "STREAMS", "a", "0"});
  d->same({"XREAD", "COUNT", "1"});
  d->same({"SET", "str", "x"});
  d->same({"XREAD", "STREAMS", "a", "str", "0", "0"});
  d->same({"XREAD", "STREAMS", "str", "a", "0", "0"});
  d->same({"XREAD", "BLOCK", "0", "STREAMS", "a", "0"});
  d->same({"MULTI"});
  d->same({"XREAD", "BLOCK", "0", "STREAMS", "a", "$"});
  d->same({"EXEC"});
  d->both({"HELLO", "3"});
  same_typed(*d, {"XREAD", "STREAMS", "a", "b", "0", "0"});
  same_typed(*d, {"XREAD", "STREAMS", "a", "b", "$", "$"});
  same_typed(*d, {"XRANGE", "a", "-", "+"});
  same_typed(*d, {"XRANGE", "a", "-", "+", "COUNT", "0"});
  same_typed(*d, {"XINFO", "STREAM", "a"});
  same_typed(*d, {"XINFO", "STREAM", "a", "FULL"});
  same_typed(*d, {"XADD", "nokey", "NOMKSTREAM", "*", "a", "b"});
  d->both({"HELLO", "2"});
}

TEST_F(streams, node_limits_follow_config) {
  d->same({"CONFIG", "SET", "stream-node-max-entries", "3"});
  for (int i = 1; i <= 20; ++i) d->same({"XADD", "s", std::to_string(i) + "-0", "f", "v"});
  d->same({"XINFO", "STREAM", "s"});
  d->same({"CONFIG", "SET", "stream-node-max-entries", "0"});
  d->same({"CONFIG", "SET", "stream-node-max-bytes", "100"});
  for (int i = 1; i <= 20; ++i)
    d->same({"XADD", "t", std::to_string(i) + "-0", "field", std::string(size_t(i * 3), 'x')});
  d->same({"XINFO", "STREAM", "t"});
  d->same({"XTRIM", "t", "MAXLEN", "~", "5"});
  d->same({"XINFO", "STREAM", "t"});
  d->same({"CONFIG", "GET", "stream-node-max-bytes"});
  d->same({"CONFIG", "GET", "stream-node-max-entries"});
  d->same({"XREAD", "STREAMS", "s", "t", "0"});
  d->same({"xread", "STREAMS", "s", "t", "0"});
}

// Random XADD/XDEL/XTRIM/XRANGE sequences with explicit IDs.
TEST_F(streams, random_operations_match_redis) {
  std::mt19937 rng(16);
  uint64_t ms = 1;
  for (int round = 0; round < 1500; ++round) {
    int op = int(rng() % 10);
    std::string key = "k" + std::to_string(rng() % 3);
    if (op < 5) {
      ms += rng() % 3;
      std::vector<std::string> cmd{"XADD", key};
      if (rng() % 8 == 0) {
        cmd.push_back(rng() % 2 ? "MAXLEN" : "MINID");
        cmd.push_back(rng() % 2 ? "~" : "=");
        cmd.push_back(cmd[2] == "MAXLEN" ? std::to_string(rng() % 50)
                                         : std::to_string(ms > 30 ? ms - 30 : 0));
      }
      cmd.push_back(rng() % 2 ? std::to_string(ms) + "-*" : std::to_string(ms));
      size_t fields = 1 + rng() % 3;
      for (size_t f = 0; f < fields; ++f) {
        cmd.push_back(rng() % 4 ? "f" + std::to_string(f) : "g" + std::to_string(rng() % 5));
        cmd.push_back(std::to_string(rng() % 1000));
      }
      d->same(cmd);
    } else if (op < 7) {
      d->same({"XDEL", key, std::to_string(rng() % (ms + 1)) + "-" + std::to_string(rng() % 2)});
    } else if (op == 7) {
      d->same({"XTRIM", key, "MAXLEN", rng() % 2 ? "~" : "=", std::to_string(rng() % 60)});
    } else if (op == 8) {
      uint64_t a = rng() % (ms + 1), b = rng() % (ms + 1);
      d->same({"XRANGE", key, std::to_string(std::min(a, b)), std::to_string(std::max(a, b)),
               "COUNT", std::to_string(rng() % 10)});
    } else {
      d->same({"XREVRANGE", key, "+", "-", "COUNT", std::to_string(rng() % 10)});
      d->same({"XINFO", "STREAM", key});
    }
  }
  for (int k = 0; k < 3; ++k) d->same({"XRANGE", "k" + std::to_string(k), "-", "+"});
}

// COPY, RENAME, DEL of streams, and the digest of a copy.
TEST_F(streams, copy_rename_and_digest) {
  for (int i = 1; i <= 120; ++i) d->same({"XADD", "s", std::to_string(i) + "-0", "f", "v"});
  d->same({"XGROUP", "CREATE", "s", "g", "0"});
  d->same({"XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "s", ">"});
  d->same({"COPY", "s", "s2"});
  d->same({"XDEL", "s", "2-0"});
  d->same({"XINFO", "GROUPS", "s2"});
  d->same({"XPENDING", "s2", "g"});
  d->same({"XRANGE", "s2", "-", "+", "COUNT", "3"});
  d->same({"DEBUG", "DIGEST-VALUE", "s", "s2"});
  d->same({"RENAME", "s2", "s3"});
  d->same({"XLEN", "s3"});
  d->same({"TYPE", "s3"});
  d->same({"DEL", "s3"});
  d->same({"EXISTS", "s3"});
}

// The keyspace events stream commands publish, in order, as Redis does.
TEST_F(streams, keyspace_events) {
  for (server_process* s : {&d->redis(), &d->troupe()})
    s->call({"CONFIG", "SET", "notify-keyspace-events", "KEA"});
  std::vector<std::vector<std::string>> script = {
      {"XADD", "s", "1-0", "f", "v"},
      {"XADD", "s", "MAXLEN", "1", "2-0", "f", "v"},
      {"XDEL", "s", "2-0"},
      {"XDEL", "s", "9-0"},
      {"XADD", "s", "3-0", "f", "v"},
      {"XTRIM", "s", "MAXLEN", "0"},
      {"XSETID", "s", "5-0"},
      {"XGROUP", "CREATE", "s", "g", "0"},
      {"XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"},
      {"XGROUP", "CREATECONSUMER", "s", "g", "c"},
      {"XADD", "s", "6-0", "f", "v"},
      {"XREADGROUP", "GROUP", "g", "c2", "STREAMS", "s", ">"},
      {"XCLAIM", "s", "g", "c3", "0", "6-0"},
      {"XAUTOCLAIM", "s", "g", "c4", "0", "0"},
      {"XACK", "s", "g", "6-0"},
      {"XGROUP", "SETID", "s", "g", "0"},
      {"XGROUP", "DELCONSUMER", "s", "g", "c"},
      {"XGROUP", "DESTROY", "s", "g"},
      {"SET", "end", "1"},
  };
  auto events = [&](server_process& s) {
    resp_client sub = s.client();
    sub.call({"PSUBSCRIBE", "__key*__:*"});
    for (auto& cmd : script) s.call(cmd);
    std::string out;
    for (;;) {
      resp_value m = sub.read_reply();
      if (m.elements.size() < 4) break;
      out += m.elements[2].str + " " + m.elements[3].str + "\n";
      if (m.elements[3].str == "end") break;
    }
    return out;
  };
  std::string r = events(d->redis()), t = events(d->troupe());
  EXPECT_EQ(r, t);
  EXPECT_NE(t.find("xgroup-createconsumer"), std::string::npos);
  for (server_process* s : {&d->redis(), &d->troupe()})
    s->call({"CONFIG", "SET", "notify-keyspace-events", ""});
}

// Key extraction as Redis's key specs do it (COMMAND GETKEYS, ACL, routing).
TEST_F(streams, command_getkeys) {
  d->same({"COMMAND", "GETKEYS", "XREAD", "COUNT", "2", "STREAMS", "a", "b", "0", "0"});
  d->same({"COMMAND", "GETKEYS", "XREAD", "x", "STREAMS", "a", "b", "c"});
  d->same({"COMMAND", "GETKEYS", "XREAD", "STREAMS", "a"});
  d->same({"COMMAND", "GETKEYS", "XREAD", "COUNT", "1"});
  d->same({"COMMAND", "GETKEYS", "XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "0"});
  d->same({"COMMAND", "GETKEYS", "XREADGROUP", "GROUP", "g", "STREAMS", "STREAMS", "a", "0"});
  d->same({"COMMAND", "GETKEYS", "XADD", "s", "*", "a", "b"});
  d->same({"COMMAND", "GETKEYS", "XGROUP", "CREATE", "s", "g", "$"});
  d->same({"COMMAND", "GETKEYS", "XINFO", "STREAM", "s"});
  d->same({"COMMAND", "GETKEYS", "PFMERGE", "dst"});
  d->same({"COMMAND", "GETKEYS", "PFMERGE", "dst", "src"});
}
