// BITFIELD and BITFIELD_RO against a real redis-server 7.0: every width of
// signed and unsigned fields, # offsets, GET/SET/INCRBY under OVERFLOW
// WRAP/SAT/FAIL (random operations compared with the value's bytes), errors,
// extreme offsets, keyspace events and what the AOF records.
#include <gtest/gtest.h>

#include <random>

#include "integration/command_test_support.hpp"
#include "integration/type_test_support.hpp"
#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class bitfield : public differential_suite<bitfield> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

TEST_F(bitfield, operations_and_errors) {
  d->same({"BITFIELD", "k", "SET", "i8", "0", "100", "GET", "u4", "0", "INCRBY", "i5", "100", "1",
           "GET", "u4", "#2"});
  d->same({"GET", "k"});
  d->same(
      {"BITFIELD", "k", "INCRBY", "u2", "100", "1", "OVERFLOW", "SAT", "INCRBY", "u2", "102", "1"});
  d->same({"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "102", "5", "GET", "u2", "102"});
  d->same({"BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "i4", "0", "100"});
  d->same({"BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i4", "0", "100", "SET", "i4", "0", "-100"});
  d->same({"BITFIELD", "k", "OVERFLOW", "WRAP", "SET", "u8", "0", "-1", "SET", "i64", "0",
           "-9223372036854775808", "INCRBY", "i64", "0", "-1"});
  d->same({"BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "-9223372036854775808",
           "INCRBY", "u63", "0", "9223372036854775807", "INCRBY", "u63", "1",
           "-9223372036854775807"});
  d->same(
      {"BITFIELD", "k", "GET", "i64", "0", "GET", "u63", "1", "GET", "i1", "0", "GET", "u1", "7"});
  d->same({"BITFIELD", "k"});
  d->same({"BITFIELD", "missing", "GET", "u8", "0"});
  d->same({"EXISTS", "missing"});
  d->same({"BITFIELD", "k", "GET", "u64", "0"});
  d->same({"BITFIELD", "k", "GET", "i65", "0"});
  d->same({"BITFIELD", "k", "GET", "i0", "0"});
  d->same({"BITFIELD", "k", "GET", "I8", "0"});
  d->same({"BITFIELD", "k", "GET", "x8", "0"});
  d->same({"BITFIELD", "k", "GET", "u08", "0"});
  d->same({"BITFIELD", "k", "GET", "u8", "-1"});
  d->same({"BITFIELD", "k", "GET", "u8", "#-1"});
  d->same({"BITFIELD", "k", "GET", "u8", "#x"});
  d->same({"BITFIELD", "k", "GET", "u8", "4294967295"});
  d->same({"BITFIELD", "k", "GET", "u8", "4294967296"});
  d->same({"BITFIELD", "k", "GET", "u8", "#536870911"});
  d->same({"BITFIELD", "k", "GET", "u8", "#536870912"});
  d->same({"BITFIELD", "k", "GET", "i64", "#9223372036854775807"});
  d->same({"BITFIELD", "k", "GET", "u8"});
  d->same({"BITFIELD", "k", "SET", "u8", "0"});
  d->same({"BITFIELD", "k", "SET", "u8", "0", "x"});
  d->same({"BITFIELD", "k", "SET", "u8", "0", "1.5"});
  d->same({"BITFIELD", "k", "OVERFLOW", "MAYBE", "GET", "u8", "0"});
  d->same({"BITFIELD", "k", "OVERFLOW"});
  d->same({"BITFIELD", "k", "FOO", "u8", "0"});
  d->same({"BITFIELD_RO", "k", "GET", "u8", "0", "GET", "i3", "#5"});
  d->same({"BITFIELD_RO", "k", "SET", "u8", "0", "1"});
  d->same({"BITFIELD_RO", "k", "INCRBY", "u8", "0", "1"});
  d->same({"BITFIELD_RO", "k", "OVERFLOW", "SAT"});
  d->same({"BITFIELD_RO", "missing", "GET", "u8", "0"});
  d->same({"LPUSH", "list", "a"});
  d->same({"BITFIELD", "list", "GET", "u8", "0"});
  d->same({"BITFIELD", "list", "SET", "u8", "0", "1"});
  d->same({"BITFIELD_RO", "list", "GET", "u8", "0"});
  d->same({"SET", "n", "12345"});
  d->same({"BITFIELD", "n", "GET", "u8", "0", "INCRBY", "u8", "0", "1"});
  d->same({"GET", "n"});
  d->same({"OBJECT", "ENCODING", "n"});
  d->same({"SET", "t", "v", "EX", "100"});
  d->same({"BITFIELD", "t", "SET", "u8", "100", "255"});
  d->same({"TTL", "t"});
  d->same({"GET", "t"});
  d->both({"HELLO", "3"});
  same_typed(*d,
             {"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "102", "5", "GET", "u2", "102"});
  d->both({"HELLO", "2"});
}

// Random fields at random offsets, every width, every overflow mode.
TEST_F(bitfield, random_operations_match_redis) {
  std::mt19937_64 rng(99);
  const char* modes[] = {"WRAP", "SAT", "FAIL"};
  const char* values[] = {"0",
                          "1",
                          "-1",
                          "127",
                          "-128",
                          "255",
                          "9223372036854775807",
                          "-9223372036854775808",
                          "4611686018427387904",
                          "-3"};
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> cmd = {"BITFIELD", "r"};
    for (int op = 0; op < 4; ++op) {
      bool sign = rng() % 2;
      int bits = 1 + int(rng() % (sign ? 64 : 63));
      std::string type = std::string(sign ? "i" : "u") + std::to_string(bits);
      std::string offset =
          rng() % 4 == 0 ? "#" + std::to_string(rng() % 20) : std::to_string(rng() % 300);
      if (rng() % 3 == 0) cmd.insert(cmd.end(), {"OVERFLOW", modes[rng() % 3]});
      std::string value = rng() % 2 ? values[rng() % 10] : std::to_string(int64_t(rng()));
      switch (rng() % 3) {
        case 0:
          cmd.insert(cmd.end(), {"GET", type, offset});
          break;
        case 1:
          cmd.insert(cmd.end(), {"SET", type, offset, value});
          break;
        default:
          cmd.insert(cmd.end(), {"INCRBY", type, offset, value});
          break;
      }
    }
    d->same(cmd);
    if (round % 20 == 0) d->same({"GET", "r"});
  }
  d->same({"GET", "r"});
}

TEST_F(bitfield, keyspace_events_and_command_info) {
  expect_same_events(*d, {{"BITFIELD", "e", "SET", "u8", "0", "1"},
                          {"BITFIELD", "e", "GET", "u8", "0"},
                          {"BITFIELD", "e", "OVERFLOW", "FAIL", "SET", "u2", "0", "9"}});
  expect_same_command_info(d->redis_client(), d->troupe_client(),
                           {"bitfield", "bitfield_ro", "lcs"});
}

// A FAIL overflow that writes nothing is not journaled, as in Redis 7.0.
TEST(bitfield_aof, journal_matches_redis) {
  expect_same_aof({{"BITFIELD", "b", "SET", "u8", "0", "200", "GET", "u8", "0"},
                   {"BITFIELD", "b", "GET", "u8", "0"},
                   {"BITFIELD", "c", "OVERFLOW", "FAIL", "SET", "u2", "0", "9"},
                   {"BITFIELD_RO", "b", "GET", "u8", "0"},
                   {"SET", "end", "1"}});
}
