// The journal: one encoded stream, many readers with their own cursors, the
// replication backlog and its offsets, readers dropped for falling behind.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "protocol/resp/request_parser.hpp"
#include "storage/journal/journal.hpp"

using namespace troupe;

namespace {

std::string read_all(journal& j, journal::reader_id id) {
  std::vector<journal::span> spans;
  auto upto = j.read(id, spans);
  EXPECT_TRUE(upto.has_value());
  std::string out;
  for (auto& s : spans) out.append(s.data, s.size);
  return out;
}

journal_op op(int db, std::vector<std::string> args) {
  return {db, std::move(args)};
}

}  // namespace

TEST(journal, encodes_nothing_without_followers) {
  journal j;
  EXPECT_FALSE(j.active());
  j.append_ops({op(0, {"SET", "a", "1"})});
  EXPECT_EQ(j.end(), 0u);
}

TEST(journal, a_reader_gets_resp_with_select_and_multi) {
  journal j;
  auto r = j.attach_at_end(nullptr);
  EXPECT_TRUE(j.active());
  j.append_ops({op(0, {"SET", "a", "1"})});
  j.append_ops({op(0, {"SET", "b", "2"})});
  j.append_ops({op(3, {"INCR", "c"}), op(3, {"DEL", "d"})});
  EXPECT_EQ(read_all(j, r),
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"
            "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
            "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
            "*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n"
            "*1\r\n$5\r\nMULTI\r\n"
            "*2\r\n$4\r\nINCR\r\n$1\r\nc\r\n"
            "*2\r\n$3\r\nDEL\r\n$1\r\nd\r\n"
            "*1\r\n$4\r\nEXEC\r\n");
  EXPECT_EQ(read_all(j, r), "");
  j.forget_db();
  j.append_ops({op(3, {"DEL", "e"})});
  EXPECT_EQ(read_all(j, r).substr(0, 16), "*2\r\n$6\r\nSELECT\r\n");
}

TEST(journal, readers_have_their_own_cursors_and_share_the_bytes) {
  journal j;
  auto a = j.attach_at_end(nullptr);
  j.append_ops({op(0, {"SET", "a", "1"})});
  auto b = j.attach_at_end(nullptr);
  j.append_ops({op(0, {"SET", "b", "2"})});
  std::string from_a = read_all(j, a);
  std::string from_b = read_all(j, b);
  EXPECT_EQ(from_a.size(), j.end());
  EXPECT_EQ(from_a.substr(from_a.size() - from_b.size()), from_b);
  // Both point into the same encoded block.
  j.append_ops({op(0, {"SET", "c", "3"})});
  std::vector<journal::span> sa, sb;
  j.read(a, sa);
  j.read(b, sb);
  ASSERT_EQ(sa.size(), 1u);
  ASSERT_EQ(sb.size(), 1u);
  EXPECT_EQ(sa[0].data, sb[0].data);
}

TEST(journal, read_bytes_are_freed_unless_the_backlog_keeps_them) {
  journal j(100);
  auto r = j.attach_at_end(nullptr);
  std::string big(100000, 'x');
  for (int i = 0; i < 20; ++i) j.append_ops({op(0, {"SET", "k", big})});
  size_t before = j.memory();
  EXPECT_GT(before, 20u * 100000);
  read_all(j, r);
  EXPECT_LT(j.memory(), 300000u);  // at most the block being appended to
}

TEST(journal, backlog_offsets_follow_redis) {
  journal j(1000);
  auto aof = j.attach_at_end(nullptr);
  j.append_ops({op(0, {"SET", "a", "1"})});
  // No backlog yet: the replication offset does not move, as in Redis.
  EXPECT_EQ(j.repl_offset(), 0u);
  EXPECT_EQ(j.backlog_first_offset(), 0u);
  j.create_backlog();
  EXPECT_EQ(j.backlog_first_offset(), 1u);
  EXPECT_EQ(j.backlog_histlen(), 0u);
  j.append_ops({op(0, {"SET", "b", "2"})});
  uint64_t one = j.repl_offset();
  EXPECT_GT(one, 0u);
  EXPECT_EQ(j.backlog_histlen(), one);
  // A replica that has everything, or a part, can resume; one ahead cannot.
  EXPECT_TRUE(j.attach_at(one, nullptr).has_value());
  auto mid = j.attach_at(0, nullptr);
  ASSERT_TRUE(mid.has_value());
  EXPECT_EQ(read_all(j, *mid).size(), one);
  EXPECT_FALSE(j.attach_at(one + 1, nullptr).has_value());
  // Past the backlog size the oldest bytes are gone.
  for (int i = 0; i < 100; ++i) j.append_ops({op(0, {"INCR", "counter"})});
  read_all(j, aof);
  EXPECT_EQ(j.backlog_histlen(), 1000u);
  EXPECT_EQ(j.backlog_first_offset(), j.repl_offset() - 1000 + 1);
  EXPECT_FALSE(j.attach_at(0, nullptr).has_value());
  EXPECT_TRUE(j.attach_at(j.repl_offset() - 1000, nullptr).has_value());
  // Freed: the offset stays where it was; history is gone.
  uint64_t at_free = j.repl_offset();
  j.free_backlog();
  EXPECT_EQ(j.repl_offset(), at_free);
  EXPECT_FALSE(j.attach_at(at_free, nullptr).has_value());
  j.append_ops({op(0, {"INCR", "counter"})});
  EXPECT_EQ(j.repl_offset(), at_free);
  j.create_backlog();
  j.append_ops({op(0, {"INCR", "counter"})});
  EXPECT_GT(j.repl_offset(), at_free);
}

TEST(journal, a_replica_takes_its_masters_offsets) {
  journal j;
  j.create_backlog();
  j.append_ops({op(0, {"SET", "a", "1"})});
  j.reset_repl_offset(5000);
  EXPECT_EQ(j.repl_offset(), 5000u);
  EXPECT_EQ(j.backlog_histlen(), 0u);
  j.append_raw("*1\r\n$4\r\nPING\r\n", 0);
  EXPECT_EQ(j.repl_offset(), 5014u);
  auto r = j.attach_at(5000, nullptr);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(read_all(j, *r), "*1\r\n$4\r\nPING\r\n");
}

TEST(journal, a_reader_that_falls_behind_is_dropped_and_told) {
  journal j;
  int notified = 0;
  auto slow = j.attach_at_end([&] { ++notified; }, 1000);
  auto fast = j.attach_at_end(nullptr);
  for (int i = 0; i < 100; ++i) {
    j.append_ops({op(0, {"SET", "k" + std::to_string(i), "v"})});
    read_all(j, fast);
  }
  EXPECT_EQ(notified, 1);
  std::vector<journal::span> spans;
  EXPECT_FALSE(j.read(slow, spans).has_value());
  EXPECT_EQ(j.lag(slow), 0u);  // forgotten
  // The slow reader held nothing back.
  EXPECT_LT(j.memory(), 200000u);
}

TEST(journal, publish_notifies_once_until_read) {
  journal j;
  int calls = 0;
  auto r = j.attach_at_end([&] { ++calls; });
  j.publish();
  EXPECT_EQ(calls, 0);
  j.append_ops({op(0, {"SET", "a", "1"})});
  j.publish();
  j.append_ops({op(0, {"SET", "a", "2"})});
  j.publish();
  EXPECT_EQ(calls, 1);
  read_all(j, r);
  j.append_ops({op(0, {"SET", "a", "3"})});
  j.publish();
  EXPECT_EQ(calls, 2);
}

TEST(journal, concurrent_writers_keep_every_command_whole_and_in_order) {
  journal j;
  auto r = j.attach_at_end(nullptr);
  std::atomic<bool> done{false};
  std::string stream;
  std::thread reader([&] {
    while (!done.load()) stream += read_all(j, r);
  });
  auto writer = [&](const std::string& key) {
    for (int i = 0; i < 20000; ++i) j.append_ops({op(0, {"SET", key, std::to_string(i)})});
  };
  std::thread w1(writer, "one"), w2(writer, "two");
  w1.join();
  w2.join();
  done = true;
  reader.join();
  stream += read_all(j, r);
  // Parse the stream back: every command whole, each writer's values in order.
  request_parser p;
  request_parser::limits lim;
  int next_one = 0, next_two = 0, selects = 0;
  for (;;) {
    auto res = p.parse(stream.data(), stream.size(), lim);
    if (res != request_parser::result::command) {
      ASSERT_EQ(res, request_parser::result::incomplete);
      break;
    }
    auto& args = p.args();
    if (args[0] == "SELECT") {
      ++selects;
      continue;
    }
    int& expected = args[1] == "one" ? next_one : next_two;
    ASSERT_EQ(args[2], std::to_string(expected));
    ++expected;
  }
  EXPECT_EQ(next_one, 20000);
  EXPECT_EQ(next_two, 20000);
  EXPECT_EQ(selects, 1);
  EXPECT_EQ(p.consumed(), stream.size());
}

// A master's PING and REPLCONF GETACK go to replicas and count in the offset,
// but a reader asking for data only (the AOF) never sees them.
TEST(journal, control_commands_reach_replicas_and_not_the_aof) {
  journal j;
  j.create_backlog();
  auto replica = j.attach_at_end(nullptr);
  auto aof = j.attach_at_end(nullptr);
  j.append_ops({op(0, {"SET", "a", "1"})});
  j.append_control({"PING"});
  j.append_ops({op(0, {"SET", "b", "2"})});
  j.append_control({"REPLCONF", "GETACK", "*"});
  j.append_control({"PING"});
  std::string all = read_all(j, replica);
  std::vector<journal::span> spans;
  ASSERT_TRUE(j.read(aof, spans, true).has_value());
  std::string data;
  for (auto& s : spans) data.append(s.data, s.size);
  std::string set_a = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n";
  std::string set_b = "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n";
  std::string ping = "*1\r\n$4\r\nPING\r\n";
  std::string getack = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";
  std::string select = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";
  EXPECT_EQ(all, select + set_a + ping + set_b + getack + ping);
  EXPECT_EQ(data, select + set_a + set_b);
  EXPECT_EQ(j.repl_offset(), all.size());
}

// A replica joining a full sync starts where another's stream starts.
TEST(journal, a_reader_beside_another_starts_where_it_is) {
  journal j;
  auto first = j.attach_at_end(nullptr);
  j.append_ops({op(0, {"SET", "a", "1"})});
  auto second = j.attach_beside(first, nullptr);
  ASSERT_TRUE(second.has_value());
  j.append_ops({op(0, {"SET", "b", "2"})});
  EXPECT_EQ(read_all(j, *second), read_all(j, first));
  j.detach(first);
  EXPECT_FALSE(j.attach_beside(first, nullptr).has_value());
}
