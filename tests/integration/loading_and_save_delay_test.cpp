// Long work shows its progress, and the testing directives that make it long:
// - a replica loading its master's RDB (key-load-delay) answers INFO with
//   loading:1 and Redis 7.0's loading_* fields, in Redis's order, with true
//   figures, and logs its progress;
// - rdb-key-save-delay makes a BGSAVE take its time (as Redis's), while every
//   client is still served: Troupe's snapshot pauses between keys instead of
//   sleeping, and the file it writes in the end is whole.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// The field names of INFO persistence, in order.
std::vector<std::string> field_names(const std::string& info) {
  std::vector<std::string> names;
  std::istringstream in(info);
  std::string line;
  while (std::getline(in, line))
    if (auto colon = line.find(':'); colon != std::string::npos && line[0] != '#')
      names.push_back(line.substr(0, colon));
  return names;
}

void fill_keys(const server_process& s, int n) {
  resp_client c = s.client();
  for (int i = 0; i < n; i += 100) {
    std::vector<std::string> args = {"MSET"};
    for (int j = i; j < i + 100 && j < n; ++j) {
      args.push_back("key:" + std::to_string(j));
      args.push_back(std::string(100, 'v'));
    }
    c.call(args);
  }
}

}  // namespace

TEST(loading_progress, a_replica_loading_its_masters_rdb_shows_redis_loading_fields) {
  server_process master({"--repl-diskless-sync", "no"});
  ASSERT_TRUE(master.start());
  fill_keys(master, 3000);
  // 1 ms a key: a load of about 3 s, the RDB arriving on disk first. Started,
  // then pointed at the master: start() waits for PONG, which LOADING holds back.
  server_process replica({"--key-load-delay", "1000", "--repl-diskless-load", "disabled"});
  ASSERT_TRUE(replica.start());
  ASSERT_EQ(replica.call({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).str, "OK");
  std::string info;
  ASSERT_TRUE(wait_for([&] {
    info = replica.call({"INFO", "persistence"}).str;
    return info.find("loading:1\r\n") != std::string::npos &&
           info.find("loading_loaded_bytes:0\r\n") == std::string::npos;
  })) << info;
  auto names = field_names(info);
  // What redis-server 7.0 shows while it loads, after its other fields.
  std::vector<std::string> expected = {"module_fork_last_cow_size", "loading_start_time",
                                       "loading_total_bytes",       "loading_rdb_used_mem",
                                       "loading_loaded_bytes",      "loading_loaded_perc",
                                       "loading_eta_seconds"};
  ASSERT_GE(names.size(), expected.size());
  EXPECT_EQ(std::vector<std::string>(names.end() - std::ptrdiff_t(expected.size()), names.end()),
            expected)
      << info;
  int64_t total = std::stoll(info_field(replica, "persistence", "loading_total_bytes"));
  int64_t loaded = std::stoll(info_field(replica, "persistence", "loading_loaded_bytes"));
  double perc = std::stod(info_field(replica, "persistence", "loading_loaded_perc"));
  int64_t used_mem = std::stoll(info_field(replica, "persistence", "loading_rdb_used_mem"));
  int64_t start = std::stoll(info_field(replica, "persistence", "loading_start_time"));
  // The whole RDB the master wrote for the sync (to disk: repl-diskless-sync no).
  EXPECT_EQ(total, int64_t(read_file(master.dir() + "/dump.rdb").size()));
  EXPECT_GT(loaded, 0);
  EXPECT_LE(loaded, total);
  EXPECT_GT(perc, 0.0);
  EXPECT_LT(perc, 100.0);
  EXPECT_GT(used_mem, 0);  // the master's used-mem aux field
  EXPECT_NEAR(double(start), double(time(nullptr)), 30.0);
  // Commands wait for the data; the load is in the log as it goes.
  EXPECT_EQ(replica.call({"GET", "key:1"}).str, "LOADING Redis is loading the dataset in memory");
  EXPECT_TRUE(wait_for([&] {
    return replica.log_text().find("Loading RDB: ") != std::string::npos;
  })) << replica.log_text();
  ASSERT_TRUE(
      wait_for([&] { return info_field(replica, "persistence", "loading") == "0"; }, 60000));
  EXPECT_EQ(replica.call({"INFO", "persistence"}).str.find("loading_start_time"),
            std::string::npos);
  EXPECT_EQ(replica.call({"DBSIZE"}).integer, 3000);
}

TEST(rdb_key_save_delay, is_a_directive_as_in_redis) {
  server_process troupe;
  server_process redis({}, server_process::kind::redis);
  ASSERT_TRUE(troupe.start());
  ASSERT_TRUE(redis.start());
  for (auto* s : {&troupe, &redis}) {
    EXPECT_EQ(s->call({"CONFIG", "GET", "rdb-key-save-delay"}).elements.at(1).str, "0");
    EXPECT_EQ(s->call({"CONFIG", "SET", "rdb-key-save-delay", "-5"}).str, "OK");
    EXPECT_EQ(s->call({"CONFIG", "GET", "rdb-key-save-delay"}).elements.at(1).str, "-5");
    // Testing aids: answered by name, never listed for a pattern.
    EXPECT_TRUE(s->call({"CONFIG", "GET", "*key-*-delay"}).elements.empty());
    EXPECT_EQ(s->call({"CONFIG", "GET", "key-load-delay"}).elements.size(), 2u);
  }
  EXPECT_EQ(troupe.call({"CONFIG", "SET", "rdb-key-save-delay", "x"}).str,
            redis.call({"CONFIG", "SET", "rdb-key-save-delay", "x"}).str);
}

TEST(rdb_key_save_delay, a_bgsave_takes_its_time_while_clients_are_served) {
  // No save points: the file the next start reads is the BGSAVE's, not a
  // shutdown's.
  server_process s({"--save", ""});
  ASSERT_TRUE(s.start());
  fill_keys(s, 40);
  // 50 ms a key: at least 2 s for 40 keys.
  ASSERT_EQ(s.call({"CONFIG", "SET", "rdb-key-save-delay", "50000"}).str, "OK");
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(s.call({"BGSAVE"}).str, "Background saving started");
  // Served meanwhile: writes and reads on the data being saved.
  resp_client c = s.client();
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(c.call({"PING"}).str, "PONG");
    EXPECT_EQ(c.call({"SET", "new:" + std::to_string(i), "x"}).str, "OK");
  }
  EXPECT_EQ(info_field(s, "persistence", "rdb_bgsave_in_progress"), "1");
  EXPECT_EQ(s.call({"BGSAVE"}).str.rfind("ERR Background save already in progress", 0), 0u);
  ASSERT_TRUE(wait_for(
      [&] { return info_field(s, "persistence", "rdb_bgsave_in_progress") == "0"; }, 60000));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_GE(secs, 40 * 0.050);  // the delay is honoured (a lower bound only)
  EXPECT_EQ(info_field(s, "persistence", "rdb_last_bgsave_status"), "ok");
  // The file holds the dataset at the cut (or later, for keys written first):
  // every one of the 40 keys.
  ASSERT_EQ(s.call({"CONFIG", "SET", "rdb-key-save-delay", "0"}).str, "OK");
  std::string dir = s.dir();
  EXPECT_EQ(s.stop(), 0);
  server_process again({"--dir", dir, "--save", ""});
  ASSERT_TRUE(again.start());
  for (int i = 0; i < 40; ++i)
    EXPECT_EQ(again.call({"EXISTS", "key:" + std::to_string(i)}).integer, 1) << i;
}
