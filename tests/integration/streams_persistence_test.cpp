// Streams moving between Troupe and redis-server 7.0: DUMP/RESTORE payloads
// both ways (byte for byte Redis's), RDB files both ways, AOF rewrite and
// restart, and replicas (a Troupe replica and a redis-server replica of a
// Troupe master) following consumer-group state. XINFO STREAM FULL is the
// yardstick: it shows every entry, counter, group, PEL entry and consumer.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <random>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

bool wait_for(const std::function<bool()>& cond, int ms = 30000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

std::string info_field(const server_process& s, const std::string& section,
                       const std::string& name) {
  std::string text = s.call({"INFO", section}).str;
  size_t at = text.find(name + ":");
  if (at == std::string::npos) return "";
  at += name.size() + 1;
  return text.substr(at, text.find("\r\n", at) - at);
}

// Streams of every shape: many nodes, deleted entries, differing fields, long
// values (LZF), numbers, an empty stream with a group, groups with pending
// entries, consumers without any, NOACK reads, claimed entries.
void fill_streams(resp_client& c) {
  for (int i = 1; i <= 250; ++i) {
    std::vector<std::string> cmd = {"XADD", "big", std::to_string(i) + "-" + std::to_string(i % 3)};
    if (i % 7 == 0) {
      cmd.insert(cmd.end(), {"other", std::string(size_t(100 + i), 'v'), "n", "-42"});
    } else {
      cmd.insert(cmd.end(), {"f", std::to_string(i * 1000), "g", "text" + std::to_string(i)});
    }
    c.call(cmd);
  }
  c.call({"XDEL", "big", "1-1", "50-2", "120-0"});
  c.call({"XTRIM", "big", "MAXLEN", "=", "240"});
  c.call({"XGROUP", "CREATE", "big", "workers", "0"});
  c.call({"XGROUP", "CREATE", "big", "late", "$", "ENTRIESREAD", "-1"});
  c.call({"XREADGROUP", "GROUP", "workers", "alice", "COUNT", "5", "STREAMS", "big", ">"});
  c.call({"XREADGROUP", "GROUP", "workers", "bob", "COUNT", "3", "STREAMS", "big", ">"});
  c.call({"XREADGROUP", "GROUP", "workers", "carol", "NOACK", "COUNT", "2", "STREAMS", "big", ">"});
  c.call({"XGROUP", "CREATECONSUMER", "big", "workers", "idle-one"});
  c.call({"XACK", "big", "workers", "12-0"});
  c.call({"XCLAIM", "big", "workers", "bob", "0", "13-1", "RETRYCOUNT", "4", "TIME", "1000"});
  c.call({"XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"});
  c.call({"XADD", "gone", "1-0", "a", "1"});
  c.call({"XDEL", "gone", "1-0"});
  c.call({"XADD", "ints", "5-5", "1", "2", "3", "4"});
  c.call({"XSETID", "ints", "9-9", "ENTRIESADDED", "100", "MAXDELETEDID", "7-0"});
}

// Redis's CRC64 (Jones, reflected), bit by bit: enough for a test.
uint64_t crc64_slow(const std::string& s) {
  uint64_t crc = 0;
  for (unsigned char ch : s) {
    crc ^= ch;
    for (int b = 0; b < 8; ++b) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
  }
  return crc;
}

// A DUMP payload around any body: RDB version 10 and a valid CRC.
std::string with_footer(const std::string& body) {
  std::string p = body;
  p.push_back(char(10));
  p.push_back(char(0));
  uint64_t crc = crc64_slow(p);
  for (int i = 0; i < 8; ++i) p.push_back(char(crc >> (8 * i)));
  return p;
}

// Where two long replies part, for readable failures.
std::string where_they_differ(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  size_t from = i > 120 ? i - 120 : 0;
  return "at " + std::to_string(i) + ":\n  " + a.substr(from, 240) + "\n  " + b.substr(from, 240);
}

const std::vector<std::string> stream_keys = {"big", "empty", "gone", "ints"};

std::string full_info(resp_client& c, const std::string& key) {
  return c.call({"XINFO", "STREAM", key, "FULL", "COUNT", "0"}).to_string();
}

// XINFO STREAM FULL with every consumer's seen-time masked (a replica or an
// AOF replay stamps its own).
std::string full_info_unseen(resp_client& c, const std::string& key) {
  resp_value v = c.call({"XINFO", "STREAM", key, "FULL", "COUNT", "0"});
  std::function<void(resp_value&)> walk = [&](resp_value& x) {
    for (size_t i = 0; i + 1 < x.elements.size(); ++i)
      if (x.elements[i].str == "seen-time") x.elements[i + 1].integer = 0;
    for (auto& e : x.elements) walk(e);
  };
  walk(v);
  return v.to_string();
}

}  // namespace

class stream_persistence : public differential_suite<stream_persistence> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

TEST_F(stream_persistence, dump_payloads_are_redis_bytes_both_ways) {
  resp_client& rc = d->redis_client();
  resp_client& tc = d->troupe_client();
  fill_streams(rc);
  for (auto& k : stream_keys) {
    resp_value dump = rc.call({"DUMP", k});
    ASSERT_EQ(dump.type, resp_value::kind::bulk) << k;
    EXPECT_EQ(tc.call({"RESTORE", k, "0", dump.str}).str, "OK") << k;
    EXPECT_EQ(full_info(rc, k), full_info(tc, k)) << k;
    EXPECT_EQ(tc.call({"OBJECT", "ENCODING", k}).str, "stream");
    // Troupe's payload, restored into Redis, dumps as Redis's own bytes (the
    // strings LZF-compressed by Redis again: the compressors' outputs differ).
    std::string back = tc.call({"DUMP", k}).str;
    EXPECT_EQ(rc.call({"RESTORE", k + ":back", "0", back}).str, "OK") << k;
    EXPECT_EQ(rc.call({"DUMP", k + ":back"}).str, dump.str) << k;
  }
  // Troupe's own streams (built by commands) restore into Redis unchanged.
  d->same({"FLUSHALL"});
  fill_streams(tc);
  for (auto& k : stream_keys) {
    std::string payload = tc.call({"DUMP", k}).str;
    EXPECT_EQ(rc.call({"RESTORE", k, "0", payload}).str, "OK") << k;
    EXPECT_EQ(full_info(rc, k), full_info(tc, k)) << k;
  }
  d->same({"DEBUG", "DIGEST-VALUE", "big", "empty", "gone", "ints"});
}

TEST_F(stream_persistence, corrupt_payloads_never_crash) {
  resp_client& rc = d->redis_client();
  resp_client& tc = d->troupe_client();
  fill_streams(rc);
  std::vector<std::string> bodies;
  for (auto& k : stream_keys) {
    std::string p = rc.call({"DUMP", k}).str;
    bodies.push_back(p.substr(0, p.size() - 10));  // without version and CRC
  }
  std::mt19937_64 rng(16);
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string b = bodies[size_t(i) % bodies.size()];
    for (int k = 0, n = 1 + int(rng() % 3); k < n; ++k) b[rng() % b.size()] = char(rng());
    if (rng() % 4 == 0) b.resize(rng() % b.size());
    resp_value r = tc.call({"RESTORE", "fuzz", "0", with_footer(b), "REPLACE"});
    if (!r.is_error()) {
      ++accepted;
      // Whatever was accepted must be usable.
      tc.call({"XINFO", "STREAM", "fuzz", "FULL"});
      tc.call({"XREVRANGE", "fuzz", "+", "-"});
      tc.call({"XADD", "fuzz", "*", "a", "b"});
      tc.call({"XAUTOCLAIM", "fuzz", "workers", "z", "0", "0"});
      tc.call({"DUMP", "fuzz"});
    } else {
      EXPECT_EQ(r.str, "ERR Bad data format");
    }
  }
  EXPECT_EQ(tc.call({"PING"}).str, "PONG");
  EXPECT_GT(accepted, 0);
}

TEST(stream_files, rdb_files_both_ways) {
  server_process redis({}, server_process::kind::redis);
  server_process troupe;
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(troupe.start());
  resp_client rc = redis.client(), tc = troupe.client();
  fill_streams(rc);
  fill_streams(tc);
  std::vector<std::string> want;
  for (auto& k : stream_keys) want.push_back(full_info(rc, k));
  ASSERT_EQ(rc.call({"SAVE"}).str, "OK");
  ASSERT_EQ(tc.call({"SAVE"}).str, "OK");
  // Redis's file into a new Troupe, Troupe's file into a new Redis.
  server_process troupe2({"--dir", redis.dir(), "--dbfilename", "dump.rdb"});
  ASSERT_TRUE(troupe2.start()) << troupe2.log_text();
  server_process redis2({"--dir", troupe.dir(), "--dbfilename", "dump.rdb"},
                        server_process::kind::redis);
  ASSERT_TRUE(redis2.start()) << redis2.log_text();
  resp_client t2 = troupe2.client(), r2 = redis2.client();
  for (size_t i = 0; i < stream_keys.size(); ++i) {
    EXPECT_EQ(full_info(t2, stream_keys[i]), want[i]) << stream_keys[i];
    EXPECT_EQ(full_info_unseen(r2, stream_keys[i]), full_info_unseen(tc, stream_keys[i]))
        << stream_keys[i];
  }
}

// The rewrite as commands (XADD, XSETID, XGROUP CREATE, XCLAIM ... FORCE,
// XGROUP CREATECONSUMER) and with an RDB preamble.
class stream_aof : public ::testing::TestWithParam<const char*> {};
INSTANTIATE_TEST_SUITE_P(preamble, stream_aof, ::testing::Values("no", "yes"));

TEST_P(stream_aof, rewrite_and_restart_keep_groups) {
  std::string dir = temp_dir("stream-aof");
  std::vector<std::string> args = {"--appendonly",           "yes",     "--dir", dir,
                                   "--aof-use-rdb-preamble", GetParam()};
  std::vector<std::string> before;
  {
    server_process t(args);
    ASSERT_TRUE(t.start());
    resp_client c = t.client();
    fill_streams(c);
    for (auto& k : stream_keys) before.push_back(full_info_unseen(c, k));
    // Live AOF first, then the rewrite.
    t.stop();
    server_process again(args);
    ASSERT_TRUE(again.start()) << again.log_text();
    resp_client c2 = again.client();
    for (size_t i = 0; i < stream_keys.size(); ++i)
      EXPECT_EQ(full_info_unseen(c2, stream_keys[i]), before[i])
          << "replay " << stream_keys[i] << " "
          << where_they_differ(full_info_unseen(c2, stream_keys[i]), before[i]);
    c2.call({"BGREWRITEAOF"});
    ASSERT_TRUE(wait_for([&] {
      return info_field(again, "persistence", "aof_rewrite_in_progress") == "0" &&
             info_field(again, "persistence", "aof_rewrite_scheduled") == "0";
    }));
    again.stop();
  }
  server_process last(args);
  ASSERT_TRUE(last.start()) << last.log_text();
  resp_client c3 = last.client();
  for (size_t i = 0; i < stream_keys.size(); ++i)
    EXPECT_EQ(full_info_unseen(c3, stream_keys[i]), before[i]) << "rewrite " << stream_keys[i];
}

TEST(stream_files, replicas_follow_consumer_groups) {
  server_process master;
  ASSERT_TRUE(master.start());
  server_process troupe_replica({"--replicaof", "127.0.0.1", std::to_string(master.port())});
  server_process redis_replica({"--replicaof", "127.0.0.1", std::to_string(master.port())},
                               server_process::kind::redis);
  ASSERT_TRUE(troupe_replica.start());
  ASSERT_TRUE(redis_replica.start());
  auto link_up = [](const server_process& r) {
    return info_field(r, "replication", "master_link_status") == "up";
  };
  ASSERT_TRUE(wait_for([&] { return link_up(troupe_replica) && link_up(redis_replica); }));
  resp_client c = master.client();
  // Written after the replicas synced: they follow the propagated commands.
  fill_streams(c);
  c.call({"XAUTOCLAIM", "big", "workers", "dave", "0", "0", "COUNT", "2"});
  c.call({"XADD", "big", "*", "clock", "id"});
  c.call({"XADD", "big", "MAXLEN", "~", "100", "*", "x", "y"});
  c.call({"XREADGROUP", "GROUP", "late", "erin", "STREAMS", "big", ">"});
  c.call({"XDEL", "big", "20-2"});
  c.call({"XCLAIM", "big", "workers", "frank", "0", "20-2", "21-0"});
  int64_t target = std::stoll(info_field(master, "replication", "master_repl_offset"));
  for (server_process* r : {&troupe_replica, &redis_replica}) {
    ASSERT_TRUE(wait_for([&] {
      std::string off = info_field(*r, "replication", "slave_repl_offset");
      return !off.empty() && std::stoll(off) >= target;
    })) << r->log_text();
    resp_client rc = r->client();
    for (auto& k : stream_keys)
      EXPECT_EQ(full_info_unseen(rc, k), full_info_unseen(c, k)) << k << " on port " << r->port();
  }
}
