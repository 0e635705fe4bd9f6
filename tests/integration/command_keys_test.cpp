// Key specs against a real redis-server 7.0: COMMAND INFO shows every
// command's key specs as Redis declares them, and COMMAND GETKEYSANDFLAGS
// finds the same keys with the same flags (from the specs, or from the
// command's own key finder where the specs cannot say: SET with GET,
// BITFIELD, SORT's STORE, MIGRATE's KEYS, numkeys of 0), RESP2 and RESP3.
#include <gtest/gtest.h>

#include <map>

#include "integration/command_test_support.hpp"

using namespace troupe;
using namespace troupe::test;

class command_keys : public differential_suite<command_keys> {};

TEST_F(command_keys, command_info_key_specs_are_redis_own) {
  auto list = d->redis_client().call({"COMMAND", "LIST"});
  ASSERT_GT(list.elements.size(), 200u);
  size_t compared = 0;
  for (auto& name : list.elements) {
    if (name.str == "module") continue;  // Redis modules are not loaded by Troupe
    auto r = d->redis_client().call({"COMMAND", "INFO", name.str});
    auto t = d->troupe_client().call({"COMMAND", "INFO", name.str});
    ASSERT_EQ(t.elements.size(), 1u) << name.str;
    if (t.elements[0].is_nil()) continue;  // not in Troupe yet (cluster commands)
    // Field 8: key specs; field 9: subcommands with theirs.
    EXPECT_EQ(r.elements[0].elements[8].to_string(), t.elements[0].elements[8].to_string())
        << name.str;
    // Subcommands by name (the two list them in different orders).
    auto specs_by_name = [](const resp_value& info) {
      std::map<std::string, std::string> m;
      for (auto& sub : info.elements[9].elements)
        if (!troupe_only_command(sub.elements[0].str))
          m[sub.elements[0].str] = sub.elements[8].to_string();
      return m;
    };
    EXPECT_EQ(specs_by_name(r.elements[0]), specs_by_name(t.elements[0])) << name.str;
    ++compared;
  }
  EXPECT_GT(compared, 200u);
}

TEST_F(command_keys, getkeysandflags_as_redis) {
  const std::vector<std::vector<std::string>> cases = {
      {"GET", "k"},
      {"SET", "k", "v"},
      {"SET", "k", "v", "GET"},
      {"SET", "k", "v", "EX", "10", "get"},
      {"MSET", "a", "1", "b", "2"},
      {"DEL", "a", "b", "c"},
      {"RENAME", "a", "b"},
      {"COPY", "a", "b"},
      {"LMOVE", "a", "b", "LEFT", "RIGHT"},
      {"BITFIELD", "k", "GET", "u8", "0"},
      {"BITFIELD", "k", "SET", "u8", "0", "1"},
      {"BITFIELD", "k", "OVERFLOW", "SAT", "GET", "u8", "0"},
      {"BITFIELD", "k", "INCRBY", "u8", "0", "1"},
      {"BITFIELD", "k", "bogus"},
      {"BITFIELD_RO", "k", "GET", "u8", "0"},
      {"SORT", "k"},
      {"SORT", "k", "BY", "w_*", "GET", "#", "STORE", "dst"},
      {"SORT_RO", "k", "ALPHA"},
      {"ZUNIONSTORE", "d", "2", "a", "b"},
      {"ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"},
      {"ZINTER", "2", "a", "b"},
      {"ZDIFF", "0", "a"},
      {"SINTERCARD", "2", "a", "b", "LIMIT", "1"},
      {"LMPOP", "2", "a", "b", "LEFT"},
      {"BLMPOP", "0", "2", "a", "b", "LEFT"},
      {"BZMPOP", "0", "1", "z", "MIN"},
      {"EVAL", "return 1", "2", "a", "b", "x"},
      {"EVAL", "return 1", "0"},
      {"FCALL", "f", "1", "a"},
      {"XREAD", "COUNT", "1", "STREAMS", "s1", "s2", "0", "0"},
      {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "s1", ">"},
      {"XADD", "s", "*", "f", "v"},
      {"GEORADIUS", "g", "0", "0", "1", "km", "STORE", "dst"},
      {"GEORADIUS", "g", "0", "0", "1", "km", "STOREDIST", "dst"},
      {"GEORADIUSBYMEMBER", "g", "m", "1", "km", "STORE", "dst"},
      {"GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "m", "BYRADIUS", "1", "km"},
      {"MIGRATE", "h", "1", "k", "0", "10"},
      {"MIGRATE", "h", "1", "", "0", "10", "KEYS", "a", "b"},
      {"OBJECT", "ENCODING", "k"},
      {"MEMORY", "USAGE", "k"},
      {"XINFO", "STREAM", "s"},
      {"PFMERGE", "d", "a", "b"},
      {"BLPOP", "a", "b", "0"},
      {"SMOVE", "a", "b", "m"},
      {"GETDEL", "k"},
      {"EXPIRE", "k", "10"},
      {"SUBSCRIBE", "ch"},
      {"PING"},
      {"NOSUCH", "x"},
      {"ZUNIONSTORE", "d", "-1", "a"},
      {"ZUNIONSTORE", "d", "5", "a"},
      {"EVAL", "return 1", "x"},
      {"GET"},
  };
  for (int resp : {2, 3}) {
    d->both({"HELLO", std::to_string(resp)});
    for (auto& c : cases) {
      std::vector<std::string> with = {"COMMAND", "GETKEYSANDFLAGS"};
      with.insert(with.end(), c.begin(), c.end());
      d->same(with);
      with[1] = "GETKEYS";
      d->same(with);
    }
  }
  d->both({"HELLO", "2"});
  d->same({"COMMAND", "HELP"});
}
