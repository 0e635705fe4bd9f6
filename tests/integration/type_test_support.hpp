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

}  // namespace troupe::test
