// The master's pure pieces of replication, without sockets: when a full sync
// starts and for whom (full_sync_plan), the RDB payload framing read back by
// the replica's parser (rdb_framing + rdb_transfer), and the output-buffer
// limit of a replica (output_limit_tracker).
#include <gtest/gtest.h>

#include "topology/replication/full_sync_plan.hpp"
#include "topology/replication/output_limit_tracker.hpp"
#include "topology/replication/rdb_framing.hpp"
#include "topology/replication/rdb_transfer.hpp"

using namespace troupe;

TEST(full_sync_plan, nothing_waits_nothing_starts) {
  EXPECT_FALSE(plan_full_sync({}, {}, true).start);
}

TEST(full_sync_plan, diskless_waits_for_the_delay_or_enough_replicas) {
  full_sync_settings s{true, 5, 0};
  std::vector<waiting_replica> w = {{1000, true, false}, {4000, true, false}};
  EXPECT_FALSE(plan_full_sync(w, s, false).start);  // the oldest waited 4 s of 5
  w[1].waited_ms = 5000;
  auto p = plan_full_sync(w, s, false);
  ASSERT_TRUE(p.start);
  EXPECT_TRUE(p.diskless);
  EXPECT_EQ(p.members, (std::vector<size_t>{0, 1}));  // one snapshot for both
  s.max_replicas = 2;
  w[1].waited_ms = 10;
  EXPECT_TRUE(plan_full_sync(w, s, false).start);  // two wait: no need to wait longer
  s.max_replicas = 3;
  EXPECT_FALSE(plan_full_sync(w, s, false).start);
  EXPECT_TRUE(plan_full_sync(w, s, true).start);  // forced (delay 0, or no EOF capability)
}

TEST(full_sync_plan, disk_backed_starts_at_once_and_needs_eof_for_sockets) {
  full_sync_settings disk{false, 5, 0};
  std::vector<waiting_replica> w = {{0, true, false}};
  auto p = plan_full_sync(w, disk, false);
  EXPECT_TRUE(p.start);
  EXPECT_FALSE(p.diskless);
  // A replica that cannot read the $EOF framing makes the whole sync disk-backed.
  full_sync_settings diskless{true, 0, 0};
  w.push_back({0, false, false});
  p = plan_full_sync(w, diskless, false);
  EXPECT_TRUE(p.start);
  EXPECT_FALSE(p.diskless);
}

TEST(full_sync_plan, replicas_asking_for_other_contents_wait_for_their_own_sync) {
  full_sync_settings disk{false, 5, 0};
  std::vector<waiting_replica> w = {{0, true, true}, {0, true, false}, {0, true, true}};
  auto p = plan_full_sync(w, disk, false);
  ASSERT_TRUE(p.start);
  EXPECT_EQ(p.members, (std::vector<size_t>{0, 2}));
  EXPECT_TRUE(p.diskless);  // a filtered RDB is always streamed
}

// What the master frames, the replica's parser reads back, whatever the pieces.
TEST(rdb_framing, the_replica_reads_what_the_master_frames) {
  std::string rdb = "REDIS0010";
  for (int i = 0; i < 5000; ++i) rdb += char('a' + i % 26);
  std::string stream = "*1\r\n$4\r\nPING\r\n";
  eof_payload_framing f;
  EXPECT_EQ(f.closing().size(), 40u);
  std::string eof_wire = "\n\n" + f.opening() + rdb + f.closing() + stream;
  std::string disk_wire = "\n" + disk_payload_header(int64_t(rdb.size())) + rdb + stream;
  for (const std::string* wire : {&eof_wire, &disk_wire}) {
    for (size_t piece : {size_t(1), size_t(7), size_t(41), size_t(100000)}) {
      rdb_transfer t;
      std::string got, rest;
      bool done = false;
      for (size_t i = 0; i < wire->size() && !done; i += piece) {
        auto r = t.feed(wire->data() + i, std::min(piece, wire->size() - i));
        ASSERT_NE(r.st, rdb_transfer::status::error) << t.error();
        got.append(r.payload);
        if (r.st == rdb_transfer::status::done) {
          done = true;
          rest.assign(r.rest);
          rest += wire->substr(std::min(wire->size(), i + piece));
        }
      }
      ASSERT_TRUE(done);
      EXPECT_EQ(got, rdb);
      EXPECT_EQ(rest, stream);
      EXPECT_EQ(t.eof_framing(), wire == &eof_wire);
    }
  }
  EXPECT_NE(eof_payload_framing().closing(), eof_payload_framing().closing());
}

TEST(output_limit_tracker, hard_at_once_soft_after_its_seconds) {
  output_limit_tracker t;
  EXPECT_FALSE(t.over(100, 0, 0, 0, 0));  // no limits
  EXPECT_TRUE(t.over(1000, 1000, 0, 0, 0));
  output_limit_tracker s;
  EXPECT_FALSE(s.over(600, 1000, 500, 2, 10000));  // over soft: the clock starts
  EXPECT_FALSE(s.over(600, 1000, 500, 2, 11000));
  EXPECT_FALSE(s.over(100, 1000, 500, 2, 11500));  // back under: the clock stops
  EXPECT_FALSE(s.over(600, 1000, 500, 2, 12000));
  EXPECT_FALSE(s.over(600, 1000, 500, 2, 14000));
  EXPECT_TRUE(s.over(600, 1000, 500, 2, 14001));
}
