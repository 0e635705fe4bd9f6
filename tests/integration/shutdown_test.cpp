// SHUTDOWN, SIGTERM and the shutdown directives against running servers: the
// final save on SIGTERM (a restart finds the data), shutdown-on-sigterm, a
// master waiting for a lagging replica (and SHUTDOWN ABORT ending the wait),
// a replica holding every acknowledged write after its master shut down, and
// errors and CONFIG answers compared with redis-server's.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

using kind = server_process::kind;

std::string reply_text(const resp_value& v) {
  if (v.type == resp_value::kind::error) return "-" + v.str;
  if (v.type == resp_value::kind::integer) return std::to_string(v.integer);
  if (v.type == resp_value::kind::array) {
    std::string s;
    for (auto& e : v.elements) s += reply_text(e) + " ";
    return s;
  }
  return v.str;
}

bool caught_up(const server_process& m, const server_process& r) {
  std::string mo = info_field(m, "replication", "master_repl_offset");
  return !mo.empty() && info_field(r, "replication", "master_link_status") == "up" &&
         info_field(r, "replication", "slave_repl_offset") == mo;
}

}  // namespace

TEST(shutdown, sigterm_saves_the_final_rdb_when_save_points_are_set) {
  std::string dir = temp_dir("troupe-sigterm");
  {
    server_process s({"--dir", dir, "--save", "3600 1"});
    ASSERT_TRUE(s.start());
    EXPECT_EQ(reply_text(s.call({"SET", "kept", "yes"})), "OK");
    EXPECT_EQ(s.stop(), 0);
    EXPECT_NE(s.log_text().find("Saving the final RDB snapshot before exiting."),
              std::string::npos);
  }
  server_process again({"--dir", dir, "--save", "3600 1"});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"GET", "kept"}).str, "yes");
  // shutdown-on-sigterm nosave: nothing is saved.
  EXPECT_EQ(reply_text(again.call({"CONFIG", "SET", "shutdown-on-sigterm", "nosave"})), "OK");
  EXPECT_EQ(reply_text(again.call({"SET", "kept", "changed"})), "OK");
  EXPECT_EQ(again.stop(), 0);
  server_process third({"--dir", dir, "--save", "3600 1"});
  ASSERT_TRUE(third.start());
  EXPECT_EQ(third.call({"GET", "kept"}).str, "yes");
}

TEST(shutdown, waits_for_a_lagging_replica_until_aborted) {
  server_process master({"--repl-diskless-sync-delay", "0", "--save", ""});
  ASSERT_TRUE(master.start());
  server_process replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(replica.start());
  ASSERT_TRUE(wait_for([&] { return caught_up(master, replica); }));
  ASSERT_EQ(kill(replica.pid(), SIGSTOP), 0);
  EXPECT_EQ(reply_text(master.call({"SET", "k", "1"})), "OK");
  resp_client waiting = master.client();
  waiting.append({"SHUTDOWN"});
  waiting.flush();
  ASSERT_TRUE(wait_for([&] {
    return master.log_text().find("Waiting for replicas before shutting down.") !=
           std::string::npos;
  }));
  // Writes wait meanwhile; reads do not.
  resp_client writer = master.client();
  writer.append({"SET", "k", "2"});
  writer.flush();
  EXPECT_EQ(master.call({"GET", "k"}).str, "1");
  EXPECT_EQ(reply_text(master.call({"SHUTDOWN", "ABORT"})), "OK");
  EXPECT_EQ(reply_text(waiting.read_reply()), "-ERR Errors trying to SHUTDOWN. Check logs.");
  EXPECT_EQ(reply_text(writer.read_reply()), "OK");
  EXPECT_TRUE(master.running());
  EXPECT_NE(master.log_text().find("Shutdown manually aborted."), std::string::npos);
  // With a short timeout the master gives up on the replica and exits.
  EXPECT_EQ(reply_text(master.call({"CONFIG", "SET", "shutdown-timeout", "1"})), "OK");
  resp_client last = master.client();
  last.append({"SHUTDOWN", "NOSAVE"});
  last.flush();
  EXPECT_TRUE(wait_for([&] { return !master.running(); }));
  EXPECT_NE(master.log_text().find("Lagging replica"), std::string::npos);
  ASSERT_EQ(kill(replica.pid(), SIGCONT), 0);
}

// A replica whose full sync keeps failing (its directory is gone) asks again
// every second, each time while the master's disk snapshot for the previous
// attempt still runs: the master used to start one snapshot after another and
// its final save waited for them forever. Redis kills its RDB child there;
// Troupe starts no new sync once the shutdown is finishing.
TEST(shutdown, exits_although_a_replica_keeps_failing_its_full_sync) {
  // Each snapshot takes about 2 s (rdb-key-save-delay, in microseconds per
  // key), longer than the replica's 1 s between attempts, on any machine.
  server_process master({"--save", "3600 1", "--repl-diskless-sync", "no", "--shutdown-timeout",
                         "1", "--enable-debug-command", "yes", "--rdb-key-save-delay", "100"});
  ASSERT_TRUE(master.start());
  EXPECT_EQ(reply_text(master.call({"DEBUG", "POPULATE", "20000", "key", "64"})), "OK");
  server_process replica({"--save", ""});
  ASSERT_TRUE(replica.start());
  std::filesystem::remove_all(replica.dir());
  EXPECT_EQ(reply_text(replica.call({"REPLICAOF", "127.0.0.1", std::to_string(master.port())})),
            "OK");
  auto count = [&](const std::string& what) {
    std::string log = master.log_text();
    size_t n = 0;
    for (size_t at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) n++;
    return n;
  };
  // Two attempts queued behind a running snapshot: the chain is on.
  ASSERT_TRUE(wait_for([&] { return count("Waiting for next BGSAVE for SYNC") >= 2; }, 60000));
  ASSERT_EQ(kill(master.pid(), SIGTERM), 0);
  // shutdown-timeout, then at most the snapshot already running.
  EXPECT_TRUE(wait_for([&] { return !master.running(); }, 20000)) << master.log_text();
  EXPECT_NE(master.log_text().find("DB saved on disk"), std::string::npos);
}

TEST(shutdown, a_replica_has_every_acknowledged_write_after_its_master_exits) {
  server_process master({"--repl-diskless-sync-delay", "0", "--save", ""});
  ASSERT_TRUE(master.start());
  server_process replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(replica.start());
  ASSERT_TRUE(wait_for([&] { return caught_up(master, replica); }));
  std::atomic<int64_t> acknowledged{0};
  std::thread writer([&] {
    resp_client c = master.client();
    for (;;) {
      resp_value v = c.call({"INCR", "counter"});
      if (v.type != resp_value::kind::integer) return;  // the master went away
      acknowledged = v.integer;
    }
  });
  ASSERT_TRUE(wait_for([&] { return acknowledged.load() >= 1000; }));
  EXPECT_EQ(master.stop(), 0);  // SIGTERM
  writer.join();
  EXPECT_EQ(replica.call({"GET", "counter"}).str, std::to_string(acknowledged.load()));
}

TEST(shutdown, errors_and_directives_are_redis_s) {
  const std::vector<std::vector<std::string>> script = {
      {"SHUTDOWN", "ABORT"},
      {"SHUTDOWN", "ABORT", "NOW"},
      {"SHUTDOWN", "SAVE", "NOSAVE"},
      {"SHUTDOWN", "BOGUS"},
      {"CONFIG", "GET", "shutdown-on-sigterm"},
      {"CONFIG", "GET", "shutdown-on-sigint"},
      {"CONFIG", "GET", "shutdown-timeout"},
      {"CONFIG", "SET", "shutdown-on-sigterm", "save now"},
      {"CONFIG", "GET", "shutdown-on-sigterm"},
      {"CONFIG", "SET", "shutdown-on-sigterm", "now save force"},
      {"CONFIG", "GET", "shutdown-on-sigterm"},
      {"CONFIG", "SET", "shutdown-on-sigint", "default now"},
      {"CONFIG", "GET", "shutdown-on-sigint"},
      {"CONFIG", "SET", "shutdown-on-sigint", "save nosave"},
      {"CONFIG", "SET", "shutdown-on-sigint", "bogus"},
      {"CONFIG", "SET", "shutdown-timeout", "-1"},
      {"CONFIG", "SET", "shutdown-timeout", "0"},
      {"CONFIG", "GET", "shutdown-timeout"},
  };
  std::vector<std::string> answers[2];
  int i = 0;
  for (kind k : {kind::redis, kind::troupe}) {
    server_process s({"--save", ""}, k);
    ASSERT_TRUE(s.start());
    for (auto& cmd : script) answers[i].push_back(reply_text(s.call(cmd)));
    ++i;
  }
  for (size_t j = 0; j < script.size(); ++j)
    EXPECT_EQ(answers[1][j], answers[0][j]) << "command " << j;
}
