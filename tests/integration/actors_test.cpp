// The actor registry as a client sees it (INFO troupe): every actor listed
// with its placement, connections coming and going, INFO's Redis layout left
// alone; and lazy freeing (UNLINK, FLUSHALL ASYNC) counted as Redis counts it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// "actors_shard:count=4,reactor_0=2,..." -> {"shard": {"count": "4", ...}}
using actor_table = std::map<std::string, std::map<std::string, std::string>>;

actor_table parse_actors(const std::string& info) {
  actor_table out;
  std::istringstream in(info);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("actors_", 0) != 0) continue;
    size_t colon = line.find(':');
    std::string type = line.substr(7, colon - 7);
    std::istringstream fields(line.substr(colon + 1));
    std::string kv;
    while (std::getline(fields, kv, ',')) {
      size_t eq = kv.find('=');
      out[type][kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  return out;
}

actor_table actors_of(const server_process& s) {
  return parse_actors(s.call({"INFO", "troupe"}).str);
}

int64_t number(const actor_table& t, const std::string& type, const std::string& field) {
  auto it = t.find(type);
  if (it == t.end()) return 0;
  auto f = it->second.find(field);
  return f == it->second.end() ? 0 : std::stoll(f->second);
}

std::string info_field(resp_client& c, const std::string& section, const std::string& name) {
  std::istringstream in(c.call({"INFO", section}).str);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + ":", 0) == 0) {
      line = line.substr(name.size() + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
  return "";
}

template <class F>
bool eventually(F cond, int seconds = 10) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::vector<std::string> section_headers(const std::string& info) {
  std::vector<std::string> out;
  std::istringstream in(info);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("# ", 0) == 0) {
      if (line.back() == '\r') line.pop_back();
      out.push_back(line.substr(2));
    }
  return out;
}

}  // namespace

TEST(actor_registry, lists_every_actor_with_its_placement) {
  server_process s({"--threads", "2", "--shards", "4"});
  ASSERT_TRUE(s.start());
  // Connections of earlier calls close asynchronously: wait until only the
  // asking one is left.
  std::string info;
  actor_table t;
  ASSERT_TRUE(eventually([&] {
    info = s.call({"INFO", "troupe"}).str;
    t = parse_actors(info);
    return number(t, "connection", "count") == 1;
  }));
  // Shard i lives on reactor i % threads.
  EXPECT_EQ(number(t, "shard", "count"), 4);
  EXPECT_EQ(number(t, "shard", "reactor_0"), 2);
  EXPECT_EQ(number(t, "shard", "reactor_1"), 2);
  EXPECT_EQ(number(t, "shard", "scheduler"), 0);
  // One listening socket (the test binds one address), accepting on reactor 0.
  EXPECT_EQ(number(t, "listener", "count"), 1);
  EXPECT_EQ(number(t, "listener", "reactor_0"), 1);
  // Background actors run on CAF's scheduler.
  EXPECT_EQ(number(t, "lazy_freer", "count"), 1);
  EXPECT_EQ(number(t, "lazy_freer", "scheduler"), 1);
  EXPECT_EQ(number(t, "aof_fsync", "count"), 1);
  EXPECT_EQ(number(t, "aof_fsync", "scheduler"), 1);
  int64_t total = 0;
  for (auto& [type, fields] : t) total += std::stoll(fields.at("count"));
  EXPECT_NE(info.find("\r\nactors:" + std::to_string(total) + "\r\n"), std::string::npos);
  // Shards handle their cron ticks as messages (hz 10): the counters move.
  EXPECT_TRUE(eventually([&] { return number(actors_of(s), "shard", "messages") >= 8; }));
  EXPECT_TRUE(eventually([&] { return number(actors_of(s), "aof_fsync", "messages") >= 1; }));
}

TEST(actor_registry, a_connection_appears_and_disappears) {
  server_process s({"--threads", "2", "--shards", "2"});
  ASSERT_TRUE(s.start());
  resp_client watcher = s.client();  // every s.call() is a fresh connection besides
  auto connections = [&] {
    // A fresh connection per look: subtract it. Those of earlier looks may
    // still be closing, so tests wait for a count rather than read it once.
    return number(actors_of(s), "connection", "count") - 1;
  };
  EXPECT_TRUE(eventually([&] { return connections() == 1; }));
  std::vector<resp_client> extra;
  for (int i = 0; i < 3; ++i) {
    extra.push_back(s.client());
    ASSERT_EQ(extra.back().call({"PING"}).str, "PONG");
  }
  EXPECT_TRUE(eventually([&] { return connections() == 4; }));
  // Connections are spread over both reactors.
  actor_table t = actors_of(s);
  EXPECT_GT(number(t, "connection", "reactor_0"), 0);
  EXPECT_GT(number(t, "connection", "reactor_1"), 0);
  extra.clear();  // the clients hang up
  EXPECT_TRUE(eventually([&] { return connections() == 1; }));
  // CLIENT KILL ends the connection actor too.
  resp_client victim = s.client();
  std::string id = std::to_string(victim.call({"CLIENT", "ID"}).integer);
  EXPECT_TRUE(eventually([&] { return connections() == 2; }));
  EXPECT_EQ(watcher.call({"CLIENT", "KILL", "ID", id}).integer, 1);
  EXPECT_TRUE(eventually([&] { return connections() == 1; }));
}

TEST(actor_registry, info_keeps_redis_sections_and_troupe_is_asked_for_by_name) {
  server_process s;
  ASSERT_TRUE(s.start());
  for (auto args : std::vector<std::vector<std::string>>{{"INFO"}, {"INFO", "all"}}) {
    auto headers = section_headers(s.call(args).str);
    EXPECT_EQ(std::count(headers.begin(), headers.end(), "Troupe"), 0) << args.size();
  }
  // A plain server has no Sentinel section (it crashed here when the Sentinel
  // section was added: asked for by name or with everything).
  EXPECT_EQ(s.call({"INFO", "sentinel"}).str, "");
  auto everything = section_headers(s.call({"INFO", "everything"}).str);
  ASSERT_FALSE(everything.empty());
  EXPECT_EQ(std::count(everything.begin(), everything.end(), "Sentinel"), 0);
  EXPECT_EQ(everything.back(), "Troupe");
  EXPECT_EQ(section_headers(s.call({"INFO", "troupe"}).str), std::vector<std::string>{"Troupe"});
  EXPECT_EQ(section_headers(s.call({"INFO", "TROUPE", "server"}).str),
            (std::vector<std::string>{"Server", "Troupe"}));
}

TEST(actor_registry, the_snapshot_writer_leaves_when_its_file_is_written) {
  server_process s({"--threads", "2", "--shards", "4"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  for (int i = 0; i < 2000; ++i) c.append({"SET", "key:" + std::to_string(i), "v"});
  c.flush();
  for (int i = 0; i < 2000; ++i) c.read_reply();
  int64_t shard_messages = number(actors_of(s), "shard", "messages");
  ASSERT_EQ(c.call({"BGSAVE"}).str, "Background saving started");
  EXPECT_TRUE(
      eventually([&] { return info_field(c, "persistence", "rdb_bgsave_in_progress") == "0"; }));
  EXPECT_EQ(info_field(c, "persistence", "rdb_last_bgsave_status"), "ok");
  actor_table t = actors_of(s);
  EXPECT_EQ(number(t, "snapshot_writer", "count"), 0);
  // Each shard was told to walk its part (besides its cron ticks).
  EXPECT_GE(number(t, "shard", "messages"), shard_messages + 4);
  // And the dump holds every key.
  c.close();
  s.stop();
  ASSERT_TRUE(s.start());  // same directory: loads the dump
  EXPECT_EQ(s.call({"DBSIZE"}).integer, 2000);
}

// Lazy freeing goes through the background freer and is counted as Redis
// counts it: one object per big value UNLINKed, one per key FLUSHALL ASYNC drops.
class lazy_free : public differential_suite<lazy_free> {
 protected:
  void SetUp() override { ASSERT_TRUE(d->ok()); }

  static bool settled(resp_client& c, int64_t freed) {
    return eventually([&] {
      return info_field(c, "memory", "lazyfreed_objects") == std::to_string(freed) &&
             info_field(c, "memory", "lazyfree_pending_objects") == "0";
    });
  }
};

TEST_F(lazy_free, unlink_and_flushall_async_are_counted_like_redis) {
  resp_client &rc = d->redis_client(), &tc = d->troupe_client();
  d->same({"CONFIG", "RESETSTAT"});
  // A hash big enough for Redis to free it in the background (more than 64 fields).
  std::vector<std::string> hset = {"HSET", "big"};
  for (int i = 0; i < 1000; ++i) {
    hset.push_back("f" + std::to_string(i));
    hset.push_back(std::to_string(i));
  }
  d->same(hset);
  // Small values are freed at once (Redis: free effort up to 64), the big one later.
  d->same({"HSET", "small", "a", "1"});
  d->same({"RPUSH", "list", "a", "b"});
  d->same({"SADD", "set", "1", "2", "x"});
  d->same({"UNLINK", "small", "list", "set", "big", "missing"});
  d->same({"EXISTS", "big", "small"});
  EXPECT_TRUE(settled(rc, 1));
  EXPECT_TRUE(settled(tc, 1));

  for (int i = 0; i < 300; ++i) d->same({"SET", "k" + std::to_string(i), "v"});
  d->same(hset);
  d->same({"FLUSHALL", "ASYNC"});
  d->same({"DBSIZE"});
  EXPECT_TRUE(settled(rc, 1 + 301));
  EXPECT_TRUE(settled(tc, 1 + 301));

  d->same({"CONFIG", "RESETSTAT"});
  EXPECT_TRUE(settled(rc, 0));
  EXPECT_TRUE(settled(tc, 0));
}

TEST_F(lazy_free, many_unlinks_in_a_burst_are_all_freed) {
  resp_client& tc = d->troupe_client();
  d->same({"CONFIG", "RESETSTAT"});
  std::vector<std::string> hset = {"HSET"};
  hset.push_back("");
  for (int i = 0; i < 600; ++i) {  // a hashtable, in Redis too
    hset.push_back("f" + std::to_string(i));
    hset.push_back("x");
  }
  for (int k = 0; k < 200; ++k) {
    hset[1] = "h" + std::to_string(k);
    tc.append(hset);
    tc.append({"UNLINK", hset[1]});
  }
  tc.flush();
  for (int k = 0; k < 400; ++k) tc.read_reply();
  EXPECT_TRUE(settled(tc, 200));
  EXPECT_EQ(tc.call({"DBSIZE"}).integer, 0);
}
