// MIGRATE between Troupe and redis-server 7.0, both ways: single keys and
// KEYS, COPY, REPLACE, AUTH/AUTH2, TTLs carried over, NOKEY, errors from the
// target reported as Redis does, a refused connection and a target that never
// answers (IOERR within the timeout, the server still serving), option errors
// and COMMAND GETKEYS differential against Redis.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class migrate : public differential_suite<migrate> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
  std::string redis_port() { return std::to_string(d->redis().port()); }
  std::string troupe_port() { return std::to_string(d->troupe().port()); }
};

TEST_F(migrate, moves_keys_to_redis_with_their_ttl) {
  auto& t = d->troupe_client();
  t.call({"SET", "s", "v"});
  t.call({"PEXPIRE", "s", "100000"});
  t.call({"RPUSH", "l", "a", "b", "c"});
  t.call({"HSET", "h", "f", "1"});
  EXPECT_EQ(t.call({"MIGRATE", "127.0.0.1", redis_port(), "s", "0", "5000"}).str, "OK");
  EXPECT_EQ(t.call({"EXISTS", "s"}).integer, 0);
  auto& r = d->redis_client();
  EXPECT_EQ(r.call({"GET", "s"}).str, "v");
  auto ttl = r.call({"PTTL", "s"}).integer;
  EXPECT_GT(ttl, 90000);
  EXPECT_LE(ttl, 100000);
  // Several keys, one missing; into another database.
  EXPECT_EQ(
      t.call({"MIGRATE", "127.0.0.1", redis_port(), "", "3", "5000", "KEYS", "l", "nosuch", "h"})
          .str,
      "OK");
  EXPECT_EQ(t.call({"EXISTS", "l", "h"}).integer, 0);
  r.call({"SELECT", "3"});
  EXPECT_EQ(r.call({"LRANGE", "l", "0", "-1"}).to_string(), "[\"a\", \"b\", \"c\"]");
  EXPECT_EQ(r.call({"HGET", "h", "f"}).str, "1");
  r.call({"SELECT", "0"});
  // Nothing to move.
  auto nokey = t.call({"MIGRATE", "127.0.0.1", redis_port(), "nosuch", "0", "5000"});
  EXPECT_EQ(nokey.type, resp_value::kind::simple);
  EXPECT_EQ(nokey.str, "NOKEY");
}

TEST_F(migrate, copy_replace_and_target_errors) {
  auto& t = d->troupe_client();
  auto& r = d->redis_client();
  t.call({"SET", "k", "troupe"});
  r.call({"SET", "k", "redis"});
  auto busy = t.call({"MIGRATE", "127.0.0.1", redis_port(), "k", "0", "5000"});
  EXPECT_EQ(busy.str,
            "ERR Target instance replied with error: BUSYKEY Target key name already "
            "exists.");
  EXPECT_EQ(t.call({"GET", "k"}).str, "troupe");  // not acknowledged: kept
  EXPECT_EQ(t.call({"MIGRATE", "127.0.0.1", redis_port(), "k", "0", "5000", "COPY", "REPLACE"}).str,
            "OK");
  EXPECT_EQ(t.call({"GET", "k"}).str, "troupe");  // COPY keeps it here
  EXPECT_EQ(r.call({"GET", "k"}).str, "troupe");
  auto db = t.call({"MIGRATE", "127.0.0.1", redis_port(), "k", "99", "5000"});
  EXPECT_EQ(db.str, "ERR Target instance replied with error: ERR DB index is out of range");
}

TEST_F(migrate, auth_and_auth2) {
  server_process target({"--requirepass", "secret"}, server_process::kind::redis);
  ASSERT_TRUE(target.start());
  std::string port = std::to_string(target.port());
  auto& t = d->troupe_client();
  t.call({"SET", "a", "1"});
  auto no = t.call({"MIGRATE", "127.0.0.1", port, "a", "0", "5000"});
  EXPECT_EQ(no.str, "ERR Target instance replied with error: NOAUTH Authentication required.");
  auto wrong = t.call({"MIGRATE", "127.0.0.1", port, "a", "0", "5000", "AUTH", "nope"});
  EXPECT_EQ(wrong.str,
            "ERR Target instance replied with error: WRONGPASS invalid username-password pair or "
            "user is disabled.");
  EXPECT_EQ(
      t.call({"MIGRATE", "127.0.0.1", port, "a", "0", "5000", "AUTH2", "default", "secret"}).str,
      "OK");
  EXPECT_EQ(target.call({"AUTH", "secret"}).str, "OK");
  resp_client c = target.client();
  c.call({"AUTH", "secret"});
  EXPECT_EQ(c.call({"GET", "a"}).str, "1");
  // The password is not shown by MONITOR/SLOWLOG: redacted as in Redis.
  t.call({"CONFIG", "SET", "slowlog-log-slower-than", "0"});
  t.call({"SET", "b", "2"});
  t.call({"MIGRATE", "127.0.0.1", port, "b", "0", "5000", "AUTH", "secret"});
  auto log = t.call({"SLOWLOG", "GET", "1"}).to_string();
  EXPECT_EQ(log.find("secret"), std::string::npos) << log;
  t.call({"CONFIG", "SET", "slowlog-log-slower-than", "10000"});
}

TEST_F(migrate, redis_migrates_into_troupe) {
  auto& r = d->redis_client();
  r.call({"ZADD", "z", "1", "a", "2", "b"});
  r.call({"SET", "s", "x", "EX", "1000"});
  EXPECT_EQ(r.call({"MIGRATE", "127.0.0.1", troupe_port(), "", "0", "5000", "KEYS", "z", "s"}).str,
            "OK");
  auto& t = d->troupe_client();
  EXPECT_EQ(t.call({"ZRANGE", "z", "0", "-1", "WITHSCORES"}).to_string(),
            "[\"a\", \"1\", \"b\", \"2\"]");
  EXPECT_GT(t.call({"TTL", "s"}).integer, 990);
}

TEST_F(migrate, unreachable_targets_give_ioerr_and_the_server_keeps_serving) {
  auto& t = d->troupe_client();
  t.call({"SET", "k", "v"});
  // A port nobody listens on.
  int closed_port = free_port();
  auto refused = t.call({"MIGRATE", "127.0.0.1", std::to_string(closed_port), "k", "0", "1000"});
  EXPECT_EQ(refused.str, "IOERR error or timeout connecting to the client");
  // A listener that accepts (the kernel's backlog) and never answers.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  auto silent =
      t.call({"MIGRATE", "127.0.0.1", std::to_string(ntohs(sa.sin_port)), "k", "0", "200"});
  EXPECT_EQ(silent.str, "IOERR error or timeout reading to target instance");
  ::close(fd);
  EXPECT_EQ(t.call({"GET", "k"}).str, "v");  // nothing acknowledged, nothing lost
  EXPECT_EQ(d->troupe().call({"PING"}).str, "PONG");
}

TEST_F(migrate, option_errors_and_getkeys_as_redis) {
  d->same({"SET", "k", "v"});
  // Errors that come before any connection is tried.
  d->same({"MIGRATE", "127.0.0.1", "1", "k", "0", "100", "BOGUS"});
  d->same({"MIGRATE", "127.0.0.1", "1", "k", "0", "100", "AUTH"});
  d->same({"MIGRATE", "127.0.0.1", "1", "k", "0", "100", "AUTH2", "u"});
  d->same({"MIGRATE", "127.0.0.1", "1", "k", "0", "100", "KEYS", "k"});
  d->same({"MIGRATE", "127.0.0.1", "1", "k", "0", "notanumber"});
  d->same({"MIGRATE", "127.0.0.1", "1", "k", "x", "100"});
  d->same({"MIGRATE", "127.0.0.1", "1", "nosuch", "0", "100"});
  d->same({"MIGRATE", "127.0.0.1", "1", "", "0", "100", "KEYS", "nosuch", "nosuch2"});
  d->same({"MIGRATE", "127.0.0.1", "1", "k", "0"});
  d->same({"COMMAND", "GETKEYS", "MIGRATE", "h", "1", "k", "0", "10", "AUTH", "p"});
  d->same({"COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "10", "AUTH2", "u", "p", "KEYS", "a",
           "b"});
  d->same({"COMMAND", "GETKEYSANDFLAGS", "MIGRATE", "h", "1", "", "0", "10", "KEYS", "a"});
  d->same({"RESTORE-ASKING", "k", "0", "garbage"});
  auto dump = d->troupe_client().call({"DUMP", "k"});
  d->same({"RESTORE-ASKING", "k2", "0", dump.str});
  d->same({"GET", "k2"});
  // Cluster commands on a standalone server.
  for (auto cmd : std::vector<std::vector<std::string>>{{"READONLY"},
                                                        {"READWRITE"},
                                                        {"ASKING"},
                                                        {"CLUSTER", "INFO"},
                                                        {"CLUSTER", "HELP"},
                                                        {"CLUSTER", "KEYSLOT", "a"},
                                                        {"CLUSTER", "FOO"},
                                                        {"CLUSTER", "INFO", "x"},
                                                        {"CLUSTER"}})
    d->same(cmd);
}
