// What CONFIG SET changes on a running server, seen on the wire: the cron's
// frequency (hz, dynamic-hz), the addresses it listens on, and CONFIG SET's
// errors and roll-backs compared with redis-server.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <thread>

#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// An integer field of an INFO section, or -1.
int64_t info_field(resp_client& c, const std::string& section, const std::string& name) {
  std::string text = c.call({"INFO", section}).str;
  std::string key = "\r\n" + name + ":";
  size_t at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size()));
}

// Polls `cond` until it holds or `limit` passes; whether it held.
bool eventually(const std::function<bool()>& cond,
                std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string config_get(resp_client& c, const std::string& name) {
  auto r = c.call({"CONFIG", "GET", name});
  return r.elements.size() == 2 ? r.elements[1].str : "<none>";
}

}  // namespace

// The active expiry cycle of each shard runs once per cron tick and, while few
// of the keys it samples have expired, expires about one of them and stops: so
// with a small share of expired keys, expired_keys counts cron ticks. At hz 1
// it grows by about 4 a second (4 shards); after CONFIG SET hz 500 it must grow
// by hundreds at once. If the cron kept its start-up period (the bug this
// guards against) 400 would take well over a minute.
TEST(config_hz, set_hz_changes_the_cron_period_at_once) {
  server_process s({"--hz", "1", "--dynamic-hz", "no"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  constexpr int keys = 50000;
  for (int i = 0; i < keys; ++i) {
    if (i % 25 == 0)
      c.append({"SET", "short:" + std::to_string(i), "v", "PX", "1"});
    else
      c.append({"SET", "long:" + std::to_string(i), "v", "EX", "100000"});
  }
  c.flush();
  for (int i = 0; i < keys; ++i) ASSERT_EQ(c.read_reply().str, "OK");
  EXPECT_EQ(info_field(c, "server", "hz"), 1);

  int64_t before = info_field(c, "stats", "expired_keys");
  ASSERT_EQ(c.call({"CONFIG", "SET", "hz", "500"}).str, "OK");
  EXPECT_EQ(info_field(c, "server", "hz"), 500);
  EXPECT_EQ(info_field(c, "server", "configured_hz"), 500);
  int64_t last = before;
  bool fast = eventually(
      [&] {
        last = info_field(c, "stats", "expired_keys");
        return last >= before + 400;
      },
      std::chrono::seconds(30));
  EXPECT_TRUE(fast) << "expired_keys went from " << before << " to " << last;
  // Nothing touched the keys: only the cron expired them.
  EXPECT_EQ(info_field(c, "stats", "keyspace_hits"), 0);
}

// Redis 7.0 doubles the cron's frequency while there are more than 200 clients
// per tick (dynamic-hz yes, the default); INFO shows hz and configured_hz.
TEST(config_hz, dynamic_hz_follows_the_number_of_clients_as_in_redis) {
  server_process r({"--hz", "1"}, server_process::kind::redis);
  server_process t({"--hz", "1"});
  ASSERT_TRUE(r.start());
  ASSERT_TRUE(t.start());
  for (server_process* s : {&r, &t}) {
    SCOPED_TRACE(s == &r ? "redis" : "troupe");
    resp_client probe = s->client();
    EXPECT_EQ(config_get(probe, "dynamic-hz"), "yes");
    EXPECT_EQ(info_field(probe, "server", "hz"), 1);
    std::vector<resp_client> crowd;
    for (int i = 0; i < 250; ++i) {
      crowd.push_back(s->client());
      ASSERT_EQ(crowd.back().call({"PING"}).str, "PONG");
    }
    // 251 clients / 1 > 200: twice the configured frequency.
    EXPECT_TRUE(eventually([&] { return info_field(probe, "server", "hz") == 2; }));
    EXPECT_EQ(info_field(probe, "server", "configured_hz"), 1);
    // Without dynamic-hz the configured frequency holds whatever the clients.
    EXPECT_EQ(probe.call({"CONFIG", "SET", "dynamic-hz", "no"}).str, "OK");
    EXPECT_TRUE(eventually([&] { return info_field(probe, "server", "hz") == 1; }));
    EXPECT_EQ(probe.call({"CONFIG", "SET", "dynamic-hz", "yes"}).str, "OK");
    EXPECT_TRUE(eventually([&] { return info_field(probe, "server", "hz") == 2; }));
    crowd.clear();
    EXPECT_TRUE(eventually([&] { return info_field(probe, "server", "hz") == 1; }));
  }
}

TEST(config_live, set_bind_listens_on_the_new_addresses) {
  server_process s;
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  EXPECT_EQ(c.call({"CONFIG", "SET", "bind", "127.0.0.2"}).str, "OK");
  EXPECT_EQ(config_get(c, "bind"), "127.0.0.2");
  resp_client fresh;
  ASSERT_TRUE(fresh.connect("127.0.0.2", s.port()));
  EXPECT_EQ(fresh.call({"PING"}).str, "PONG");
  resp_client old;
  EXPECT_FALSE(old.connect("127.0.0.1", s.port()));
  EXPECT_EQ(c.call({"PING"}).str, "PONG");  // connected clients stay
  // An address that cannot be bound keeps the old ones, as Redis does.
  auto e = c.call({"CONFIG", "SET", "bind", "127.0.0.2 192.0.2.1"});
  EXPECT_EQ(e.str,
            "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to "
            "specified addresses.");
  EXPECT_EQ(config_get(c, "bind"), "127.0.0.2");
  resp_client still;
  ASSERT_TRUE(still.connect("127.0.0.2", s.port()));
  // bind and port in one command: one rebind with both.
  int port = free_port();
  EXPECT_EQ(c.call({"CONFIG", "SET", "port", std::to_string(port), "bind", "127.0.0.1"}).str, "OK");
  resp_client both;
  ASSERT_TRUE(both.connect("127.0.0.1", port));
  EXPECT_EQ(both.call({"PING"}).str, "PONG");
}

// Every error CONFIG SET can give, and what is left after it, against Redis.
TEST(config_live, set_errors_and_rollbacks_match_redis) {
  // Both may change dir and dbfilename, to compare their errors.
  server_process r({"--enable-protected-configs", "yes"}, server_process::kind::redis);
  server_process t({"--enable-protected-configs", "yes", "--save", ""});
  ASSERT_TRUE(r.start());
  ASSERT_TRUE(t.start());
  resp_client rc = r.client(), tc = t.client();
  auto same = [&](std::vector<std::string> args) {
    auto a = rc.call(args), b = tc.call(args);
    std::string what;
    for (auto& x : args) what += x + " ";
    EXPECT_EQ(a.to_string(), b.to_string()) << what;
  };
  // Sets on both, then compares what each directive named holds now: the same
  // value, or for those set up differently (port, dir), its value before.
  auto set = [&](std::vector<std::string> pairs) {
    std::vector<std::string> args = {"CONFIG", "SET"};
    args.insert(args.end(), pairs.begin(), pairs.end());
    std::map<std::string, std::pair<std::string, std::string>> before;
    for (size_t i = 0; i + 1 < pairs.size(); i += 2)
      before[pairs[i]] = {config_get(rc, pairs[i]), config_get(tc, pairs[i])};
    same(args);
    for (auto& [name, was] : before) {
      if (name == "port" || name == "dir") {
        EXPECT_EQ(config_get(rc, name), was.first) << name;
        EXPECT_EQ(config_get(tc, name), was.second) << name;
      } else {
        same({"CONFIG", "GET", name});
      }
    }
  };
  set({"hz", "-1"});
  set({"hz", "0"});
  set({"hz", "1000"});
  set({"hz", "10"});
  set({"timeout", "abc", "daemonize", "yes"});  // the immutable name wins
  set({"TIMEOUT", "abc"});
  set({"hash-max-ziplist-entries", "abc"});
  set({"hash-max-ziplist-entries", "1", "hash-max-listpack-entries", "2"});
  set({"timeout", "1", "TIMEOUT", "2"});
  set({"nosuch", "1", "daemonize", "yes"});
  set({"daemonize", "yes", "nosuch", "1"});
  set({"appendonly", "maybe"});
  set({"dynamic-hz", "maybe"});
  set({"proto-max-bulk-len", "10xb"});
  set({"proto-max-bulk-len", "-5"});
  set({"proto-max-bulk-len", "1023"});
  set({"proto-max-bulk-len", "2mb"});
  set({"client-query-buffer-limit", "1100k"});
  set({"maxclients", "abc"});
  set({"maxclients", "0"});
  set({"list-max-listpack-size", "99999999999"});
  set({"tcp-keepalive", "-1"});
  set({"port", "99999"});
  set({"loglevel", "LOUD"});
  set({"loglevel", "VERBOSE"});
  set({"appendfsync", "Always"});
  set({"appendfsync", "everysec"});
  set({"notify-keyspace-events", "Q"});
  set({"notify-keyspace-events", "KEA"});
  set({"notify-keyspace-events", "Ex"});
  set({"notify-keyspace-events", ""});
  set({"client-output-buffer-limit", "normal 1 2"});
  set({"client-output-buffer-limit", "foo 1 2 3"});
  set({"client-output-buffer-limit", "normal a 2 3"});
  set({"client-output-buffer-limit", "replica 1mb 2k 3"});
  set({"save", "1 2 3"});
  set({"save", "a b"});
  set({"save", "-1 2"});
  set({"save", "100 1 200 2"});
  set({"save", ""});
  set({"unixsocketperm", "700"});
  set({"replicaof", "no one"});
  set({"dbfilename", "a/b"});
  set({"dir", "/nonexistent"});
  set({"dir", ""});
  // All or nothing: the failing dir restores save and timeout.
  set({"save", "100 1", "timeout", "7", "dir", "/nonexistent"});
  set({"bind", "127.0.0.1 192.0.2.1"});
}
