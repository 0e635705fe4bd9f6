// Blocking list and sorted set commands: immediate answers like redis-server's,
// wake-ups in blocking order, timeouts, CLIENT UNBLOCK, MULTI, and BLMOVE across
// shards under disconnects and timeouts losing and duplicating nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class blocking : public differential_suite<blocking> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

TEST_F(blocking, immediate_replies_and_errors_like_redis) {
  d->same({"RPUSH", "l", "a", "b", "c"});
  d->same({"BLPOP", "nope", "l", "0"});
  d->same({"BRPOP", "l", "0"});
  d->same({"BLMOVE", "l", "l2", "LEFT", "RIGHT", "0"});
  d->same({"BRPOPLPUSH", "l2", "l3", "0"});
  d->same({"RPUSH", "l", "x", "y", "z"});
  d->same({"BLMPOP", "0", "2", "nope", "l", "RIGHT", "COUNT", "2"});
  d->same({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  d->same({"BZPOPMIN", "z", "0"});
  d->same({"BZPOPMAX", "nope", "z", "0"});
  d->same({"BZMPOP", "0", "1", "z", "MIN", "COUNT", "5"});
  d->same({"SET", "s", "x"});
  d->same({"BLPOP", "s", "0"});
  d->same({"BZPOPMIN", "s", "0"});
  d->same({"BLPOP", "l", "abc"});
  d->same({"BLPOP", "l", "-1"});
  d->same({"BLPOP", "l", "1e30"});
  d->same({"BLMOVE", "l", "x", "UP", "LEFT", "0"});
  d->same({"BLMPOP", "0", "0", "l", "LEFT"});
  d->same({"BLMPOP", "0", "1", "l", "MIDDLE"});
  d->same({"BLMPOP", "0", "1", "l", "LEFT", "COUNT", "0"});
  d->same({"BLMPOP", "0", "5", "l", "LEFT"});
  d->same({"BZMPOP", "0", "1", "z", "LEFT"});
  d->same({"BLPOP", "nope", "0.01"});
  d->same({"BLMOVE", "nope", "x", "LEFT", "LEFT", "0.01"});
  d->same({"BZPOPMIN", "nope", "0.01"});
  d->same({"BLMPOP", "0.01", "1", "nope", "LEFT"});
}

TEST_F(blocking, inside_multi_answers_nil_at_once) {
  d->same({"MULTI"});
  d->same({"BLPOP", "nope", "0"});
  d->same({"BLMOVE", "nope", "x", "LEFT", "LEFT", "0"});
  d->same({"BRPOPLPUSH", "nope", "x", "0"});
  d->same({"BZPOPMIN", "nope", "0"});
  d->same({"BLMPOP", "0", "1", "nope", "LEFT"});
  d->same({"EXEC"});
}

TEST_F(blocking, woken_in_the_order_they_blocked) {
  // Same scenario on both servers: three waiters, then one push of three.
  for (server_process* s : {&d->redis(), &d->troupe()}) {
    std::vector<resp_client> waiters;
    for (int i = 0; i < 3; ++i) {
      waiters.push_back(s->client());
      waiters.back().append({"BLPOP", "q", "0"});
      waiters.back().flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // fix the blocking order
    }
    EXPECT_EQ(s->call({"RPUSH", "q", "first", "second", "third"}).integer, 3);
    EXPECT_EQ(waiters[0].read_reply().to_string(), "[\"q\", \"first\"]");
    EXPECT_EQ(waiters[1].read_reply().to_string(), "[\"q\", \"second\"]");
    EXPECT_EQ(waiters[2].read_reply().to_string(), "[\"q\", \"third\"]");
    EXPECT_EQ(s->call({"EXISTS", "q"}).integer, 0);
  }
}

TEST_F(blocking, multi_exec_push_wakes_after_the_whole_transaction) {
  resp_client w = d->troupe().client();
  w.append({"BLPOP", "m", "0"});
  w.flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  resp_client c = d->troupe().client();
  c.call({"MULTI"});
  c.call({"RPUSH", "m", "a"});
  c.call({"RPUSH", "m", "b"});
  c.call({"LPOP", "m"});  // inside the transaction, before any waiter runs
  auto exec = c.call({"EXEC"});
  EXPECT_EQ(exec.to_string(), "[1, 2, \"a\"]");
  EXPECT_EQ(w.read_reply().to_string(), "[\"m\", \"b\"]");
}

TEST_F(blocking, timeout_and_pipelined_commands_behind) {
  resp_client c = d->troupe().client();
  auto start = std::chrono::steady_clock::now();
  c.append({"BLPOP", "nothing", "0.2"});
  c.append({"PING"});
  c.flush();
  EXPECT_TRUE(c.read_reply().is_nil());
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  EXPECT_GE(ms, 190);
  EXPECT_EQ(c.read_reply().str, "PONG");
}

TEST_F(blocking, client_unblock) {
  resp_client w = d->troupe().client();
  auto id = w.call({"CLIENT", "ID"}).integer;
  w.append({"BRPOP", "u", "0"});
  w.flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto info = d->troupe_client().call({"INFO", "clients"}).str;
  EXPECT_NE(info.find("blocked_clients:1"), std::string::npos) << info;
  EXPECT_EQ(d->troupe_client().call({"CLIENT", "UNBLOCK", std::to_string(id)}).integer, 1);
  EXPECT_TRUE(w.read_reply().is_nil());
  w.append({"BRPOP", "u", "0"});
  w.flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  d->troupe_client().call({"CLIENT", "UNBLOCK", std::to_string(id), "ERROR"});
  EXPECT_EQ(w.read_reply().str, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
  EXPECT_EQ(d->troupe_client().call({"CLIENT", "UNBLOCK", std::to_string(id)}).integer, 0);
  d->same({"CLIENT", "UNBLOCK", "1", "FOO"});
}

TEST_F(blocking, zset_and_lmove_wakeups) {
  resp_client z = d->troupe().client();
  z.append({"BZPOPMAX", "zz", "0"});
  z.flush();
  resp_client m = d->troupe().client();
  m.append({"BLMOVE", "src", "{x}dst", "RIGHT", "LEFT", "0"});
  m.flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  d->troupe_client().call({"ZADD", "zz", "1", "a", "5", "b"});
  EXPECT_EQ(z.read_reply().to_string(), "[\"zz\", \"b\", \"5\"]");
  d->troupe_client().call({"RPUSH", "src", "v1", "v2"});
  EXPECT_EQ(m.read_reply().str, "v2");
  EXPECT_EQ(d->troupe_client().call({"LRANGE", "{x}dst", "0", "-1"}).to_string(), "[\"v2\"]");
}

TEST_F(blocking, disconnected_waiter_is_skipped) {
  {
    resp_client gone = d->troupe().client();
    gone.append({"BLPOP", "dq", "0"});
    gone.flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  resp_client w = d->troupe().client();
  w.append({"BLPOP", "dq", "0"});
  w.flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  d->troupe_client().call({"RPUSH", "dq", "only"});
  EXPECT_EQ(w.read_reply().to_string(), "[\"dq\", \"only\"]");
}

// BLMOVE between keys of different shards, on two reactors, with waiters that
// time out or disconnect at random: every element ends up exactly once.
TEST(blocking_stress, blmove_across_shards_loses_and_duplicates_nothing) {
  server_process s({"--threads", "2", "--shards", "8"});
  ASSERT_TRUE(s.start());
  const int elements = 3000;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < 6; ++c) {
    threads.emplace_back([&, c] {
      std::mt19937 rng{unsigned(c)};
      resp_client cl = s.client();
      while (!stop) {
        std::string src = "src:" + std::to_string(rng() % 3);
        std::string dst = "dst:" + std::to_string(rng() % 3);
        std::string timeout = rng() % 2 ? "0.01" : "0.05";
        cl.append({"BLMOVE", src, dst, "LEFT", "RIGHT", timeout});
        cl.flush();
        if (rng() % 7 == 0) {
          // Hang up while blocked (or while being served).
          std::this_thread::sleep_for(std::chrono::microseconds(rng() % 3000));
          cl = s.client();
          continue;
        }
        cl.read_reply();
      }
    });
  }
  resp_client producer = s.client();
  for (int i = 0; i < elements; ++i) {
    producer.call({"RPUSH", "src:" + std::to_string(i % 3), "e" + std::to_string(i)});
    if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  for (auto& t : threads) t.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::multiset<std::string> all;
  for (auto prefix : {"src:", "dst:"})
    for (int i = 0; i < 3; ++i)
      for (auto& e : producer.call({"LRANGE", prefix + std::to_string(i), "0", "-1"}).elements)
        all.insert(e.str);
  EXPECT_EQ(all.size(), size_t(elements));
  std::set<std::string> unique(all.begin(), all.end());
  EXPECT_EQ(unique.size(), size_t(elements));
  auto info = producer.call({"INFO", "clients"}).str;
  EXPECT_NE(info.find("blocked_clients:0"), std::string::npos) << info;
}

// Found by the hostile-input tester: BLMPOP and BZMPOP read their timeout
// last, after numkeys, the direction and COUNT (as LMPOP/ZMPOP do).
TEST_F(blocking, mpop_timeout_is_checked_last) {
  d->same({"RPUSH", "l", "a"});
  d->same({"ZADD", "z", "1", "a"});
  for (auto cmd : {"BLMPOP", "BZMPOP"}) {
    bool list = std::string(cmd) == "BLMPOP";
    const char* side = list ? "LEFT" : "MIN";
    const char* key = list ? "l" : "z";
    d->same({cmd, "-1", "0", key, side});
    d->same({cmd, "-", "1", key, side, "COUNT", "+1"});
    d->same({cmd, "-1e308", "1", key, side, "COUNTx", "65535"});
    d->same({cmd, "18446744073709551616", "3", key, key, key, "100"});
    d->same({cmd, "(-inf", " 1", key, side});
    d->same({cmd, "x", "1", key, side});
    d->same({cmd, "-1", "1", key, side});
    d->same({cmd, "x", "1", key, side, "COUNT", "2"});
  }
}
