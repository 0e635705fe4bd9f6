// A full sync between two Troupe nodes while a client writes: the master sends
// the RDB in frames with the write stream between them (`+FULLRESYNC ...
// frames`), the replica keeps the stream while it loads and applies it after,
// and ends with exactly the master's data and offset. A redis-server replica of
// the same master still gets Redis's framing (it would not understand frames).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

bool caught_up(const server_process& m, const server_process& r) {
  std::string mo = info_field(m, "replication", "master_repl_offset");
  return !mo.empty() && info_field(r, "replication", "master_link_status") == "up" &&
         info_field(r, "replication", "slave_repl_offset") == mo;
}

}  // namespace

TEST(replication_frames, a_troupe_replica_takes_the_stream_during_its_full_sync) {
  server_process master({"--repl-diskless-sync-delay", "0", "--save", ""});
  ASSERT_TRUE(master.start());
  {
    resp_client c = master.client();
    for (int i = 0; i < 50000; ++i)
      c.append({"SET", "key:" + std::to_string(i), std::string(100, char('a' + i % 26))});
    c.flush();
    for (int i = 0; i < 50000; ++i) c.read_reply();
  }
  // A writer runs through the whole sync.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> written{0};
  std::thread writer([&] {
    resp_client c = master.client();
    for (int i = 0; !stop; ++i) {
      c.call({"SET", "key:" + std::to_string(i % 50000), "new-" + std::to_string(i)});
      c.call({"RPUSH", "log", std::to_string(i)});
      written = i + 1;
    }
  });
  ASSERT_TRUE(wait_for([&] { return written.load() > 100; }));
  server_process replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(replica.start());
  server_process redis_replica(
      {"--replicaof", "127.0.0.1", std::to_string(master.port()), "--save", ""},
      server_process::kind::redis);
  ASSERT_TRUE(redis_replica.start());
  ASSERT_TRUE(wait_for(
      [&] { return info_field(replica, "replication", "master_link_status") == "up"; }, 60000))
      << master.log_text() << replica.log_text();
  int64_t at_sync = written.load();
  ASSERT_TRUE(wait_for([&] { return written.load() > at_sync + 100; }));
  stop = true;
  writer.join();
  ASSERT_TRUE(wait_for([&] { return caught_up(master, replica); }, 60000));
  ASSERT_TRUE(wait_for([&] { return caught_up(master, redis_replica); }, 60000));
  dataset_dump m = dump_dataset(master);
  EXPECT_EQ(dataset_difference(m, dump_dataset(replica)), "");
  EXPECT_EQ(dataset_difference(m, dump_dataset(redis_replica)), "");
  // Each replica got the framing it understands.
  std::string log = master.log_text();
  EXPECT_NE(log.find("Streaming the writes since the cut while it loads"), std::string::npos);
  EXPECT_NE(log.find("Waiting for REPLCONF ACK from slave to enable streaming"), std::string::npos);
}

// The replica holds the stream that comes during its load up to its replica
// output limit's hard size, then stops reading. When the load ends before the
// end frame was read, it reads on to find it: it once took the held bytes,
// found them still over the limit and stopped reading again, with the end
// frame unread and nothing to resume it (the sync never finished).
TEST(replication_frames, a_replica_whose_held_stream_reached_its_limit_finishes_its_sync) {
  server_process master({"--repl-diskless-sync-delay", "0", "--save", ""});
  ASSERT_TRUE(master.start());
  {
    resp_client c = master.client();
    for (int i = 0; i < 4000; ++i) c.append({"SET", "key:" + std::to_string(i), "v"});
    c.flush();
    for (int i = 0; i < 4000; ++i) c.read_reply();
  }
  std::atomic<bool> stop{false};
  std::atomic<int64_t> written{0};
  std::thread writer([&] {
    resp_client c = master.client();
    std::string value(2000, 'x');
    for (int i = 0; !stop; ++i) {
      c.call({"SET", "big:" + std::to_string(i % 1000), value});
      written = i + 1;
    }
  });
  ASSERT_TRUE(wait_for([&] { return written.load() > 100; }));
  // 4000 keys at 300 us each: a load of at least 1.2 s, during which the
  // writer sends megabytes, far over the 64 KB the replica may hold.
  server_process replica({"--replicaof", "127.0.0.1", std::to_string(master.port()),
                          "--key-load-delay", "300", "--client-output-buffer-limit",
                          "replica 64kb 0 0"});
  ASSERT_TRUE(replica.start());
  ASSERT_TRUE(wait_for(
      [&] { return info_field(replica, "replication", "master_link_status") == "up"; }, 60000))
      << master.log_text() << replica.log_text();
  stop = true;
  writer.join();
  ASSERT_TRUE(wait_for([&] { return caught_up(master, replica); }, 60000));
  EXPECT_EQ(dataset_difference(dump_dataset(master), dump_dataset(replica)), "");
  EXPECT_NE(master.log_text().find("Streaming the writes since the cut while it loads"),
            std::string::npos);
  EXPECT_NE(replica.log_text().find("holding"), std::string::npos) << "the limit was never reached";
}
