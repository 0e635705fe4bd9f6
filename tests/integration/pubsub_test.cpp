// Pub/sub in RESP2 and RESP3, PUBSUB introspection, keyspace notifications,
// and slow subscribers being cut off by client-output-buffer-limit.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class pubsub : public differential_suite<pubsub> {
 protected:
  void SetUp() override { ASSERT_TRUE(d->ok()); }
};

TEST_F(pubsub, subscribe_publish_unsubscribe_like_redis) {
  resp_client rs = d->redis().client(), ts = d->troupe().client();
  auto both = [&](std::vector<std::string> args) {
    auto a = rs.call(args), b = ts.call(args);
    EXPECT_EQ(a.to_string(), b.to_string()) << args[0];
    return b;
  };
  auto both_read = [&] {
    auto a = rs.read_reply(), b = ts.read_reply();
    EXPECT_EQ(a.to_string(), b.to_string());
  };
  both({"SUBSCRIBE", "news", "sport"});
  both_read();  // second subscribe confirmation
  both({"PSUBSCRIBE", "n*"});
  both({"GET", "x"});  // not allowed in RESP2 subscribed mode
  both({"PING"});
  both({"PING", "hi"});
  EXPECT_EQ(d->same({"PUBLISH", "news", "hello"}).integer, 2);  // channel + pattern
  both_read();
  both_read();
  d->same({"PUBSUB", "NUMSUB", "news", "sport", "none"});
  d->same({"PUBSUB", "NUMPAT"});
  d->same({"PUBSUB", "CHANNELS", "sp*"});
  d->same({"PUBSUB", "FOO"});
  both({"UNSUBSCRIBE", "news"});
  both({"PUNSUBSCRIBE"});
  both({"UNSUBSCRIBE"});
  both({"UNSUBSCRIBE"});  // nothing left: one reply with nil
  both({"SET", "back", "normal"});
}

// Sharded pub/sub (Redis 7.0) on a standalone server: its own namespace
// (PUBLISH and patterns never reach shard subscribers, SPUBLISH only them), its
// own count in replies, smessage pushes, PUBSUB SHARDCHANNELS/SHARDNUMSUB,
// refused inside EXEC, in RESP2 and RESP3.
TEST_F(pubsub, sharded_pubsub_like_redis) {
  for (int resp : {2, 3}) {
    resp_client rs = d->redis().client(), ts = d->troupe().client();
    auto both = [&](std::vector<std::string> args) {
      auto a = rs.call(args), b = ts.call(args);
      EXPECT_EQ(a.to_string(), b.to_string()) << args[0] << " RESP" << resp;
      return b;
    };
    auto both_read = [&] {
      auto a = rs.read_reply(), b = ts.read_reply();
      EXPECT_EQ(a.to_string(), b.to_string()) << "RESP" << resp;
    };
    rs.call({"HELLO", std::to_string(resp)});
    ts.call({"HELLO", std::to_string(resp)});
    both({"MULTI"});
    both({"SSUBSCRIBE", "a"});
    both({"EXEC"});
    both({"SUNSUBSCRIBE"});  // nothing to leave: nil name, count 0
    both({"SSUBSCRIBE", "a", "{a}b"});
    both_read();
    both({"SUBSCRIBE", "a"});  // a plain channel of the same name: counted apart
    both({"PSUBSCRIBE", "*"});
    EXPECT_EQ(d->same({"SPUBLISH", "a", "s1"}).integer, 1);
    both_read();
    EXPECT_EQ(d->same({"PUBLISH", "a", "p1"}).integer, 2);  // channel + pattern, not shard
    both_read();
    both_read();
    auto all = d->troupe_client().call({"PUBSUB", "SHARDCHANNELS"});
    EXPECT_EQ(all.elements.size(), 2u);  // dict order: compared by pattern below
    d->same({"PUBSUB", "SHARDCHANNELS", "a"});
    d->same({"PUBSUB", "SHARDCHANNELS", "{*"});
    d->same({"PUBSUB", "SHARDNUMSUB", "a", "{a}b", "none"});
    d->same({"PUBSUB", "NUMSUB", "a", "none"});
    d->same({"PUBSUB", "SHARDCHANNELS", "x", "y"});
    both({"SUNSUBSCRIBE", "x", "a"});
    both_read();
    both({"SUNSUBSCRIBE"});
    both({"UNSUBSCRIBE"});
    both({"PUNSUBSCRIBE"});
    d->same({"SPUBLISH", "a", "gone"});
    d->same({"SPUBLISH", "a"});
    d->same({"SSUBSCRIBE"});
  }
}

TEST_F(pubsub, resp3_push_and_normal_commands) {
  resp_client s = d->troupe().client();
  s.call({"HELLO", "3"});
  auto sub = s.call({"SUBSCRIBE", "ch"});
  EXPECT_EQ(sub.type, resp_value::kind::push);
  EXPECT_EQ(s.call({"SET", "k", "v"}).str, "OK");  // allowed in RESP3
  EXPECT_EQ(d->troupe_client().call({"PUBLISH", "ch", "m"}).integer, 1);
  auto msg = s.read_reply();
  EXPECT_EQ(msg.type, resp_value::kind::push);
  EXPECT_EQ(msg.to_string(), "[\"message\", \"ch\", \"m\"]");
}

TEST_F(pubsub, many_subscribers_and_disconnects) {
  std::vector<resp_client> subs;
  for (int i = 0; i < 20; ++i) {
    subs.push_back(d->troupe().client());
    subs.back().call({"SUBSCRIBE", "fan"});
  }
  EXPECT_EQ(d->troupe_client().call({"PUBLISH", "fan", "x"}).integer, 20);
  for (auto& s : subs) EXPECT_EQ(s.read_reply().elements[2].str, "x");
  subs.resize(5);  // 15 disconnect
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(d->troupe_client().call({"PUBLISH", "fan", "y"}).integer, 5);
}

TEST(pubsub_events, keyspace_notifications) {
  server_process s({"--notify-keyspace-events", "KEA"});
  ASSERT_TRUE(s.start());
  server_process r({"--notify-keyspace-events", "KEA"}, server_process::kind::redis);
  ASSERT_TRUE(r.start());
  resp_client ts = s.client(), rs = r.client();
  ts.call({"PSUBSCRIBE", "__key*__:*"});
  rs.call({"PSUBSCRIBE", "__key*__:*"});
  std::vector<std::vector<std::string>> cmds = {{"SET", "k", "v"},
                                                {"SET", "k", "v2", "EX", "100"},
                                                {"APPEND", "k", "x"},
                                                {"INCR", "n"},
                                                {"INCRBYFLOAT", "n", "1.5"},
                                                {"EXPIRE", "k", "50"},
                                                {"PERSIST", "k"},
                                                {"RENAME", "k", "k2"},
                                                {"DEL", "k2"},
                                                {"SETRANGE", "s", "2", "x"},
                                                {"GETDEL", "s"},
                                                {"MSET", "a", "1", "b", "2"},
                                                {"COPY", "a", "c"},
                                                {"MOVE", "c", "1"},
                                                {"SETBIT", "bits", "3", "1"},
                                                {"EXPIRE", "a", "0"},
                                                {"FLUSHALL"}};
  resp_client tc = s.client(), rc = r.client();
  for (auto& c : cmds) {
    tc.call(c);
    rc.call(c);
  }
  tc.call({"PUBLISH", "end", "x"});
  rc.call({"PUBLISH", "end", "x"});
  ts.set_timeout(500);
  rs.set_timeout(500);
  // Read events until both streams go quiet; compare them in order.
  std::vector<std::string> te, re;
  for (;;) {
    auto v = ts.read_reply();
    if (v.is_error()) break;
    te.push_back(v.to_string());
    if (te.size() > 200) break;
  }
  for (;;) {
    auto v = rs.read_reply();
    if (v.is_error()) break;
    re.push_back(v.to_string());
    if (re.size() > 200) break;
  }
  EXPECT_EQ(re, te);
}

TEST(pubsub_limits, slow_subscriber_is_disconnected) {
  server_process s({"--client-output-buffer-limit", "pubsub 256kb 128kb 1"});
  ASSERT_TRUE(s.start());
  resp_client slow = s.client();
  // A tiny receive buffer so the server's writes back up.
  int small = 4096;
  setsockopt(slow.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  slow.call({"SUBSCRIBE", "flood"});
  resp_client pub = s.client();
  std::string payload(10000, 'p');
  for (int i = 0; i < 400; ++i) pub.append({"PUBLISH", "flood", payload});
  pub.flush();
  for (int i = 0; i < 400; ++i) pub.read_reply();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  // The publisher and the server are fine; the slow subscriber was dropped.
  EXPECT_EQ(pub.call({"PING"}).str, "PONG");
  EXPECT_EQ(pub.call({"PUBSUB", "NUMSUB", "flood"}).elements[1].integer, 0);
  EXPECT_NE(s.log_text().find("overcoming of output buffer limits"), std::string::npos);
}

// Found by the hostile-input tester.
TEST_F(pubsub, subcommand_errors_like_redis) {
  d->same({"PUBSUB", "CHANNELS", "a", "b"});
  d->same({"PUBSUB", "channels", "a", "b", "c"});
  d->same({"PUBSUB", std::string("\0", 1)});
  d->same({"PUBSUB", std::string("a\0b", 3)});
}
