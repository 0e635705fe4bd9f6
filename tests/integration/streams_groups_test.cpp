// Stream consumer groups against a real redis-server 7.0: XGROUP, XREADGROUP
// (new entries, history, NOACK), XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO
// GROUPS/CONSUMERS, lag and entries-read bookkeeping, RESP2 and RESP3. Idle
// times and delivery times come from each server's clock: those fields are
// masked before comparing.
#include <gtest/gtest.h>

#include "integration/type_test_support.hpp"
#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// The reply with the integers at `paths` (element indexes into nested arrays,
// -1 meaning every element at that level) replaced by "*".
void mask(resp_value& v, const std::vector<int>& path, size_t level = 0) {
  if (level == path.size()) {
    if (v.type == resp_value::kind::integer) v.integer = -424242;
    return;
  }
  if (!v.is_aggregate()) return;
  if (path[level] < 0) {
    for (auto& e : v.elements) mask(e, path, level + 1);
  } else if (size_t(path[level]) < v.elements.size()) {
    mask(v.elements[size_t(path[level])], path, level + 1);
  }
}

void same_masked(differential& d, const std::vector<std::string>& args,
                 const std::vector<std::vector<int>>& paths) {
  resp_value r = d.redis_client().call(args);
  resp_value t = d.troupe_client().call(args);
  for (auto& p : paths) {
    mask(r, p);
    mask(t, p);
  }
  std::string cmd;
  for (auto& a : args) cmd += a + " ";
  EXPECT_EQ(typed(r), typed(t)) << "command: " << cmd;
}

// XPENDING's extended form: [id, consumer, idle, deliveries] per entry.
void same_pending(differential& d, const std::vector<std::string>& args) {
  same_masked(d, args, {{-1, 2}});
}
// XINFO CONSUMERS: name, pending, idle (a map, flat in RESP2).
void same_consumers(differential& d, const std::vector<std::string>& args) {
  same_masked(d, args, {{-1, 5}});
}

}  // namespace

class stream_groups : public differential_suite<stream_groups> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
    for (int i = 1; i <= 5; ++i)
      d->same({"XADD", "s", std::to_string(i) + "-0", "f", std::to_string(i)});
  }
};

TEST_F(stream_groups, xgroup_subcommands) {
  d->same({"XGROUP", "CREATE", "s", "g", "0"});
  d->same({"XGROUP", "CREATE", "s", "g", "0"});
  d->same({"XGROUP", "CREATE", "s", "g2", "$"});
  d->same({"XGROUP", "CREATE", "s", "g3", "3-0", "ENTRIESREAD", "3"});
  d->same({"XGROUP", "CREATE", "s", "g4", "3-0", "ENTRIESREAD", "-2"});
  d->same({"XGROUP", "CREATE", "s", "g4", "3-0", "ENTRIESREAD", "x"});
  d->same({"XGROUP", "CREATE", "s", "g4", "3-0", "BOGUS"});
  d->same({"XGROUP", "CREATE", "s", "g4", "-"});
  d->same({"XGROUP", "CREATE", "s", "g4", "bad"});
  d->same({"XGROUP", "CREATE", "nokey", "g", "0"});
  d->same({"XGROUP", "CREATE", "nokey", "g", "bad", "MKSTREAM"});
  d->same({"EXISTS", "nokey"});
  d->same({"XGROUP", "CREATE", "nokey", "g", "$", "MKSTREAM"});
  d->same({"XINFO", "STREAM", "nokey"});
  d->same({"XGROUP", "CREATE", "s"});
  d->same({"XGROUP", "CREATECONSUMER", "s", "g", "alice"});
  d->same({"XGROUP", "CREATECONSUMER", "s", "g", "alice"});
  d->same({"XGROUP", "CREATECONSUMER", "s", "nog", "alice"});
  d->same({"XGROUP", "CREATECONSUMER", "nokey2", "g", "alice"});
  d->same({"XGROUP", "SETID", "s", "g", "2-0"});
  d->same({"XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "5"});
  d->same({"XGROUP", "SETID", "s", "g", "-"});
  d->same({"XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD"});
  d->same({"XGROUP", "SETID", "s", "g", "0", "FOO", "1"});
  d->same({"XGROUP", "SETID", "s", "nog", "0"});
  // Options are read before the key (found by the hostile tester).
  d->same({"SET", "str", "x"});
  d->same({"XGROUP", "SETID", "str", "$", "x", "f", "$"});
  d->same({"XGROUP", "SETID", "str", "g", "$", "ENTRIESREAD", "-5"});
  d->same({"XGROUP", "SETID", "missing", "g", "$", "ENTRIESREAD", "1", "ENTRIESREAD", "2"});
  d->same({"XGROUP", "SETID", "s", "g", "$", "ENTRIESREAD", "1", "ENTRIESREAD", "2"});
  d->same({"XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", "c"});
  d->same({"XREAD", "STREAMS", "a", "b", "c"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XGROUP", "DELCONSUMER", "s", "g", "alice"});
  d->same({"XGROUP", "DELCONSUMER", "s", "g", "nobody"});
  d->same({"XGROUP", "DESTROY", "s", "g"});
  d->same({"XGROUP", "DESTROY", "s", "g"});
  d->same({"XGROUP", "DESTROY", "nokey3", "g"});
  d->same({"XGROUP", "HELP"});
  d->same({"XGROUP", "FOO"});
  d->same({"XGROUP"});
  d->same({"SET", "str", "x"});
  d->same({"XGROUP", "CREATE", "str", "g", "0"});
  d->same({"XGROUP", "CREATE", "str", "g", "0", "MKSTREAM"});
  d->same({"XINFO", "GROUPS", "s"});
}

TEST_F(stream_groups, xreadgroup_pending_ack) {
  d->same({"XGROUP", "CREATE", "s", "g", "0"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"});
  d->same({"XREADGROUP", "GROUP", "g", "bob", "COUNT", "1", "STREAMS", "s", ">"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", "1-0"});
  d->same({"XREADGROUP", "GROUP", "g", "carol", "STREAMS", "s", "0"});
  d->same({"XPENDING", "s", "g"});
  same_pending(*d, {"XPENDING", "s", "g", "-", "+", "10"});
  same_pending(*d, {"XPENDING", "s", "g", "-", "+", "10", "alice"});
  same_pending(*d, {"XPENDING", "s", "g", "(1-0", "+", "1"});
  same_pending(*d, {"XPENDING", "s", "g", "-", "+", "10", "nobody"});
  same_pending(*d, {"XPENDING", "s", "g", "IDLE", "0", "-", "+", "10"});
  d->same({"XPENDING", "s", "g", "IDLE", "100000", "-", "+", "10"});
  d->same({"XPENDING", "s", "g", "-", "+"});
  d->same({"XPENDING", "s", "g", "IDLE", "1", "-", "+"});
  d->same({"XPENDING", "s", "g", "-", "+", "x"});
  d->same({"XPENDING", "s", "g", "bad", "+", "1"});
  d->same({"XPENDING", "s", "nog"});
  d->same({"XPENDING", "nokey", "g"});
  d->same({"XINFO", "GROUPS", "s"});
  same_consumers(*d, {"XINFO", "CONSUMERS", "s", "g"});
  d->same({"XACK", "s", "g", "1-0", "3-0", "9-0"});
  d->same({"XACK", "s", "g", "1-0"});
  d->same({"XACK", "s", "g", "bad"});
  d->same({"XACK", "s", "nog", "1-0"});
  d->same({"XACK", "nokey", "g", "1-0"});
  d->same({"XPENDING", "s", "g"});
  d->same({"XDEL", "s", "2-0"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "NOACK", "STREAMS", "s", ">"});
  d->same({"XPENDING", "s", "g"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
  d->same({"XREADGROUP", "GROUP", "nog", "alice", "STREAMS", "s", ">"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "$"});
  d->same({"XREADGROUP", "STREAMS", "s", ">"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "nokey", ">", ">"});
  d->both({"HELLO", "3"});
  d->same({"XADD", "s", "6-0", "f", "6"});
  same_typed(*d, {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
  same_typed(*d, {"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"});
  same_typed(*d, {"XPENDING", "s", "g"});
  same_typed(*d, {"XINFO", "GROUPS", "s"});
  d->both({"HELLO", "2"});
}

TEST_F(stream_groups, lag_and_entries_read) {
  d->same({"XGROUP", "CREATE", "s", "g", "0"});
  d->same({"XGROUP", "CREATE", "s", "h", "$"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XDEL", "s", "4-0"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XDEL", "s", "1-0"});
  d->same({"XGROUP", "SETID", "s", "h", "0"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XADD", "s", "7-0", "f", "7"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XTRIM", "s", "MAXLEN", "0"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XINFO", "STREAM", "s"});
}

TEST_F(stream_groups, xclaim_and_xautoclaim) {
  d->same({"XGROUP", "CREATE", "s", "g", "0"});
  d->same({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
  d->same({"XCLAIM", "s", "g", "bob", "0", "1-0", "2-0"});
  d->same({"XCLAIM", "s", "g", "bob", "0", "3-0", "JUSTID"});
  d->same({"XCLAIM", "s", "g", "bob", "100000", "4-0"});
  d->same({"XCLAIM", "s", "g", "bob", "0", "4-0", "RETRYCOUNT", "7", "TIME", "1000"});
  d->same({"XCLAIM", "s", "g", "carol", "0", "9-0"});
  d->same({"XCLAIM", "s", "g", "carol", "0", "5-0", "FORCE"});
  d->same({"XACK", "s", "g", "5-0"});
  d->same({"XCLAIM", "s", "g", "carol", "0", "5-0", "FORCE", "JUSTID"});
  d->same({"XCLAIM", "s", "g", "carol", "0", "5-0", "LASTID", "10-0"});
  d->same({"XCLAIM", "s", "g", "carol", "0", "5-0", "LASTID", "bad"});
  d->same({"XCLAIM", "s", "g", "carol", "0", "5-0", "IDLE", "x"});
  d->same({"XCLAIM", "s", "g", "carol", "0", "5-0", "TIME", "x"});
  d->same({"XCLAIM", "s", "g", "carol", "0", "5-0", "RETRYCOUNT", "x"});
  d->same({"XCLAIM", "s", "g", "carol", "0", "5-0", "BOGUS"});
  d->same({"XCLAIM", "s", "g", "carol", "x", "5-0"});
  d->same({"XCLAIM", "s", "nog", "carol", "0", "5-0"});
  d->same({"XCLAIM", "nokey", "g", "carol", "0", "5-0"});
  d->same({"XINFO", "GROUPS", "s"});
  d->same({"XPENDING", "s", "g"});
  same_pending(*d, {"XPENDING", "s", "g", "-", "+", "10"});
  d->same({"XDEL", "s", "2-0"});
  d->same({"XCLAIM", "s", "g", "dave", "0", "2-0"});
  d->same({"XPENDING", "s", "g"});
  d->same({"XDEL", "s", "3-0"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "1"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "2", "JUSTID"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "0", "(1-0"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "100000", "0"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "0"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "-1"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "0", "0", "COUNT", "9223372036854775807"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "0", "0", "FOO"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "x", "0"});
  d->same({"XAUTOCLAIM", "s", "g", "erin", "0", "bad"});
  d->same({"XAUTOCLAIM", "s", "nog", "erin", "0", "0"});
  d->same({"XAUTOCLAIM", "nokey", "g", "erin", "0", "0"});
  d->same({"XPENDING", "s", "g"});
  same_consumers(*d, {"XINFO", "CONSUMERS", "s", "g"});
  d->both({"HELLO", "3"});
  same_typed(*d, {"XAUTOCLAIM", "s", "g", "erin", "0", "0"});
  same_typed(*d, {"XCLAIM", "s", "g", "bob", "0", "1-0", "4-0"});
  d->both({"HELLO", "2"});
}

TEST_F(stream_groups, xinfo_subcommands) {
  d->same({"XGROUP", "CREATE", "s", "g", "0"});
  d->same({"XINFO", "STREAM", "nokey"});
  d->same({"XINFO", "GROUPS", "nokey"});
  d->same({"XINFO", "CONSUMERS", "s", "nog"});
  d->same({"XINFO", "CONSUMERS", "nokey", "g"});
  d->same({"XINFO", "FOO"});
  d->same({"XINFO", "STREAM", "s", "FULL", "COUNT"});
  d->same({"XINFO", "STREAM", "s", "FOO"});
  d->same({"XINFO", "STREAM", "s", "FULL", "COUNT", "x"});
  d->same({"XINFO", "STREAM", "s", "FULL", "COUNT", "-1"});
  d->same({"XINFO", "STREAM", "s", "FULL", "COUNT", "0"});
  d->same({"XINFO", "HELP"});
  d->same({"SET", "str", "x"});
  d->same({"XINFO", "STREAM", "str"});
  d->same({"XINFO", "GROUPS", "str"});
}
