// Helpers shared by the tests of the value types (lists, hashes, sets, sorted
// sets, encodings): replies compared with their RESP types, replies compared as
// unordered collections, and the random-reply property checks.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/differential.hpp"

namespace troupe::test {

// The reply with every value's RESP type spelled out, so that an array and a
// set, or a nil bulk and a nil array sent as RESP3 null, are told apart.
inline std::string typed(const resp_value& v) {
  static const char* names[] = {"simple", "error", "int", "bulk", "array", "nil",   "map",
                                "set",    "push",  "dbl", "bool", "verb",  "bignum"};
  std::string s = names[int(v.type)];
  s += ":";
  if (v.is_aggregate()) {
    s += "[";
    for (size_t i = 0; i < v.elements.size(); ++i) s += (i ? "," : "") + typed(v.elements[i]);
    return s + "]";
  }
  if (v.type == resp_value::kind::integer || v.type == resp_value::kind::boolean)
    return s + std::to_string(v.integer);
  return s + v.str;
}

// Same reply, types included.
inline resp_value same_typed(differential& d, const std::vector<std::string>& args) {
  resp_value r = d.redis_client().call(args);
  resp_value t = d.troupe_client().call(args);
  std::string cmd;
  for (auto& a : args) cmd += a + " ";
  EXPECT_EQ(typed(r), typed(t)) << "command: " << cmd;
  return t;
}

// Same elements in any order (hash tables iterate in their own order). With
// `pairs`, elements are compared as consecutive pairs (HGETALL, WITHSCORES).
inline resp_value same_unordered(differential& d, const std::vector<std::string>& args,
                                 bool pairs = false) {
  resp_value r = d.redis_client().call(args);
  resp_value t = d.troupe_client().call(args);
  std::string cmd;
  for (auto& a : args) cmd += a + " ";
  auto flat = [&](const resp_value& v) {
    std::vector<std::string> out;
    if (!v.is_aggregate()) return std::vector<std::string>{typed(v)};
    for (size_t i = 0; i < v.elements.size(); i += pairs ? 2 : 1) {
      std::string e = typed(v.elements[i]);
      if (pairs && i + 1 < v.elements.size()) e += "=" + typed(v.elements[i + 1]);
      out.push_back(e);
    }
    std::sort(out.begin(), out.end());
    out.push_back("type:" + std::to_string(int(v.type)));
    return out;
  };
  EXPECT_EQ(flat(r), flat(t)) << "command: " << cmd;
  return t;
}

// Element strings of an aggregate reply.
inline std::vector<std::string> strings_of(const resp_value& v) {
  std::vector<std::string> out;
  for (auto& e : v.elements) out.push_back(e.str);
  return out;
}

// SRANDMEMBER / HRANDFIELD / ZRANDMEMBER with a negative count repeat
// elements, so the reply is not bounded by the value: with a huge count Redis
// 7.0 builds it until the kernel kills the server. Troupe answers "ERR value is
// out of range" once the reply would pass proto-max-bulk-len. Checked on
// Troupe alone (Redis cannot be asked): `read` is {"SRANDMEMBER", key} etc.,
// `key` holds small members, `big_key` one member of 1000 bytes.
inline void expect_repetitions_bounded(resp_client& t, const std::vector<std::string>& read,
                                       const std::vector<std::string>& with_values) {
  auto call = [&](std::vector<std::string> args, const std::string& count, bool values) {
    args.push_back(count);
    if (values) args.insert(args.end(), with_values.begin(), with_values.end());
    return t.call(args);
  };
  for (bool values : {false, true}) {
    if (values && with_values.empty()) continue;
    for (auto count : {"-9223372036854775807", "-4611686018427387903", "-1000000000000"})
      EXPECT_EQ(call(read, count, values).str, "ERR value is out of range") << count;
    EXPECT_EQ(call(read, "-1000", values).elements.size(), values ? 2000u : 1000u);
  }
  // Members of 1000 bytes: the bound is passed while the reply is built; the
  // partial reply is withdrawn.
  std::vector<std::string> big = read;
  big[1] += ":big";
  EXPECT_EQ(t.call({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}).str, "OK");
  EXPECT_EQ(call(big, "-2000", false).str, "ERR value is out of range");
  EXPECT_EQ(call(big, "-1000", false).elements.size(), 1000u);
  EXPECT_EQ(t.call({"CONFIG", "SET", "proto-max-bulk-len", "512mb"}).str, "OK");
  EXPECT_EQ(t.call({"PING"}).str, "PONG");
}

}  // namespace troupe::test
