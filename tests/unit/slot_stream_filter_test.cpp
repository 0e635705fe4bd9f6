// The source side of atomic slot migration: which journal writes follow a
// slot's copy to the target.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/command_harness.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/commands/key_slot.hpp"
#include "topology/cluster/slot_stream_filter.hpp"

using troupe::command_table;
using troupe::key_hash_slot;
using troupe::cluster::slot_stream_filter;

namespace {

// The storage commands' table (the harness registers it once).
const command_table& table() {
  static troupe::test::command_harness registers;
  return command_table::instance();
}

std::string resp(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

std::string key_in_slot(int slot, const std::string& name) {
  for (int i = 0;; ++i) {
    std::string tag = "t" + std::to_string(i);
    if (key_hash_slot(tag) == slot) return "{" + tag + "}" + name;
  }
}

}  // namespace

TEST(SlotStreamFilter, ForwardsWritesToCopiedSlotsAfterTheirCutOnly) {
  const uint64_t start = 1000;
  slot_stream_filter f(table(), start);
  std::string a = key_in_slot(10, "a"), b = key_in_slot(11, "b"), other = key_in_slot(500, "o");
  std::string stream;
  stream += resp({"SELECT", "0"});
  stream += resp({"SET", a, "before-cut"});  // in slot 10's copy already
  uint64_t cut10 = start + stream.size();
  stream += resp({"MULTI"});
  stream += resp({"INCR", a});          // after the cut: forwarded
  stream += resp({"SET", b, "x"});      // slot 11 not copied yet: its copy will hold it
  stream += resp({"SET", other, "x"});  // not migrating
  stream += resp({"EXEC"});
  stream += resp({"PING"});
  stream += resp({"HSET", a, "f", "v"});
  stream += resp({"SELECT", "3"});
  stream += resp({"DEL", a});  // another database: not cluster data
  stream += resp({"SELECT", "0"});
  stream += resp({"PEXPIREAT", a, "99999999999999"});
  f.copied(10, cut10);
  // Fed in pieces of every size: a command split anywhere waits for its end.
  for (size_t piece : {size_t(1), size_t(7), stream.size()}) {
    slot_stream_filter g(table(), start);
    g.copied(10, cut10);
    std::string out;
    size_t n = 0;
    for (size_t i = 0; i < stream.size(); i += piece)
      ASSERT_FALSE(g.feed(std::string_view(stream).substr(i, piece), out, n));
    EXPECT_EQ(n, 3u) << piece;
    EXPECT_EQ(out, resp({"INCR", a}) + resp({"HSET", a, "f", "v"}) +
                       resp({"PEXPIREAT", a, "99999999999999"}));
    EXPECT_EQ(g.position(), start + stream.size());
  }
}

TEST(SlotStreamFilter, AFlushEndsTheMigration) {
  slot_stream_filter f(table(), 0);
  f.copied(3, 0);
  std::string out;
  size_t n = 0;
  EXPECT_TRUE(f.feed(resp({"FLUSHALL"}), out, n).has_value());
  slot_stream_filter g(table(), 0);
  EXPECT_TRUE(g.feed(resp({"FLUSHDB", "ASYNC"}), out, n).has_value());
  // FLUSHDB of another database is not the slots' business.
  slot_stream_filter h(table(), 0);
  EXPECT_FALSE(h.feed(resp({"SELECT", "2"}) + resp({"FLUSHDB"}), out, n).has_value());
}

TEST(SlotStreamFilter, SubcommandKeysAndKeylessWrites) {
  slot_stream_filter f(table(), 0);
  std::string s = key_in_slot(77, "s");
  f.copied(77, 0);
  std::string out;
  size_t n = 0;
  ASSERT_FALSE(f.feed(resp({"XGROUP", "CREATE", s, "g", "0"}) + resp({"FUNCTION", "FLUSH"}) +
                          resp({"SCRIPT", "FLUSH"}),
                      out, n));
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(out, resp({"XGROUP", "CREATE", s, "g", "0"}));
}

TEST(SlotStreamFilter, GarbageIsAnError) {
  slot_stream_filter f(table(), 0);
  std::string out;
  size_t n = 0;
  EXPECT_TRUE(f.feed("*1\r\n$-5\r\n", out, n).has_value());
}
