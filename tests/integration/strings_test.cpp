// String commands against a running server, compared reply by reply with a real
// redis-server 7.0.
#include <gtest/gtest.h>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class strings : public differential_suite<strings> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

TEST_F(strings, set_and_get) {
  d->same({"SET", "k", "v"});
  d->same({"GET", "k"});
  d->same({"GET", "missing"});
  d->same({"SET", "k", "v2", "GET"});
  d->same({"SET", "k", "v3", "NX"});
  d->same({"SET", "k", "v3", "XX", "GET"});
  d->same({"SET", "new", "v", "XX"});
  d->same({"SET", "k", "v", "NX", "XX"});
  d->same({"SET", "k", "v", "EX", "10", "PX", "100"});
  d->same({"SET", "k", "v", "KEEPTTL", "EX", "1"});
  d->same({"SET", "k", "v", "EX", "0"});
  d->same({"SET", "k", "v", "EX", "-5"});
  d->same({"SET", "k", "v", "EX", "abc"});
  d->same({"SET", "k", "v", "EX"});
  d->same({"SET", "k", "v", "EX", "9223372036854775807"});
  d->same({"SET", "k", "v", "FOO"});
  d->same({"SET", "k"});
  d->same({"SET", "k", "v", "EX", "100"});
  d->same({"TTL", "k"});
  d->same({"SET", "k", "v2", "KEEPTTL"});
  d->same({"TTL", "k"});
  d->same({"SET", "k", "v3"});
  d->same({"TTL", "k"});
  d->same({"SET", "gone", "v", "PXAT", "1"});
  d->same({"GET", "gone"});
}

TEST_F(strings, wrong_type_and_arity) {
  d->same({"GET"});
  d->same({"MSET", "a"});
  d->same({"MSET", "a", "1", "b"});
  d->same({"MGET"});
  d->same({"APPEND", "a"});
}

TEST_F(strings, counters) {
  d->same({"INCR", "n"});
  d->same({"INCRBY", "n", "41"});
  d->same({"DECR", "n"});
  d->same({"DECRBY", "n", "10"});
  d->same({"INCRBY", "n", "abc"});
  d->same({"SET", "n", "9223372036854775807"});
  d->same({"INCR", "n"});
  d->same({"SET", "m", "-9223372036854775808"});
  d->same({"DECR", "m"});
  d->same({"DECRBY", "m", "-9223372036854775808"});
  d->same({"SET", "s", "abc"});
  d->same({"INCR", "s"});
  d->same({"SET", "s", " 1"});
  d->same({"INCR", "s"});
  d->same({"SET", "s", "01"});
  d->same({"INCR", "s"});
  d->same({"INCRBYFLOAT", "f", "1.5"});
  d->same({"INCRBYFLOAT", "f", "0.1"});
  d->same({"INCRBYFLOAT", "f", "-3"});
  d->same({"INCRBYFLOAT", "f", "1e3"});
  d->same({"INCRBYFLOAT", "f", "abc"});
  d->same({"INCRBYFLOAT", "f", "inf"});
  d->same({"SET", "f", "5.0e3"});
  d->same({"INCRBYFLOAT", "f", "2.0e2"});
  d->same({"OBJECT", "ENCODING", "n"});
}

TEST_F(strings, ranges_and_append) {
  d->same({"APPEND", "a", "Hello"});
  d->same({"APPEND", "a", " World"});
  d->same({"GET", "a"});
  d->same({"STRLEN", "a"});
  d->same({"STRLEN", "nope"});
  for (auto [s, e] : std::vector<std::pair<const char*, const char*>>{{"0", "3"},
                                                                      {"-3", "-1"},
                                                                      {"0", "-1"},
                                                                      {"10", "100"},
                                                                      {"5", "2"},
                                                                      {"-100", "-50"},
                                                                      {"-1", "-5"},
                                                                      {"0", "0"}})
    d->same({"GETRANGE", "a", s, e});
  d->same({"GETRANGE", "nope", "0", "-1"});
  d->same({"SETRANGE", "a", "6", "Redis"});
  d->same({"GET", "a"});
  d->same({"SETRANGE", "b", "5", "x"});
  d->same({"GET", "b"});
  d->same({"SETRANGE", "c", "0", ""});
  d->same({"EXISTS", "c"});
  d->same({"SETRANGE", "a", "-1", "x"});
  d->same({"SETRANGE", "a", "536870911", "xx"});
  d->same({"OBJECT", "ENCODING", "a"});
}

TEST_F(strings, multi_key) {
  d->same({"MSET", "a", "1", "b", "2", "{t}c", "3"});
  d->same({"MGET", "a", "b", "{t}c", "nope"});
  d->same({"MSETNX", "a", "9", "z", "9"});
  d->same({"MSETNX", "x", "9", "z", "9"});
  d->same({"MGET", "x", "z"});
  d->same({"SETNX", "x", "1"});
  d->same({"SETNX", "y", "1"});
  d->same({"GETSET", "y", "2"});
  d->same({"GETDEL", "y"});
  d->same({"GETDEL", "y"});
  d->same({"SETEX", "t", "100", "v"});
  d->same({"SETEX", "t", "0", "v"});
  d->same({"PSETEX", "t", "-1", "v"});
  d->same({"GETEX", "t", "PERSIST"});
  d->same({"TTL", "t"});
  d->same({"GETEX", "t", "EX", "50"});
  d->same({"TTL", "t"});
  d->same({"GETEX", "t", "EX", "0"});
  d->same({"GETEX", "t", "FOO"});
  d->same({"GETEX", "nope"});
}

TEST_F(strings, bitmaps) {
  d->same({"SETBIT", "b", "7", "1"});
  d->same({"SETBIT", "b", "100", "1"});
  d->same({"SETBIT", "b", "7", "0"});
  d->same({"SETBIT", "b", "-1", "1"});
  d->same({"SETBIT", "b", "1", "2"});
  d->same({"SETBIT", "b", "4294967296", "1"});
  d->same({"GETBIT", "b", "100"});
  d->same({"GETBIT", "b", "1000"});
  d->same({"GET", "b"});
  d->same({"SET", "s", "foobar"});
  d->same({"BITCOUNT", "s"});
  d->same({"BITCOUNT", "s", "0", "0"});
  d->same({"BITCOUNT", "s", "1", "1"});
  d->same({"BITCOUNT", "s", "1", "1", "BIT"});
  d->same({"BITCOUNT", "s", "5", "30", "BIT"});
  d->same({"BITCOUNT", "s", "-2", "-1"});
  d->same({"BITCOUNT", "s", "0"});
  d->same({"BITCOUNT", "s", "0", "1", "FOO"});
  d->same({"SET", "p", std::string("\xff\xf0\x00", 3)});
  d->same({"BITPOS", "p", "0"});
  d->same({"BITPOS", "p", "1", "2"});
  d->same({"BITPOS", "p", "1", "0", "-1", "BIT"});
  d->same({"BITPOS", "p", "0", "1", "1"});
  d->same({"SET", "ones", std::string("\xff\xff", 2)});
  d->same({"BITPOS", "ones", "0"});
  d->same({"BITPOS", "ones", "0", "0", "-1"});
  d->same({"BITPOS", "nope", "0"});
  d->same({"BITPOS", "nope", "1"});
  d->same({"BITPOS", "p", "2"});
  d->same({"SET", "x", "abc"});
  d->same({"SET", "y", "b"});
  for (auto op : {"AND", "OR", "XOR"}) {
    d->same({"BITOP", op, "dest", "x", "y", "nope"});
    d->same({"GET", "dest"});
  }
  d->same({"BITOP", "NOT", "dest", "x"});
  d->same({"GET", "dest"});
  d->same({"BITOP", "NOT", "dest", "x", "y"});
  d->same({"BITOP", "FOO", "dest", "x"});
  d->same({"BITOP", "AND", "dest", "nope1", "nope2"});
  d->same({"EXISTS", "dest"});
}

// Found by the hostile-input tester (hostile_input_test.cpp): every size and
// offset is checked before anything is allocated.
TEST_F(strings, setrange_offset_checked_before_allocating) {
  // offset + length overflowed: std::bad_alloc aborted the whole server.
  d->same({"SETRANGE", "k", "9223372036854775807", "A"});
  d->same({"SETRANGE", "k", "9223372036854775800", std::string(26, 'A')});
  d->same({"SETRANGE", "k", "536870912", "A"});
  d->same({"SET", "k", "v"});
  d->same({"SETRANGE", "k", "9223372036854775807", "A"});
  d->same({"SETRANGE", "k", "9223372036854775807", ""});
  d->same({"APPEND", "k", "more"});
  d->same({"GET", "k"});
  d->same({"PING"});
}

TEST_F(strings, set_and_getex_check_option_syntax_before_values) {
  // An option may repeat (the last counts); mixing two TTL options is a syntax
  // error even when the first value is bad; values are read after the syntax.
  d->same({"SET", "k", "v", "EX", "1000", "EX", "2000"});
  d->same({"TTL", "k"});
  d->same({"SET", "k", "v", "KEEPTTL", "KEEPTTL"});
  d->same({"SET", "k", "v", "NX", "NX"});
  d->same({"SET", "k", "v", "EX", "0", "PX", "2"});
  d->same({"SET", "k", "v", "EX", "0", "EX", "1"});
  d->same({"SET", "k", "v", "EX", "1", "EX", "0"});
  d->same({"SET", "k", "v", "EX", "-9223372036854775808", "GET", "MATCH"});
  d->same({"SET", "k", "v", "PX", "1e3", "MAX"});
  d->same({"GETEX", "k", "PERSIST", "PERSIST"});
  // GETEX looks the key up before it reads the time.
  d->same({"GETEX", "missing", "PXAT", "-1"});
  d->same({"GETEX", "missing", "EX", "0", "EX", "1"});
  d->same({"RPUSH", "list", "a"});
  d->same({"GETEX", "list", "PXAT", "*-1"});
  d->same({"GETEX", "k", "EX", "x"});
  d->same({"SET", "list", "v", "GET", "EX", "x"});
}

TEST_F(strings, bitcount_and_bitpos_look_the_key_up_first) {
  d->same({"RPUSH", "list", "a"});
  d->same({"SET", "s", "foobar"});
  for (auto key : {"missing", "list", "s"}) {
    d->same({"BITCOUNT", key, "a"});
    d->same({"BITCOUNT", key, "a", "b", "c", "d"});
    d->same({"BITCOUNT", key, "0", "1", "x"});
    d->same({"BITCOUNT", key, "[a-", "65535"});
    d->same({"BITPOS", key, "1", "a"});
    d->same({"BITPOS", key, "1", "0", "1", "x"});
    d->same({"BITPOS", key, "1", "0", "a", "x"});
    d->same({"BITPOS", key, "1", "0", "1", "BIT", "x"});
    d->same({"BITPOS", key, "x"});
    d->same({"BITPOS", key, "2"});
    d->same({"BITPOS", key, "1", "9223372036854775807", "AND"});
  }
  // Both ends negative and the start past the end: 0 at once in Redis 7.0,
  // though clamping would make it the first byte (found by the hostile tester).
  for (auto range : std::vector<std::vector<std::string>>{{"-100", "-2147483649"},
                                                          {"-100", "-2147483649", "BYTE"},
                                                          {"-1", "-5", "BIT"},
                                                          {"-5", "-1"},
                                                          {"-2147483649", "-100"}}) {
    std::vector<std::string> count = {"BITCOUNT", "s"}, pos = {"BITPOS", "s", "1"};
    count.insert(count.end(), range.begin(), range.end());
    pos.insert(pos.end(), range.begin(), range.end());
    d->same(count);
    d->same(pos);
  }
}

// A string value's length is 32 bits, so whatever proto-max-bulk-len allows no
// command may build a longer one. (Redis would allocate the 4 GB: Troupe only.)
TEST(string_limits, no_string_outgrows_its_32_bit_length) {
  server_process t;
  ASSERT_TRUE(t.start());
  resp_client c = t.client();
  EXPECT_EQ(c.call({"CONFIG", "SET", "proto-max-bulk-len", "16gb"}).str, "OK");
  EXPECT_EQ(c.call({"SETRANGE", "k", "4294967295", "x"}).str,
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(c.call({"SETRANGE", "k", "8589934592", "x"}).str,
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(c.call({"SETBIT", "k", "34359738360", "1"}).str,
            "ERR bit offset is not an integer or out of range");
  EXPECT_EQ(c.call({"SETBIT", "k", "68719476736", "1"}).str,
            "ERR bit offset is not an integer or out of range");
  EXPECT_EQ(c.call({"GETBIT", "k", "68719476736"}).integer, 0);  // reading past the end is fine
  EXPECT_EQ(c.call({"EXISTS", "k"}).integer, 0);
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
}
