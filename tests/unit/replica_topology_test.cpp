// topology/replication, the replica's side: the master's command stream with
// its two offsets and MULTI blocks, link states as ROLE names them, the
// diskless-load choice, and INFO's replica fields.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "protocol/resp/resp_value.hpp"
#include "topology/replication/master_stream.hpp"
#include "topology/replication/replica_link_state.hpp"

using namespace troupe;

namespace {

// Feeds `stream` bytes to a master_stream in the given piece sizes, the way a
// link does (a buffer whose applied prefix is dropped), and records what it
// sees: each command, and the bytes journaled when a command completes.
struct stream_run {
  std::vector<std::string> commands;
  std::vector<std::string> journaled;
  std::vector<int64_t> applied_after;
  int64_t read = 0, applied = 0;
};

stream_run run_stream(const std::string& stream, const std::vector<size_t>& pieces, int64_t start) {
  stream_run out;
  master_stream s(start);
  std::string buf;
  size_t fed = 0, piece = 0;
  bool in_multi = false;
  while (fed < stream.size()) {
    size_t n = std::min(pieces[piece++ % pieces.size()], stream.size() - fed);
    buf.append(stream, fed, n);
    fed += n;
    s.received(n);
    for (;;) {
      auto r = s.next(buf.data(), buf.size());
      if (r != master_stream::result::command) {
        EXPECT_NE(r, master_stream::result::error) << s.error();
        break;
      }
      std::string cmd;
      for (auto a : s.args()) cmd += (cmd.empty() ? "" : " ") + std::string(a);
      out.commands.push_back(cmd);
      if (cmd == "MULTI") in_multi = true;
      if (cmd == "EXEC") in_multi = false;
      if (!in_multi) {
        out.journaled.emplace_back(s.pending(buf.data()));
        s.commit();
        out.applied_after.push_back(s.applied_offset());
      }
    }
    size_t drop = s.discardable();
    buf.erase(0, drop);
    s.discarded(drop);
  }
  out.read = s.read_offset();
  out.applied = s.applied_offset();
  return out;
}

std::string cmd(const std::vector<std::string>& args) {
  return encode_command(args);
}

}  // namespace

TEST(master_stream, offsets_count_every_byte_and_transactions_apply_whole) {
  std::string select = cmd({"SELECT", "2"});
  std::string set = cmd({"SET", "k", "v"});
  std::string multi = cmd({"MULTI"});
  std::string incr = cmd({"INCR", "n"});
  std::string exec = cmd({"EXEC"});
  std::string ping = cmd({"PING"});
  std::string all = select + set + multi + incr + incr + exec + ping;
  // Whatever the pieces the bytes arrive in, the same commands, the same
  // journaled blocks (a transaction as one), the same offsets.
  for (std::vector<size_t> pieces :
       {std::vector<size_t>{all.size()}, {1}, {2, 3}, {7}, {64, 1, 5}}) {
    stream_run r = run_stream(all, pieces, 1000);
    ASSERT_EQ(r.commands.size(), 7u);
    EXPECT_EQ(r.commands[1], "SET k v");
    ASSERT_EQ(r.journaled.size(), 4u);
    EXPECT_EQ(r.journaled[0], select);
    EXPECT_EQ(r.journaled[1], set);
    EXPECT_EQ(r.journaled[2], multi + incr + incr + exec);
    EXPECT_EQ(r.journaled[3], ping);
    EXPECT_EQ(r.applied_after[2],
              1000 + int64_t((select + set + multi + incr + incr + exec).size()));
    EXPECT_EQ(r.read, 1000 + int64_t(all.size()));
    EXPECT_EQ(r.applied, r.read);
  }
}

TEST(master_stream, an_open_transaction_is_read_but_not_applied) {
  std::string head = cmd({"SET", "a", "1"});
  std::string open = cmd({"MULTI"}) + cmd({"SET", "b", "2"});
  stream_run r = run_stream(head + open + "*2\r\n$3\r\nGE", {5}, 0);
  EXPECT_EQ(r.read, int64_t((head + open).size() + 10));
  // A link that drops here resumes right after the SET: the transaction is
  // received again, whole.
  EXPECT_EQ(r.applied, int64_t(head.size()));
}

TEST(master_stream, protocol_errors_are_reported) {
  master_stream s(0);
  std::string bad = "*2\r\n+NOTABULK\r\n";
  EXPECT_EQ(s.next(bad.data(), bad.size()), master_stream::result::error);
  EXPECT_FALSE(s.error().empty());
}

TEST(replica_link_state, role_names_are_redis_words) {
  EXPECT_STREQ(role_state_name(replica_link_state::connect), "connect");
  EXPECT_STREQ(role_state_name(replica_link_state::connecting), "connecting");
  EXPECT_STREQ(role_state_name(replica_link_state::handshake), "handshake");
  EXPECT_STREQ(role_state_name(replica_link_state::transfer), "sync");
  EXPECT_STREQ(role_state_name(replica_link_state::connected), "connected");
}

TEST(replica_link_state, diskless_load_choice) {
  EXPECT_FALSE(load_from_socket(diskless_load_mode::disabled, true));
  EXPECT_TRUE(load_from_socket(diskless_load_mode::on_empty_db, true));
  EXPECT_FALSE(load_from_socket(diskless_load_mode::on_empty_db, false));
  EXPECT_TRUE(load_from_socket(diskless_load_mode::swapdb, false));
}

namespace {
std::vector<std::string> names(const std::string& fields) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < fields.size()) {
    size_t end = fields.find("\r\n", pos);
    std::string line = fields.substr(pos, end - pos);
    out.push_back(line.substr(0, line.find(':')));
    pos = end + 2;
  }
  return out;
}
}  // namespace

TEST(replica_info_fields, follow_redis_order_in_each_state) {
  replica_link_info i;
  i.master_host = "10.0.0.1";
  i.master_port = 6379;
  i.state = replica_link_state::connected;
  i.last_io_seconds_ago = 0;
  i.read_offset = 120;
  i.applied_offset = 100;
  std::string up = replica_info_fields(i);
  EXPECT_EQ(names(up),
            (std::vector<std::string>{"master_host", "master_port", "master_link_status",
                                      "master_last_io_seconds_ago", "master_sync_in_progress",
                                      "slave_read_repl_offset", "slave_repl_offset",
                                      "slave_priority", "slave_read_only", "replica_announced"}));
  EXPECT_NE(up.find("master_link_status:up\r\n"), std::string::npos);
  EXPECT_NE(up.find("slave_read_repl_offset:120\r\nslave_repl_offset:100\r\n"), std::string::npos);

  i.state = replica_link_state::transfer;
  i.transfer_size = 1000;
  i.transfer_read = 9;
  std::string sync = replica_info_fields(i);
  EXPECT_EQ(
      names(sync),
      (std::vector<std::string>{
          "master_host", "master_port", "master_link_status", "master_last_io_seconds_ago",
          "master_sync_in_progress", "slave_read_repl_offset", "slave_repl_offset",
          "master_sync_total_bytes", "master_sync_read_bytes", "master_sync_left_bytes",
          "master_sync_perc", "master_sync_last_io_seconds_ago", "master_link_down_since_seconds",
          "slave_priority", "slave_read_only", "replica_announced"}));
  // Redis 7.0's values for 9 bytes of 1000 read.
  EXPECT_NE(sync.find("master_sync_left_bytes:991\r\nmaster_sync_perc:0.90\r\n"),
            std::string::npos);
  EXPECT_NE(sync.find("master_sync_in_progress:1\r\n"), std::string::npos);
}
