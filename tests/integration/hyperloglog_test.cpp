// HyperLogLog commands against a real redis-server 7.0: the same inserts leave
// the same bytes (sparse and dense, cached cardinality included) and the same
// counts; promotion to dense; PFMERGE, PFDEBUG, PFSELFTEST; corrupt values
// (hostile input: compared with Redis, never a crash); DUMP/RESTORE both ways;
// what the AOF records.
#include <gtest/gtest.h>

#include <random>

#include "integration/command_test_support.hpp"
#include "integration/type_test_support.hpp"
#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class hyperloglog : public differential_suite<hyperloglog> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
    d->same({"CONFIG", "SET", "hll-sparse-max-bytes", "3000"});
  }
  // The value's bytes are Redis's.
  void same_bytes(const std::string& key) {
    resp_value r = d->redis_client().call({"GET", key});
    resp_value t = d->troupe_client().call({"GET", key});
    EXPECT_EQ(r.type, t.type) << key;
    EXPECT_TRUE(r.str == t.str) << key << ": " << r.str.size() << " vs " << t.str.size()
                                << " bytes";
  }
  std::vector<std::string> elements(const std::string& prefix, int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; ++i) out.push_back(prefix + std::to_string(i));
    return out;
  }
  void pfadd(const std::string& key, const std::vector<std::string>& els) {
    std::vector<std::string> cmd = {"PFADD", key};
    cmd.insert(cmd.end(), els.begin(), els.end());
    d->same(cmd);
  }
};

TEST_F(hyperloglog, pfadd_and_pfcount) {
  d->same({"PFADD", "h"});  // creates an empty HyperLogLog: 1
  same_bytes("h");
  d->same({"PFADD", "h"});
  d->same({"PFCOUNT", "h"});
  same_bytes("h");  // the count is cached now
  d->same({"PFADD", "h", "a", "b", "c"});
  same_bytes("h");
  d->same({"PFADD", "h", "a", "b", "c"});  // nothing new: 0
  d->same({"PFCOUNT", "h"});
  same_bytes("h");
  d->same({"PFCOUNT", "missing"});
  d->same({"PFADD", "h", ""});
  d->same({"PFADD", "h", std::string("bin\0ary", 7), std::string(1000, 'x')});
  d->same({"PFCOUNT", "h"});
  same_bytes("h");
  d->same({"OBJECT", "ENCODING", "h"});
  d->same({"STRLEN", "h"});
  d->same({"TYPE", "h"});
  d->same({"PFADD"});
  d->same({"PFCOUNT"});
}

TEST_F(hyperloglog, counts_equal_redis_from_small_to_large) {
  int total = 0;
  for (int batch : {1, 5, 20, 100, 500, 2000, 10000, 40000}) {
    pfadd("h", elements("e:", total, total + batch));
    total += batch;
    d->same({"PFCOUNT", "h"});
    d->same({"PFDEBUG", "ENCODING", "h"});
    same_bytes("h");
  }
}

TEST_F(hyperloglog, sparse_promotes_to_dense_at_the_configured_size) {
  // Element by element around the promotion point: the same bytes each time.
  for (const char* limit : {"3000", "200", "0"}) {
    SCOPED_TRACE(limit);
    d->same({"DEL", "h"});
    d->same({"CONFIG", "SET", "hll-sparse-max-bytes", limit});
    d->same({"CONFIG", "GET", "hll-sparse-max-bytes"});
    for (int i = 0; i < 1600; ++i) {
      d->same({"PFADD", "h", "m" + std::to_string(i)});
      if (i % 97 == 0 || i > 1200) {
        resp_value enc = d->same({"PFDEBUG", "ENCODING", "h"});
        if (i % 97 == 0) same_bytes("h");
        if (enc.str == "dense") break;
      }
    }
    same_bytes("h");
    d->same({"PFDEBUG", "ENCODING", "h"});
    d->same({"PFCOUNT", "h"});
  }
  // A register above 32 cannot be sparse: found by brute force, an element
  // whose run is that long promotes at once. Redis answers the same.
  d->same({"CONFIG", "SET", "hll-sparse-max-bytes", "3000"});
  d->same({"CONFIG", "SET", "hll-sparse-max-bytes", "1gb"});
  d->same({"CONFIG", "SET", "hll-sparse-max-bytes", "-1"});
  d->same({"CONFIG", "SET", "hll-sparse-max-bytes", "3000"});
}

TEST_F(hyperloglog, pfdebug) {
  pfadd("h", elements("x", 0, 50));
  d->same({"PFDEBUG", "DECODE", "h"});
  d->same({"PFDEBUG", "ENCODING", "h"});
  d->same({"PFDEBUG", "decode", "h"});
  d->same({"PFDEBUG", "GETREG", "h"});  // converts to dense
  d->same({"PFDEBUG", "ENCODING", "h"});
  d->same({"PFDEBUG", "DECODE", "h"});
  same_bytes("h");
  pfadd("s", elements("y", 0, 20));
  d->same({"PFDEBUG", "TODENSE", "s"});
  d->same({"PFDEBUG", "TODENSE", "s"});
  same_bytes("s");
  d->same({"PFDEBUG", "NOSUCH", "s"});
  d->same({"PFDEBUG", "GETREG", "missing"});
  d->same({"PFDEBUG", "NOSUCH", "missing"});
  d->same({"PFDEBUG", "GETREG"});
  d->same({"PFDEBUG", "GETREG", "s", "extra"});
  d->same({"SET", "str", "hello"});
  d->same({"PFDEBUG", "GETREG", "str"});
  d->same({"PFSELFTEST"});
  d->same({"PFSELFTEST", "x"});
}

TEST_F(hyperloglog, pfcount_of_several_keys_is_the_union) {
  pfadd("a", elements("u", 0, 300));
  pfadd("b", elements("u", 200, 700));
  pfadd("c", elements("v", 0, 5000));  // dense
  d->same({"PFCOUNT", "a", "b"});
  d->same({"PFCOUNT", "a", "b", "c"});
  d->same({"PFCOUNT", "a", "missing", "c"});
  d->same({"PFCOUNT", "missing", "missing2"});
  d->same({"PFCOUNT", "a", "a"});
  same_bytes("a");  // the union does not cache anything
  d->same({"SET", "str", "x"});
  d->same({"PFCOUNT", "a", "str"});
  d->same({"LPUSH", "list", "x"});
  d->same({"PFCOUNT", "a", "list"});
  d->same({"PFCOUNT", "list"});
  d->same({"PFADD", "list", "a"});
}

TEST_F(hyperloglog, pfmerge) {
  pfadd("a", elements("u", 0, 300));
  pfadd("b", elements("u", 200, 700));
  pfadd("dense", elements("w", 0, 5000));
  d->same({"PFMERGE", "m1", "a", "b"});  // sparse stays sparse
  same_bytes("m1");
  d->same({"PFCOUNT", "m1"});
  d->same({"PFMERGE", "m2", "a", "dense"});  // one dense source: dense
  same_bytes("m2");
  d->same({"PFMERGE", "a", "b"});  // into an existing source
  same_bytes("a");
  d->same({"PFMERGE", "alone"});
  same_bytes("alone");
  d->same({"PFMERGE", "m3", "missing"});
  same_bytes("m3");
  d->same({"PFMERGE", "b", "b"});
  same_bytes("b");
  d->same({"PFCOUNT", "a", "b", "m1", "m2"});
  d->same({"SET", "str", "x"});
  d->same({"PFMERGE", "m4", "a", "str"});
  d->same({"EXISTS", "m4"});
  d->same({"PFMERGE", "str", "a"});
  d->same({"PFMERGE"});
  // Many sparse sources whose union outgrows sparse.
  for (int i = 0; i < 6; ++i)
    pfadd("p" + std::to_string(i), elements("q" + std::to_string(i), 0, 400));
  d->same({"PFMERGE", "big", "p0", "p1", "p2", "p3", "p4", "p5"});
  same_bytes("big");
  d->same({"PFDEBUG", "ENCODING", "big"});
}

TEST_F(hyperloglog, ttl_survives_and_types_are_checked) {
  d->same({"PFADD", "h", "a"});
  d->same({"EXPIRE", "h", "1000"});
  d->same({"PFADD", "h", "b", "c"});
  d->same({"TTL", "h"});
  d->same({"PFCOUNT", "h"});
  d->same({"TTL", "h"});
  d->same({"PFMERGE", "h", "h"});
  d->same({"TTL", "h"});
  d->same({"SADD", "set", "a"});
  d->same({"PFADD", "set", "x"});
  d->same({"PFMERGE", "set", "h"});
  d->same({"PFDEBUG", "ENCODING", "set"});
  d->same({"SET", "short", "HYLL"});
  d->same({"PFADD", "short", "x"});
  d->same({"SET", "num", "123456789012345678"});
  d->same({"PFCOUNT", "num"});
  d->same({"APPEND", "h", "x"});  // a sparse value longer than its registers
  d->same({"PFCOUNT", "h"});
}

// Corrupt values written with SET or SETRANGE: the errors are Redis's and the
// server keeps serving. Then random bytes after a valid header, compared
// command by command with Redis.
TEST_F(hyperloglog, corrupt_values) {
  auto header = [](char enc, bool stale) {
    std::string h = "HYLL";
    h.push_back(enc);
    h.append(10, '\0');
    h.push_back(stale ? char(0x80) : '\0');
    return h;
  };
  std::vector<std::string> bodies = {
      "",                                  // no registers at all
      std::string("\x7f\xff", 2),          // valid empty
      std::string("\x7f\xfe", 2),          // one register short
      std::string("\x7f", 1),              // truncated XZERO
      std::string("\x7f\xff\x80", 3),      // one VAL past the end
      std::string("\x80\x7f\xfe", 3),      // valid, VAL first
      std::string("\xff\x7f\xfc", 3),      // VAL 32 x4, then the rest
      std::string(300, '\x3f'),            // ZERO runs past the end
      std::string("\x7f\xfe\x84", 3),      // VAL of two past the end
      std::string("\x7f\xfe\x80\x00", 4),  // a ZERO past the end
      std::string("\x40\x00\xfc\x7f\xfb", 5),
  };
  int n = 0;
  for (auto& body : bodies) {
    for (bool stale : {false, true}) {
      std::string key = "c" + std::to_string(n++);
      std::string v = header(1, stale) + body;
      d->same({"SET", key, v});
      d->same({"PFCOUNT", key});
      d->same({"PFDEBUG", "DECODE", key});
      d->same({"PFCOUNT", key, "missing"});
      d->same({"PFMERGE", "dst" + key, key});
      d->same({"PFADD", key, "a", "b", "c", "d"});
      same_bytes(key);
      d->same({"PFDEBUG", "TODENSE", key});
      same_bytes(key);
    }
  }
  // Dense values of the wrong size and unknown encodings.
  d->same({"SET", "d1", header(0, true) + std::string(12287, '\0')});
  d->same({"PFCOUNT", "d1"});
  d->same({"SET", "d2", header(0, true) + std::string(12288, '\xff')});
  d->same({"PFCOUNT", "d2"});
  d->same({"PFADD", "d2", "a"});
  d->same({"PFCOUNT", "d2", "d2"});
  d->same({"PFMERGE", "d3", "d2"});
  same_bytes("d3");
  d->same({"SET", "e1", header(2, true) + std::string(12288, '\0')});
  d->same({"PFCOUNT", "e1"});
  d->same({"SET", "e2", header(char(0xff), false) + std::string(2, '\0')});
  d->same({"PFADD", "e2", "a"});

  std::mt19937 rng(16);
  for (int round = 0; round < 300; ++round) {
    std::string body;
    size_t len = 1 + rng() % 40;
    for (size_t i = 0; i < len; ++i) {
      // Mostly long zero runs so the total is near 16384 now and then.
      unsigned r = rng() % 4;
      body.push_back(char(r == 0   ? 0x7f
                          : r == 1 ? rng() % 256
                          : r == 2 ? 0x40 | rng() % 64
                                   : 0x80 | rng() % 128));
    }
    std::string key = "r" + std::to_string(round);
    d->same({"SET", key, header(1, true) + body});
    d->same({"PFCOUNT", key});
    d->same({"PFDEBUG", "DECODE", key});
    d->same({"PFCOUNT", key, key});
    d->same({"PFADD", key, "a", std::to_string(round)});
    same_bytes(key);
    d->same({"PFMERGE", "m", key});
    same_bytes("m");
    d->same({"DEL", "m"});
  }
  d->same({"PING"});
}

TEST_F(hyperloglog, dump_restore_both_ways) {
  pfadd("sparse", elements("a", 0, 100));
  pfadd("dense", elements("b", 0, 20000));
  d->same({"PFCOUNT", "dense"});
  for (auto key : {"sparse", "dense"}) {
    resp_value rd = d->redis_client().call({"DUMP", key});
    resp_value td = d->troupe_client().call({"DUMP", key});
    // Each server restores both payloads: the bytes are the original's.
    for (auto* c : {&d->redis_client(), &d->troupe_client()}) {
      EXPECT_EQ(c->call({"RESTORE", std::string(key) + ":r", "0", rd.str}).str, "OK");
      EXPECT_EQ(c->call({"RESTORE", std::string(key) + ":t", "0", td.str}).str, "OK");
      std::string original = c->call({"GET", key}).str;
      EXPECT_TRUE(c->call({"GET", std::string(key) + ":r"}).str == original) << key;
      EXPECT_TRUE(c->call({"GET", std::string(key) + ":t"}).str == original) << key;
    }
    d->same({"PFCOUNT", std::string(key) + ":t"});
    d->same({"PFADD", std::string(key) + ":t", "more"});
    same_bytes(std::string(key) + ":t");
  }
}

TEST_F(hyperloglog, resp3_and_keyspace_events) {
  d->both({"HELLO", "3"});
  same_typed(*d, {"PFADD", "h", "a"});
  same_typed(*d, {"PFCOUNT", "h"});
  same_typed(*d, {"PFDEBUG", "ENCODING", "h"});
  same_typed(*d, {"PFDEBUG", "DECODE", "h"});
  same_typed(*d, {"PFMERGE", "h2", "h"});
  d->both({"HELLO", "2"});
  expect_same_events(
      *d, {{"PFADD", "n", "a"}, {"PFADD", "n", "a"}, {"PFMERGE", "n2", "n"}, {"PFCOUNT", "n"}});
}

TEST_F(hyperloglog, command_info_matches_redis) {
  expect_same_command_info(d->redis_client(), d->troupe_client(),
                           {"pfadd", "pfcount", "pfmerge", "pfdebug", "pfselftest"});
  d->same({"COMMAND", "GETKEYS", "PFMERGE", "d", "a", "b"});
  d->same({"COMMAND", "GETKEYS", "PFCOUNT", "a", "b"});
  d->same({"COMMAND", "GETKEYS", "PFDEBUG", "GETREG", "k"});
}

// What the AOF records is what Redis's does: PFADD and PFMERGE as sent, PFCOUNT
// when it stored the cached count, PFDEBUG when it changed the encoding.
TEST(hyperloglog_aof, journal_matches_redis) {
  expect_same_aof({{"PFADD", "h", "a", "b"},
                   {"PFADD", "h", "a"},
                   {"PFCOUNT", "h"},
                   {"PFCOUNT", "h"},
                   {"PFCOUNT", "h", "x"},
                   {"PFMERGE", "m", "h"},
                   {"PFDEBUG", "TODENSE", "m"},
                   {"PFDEBUG", "TODENSE", "m"},
                   {"PFDEBUG", "ENCODING", "h"},
                   {"PFDEBUG", "GETREG", "h"},
                   {"SET", "end", "1"}},
                  [](server_process& redis, server_process& troupe) {
                    // Troupe reloads its AOF to Redis's bytes.
                    std::string rh = redis.call({"GET", "h"}).str;
                    std::string rm = redis.call({"GET", "m"}).str;
                    EXPECT_TRUE(troupe.call({"GET", "h"}).str == rh);
                    troupe.stop();
                    server_process again({"--appendonly", "yes", "--dir", troupe.dir()});
                    ASSERT_TRUE(again.start());
                    EXPECT_TRUE(again.call({"GET", "h"}).str == rh);
                    EXPECT_TRUE(again.call({"GET", "m"}).str == rm);
                  });
}
