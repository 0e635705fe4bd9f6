// RDB snapshots at the server level: SAVE/BGSAVE files that redis-server and
// redis-check-rdb accept, dumps from redis-server loaded at start-up, BGSAVE
// under writes giving the state at its start, save points, SHUTDOWN, MISCONF,
// and AOF rewrites (BGREWRITEAOF, CONFIG SET appendonly yes).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}
bool wait_for(const std::function<bool()>& cond, int ms = 10000) {
  for (int i = 0; i < ms / 20; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

// Fills a server with every type in small and big encodings, TTLs, two dbs.
void fill(resp_client& c) {
  c.call({"MSET", "int", "12345", "short", "hello", "long", std::string(300, 'x')});
  c.call({"SET", "ttl", "v", "EX", "1000"});
  c.call({"RPUSH", "small-list", "a", "b", "c"});
  for (int i = 0; i < 300; ++i) c.append({"RPUSH", "big-list", "item-" + std::to_string(i)});
  for (int i = 0; i < 600; ++i) c.append({"HSET", "big-hash", "f" + std::to_string(i), "v"});
  for (int i = 0; i < 600; ++i) c.append({"SADD", "big-set", "m" + std::to_string(i)});
  for (int i = 0; i < 200; ++i)
    c.append({"ZADD", "big-zset", std::to_string(i), "z" + std::to_string(i)});
  c.flush();
  for (int i = 0; i < 1700; ++i) c.read_reply();
  c.call({"HSET", "small-hash", "a", "1", "b", "2"});
  c.call({"SADD", "int-set", "1", "2", "3"});
  c.call({"SADD", "str-set", "x", "y"});
  c.call({"ZADD", "small-zset", "1.5", "a", "-2", "b"});
  c.call({"SELECT", "5"});
  c.call({"SET", "in-db5", "yes"});
  c.call({"SELECT", "0"});
}

// Compares what two servers hold, key by key, through commands.
void expect_same_data(server_process& a, server_process& b) {
  for (int db : {0, 5}) {
    resp_client ca = a.client(), cb = b.client();
    ca.call({"SELECT", std::to_string(db)});
    cb.call({"SELECT", std::to_string(db)});
    EXPECT_EQ(ca.call({"DBSIZE"}).integer, cb.call({"DBSIZE"}).integer) << "db " << db;
    auto keys = ca.call({"KEYS", "*"});
    for (auto& k : keys.elements) {
      auto type = ca.call({"TYPE", k.str}).str;
      EXPECT_EQ(type, cb.call({"TYPE", k.str}).str) << k.str;
      std::vector<std::string> get;
      if (type == "string") get = {"GET", k.str};
      if (type == "list") get = {"LRANGE", k.str, "0", "-1"};
      if (type == "hash") get = {"HGETALL", k.str};
      if (type == "set") get = {"SMEMBERS", k.str};
      if (type == "zset") get = {"ZRANGE", k.str, "0", "-1", "WITHSCORES"};
      auto va = ca.call(get), vb = cb.call(get);
      if (type == "hash" || type == "set") {
        auto sorted = [](resp_value v) {
          std::vector<std::string> s;
          for (auto& e : v.elements) s.push_back(e.str);
          std::sort(s.begin(), s.end());
          return s;
        };
        EXPECT_EQ(sorted(va), sorted(vb)) << k.str;
      } else {
        EXPECT_EQ(va.to_string(), vb.to_string()) << k.str;
      }
      EXPECT_NEAR(double(ca.call({"TTL", k.str}).integer), double(cb.call({"TTL", k.str}).integer),
                  2)
          << k.str;
    }
  }
}

}  // namespace

TEST(snapshot, troupe_dump_loads_into_redis) {
  server_process t;
  ASSERT_TRUE(t.start());
  resp_client c = t.client();
  fill(c);
  EXPECT_EQ(c.call({"SAVE"}).str, "OK");
  std::string dump = t.dir() + "/dump.rdb";
  ASSERT_TRUE(exists(dump));
  int status = 0;
  std::string check = run_command("redis-check-rdb " + dump + " 2>&1", &status);
  EXPECT_NE(check.find("RDB looks OK"), std::string::npos) << check;
  server_process r({"--dir", t.dir()}, server_process::kind::redis);
  ASSERT_TRUE(r.start());
  expect_same_data(t, r);
  // And BGSAVE writes the same.
  EXPECT_EQ(c.call({"BGSAVE"}).str, "Background saving started");
  ASSERT_TRUE(wait_for([&] {
    return c.call({"INFO", "persistence"}).str.find("rdb_bgsave_in_progress:0") !=
           std::string::npos;
  }));
  server_process r2({"--dir", t.dir()}, server_process::kind::redis);
  ASSERT_TRUE(r2.start());
  expect_same_data(t, r2);
}

TEST(snapshot, redis_dump_loads_at_startup) {
  server_process r({}, server_process::kind::redis);
  ASSERT_TRUE(r.start());
  resp_client c = r.client();
  fill(c);
  EXPECT_EQ(c.call({"SAVE"}).str, "OK");
  server_process t({"--dir", r.dir()});
  ASSERT_TRUE(t.start());
  expect_same_data(r, t);
  EXPECT_NE(t.log_text().find("DB loaded from disk"), std::string::npos);
}

// Writes during a BGSAVE do not leak into it: the dump is the data at its start.
TEST(snapshot, bgsave_is_point_in_time_under_writes) {
  server_process t({"--save", ""});
  ASSERT_TRUE(t.start());
  resp_client c = t.client();
  const int n = 200000;
  for (int i = 0; i < n; ++i) c.append({"SET", "k:" + std::to_string(i), "before"});
  c.flush();
  for (int i = 0; i < n; ++i) c.read_reply();
  c.call({"RPUSH", "list", "before"});
  EXPECT_EQ(c.call({"BGSAVE"}).str, "Background saving started");
  // Overwrite, delete, create and expire while the snapshot walks the data.
  resp_client w = t.client();
  for (int i = 0; i < n; i += 2) w.append({"SET", "k:" + std::to_string(i), "after"});
  for (int i = 1; i < n; i += 20) w.append({"DEL", "k:" + std::to_string(i)});
  for (int i = 0; i < 1000; ++i) w.append({"SET", "new:" + std::to_string(i), "after"});
  w.append({"RPUSH", "list", "after"});
  w.append({"FLUSHDB"});
  w.flush();
  for (int i = 0; i < n / 2 + n / 20 + 1000 + 2; ++i) w.read_reply();
  ASSERT_TRUE(wait_for([&] {
    return c.call({"INFO", "persistence"}).str.find("rdb_bgsave_in_progress:0") !=
           std::string::npos;
  }));
  EXPECT_NE(c.call({"INFO", "persistence"}).str.find("rdb_last_bgsave_status:ok"),
            std::string::npos);
  server_process loaded({"--dir", t.dir(), "--save", ""});
  ASSERT_TRUE(loaded.start());
  resp_client l = loaded.client();
  EXPECT_EQ(l.call({"DBSIZE"}).integer, n + 1);
  EXPECT_EQ(l.call({"LRANGE", "list", "0", "-1"}).to_string(), "[\"before\"]");
  for (int i = 0; i < n; i += 997)
    EXPECT_EQ(l.call({"GET", "k:" + std::to_string(i)}).str, "before");
  EXPECT_EQ(l.call({"EXISTS", "new:1"}).integer, 0);
}

TEST(snapshot, save_points_and_shutdown) {
  server_process t({"--save", "1 1"});
  ASSERT_TRUE(t.start());
  int64_t before = t.call({"LASTSAVE"}).integer;
  t.call({"SET", "x", "1"});
  EXPECT_TRUE(wait_for([&] { return t.call({"LASTSAVE"}).integer > before; }, 5000));
  EXPECT_TRUE(exists(t.dir() + "/dump.rdb"));
  // SHUTDOWN saves when save points exist; SHUTDOWN NOSAVE does not.
  t.call({"SET", "y", "2"});
  resp_client c = t.client();
  c.append({"SHUTDOWN"});
  c.flush();
  c.read_reply();
  EXPECT_TRUE(wait_for([&] { return !t.running(); }));
  server_process again({"--dir", t.dir(), "--save", "1 1"});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"GET", "y"}).str, "2");
  again.call({"SET", "z", "3"});
  resp_client d = again.client();
  d.append({"SHUTDOWN", "NOSAVE"});
  d.flush();
  d.read_reply();
  EXPECT_TRUE(wait_for([&] { return !again.running(); }));
  server_process third({"--dir", t.dir(), "--save", ""});
  ASSERT_TRUE(third.start());
  EXPECT_TRUE(third.call({"GET", "z"}).is_nil());
  EXPECT_EQ(third.call({"CONFIG", "GET", "save"}).elements[1].str, "");
}

TEST(snapshot, failed_bgsave_refuses_writes) {
  server_process t({"--save", "3600 1"});
  ASSERT_TRUE(t.start());
  // Make the temporary file impossible to create.
  std::string blocker =
      t.dir() + "/temp-" + std::to_string(t.pid()) + "-" + std::to_string(t.port()) + ".rdb";
  mkdir(blocker.c_str(), 0755);
  resp_client c = t.client();
  c.call({"SET", "a", "1"});
  c.call({"BGSAVE"});
  ASSERT_TRUE(wait_for([&] {
    return c.call({"INFO", "persistence"}).str.find("rdb_last_bgsave_status:err") !=
           std::string::npos;
  }));
  auto r = c.call({"SET", "b", "2"});
  EXPECT_EQ(r.str.rfind("MISCONF", 0), 0u) << r.str;
  EXPECT_EQ(c.call({"GET", "a"}).str, "1");  // reads still work
  EXPECT_EQ(c.call({"CONFIG", "SET", "stop-writes-on-bgsave-error", "no"}).str, "OK");
  EXPECT_EQ(c.call({"SET", "b", "2"}).str, "OK");
  rmdir(blocker.c_str());
}

TEST(snapshot, bgrewriteaof_with_and_without_preamble) {
  for (std::string preamble : {"yes", "no"}) {
    server_process t({"--appendonly", "yes", "--aof-use-rdb-preamble", preamble});
    ASSERT_TRUE(t.start());
    resp_client c = t.client();
    fill(c);
    EXPECT_EQ(c.call({"BGREWRITEAOF"}).str, "Background append only file rewriting started");
    c.call({"SET", "during-or-after", "1"});
    ASSERT_TRUE(wait_for([&] {
      return c.call({"INFO", "persistence"}).str.find("aof_rewrite_in_progress:0") !=
             std::string::npos;
    }));
    c.call({"SET", "after", "2"});
    std::string manifest = read_file(t.dir() + "/appendonlydir/appendonly.aof.manifest");
    std::string base =
        preamble == "yes" ? "appendonly.aof.1.base.rdb" : "appendonly.aof.1.base.aof";
    EXPECT_EQ(manifest,
              "file " + base + " seq 1 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n")
        << manifest;
    EXPECT_FALSE(exists(t.dir() + "/appendonlydir/appendonly.aof.1.incr.aof"));
    t.stop();
    server_process again({"--appendonly", "yes", "--dir", t.dir()});
    ASSERT_TRUE(again.start());
    EXPECT_EQ(again.call({"GET", "during-or-after"}).str, "1");
    EXPECT_EQ(again.call({"GET", "after"}).str, "2");
    EXPECT_EQ(again.call({"LLEN", "big-list"}).integer, 300);
    EXPECT_EQ(again.call({"HLEN", "big-hash"}).integer, 600);
    EXPECT_GT(again.call({"TTL", "ttl"}).integer, 900);
    resp_client a = again.client();
    a.call({"SELECT", "5"});
    EXPECT_EQ(a.call({"GET", "in-db5"}).str, "yes");
  }
}

TEST(snapshot, appendonly_turned_on_at_runtime_keeps_existing_data) {
  server_process t;
  ASSERT_TRUE(t.start());
  resp_client c = t.client();
  fill(c);
  EXPECT_EQ(c.call({"CONFIG", "SET", "appendonly", "yes"}).str, "OK");
  c.call({"SET", "later", "x"});
  // The rewrite that starts the AOF runs from the next cron pass.
  ASSERT_TRUE(wait_for([&] {
    auto info = c.call({"INFO", "persistence"}).str;
    return info.find("aof_rewrites:1") != std::string::npos &&
           info.find("aof_rewrite_in_progress:0") != std::string::npos;
  }));
  t.stop();
  server_process again({"--appendonly", "yes", "--dir", t.dir()});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"GET", "later"}).str, "x");
  EXPECT_EQ(again.call({"SCARD", "big-set"}).integer, 600);
}

TEST(snapshot, aof_wins_over_rdb_at_startup) {
  server_process t({"--appendonly", "yes", "--save", ""});
  ASSERT_TRUE(t.start());
  t.call({"SET", "k", "from-aof"});
  t.call({"SAVE"});
  t.call({"SET", "k", "newer-in-aof"});
  t.stop();
  server_process again({"--appendonly", "yes", "--dir", t.dir()});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"GET", "k"}).str, "newer-in-aof");
  server_process rdb_only({"--appendonly", "no", "--dir", t.dir()});
  ASSERT_TRUE(rdb_only.start());
  EXPECT_EQ(rdb_only.call({"GET", "k"}).str, "from-aof");
}

TEST(snapshot, automatic_aof_rewrite_on_growth) {
  server_process t({"--appendonly", "yes", "--auto-aof-rewrite-min-size", "64kb",
                    "--auto-aof-rewrite-percentage", "50", "--hz", "50"});
  ASSERT_TRUE(t.start());
  resp_client c = t.client();
  for (int i = 0; i < 5000; ++i)
    c.append({"SET", "k" + std::to_string(i % 100), std::string(50, 'v')});
  c.flush();
  for (int i = 0; i < 5000; ++i) c.read_reply();
  ASSERT_TRUE(wait_for([&] {
    // A slow (sanitizer) build may rewrite more than once while the writes arrive.
    return c.call({"INFO", "persistence"}).str.find("aof_rewrites:0") == std::string::npos;
  })) << c.call({"INFO", "persistence"}).str
      << t.log_text();
  EXPECT_NE(t.log_text().find("Starting automatic rewriting of AOF"), std::string::npos);
  t.stop();
  server_process again({"--appendonly", "yes", "--dir", t.dir()});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"DBSIZE"}).integer, 100);
}
