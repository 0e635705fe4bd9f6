// The audit trail's decoder: journal bytes cut anywhere give the same entries,
// SELECT moves later entries to its database, the ring keeps the newest.
#include <gtest/gtest.h>

#include "audit_log.hpp"

using troupe::audit::audit_log;

namespace {

std::string resp(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const auto& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

const std::string stream = resp({"SET", "k", "v"}) + resp({"SELECT", "3"}) + resp({"MULTI"}) +
                           resp({"LPUSH", "l", std::string("a\r\nb\0c", 6)}) + resp({"EXEC"}) +
                           resp({"select", "0"}) + resp({"DEL", "k"});

}  // namespace

TEST(audit_log, entries_carry_their_database_and_newest_come_first) {
  audit_log log;
  log.feed(stream, 42);
  auto t = log.tail(100);
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].args, (std::vector<std::string>{"DEL", "k"}));
  EXPECT_EQ(t[0].db, 0);
  EXPECT_EQ(t[0].id, 5u);
  EXPECT_EQ(t[1].args[0], "EXEC");
  EXPECT_EQ(t[2].args[2], std::string("a\r\nb\0c", 6));
  EXPECT_EQ(t[2].db, 3);
  EXPECT_EQ(t[4].args, (std::vector<std::string>{"SET", "k", "v"}));
  EXPECT_EQ(t[4].db, 0);
  EXPECT_EQ(t[4].unix_ms, 42);
  EXPECT_EQ(log.tail(2).size(), 2u);
  EXPECT_EQ(log.stats().bytes, stream.size());
}

TEST(audit_log, a_stream_cut_anywhere_decodes_the_same) {
  audit_log whole;
  whole.feed(stream, 1);
  auto expected = whole.tail(100);
  for (size_t cut1 = 0; cut1 <= stream.size(); ++cut1) {
    size_t cut2 = std::min(stream.size(), cut1 + 7);
    audit_log pieces;
    pieces.feed(std::string_view(stream).substr(0, cut1), 1);
    pieces.feed(std::string_view(stream).substr(cut1, cut2 - cut1), 1);
    pieces.feed(std::string_view(stream).substr(cut2), 1);
    auto got = pieces.tail(100);
    ASSERT_EQ(got.size(), expected.size()) << "cut at " << cut1;
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].args, expected[i].args) << "cut at " << cut1;
      EXPECT_EQ(got[i].db, expected[i].db) << "cut at " << cut1;
    }
  }
}

TEST(audit_log, the_ring_keeps_the_newest_and_reset_keeps_counting) {
  audit_log log(3);
  for (int i = 0; i < 10; ++i) log.feed(resp({"INCR", "n" + std::to_string(i)}), i);
  auto t = log.tail(10);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].args[1], "n9");
  EXPECT_EQ(t[2].args[1], "n7");
  log.reset();
  EXPECT_EQ(log.size(), 0u);
  log.feed(resp({"INCR", "x"}), 11);
  EXPECT_EQ(log.tail(1)[0].id, 11u);
  EXPECT_EQ(log.stats().recorded, 11u);
}

TEST(audit_log, a_gap_forgets_the_half_read_command_and_the_database) {
  audit_log log;
  std::string s = resp({"SELECT", "5"}) + resp({"SET", "a", "1"});
  log.feed(s.substr(0, s.size() - 3), 1);
  log.gap();
  log.feed(resp({"SET", "b", "2"}), 2);
  auto t = log.tail(10);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].args[1], "b");
  EXPECT_EQ(t[0].db, 0);
  EXPECT_EQ(log.stats().gaps, 1u);
}
