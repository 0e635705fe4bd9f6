// The "new" keyspace event of Redis 7.0 (notify-keyspace-events flag n, not part
// of A): published when a key is created, before the creating command's own
// event. Each scenario runs against redis-server and Troupe with a subscriber on
// both; the event streams must be equal, in order.
#include <gtest/gtest.h>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// Runs cmds on a client while a subscriber listens to every keyspace channel;
// returns the events, ended by a PUBLISH marker that is read back.
std::vector<std::string> events_of(const server_process& s, const std::string& flags,
                                   const std::vector<std::vector<std::string>>& cmds) {
  resp_client c = s.client();
  c.call({"FLUSHALL"});
  c.call({"CONFIG", "SET", "notify-keyspace-events", flags});
  resp_client sub = s.client();
  sub.call({"PSUBSCRIBE", "__key*__:*"});
  sub.call({"SUBSCRIBE", "end-marker"});
  for (auto& cmd : cmds) c.call(cmd);
  c.call({"PUBLISH", "end-marker", "x"});
  std::vector<std::string> out;
  for (;;) {
    resp_value v = sub.read_reply();
    if (v.is_error()) {
      out.push_back("error: " + v.str);
      break;
    }
    if (v.elements.size() == 3 && v.elements[1].str == "end-marker") break;
    out.push_back(v.to_string());
  }
  c.call({"CONFIG", "SET", "notify-keyspace-events", ""});
  return out;
}

void expect_same_events(differential& d, const std::string& flags,
                        const std::vector<std::vector<std::string>>& cmds) {
  auto r = events_of(d.redis(), flags, cmds);
  auto t = events_of(d.troupe(), flags, cmds);
  EXPECT_EQ(r, t) << "flags " << flags;
  EXPECT_FALSE(r.empty());
}

const std::vector<std::vector<std::string>> creating_commands = {
    {"SET", "k", "v"},
    {"SET", "k", "v2"},  // exists: no "new"
    {"SET", "e", "v", "EX", "100"},
    {"SETNX", "nx", "1"},
    {"SETEX", "ex", "10", "v"},
    {"MSET", "m1", "1", "m2", "2", "k", "3"},
    {"MSETNX", "{n}1", "1", "{n}2", "2"},
    {"INCR", "counter"},
    {"INCRBYFLOAT", "f", "1.5"},
    {"APPEND", "ap", "x"},
    {"SETRANGE", "sr", "3", "x"},
    {"SETBIT", "bits", "9", "1"},
    {"GETSET", "gs", "v"},
    {"SET", "sg", "v", "GET"},
    {"RPUSH", "list", "a", "b"},
    {"LPUSH", "list", "c"},
    {"LPUSHX", "nolist", "x"},
    {"LMOVE", "list", "list2", "LEFT", "RIGHT"},
    {"HSET", "h", "f", "v"},
    {"HINCRBY", "h2", "f", "1"},
    {"HSETNX", "h3", "f", "v"},
    {"SADD", "s", "a", "b"},
    {"SMOVE", "s", "s2", "a"},
    {"SINTERSTORE", "s3", "s"},
    {"SUNIONSTORE", "s3", "s", "s2"},
    {"ZADD", "z", "1", "a", "2", "b"},
    {"ZINCRBY", "z2", "1", "m"},
    {"ZUNIONSTORE", "z3", "1", "z"},
    {"ZRANGESTORE", "z4", "z", "0", "-1"},
    {"RENAME", "k", "renamed"},
    {"RENAME", "renamed", "list2"},  // onto an existing key: Redis deletes, then adds
    {"COPY", "list2", "copied"},
    {"COPY", "list2", "copied", "REPLACE"},
    {"MOVE", "copied", "5"},
    {"DEL", "z3"},
};

}  // namespace

class keyspace_new_event : public differential_suite<keyspace_new_event> {
 protected:
  void SetUp() override { ASSERT_TRUE(d->ok()); }
};

TEST_F(keyspace_new_event, config_get_shows_n_as_redis_does) {
  for (const char* flags : {"KEn", "KEA", "KEAn", "Kgn", "g$lshzxetdmnKE", "An", "mn", "Em", "nm",
                            "dn", "n", "nA", "En$"}) {
    d->same({"CONFIG", "SET", "notify-keyspace-events", flags});
    d->same({"CONFIG", "GET", "notify-keyspace-events"});
  }
  d->same({"CONFIG", "SET", "notify-keyspace-events", ""});
}

TEST_F(keyspace_new_event, n_alone_reports_every_created_key) {
  expect_same_events(*d, "KEn", creating_commands);
  expect_same_events(*d, "En", creating_commands);
  expect_same_events(*d, "Kn", creating_commands);
}

TEST_F(keyspace_new_event, a_does_not_include_n) {
  expect_same_events(*d, "KEA", creating_commands);
  auto t = events_of(d->troupe(), "KEA", creating_commands);
  for (auto& e : t) EXPECT_EQ(e.find("\"new\""), std::string::npos) << e;
}

// With every class but one (all of them would print as "A", which Troupe's
// config text cannot tell from "A" without "n"), "new" comes first.
TEST_F(keyspace_new_event, new_comes_before_the_commands_own_events) {
  expect_same_events(*d, "KEg$lshzxetn", creating_commands);
}

TEST_F(keyspace_new_event, restore_and_served_waiters_create_keys_too) {
  for (server_process* s : {&d->redis(), &d->troupe()}) {
    s->call({"FLUSHALL"});
    s->call({"RPUSH", "{p}src", "x"});
  }
  std::string payload = d->redis_client().call({"DUMP", "{p}src"}).str;
  expect_same_events(*d, "KEg$lshzxetn",
                     {{"RESTORE", "r", "0", payload},
                      {"SET", "r2", "x"},
                      {"RESTORE", "r2", "0", payload, "REPLACE"},
                      {"RESTORE", "r3", "0", payload, "ABSTTL"}});
  // A blocked BLMOVE served by a push creates its destination.
  for (server_process* s : {&d->redis(), &d->troupe()}) {
    resp_client c = s->client();
    c.call({"CONFIG", "SET", "notify-keyspace-events", "KEg$lshzxetn"});
    resp_client sub = s->client();
    sub.call({"PSUBSCRIBE", "__key*__:*"});
    resp_client w = s->client();
    w.append({"BLMOVE", "{b}src", "{b}dst", "LEFT", "RIGHT", "0"});
    w.flush();
    for (int i = 0; i < 500; ++i) {  // wait until it blocks
      if (c.call({"INFO", "clients"}).str.find("blocked_clients:1") != std::string::npos) break;
    }
    c.call({"RPUSH", "{b}src", "v"});
    EXPECT_EQ(w.read_reply().str, "v");
    c.call({"PUBLISH", "__keyspace@0__:end", "x"});
    std::vector<std::string> ev;
    for (;;) {
      resp_value v = sub.read_reply();
      ASSERT_FALSE(v.is_error()) << v.str;
      if (v.elements.size() == 4 && v.elements[2].str == "__keyspace@0__:end") break;
      ev.push_back(v.elements[2].str + " " + v.elements[3].str);
    }
    static std::vector<std::string> redis_events;
    if (s == &d->redis())
      redis_events = ev;
    else
      EXPECT_EQ(redis_events, ev);
    c.call({"CONFIG", "SET", "notify-keyspace-events", ""});
  }
}
