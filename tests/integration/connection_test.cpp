// Connection and server commands: PING ECHO SELECT HELLO AUTH CLIENT COMMAND
// INFO TIME QUIT SHUTDOWN, compared with redis-server where replies are stable.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class connection : public differential_suite<connection> {
 protected:
  void SetUp() override { ASSERT_TRUE(d->ok()); }
};

TEST_F(connection, ping_echo) {
  d->same({"PING"});
  d->same({"PING", "hello"});
  d->same({"PING", "a", "b"});
  d->same({"ECHO", "x y"});
  d->same({"ECHO"});
  d->same({"ping"});
  d->same({"PiNg"});
}

TEST_F(connection, unknown_and_arity_errors) {
  d->same({"NOSUCHCOMMAND", "a", "b"});
  d->same({"NOSUCHCOMMAND"});
  d->same({"NOSUCH", std::string(300, 'x')});
  d->same({"CONFIG"});
  d->same({"CONFIG", "FOO"});
  d->same({"CONFIG", "GET"});
  d->same({"CLIENT", "FOO"});
  d->same({"OBJECT", "FOO", "x"});
}

TEST_F(connection, hello_and_resp3) {
  resp_client c = d->troupe().client();
  auto h = c.call({"HELLO", "3"});
  ASSERT_EQ(h.type, resp_value::kind::map) << h.to_string();
  EXPECT_EQ(h.elements[0].str, "server");
  EXPECT_EQ(h.elements[4].str, "proto");
  EXPECT_EQ(h.elements[5].integer, 3);
  EXPECT_EQ(c.call({"GET", "nope-resp3"}).type, resp_value::kind::nil);
  auto cfg = c.call({"CONFIG", "GET", "port"});
  EXPECT_EQ(cfg.type, resp_value::kind::map);
  auto info = c.call({"CLIENT", "INFO"});
  EXPECT_EQ(info.type, resp_value::kind::verbatim);
  EXPECT_NE(info.str.find("resp=3"), std::string::npos);
  auto h2 = c.call({"HELLO", "2"});
  EXPECT_EQ(h2.type, resp_value::kind::array);
  d->same({"HELLO", "4"});
  d->same({"HELLO", "x"});
  d->same({"HELLO", "3", "FOO"});
  d->same({"HELLO", "3", "SETNAME", "bad name"});
  // The default user has no password: any is accepted.
  EXPECT_EQ(d->both({"HELLO", "2", "AUTH", "default", "wrong"}).type, resp_value::kind::array);
  d->same({"AUTH", "default", "whatever"});
}

TEST_F(connection, select_is_per_connection) {
  resp_client a = d->troupe().client(), b = d->troupe().client();
  a.call({"SELECT", "5"});
  a.call({"SET", "k", "in5"});
  EXPECT_TRUE(b.call({"GET", "k"}).is_nil());
  b.call({"SELECT", "5"});
  EXPECT_EQ(b.call({"GET", "k"}).str, "in5");
}

TEST_F(connection, client_commands) {
  resp_client c = d->troupe().client();
  auto id = c.call({"CLIENT", "ID"});
  ASSERT_EQ(id.type, resp_value::kind::integer);
  EXPECT_TRUE(c.call({"CLIENT", "GETNAME"}).is_nil());
  EXPECT_EQ(c.call({"CLIENT", "SETNAME", "worker-1"}).str, "OK");
  EXPECT_EQ(c.call({"CLIENT", "GETNAME"}).str, "worker-1");
  auto list = c.call({"CLIENT", "LIST"});
  EXPECT_NE(list.str.find("id=" + std::to_string(id.integer) + " "), std::string::npos);
  EXPECT_NE(list.str.find("name=worker-1 "), std::string::npos);
  EXPECT_NE(list.str.find("cmd=client|list"), std::string::npos);
  auto mine = c.call({"CLIENT", "LIST", "ID", std::to_string(id.integer)});
  EXPECT_EQ(std::count(mine.str.begin(), mine.str.end(), '\n'), 1);
  d->same({"CLIENT", "SETNAME", "has space"});
  d->same({"CLIENT", "KILL", "1.2.3.4:5"});
  d->same({"CLIENT", "KILL", "ID", "99999"});
  d->same({"CLIENT", "KILL", "FOO", "bar"});
  d->same({"CLIENT", "KILL", "TYPE", "foo"});
  d->same({"CLIENT", "LIST", "TYPE", "foo"});
  d->same({"CLIENT", "NO-EVICT", "maybe"});

  // Kill another connection by id: it is closed, we are not.
  resp_client victim = d->troupe().client();
  auto vid = victim.call({"CLIENT", "ID"});
  EXPECT_EQ(c.call({"CLIENT", "KILL", "ID", std::to_string(vid.integer)}).integer, 1);
  auto r = victim.call({"PING"});
  EXPECT_TRUE(r.is_error()) << r.to_string();
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  // By address (old form).
  resp_client victim2 = d->troupe().client();
  auto info = victim2.call({"CLIENT", "INFO"}).str;
  auto a = info.find("addr=") + 5;
  std::string addr = info.substr(a, info.find(' ', a) - a);
  EXPECT_EQ(c.call({"CLIENT", "KILL", addr}).str, "OK");
  EXPECT_TRUE(victim2.call({"PING"}).is_error());
  // SKIPME no kills ourselves after the reply.
  resp_client self = d->troupe().client();
  auto sid = self.call({"CLIENT", "ID"});
  auto k = self.call({"CLIENT", "KILL", "ID", std::to_string(sid.integer), "SKIPME", "no"});
  EXPECT_EQ(k.integer, 1);
  EXPECT_TRUE(self.call({"PING"}).is_error());
}

TEST_F(connection, quit_closes_after_reply) {
  resp_client c = d->troupe().client();
  EXPECT_EQ(c.call({"QUIT"}).str, "OK");
  EXPECT_TRUE(c.call({"PING"}).is_error());
}

TEST_F(connection, command_introspection) {
  auto count = d->troupe_client().call({"COMMAND", "COUNT"});
  EXPECT_GT(count.integer, 60);
  auto info = d->troupe_client().call({"COMMAND", "INFO", "get", "set", "nosuch"});
  ASSERT_EQ(info.elements.size(), 3u);
  EXPECT_EQ(info.elements[0].elements[0].str, "get");
  EXPECT_EQ(info.elements[0].elements[1].integer, 2);
  EXPECT_EQ(info.elements[1].elements[1].integer, -3);
  EXPECT_TRUE(info.elements[2].is_nil());
  // Arity, first/last/step of common commands agree with Redis.
  for (auto name : {"get", "set", "mset", "mget", "del", "rename", "expire", "incrbyfloat", "getex",
                    "setrange", "bitop", "copy", "ping", "echo", "select"}) {
    auto r = d->redis_client().call({"COMMAND", "INFO", name});
    auto t = d->troupe_client().call({"COMMAND", "INFO", name});
    ASSERT_EQ(r.elements.size(), 1u);
    ASSERT_EQ(t.elements.size(), 1u) << name;
    for (size_t i : {0, 1, 3, 4, 5})
      EXPECT_EQ(r.elements[0].elements[i].to_string(), t.elements[0].elements[i].to_string())
          << name << " field " << i;
  }
  auto docs = d->troupe_client().call({"COMMAND", "DOCS", "set"});
  ASSERT_EQ(docs.elements.size(), 2u) << docs.to_string();
  EXPECT_EQ(docs.elements[0].str, "set");
  EXPECT_NE(docs.to_string().find("Set the string value of a key"), std::string::npos);
  EXPECT_NE(docs.to_string().find("arguments"), std::string::npos);
  d->same({"COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"});
  d->same({"COMMAND", "GETKEYS", "GET"});
  d->same({"COMMAND", "GETKEYS", "PING"});
  d->same({"COMMAND", "GETKEYS", "NOSUCH", "x"});
  auto list = d->troupe_client().call({"COMMAND", "LIST", "FILTERBY", "PATTERN", "get*"});
  std::vector<std::string> names;
  for (auto& e : list.elements) names.push_back(e.str);
  EXPECT_NE(std::find(names.begin(), names.end(), "getrange"), names.end());
  EXPECT_EQ(std::find(names.begin(), names.end(), "set"), names.end());
}

TEST_F(connection, info_has_redis_fields) {
  auto info = d->troupe_client().call({"INFO"}).str;
  for (auto field :
       {"# Server", "redis_version:", "process_id:", "tcp_port:", "uptime_in_seconds:", "# Clients",
        "connected_clients:", "# Memory", "used_memory:", "used_memory_rss:", "# Stats",
        "total_commands_processed:", "instantaneous_ops_per_sec:", "keyspace_hits:", "# Keyspace"})
    EXPECT_NE(info.find(field), std::string::npos) << field;
  EXPECT_EQ(info.find("# Commandstats"), std::string::npos);
  d->troupe_client().call({"GET", "x"});
  auto cs = d->troupe_client().call({"INFO", "commandstats"}).str;
  EXPECT_NE(cs.find("cmdstat_get:calls="), std::string::npos) << cs;
  auto all = d->troupe_client().call({"INFO", "all"}).str;
  EXPECT_NE(all.find("# Commandstats"), std::string::npos);
  auto two = d->troupe_client().call({"INFO", "server", "clients"}).str;
  EXPECT_NE(two.find("# Clients"), std::string::npos);
  EXPECT_EQ(two.find("# Memory"), std::string::npos);
}

// Monitoring tools parse INFO by field name: the sections Troupe implements
// list Redis's fields in Redis's order (Troupe may add its own).
TEST_F(connection, info_sections_list_redis_fields_in_order) {
  auto names = [](const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
      if (!line.empty() && line[0] != '#') out.push_back(line.substr(0, line.find(':')));
    return out;
  };
  for (const char* section : {"clients", "memory", "persistence", "stats"}) {
    auto redis = names(d->redis_client().call({"INFO", section}).str);
    auto troupe = names(d->troupe_client().call({"INFO", section}).str);
    EXPECT_EQ(redis, troupe) << section;
  }
  auto redis = names(d->redis_client().call({"INFO", "server"}).str);
  auto troupe = names(d->troupe_client().call({"INFO", "server"}).str);
  for (auto& f : redis)
    EXPECT_NE(std::find(troupe.begin(), troupe.end(), f), troupe.end()) << "server: " << f;
}

TEST_F(connection, errorstats_and_resetstat) {
  resp_client c = d->troupe().client();
  c.call({"CONFIG", "RESETSTAT"});
  c.call({"NOSUCH"});
  c.call({"SET", "s", "x"});
  c.call({"INCR", "s"});
  auto info = c.call({"INFO", "errorstats"}).str;
  EXPECT_NE(info.find("errorstat_ERR:count=2"), std::string::npos) << info;
  auto cs = c.call({"INFO", "commandstats"}).str;
  EXPECT_NE(cs.find("cmdstat_incr:calls=1,"), std::string::npos) << cs;
  EXPECT_NE(cs.find("failed_calls=1"), std::string::npos) << cs;
  c.call({"CONFIG", "RESETSTAT"});
  info = c.call({"INFO", "errorstats"}).str;
  EXPECT_EQ(info.find("errorstat_ERR"), std::string::npos) << info;
}

TEST_F(connection, time) {
  auto t = d->troupe_client().call({"TIME"});
  ASSERT_EQ(t.elements.size(), 2u);
  int64_t secs = std::stoll(t.elements[0].str);
  EXPECT_NEAR(double(secs), double(time(nullptr)), 2.0);
}

TEST(auth, requirepass) {
  server_process s({"--requirepass", "s3cret"});
  ASSERT_TRUE(s.start());
  server_process redis({"--requirepass", "s3cret"}, server_process::kind::redis);
  ASSERT_TRUE(redis.start());
  resp_client t = s.client(), r = redis.client();
  auto both = [&](std::vector<std::string> args) {
    auto a = r.call(args), b = t.call(args);
    EXPECT_EQ(a.to_string(), b.to_string()) << args[0];
  };
  both({"GET", "x"});
  both({"NOSUCH"});
  both({"AUTH", "wrong"});
  both({"AUTH", "someone", "s3cret"});
  both({"HELLO", "3"});
  both({"AUTH", "s3cret"});
  both({"GET", "x"});
  both({"AUTH", "default", "s3cret"});
  resp_client t2 = s.client();
  auto h = t2.call({"HELLO", "3", "AUTH", "default", "s3cret"});
  EXPECT_EQ(h.type, resp_value::kind::map);
  EXPECT_EQ(t2.call({"PING"}).str, "PONG");
  // Unauthenticated clients may not send big requests.
  resp_client t3 = s.client();
  std::vector<std::string> big = {"MSET"};
  for (int i = 0; i < 20; ++i) big.push_back("x");
  auto e = t3.call(big);
  EXPECT_EQ(e.str, "ERR Protocol error: unauthenticated multibulk length");
  // CONFIG SET requirepass "" opens the server again for new clients.
  t.call({"CONFIG", "SET", "requirepass", ""});
  resp_client t4 = s.client();
  EXPECT_EQ(t4.call({"PING"}).str, "PONG");
}

TEST(shutdown, command_stops_the_server) {
  server_process s;
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  c.append({"SHUTDOWN", "NOSAVE"});
  c.flush();
  auto r = c.read_reply();
  EXPECT_TRUE(r.is_error());  // connection closed without a reply
  for (int i = 0; i < 100 && s.running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(s.running());
  EXPECT_NE(s.log_text().find("ready to exit"), std::string::npos) << s.log_text();
}

TEST(shutdown, sigterm_stops_the_server) {
  server_process s;
  ASSERT_TRUE(s.start());
  EXPECT_EQ(s.stop(), 0);
  EXPECT_NE(s.log_text().find("Received SIGTERM"), std::string::npos);
}

TEST(clients, maxclients_refuses_extra_connections) {
  server_process s({"--maxclients", "3"});
  ASSERT_TRUE(s.start());
  std::vector<resp_client> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(s.client());
    EXPECT_EQ(held.back().call({"PING"}).str, "PONG");
  }
  resp_client extra = s.client();
  EXPECT_EQ(extra.read_reply().str, "ERR max number of clients reached");
  held.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  resp_client again = s.client();
  EXPECT_EQ(again.call({"PING"}).str, "PONG");
}

TEST(clients, idle_timeout_closes_clients) {
  server_process s({"--timeout", "1", "--hz", "50"});
  ASSERT_TRUE(s.start());
  resp_client idle = s.client();
  EXPECT_EQ(idle.call({"PING"}).str, "PONG");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_TRUE(idle.call({"PING"}).is_error());
}

TEST(clients, unix_socket) {
  std::string dir = temp_dir("troupe-unix");
  std::string path = dir + "/troupe.sock";
  server_process s({"--unixsocket", path, "--unixsocketperm", "700"});
  ASSERT_TRUE(s.start());
  resp_client c;
  ASSERT_TRUE(c.connect_unix(path));
  EXPECT_EQ(c.call({"SET", "via", "unix"}).str, "OK");
  EXPECT_EQ(s.call({"GET", "via"}).str, "unix");
  auto info = c.call({"CLIENT", "INFO"}).str;
  EXPECT_NE(info.find("flags=U"), std::string::npos) << info;
  EXPECT_EQ(s.call({"CONFIG", "GET", "unixsocketperm"}).elements[1].str, "700");
}

// Found by the hostile-input tester.
TEST_F(connection, client_subcommands_parse_like_redis) {
  // CLIENT KILL reads its filters pair by pair: the first bad one is reported.
  d->same({"CLIENT", "KILL", "USER", "nobody"});
  d->same({"CLIENT", "KILL", "USER", "ADDR", "fl"});
  d->same({"CLIENT", "KILL", "TYPE", "USER", "x", "y"});
  d->same({"CLIENT", "KILL", "ID", "replica", "-4294967296", "ADDR", "1 "});
  d->same({"CLIENT", "KILL", "ID", "1", "USER"});
  d->same({"CLIENT", "KILL", "TYPE", "x", "a"});
  d->same({"CLIENT", "KILL", "USER", "v1", "SKIPME", "a\r\nb"});
  d->same({"CLIENT", "KILL", "USER", "m:1", "ADDR", "'"});
  d->same({"CLIENT", "KILL", "USER", std::string("a\0b", 3)});
  // An empty ADDR or LADDR matches no client (it used to match every one).
  d->same({"CLIENT", "KILL", "LADDR", ""});
  d->same({"CLIENT", "KILL", "ADDR", ""});
  d->same({"CLIENT", "KILL", "USER", "default", "SKIPME", "yes", "LADDR", ""});
  // CLIENT LIST: TYPE alone, or ids (any integer).
  d->same({"CLIENT", "LIST", "ID", "-5"});
  d->same({"CLIENT", "LIST", "ID", "2147483648", "-4294967296"});
  d->same({"CLIENT", "LIST", "ID", "1", "abc"});
  d->same({"CLIENT", "LIST", "TYPE", "normal", "ID", "1"});
  d->same({"CLIENT", "LIST", "TYPE", "TYPE", "PUBSUB", "ID", "1"});
  d->same({"CLIENT", "LIST", "TYPE", "1e400", "-0"});
  // CLIENT UNBLOCK: too many arguments, then the reason, then the id.
  d->same({"CLIENT", "UNBLOCK", "1", "2", "3"});
  d->same({"CLIENT", "UnBlock", "1", "2", "3"});
  d->same({"CLIENT", "UNBLOCK", "x", "y"});
  d->same({"CLIENT", "UNBLOCK", "x"});
  d->same({"CLIENT", "UNBLOCK", "-1"});
  d->same({"CLIENT", std::string("a\0b", 3)});
  d->same({"HELLO", "3", std::string("x\0y", 3)});
  d->same({"PING"});
}

TEST_F(connection, client_reply_off_and_skip_as_redis) {
  d->same({"CLIENT", "REPLY", "maybe"});
  d->same({"CLIENT", "REPLY"});
  // The exact bytes each server sends back for a pipeline with replies cut.
  const std::string pipeline =
      "CLIENT REPLY OFF\r\nSET r 1\r\nGET r\r\nCLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\n"
      "GET r\r\nCLIENT REPLY SKIP\r\nINCR r\r\nGET r\r\nPING\r\n";
  std::string got[2];
  resp_client* clients[2] = {&d->redis_client(), &d->troupe_client()};
  for (int i = 0; i < 2; ++i) {
    clients[i]->send_raw(pipeline);
    while (got[i].find("+PONG\r\n") == std::string::npos) {
      std::string more = clients[i]->read_raw(2000);
      if (more.empty()) break;
      got[i] += more;
    }
  }
  EXPECT_EQ(got[0], "+OK\r\n$1\r\n1\r\n$1\r\n2\r\n+PONG\r\n");
  EXPECT_EQ(got[1], got[0]);
}

TEST_F(connection, command_getkeys_checks_in_redis_order) {
  d->same({"COMMAND", "GETKEYS", "UNWATCH", "x"});
  d->same({"COMMAND", "GETKEYS", "OBJECT", "3"});
  d->same({"COMMAND", "GETKEYS", "OBJECT", "ENCODING"});
  d->same({"COMMAND", "GETKEYS", "CONFIG", "SET", "a"});
  d->same({"COMMAND", "GETKEYS", "SINTERCARD", "1000", "l"});
  d->same({"COMMAND", "GETKEYS", "ZUNION", "l", "x"});
  d->same({"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "0", "a"});
  d->same({"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a"});
  d->same({"COMMAND", "GETKEYS", "BLMPOP", "0", "5", "a", "LEFT"});
  d->same({"COMMAND", "GETKEYS", "BZMPOP", "0", "0", "a", "MIN"});
  d->same({"COMMAND", "GETKEYS", "NOSUCH", "a"});
  d->same({"COMMAND", "GETKEYS", "SET", "a"});
  // Redis reads numkeys with atoi there: leading zeros, trailing junk, overflow.
  d->same({"COMMAND", "GETKEYS", "SINTERCARD", "01", "a", "b"});
  d->same({"COMMAND", "GETKEYS", "SINTERCARD", "1e3", "a", "b"});
  d->same({"COMMAND", "GETKEYS", "SINTERCARD", " 2", "a", "b"});
  d->same({"COMMAND", "GETKEYS", "SINTERCARD", "-9223372036854775807", "a", "b"});
  d->same({"COMMAND", "GETKEYS", "ZINTERSTORE", "d", "+2", "a", "b"});
  d->same({"COMMAND", "GETKEYS", "LMPOP", "2x", "a", "b", "LEFT"});
}

// redis-server 7.0 aborts on this (it allocates 2^31 key slots before it
// checks them); Troupe answers as Redis does for any numkeys past the
// arguments. Found by the hostile-input tester; Troupe only.
TEST_F(connection, command_getkeys_with_a_huge_numkeys) {
  d->same({"COMMAND", "GETKEYS", "ZMPOP", "5", "a", "b", "MIN"});
  resp_client& t = d->troupe_client();
  for (auto cmd : {"ZMPOP", "LMPOP", "SINTERCARD", "ZUNION"})
    EXPECT_EQ(t.call({"COMMAND", "GETKEYS", cmd, "2147483647", "a", "b", "MIN"}).str,
              "ERR Invalid arguments specified for command");
  EXPECT_EQ(t.call({"COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2147483647", "a"}).str,
            "ERR Invalid arguments specified for command");
  EXPECT_EQ(t.call({"PING"}).str, "PONG");
}
