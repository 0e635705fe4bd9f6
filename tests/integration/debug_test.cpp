// DEBUG against a real redis-server 7.0: DIGEST and DIGEST-VALUE give the same
// 40 hex digits for the same dataset (every type and encoding, TTLs, several
// databases), the replies of POPULATE, OBJECT, PROTOCOL, ERROR, RELOAD and
// the error forms; enable-debug-command; then Troupe alone: SLEEP stalls
// clients on every reactor, SEGFAULT crashes, RELOAD and LOADAOF keep the
// dataset, CHANGE-REPL-ID, SET-ACTIVE-EXPIRE, SET-SKIP-CHECKSUM-VALIDATION.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <chrono>
#include <random>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

const std::vector<std::string> debug_on = {"--enable-debug-command", "yes", "--save", ""};

// The same mixed dataset on both servers.
void fill(differential& d) {
  std::mt19937 rng(7);
  d.same({"SET", "s1", "hello"});
  d.same({"SET", "s2", "12345"});
  d.same({"SET", "s3", std::string("\0\xff bin", 6)});
  d.same({"SET", "big", std::string(1000, 'x')});
  d.same({"RPUSH", "l1", "a", "b", "1", "2"});
  std::vector<std::string> l2 = {"RPUSH", "l2"}, s3 = {"SADD", "set3"}, z2 = {"ZADD", "z2"},
                           h2 = {"HSET", "h2"};
  for (int i = 0; i < 300; ++i)
    l2.push_back(std::string(size_t(rng() % 30 + 1), char('a' + i % 26)));
  for (int i = 0; i < 1000; ++i) s3.push_back(std::to_string(i));
  for (int i = 0; i < 300; ++i) {
    z2.push_back(std::to_string(double(rng() % 100000) / 7.0));
    z2.push_back("m" + std::to_string(i));
  }
  for (int i = 0; i < 200; ++i) {
    h2.push_back("f" + std::to_string(i));
    h2.push_back(std::string(size_t(i), 'v'));
  }
  d.same(l2);
  d.same(s3);
  d.same(z2);
  d.same(h2);
  d.same({"SADD", "set1", "1", "2", "3", "-5"});
  d.same({"SADD", "set2", "a", "b", "c"});
  d.same({"ZADD", "z1", "1", "a", "0.1", "b", "-inf", "c", "1e20", "d", "3.5", "e"});
  d.same({"HSET", "h1", "f1", "v1", "f2", "2"});
  d.same({"SET", "ttl", "v", "EX", "1000"});
  d.same({"HSET", "httl", "a", "b"});
  d.same({"EXPIRE", "httl", "500"});
  d.same({"SELECT", "3"});
  d.same({"SET", "in3", "x"});
  d.same({"SELECT", "0"});
}

TEST(debug, digests_equal_redis_for_the_same_dataset) {
  differential d(debug_on, debug_on);
  ASSERT_TRUE(d.ok());
  d.same({"DEBUG", "DIGEST"});  // empty: forty zeros
  fill(d);
  d.same({"DEBUG", "DIGEST"});
  for (const char* k : {"s1", "s2", "s3", "big", "l1", "l2", "set1", "set2", "set3", "z1", "z2",
                        "h1", "h2", "ttl", "httl", "nokey"})
    d.same({"DEBUG", "DIGEST-VALUE", k});
  d.same({"DEBUG", "DIGEST-VALUE", "s1", "z1", "nokey"});
  d.same({"DEBUG", "DIGEST-VALUE"});
  // A change shows; undoing it brings the digest back.
  resp_value before = d.same({"DEBUG", "DIGEST"});
  d.same({"HSET", "h1", "f1", "other"});
  EXPECT_NE(d.same({"DEBUG", "DIGEST"}).str, before.str);
  d.same({"HSET", "h1", "f1", "v1"});
  EXPECT_EQ(d.same({"DEBUG", "DIGEST"}).str, before.str);
  // Survives a save and reload on both.
  d.same({"DEBUG", "RELOAD"});
  EXPECT_EQ(d.same({"DEBUG", "DIGEST"}).str, before.str);
}

TEST(debug, subcommand_replies_match_redis) {
  differential d(debug_on, debug_on);
  ASSERT_TRUE(d.ok());
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"DEBUG", "POPULATE", "-1"},
           {"DEBUG", "POPULATE", "x"},
           {"DEBUG", "POPULATE", "3", "p", "10"},
           {"DEBUG", "POPULATE", "3"},
           {"DBSIZE"},
           {"DEBUG", "POPULATE", "2", "p", "0"},
           {"GET", "p:1"},
           {"GET", "key:2"},
           {"DEBUG", "POPULATE", "1", "a", "5", "6"},
           {"DEBUG", "OBJECT", "nokey"},
           {"DEBUG", "OBJECT"},
           {"DEBUG", "FOO"},
           {"DEBUG"},
           {"DEBUG", "ERROR", "my error"},
           {"DEBUG", "LOG", "hello"},
           {"DEBUG", "SLEEP", "0"},
           {"DEBUG", "SLEEP", "x"},
           {"DEBUG", "SLEEP"},
           {"DEBUG", "RELOAD", "foo"},
           {"DEBUG", "PROTOCOL", "foo"},
           {"DEBUG", "SET-ACTIVE-EXPIRE", "1"},
           {"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0"},
           {"DEBUG", "CHANGE-REPL-ID"},
           {"DEBUG", "DIGEST"},
       })
    d.same(cmd);
  for (int resp : {2, 3}) {
    d.both({"HELLO", std::to_string(resp)});
    for (const char* t : {"string", "integer", "double", "bignum", "null", "array", "set", "map",
                          "push", "verbatim", "true", "false"})
      d.same({"DEBUG", "PROTOCOL", t});
    // The test client has no parser for RESP3 attributes: compare the bytes.
    std::string raw[2];
    resp_client* clients[2] = {&d.redis_client(), &d.troupe_client()};
    for (int i = 0; i < 2; ++i) {
      clients[i]->send_raw("DEBUG PROTOCOL attrib\r\nPING\r\n");
      while (raw[i].find("PONG") == std::string::npos) {
        std::string got = clients[i]->read_raw(2000);
        if (got.empty()) break;
        raw[i] += got;
      }
    }
    EXPECT_EQ(raw[1], raw[0]);
  }
  d.both({"HELLO", "2"});
  // OBJECT's line: the pointer differs, the rest is Redis's shape.
  resp_value o = d.troupe_client().call({"DEBUG", "OBJECT", "p:1"});
  EXPECT_EQ(o.str.rfind("Value at:0x", 0), 0u) << o.str;
  EXPECT_NE(o.str.find(" refcount:1 encoding:"), std::string::npos) << o.str;
  EXPECT_NE(o.str.find(" serializedlength:11 lru:"), std::string::npos) << o.str;
  d.same({"RPUSH", "list", "a", "b"});
  o = d.troupe_client().call({"DEBUG", "OBJECT", "list"});
  EXPECT_NE(o.str.find(" ql_nodes:1 ql_avg_node:2.00 ql_listpack_max:-2 "), std::string::npos)
      << o.str;
}

TEST(debug, refused_unless_enabled_as_redis_does) {
  differential off({"--save", ""}, {"--save", ""});
  ASSERT_TRUE(off.ok());
  off.same({"DEBUG", "DIGEST"});
  differential local({"--enable-debug-command", "local"}, {"--enable-debug-command", "local"});
  ASSERT_TRUE(local.ok());
  local.same({"DEBUG", "DIGEST"});  // 127.0.0.1 is local
  local.same({"CONFIG", "SET", "enable-debug-command", "yes"});
  local.same({"CONFIG", "GET", "enable-debug-command"});
}

TEST(debug, restore_checks_can_be_skipped_as_redis_allows) {
  differential d(debug_on, debug_on);
  ASSERT_TRUE(d.ok());
  d.same({"SET", "k", "value"});
  std::string payload = d.troupe_client().call({"DUMP", "k"}).str;
  payload.back() = char(payload.back() ^ 0x5a);  // a checksum byte
  d.same({"RESTORE", "k2", "0", payload});
  d.same({"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"});
  d.same({"RESTORE", "k2", "0", payload});
  d.same({"GET", "k2"});
}

TEST(debug, sleep_stalls_clients_on_every_reactor) {
  server_process s({"--enable-debug-command", "yes", "--threads", "2", "--save", ""});
  ASSERT_TRUE(s.start());
  resp_client sleeper = s.client();
  std::vector<resp_client> others;
  for (int i = 0; i < 4; ++i) others.push_back(s.client());  // both reactors
  for (auto& o : others) ASSERT_EQ(o.call({"PING"}).str, "PONG");
  auto t0 = std::chrono::steady_clock::now();
  sleeper.append({"DEBUG", "SLEEP", "1"});
  sleeper.flush();
  // The sleeper's reactor may not have read it yet: wait until DEBUG SLEEP is
  // the command in progress (CLIENT LIST on the sleeper's own reactor would
  // stall, so ask from every client in turn until one shows it).
  bool seen = false;
  for (int i = 0; i < 200 && !seen; ++i)
    for (auto& o : others) {
      std::string list = o.call({"CLIENT", "LIST"}).str;
      if (list.find("cmd=debug") != std::string::npos) seen = true;
      if (seen) break;
    }
  ASSERT_TRUE(seen);
  // No client on any reactor is answered before the second is over.
  for (auto& o : others) EXPECT_EQ(o.call({"PING"}).str, "PONG");
  auto waited = std::chrono::steady_clock::now() - t0;
  EXPECT_GE(waited, std::chrono::milliseconds(950));
  EXPECT_EQ(sleeper.read_reply().str, "OK");
}

TEST(debug, reload_loadaof_and_repl_id) {
  server_process s({"--enable-debug-command", "yes", "--appendonly", "yes", "--save", ""});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  c.call({"DEBUG", "POPULATE", "1000", "k", "20"});
  c.call({"RPUSH", "list", "a", "b", "c"});
  c.call({"ZADD", "z", "1.5", "m"});
  std::string digest = c.call({"DEBUG", "DIGEST"}).str;
  ASSERT_EQ(digest.size(), 40u);
  // POPULATE is not propagated: LOADAOF brings back only what the AOF holds.
  EXPECT_EQ(c.call({"DEBUG", "LOADAOF"}).str, "OK");
  EXPECT_EQ(c.call({"DBSIZE"}).integer, 2);
  c.call({"DEBUG", "POPULATE", "1000", "k", "20"});
  EXPECT_EQ(c.call({"DEBUG", "DIGEST"}).str, digest);
  EXPECT_EQ(c.call({"DEBUG", "RELOAD"}).str, "OK");
  EXPECT_EQ(c.call({"DEBUG", "DIGEST"}).str, digest);
  // NOSAVE NOFLUSH: the file's keys come back over the current ones.
  c.call({"SET", "extra", "1"});
  c.call({"DEL", "list"});
  EXPECT_EQ(c.call({"DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"}).str, "OK");
  EXPECT_EQ(c.call({"LLEN", "list"}).integer, 3);
  EXPECT_EQ(c.call({"GET", "extra"}).str, "1");

  auto replid = [&] {
    std::string info = c.call({"INFO", "replication"}).str;
    auto at = info.find("master_replid:");
    return info.substr(at + 14, 40);
  };
  std::string before = replid();
  EXPECT_EQ(c.call({"DEBUG", "CHANGE-REPL-ID"}).str, "OK");
  EXPECT_NE(replid(), before);
}

TEST(debug, active_expire_can_be_switched_off) {
  server_process s({"--enable-debug-command", "yes", "--hz", "100", "--save", ""});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  EXPECT_EQ(c.call({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}).str, "OK");
  for (int i = 0; i < 50; ++i) c.call({"SET", "t" + std::to_string(i), "v", "PX", "1"});
  // Thirty expiry cycles at hz 100: none may take a key.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(c.call({"DBSIZE"}).integer, 50);
  EXPECT_EQ(c.call({"DEBUG", "SET-ACTIVE-EXPIRE", "1"}).str, "OK");
  int64_t left = 50;
  for (int i = 0; i < 200 && left > 0; ++i) {
    left = c.call({"DBSIZE"}).integer;
    if (left > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(left, 0);
}

TEST(debug, segfault_crashes_the_server_on_purpose) {
  server_process s({"--enable-debug-command", "yes", "--save", ""});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  c.call({"DEBUG", "SEGFAULT"});
  bool gone = false;
  for (int i = 0; i < 500 && !gone; ++i) {
    gone = !s.running();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone);
}

}  // namespace

namespace {

// key-load-delay paces a replica's load, so its loading state lasts long
// enough to be seen (500 keys x 2 ms: about a second; instant without it).
TEST(debug_directives, key_load_delay_paces_loading) {
  server_process master({"--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes"});
  ASSERT_TRUE(master.start());
  master.call({"DEBUG", "POPULATE", "500"});
  server_process replica({"--key-load-delay", "2000"});
  ASSERT_TRUE(replica.start());  // (start waits for PONG, which LOADING would hold back)
  replica.call({"REPLICAOF", "127.0.0.1", std::to_string(master.port())});
  bool saw_loading = false, synced = false;
  for (int i = 0; i < 1000 && !synced; ++i) {
    std::string info = replica.call({"INFO"}).str;
    saw_loading = saw_loading || info.find("loading:1") != std::string::npos;
    synced = info.find("master_link_status:up") != std::string::npos;
    if (!synced) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(synced);
  EXPECT_TRUE(saw_loading);
  EXPECT_EQ(replica.call({"DBSIZE"}).integer, 500);
  EXPECT_EQ(replica.call({"CONFIG", "GET", "key-load-delay"}).elements[1].str, "2000");
}

}  // namespace
