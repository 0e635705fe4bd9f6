// MONITOR against redis-server and Troupe side by side: which commands are
// shown (not admin ones, not rejected ones, a transaction's commands at EXEC,
// a blocking command once), with which database and client address, quoting
// and "(redacted)" passwords; the monitor's own commands, RESET, output limits,
// lines from clients on other reactors and from a unix socket.
#include <gtest/gtest.h>

#include <unistd.h>

#include <regex>
#include <set>

#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

using kind = server_process::kind;

// "1796173920.947747 [0 127.0.0.1:47506] ..." -> "[0 C] ..." where C is the
// commanding client's address; anything not shaped as a line is kept whole.
std::string normalised(const std::string& line, const std::string& client_addr) {
  static const std::regex shape(R"(^\d{10}\.\d{6} \[(\d+) ([^\]]+)\](.*)$)");
  std::smatch m;
  if (!std::regex_match(line, m, shape)) return "malformed: " + line;
  std::string source = m[2].str() == client_addr ? "C" : m[2].str();
  return "[" + m[1].str() + " " + source + "]" + m[3].str();
}

std::string addr_of(resp_client& c) {
  std::string info = c.call({"CLIENT", "INFO"}).str;
  auto at = info.find("addr=");
  return info.substr(at + 5, info.find(' ', at) - at - 5);
}

// Lines the monitor receives until the one naming `marker`.
std::vector<std::string> lines_until(resp_client& m, const std::string& marker,
                                     const std::string& client_addr) {
  std::vector<std::string> out;
  for (int i = 0; i < 200; ++i) {
    resp_value v = m.read_reply();
    if (v.type != resp_value::kind::simple) {
      out.push_back("unexpected reply: " + v.str);
      break;
    }
    out.push_back(normalised(v.str, client_addr));
    if (v.str.find(marker) != std::string::npos) break;
  }
  return out;
}

std::vector<std::string> script_on(kind k) {
  server_process s({"--save", ""}, k);
  EXPECT_TRUE(s.start());
  resp_client m = s.client(), c = s.client();
  std::string addr = addr_of(c), monitor_addr = addr_of(m);
  EXPECT_EQ(m.call({"MONITOR"}).str, "OK");
  std::vector<std::vector<std::string>> cmds = {
      {"set", "k", "v"},
      {"SeT", "a b", "x\ny\x01\"z\t\\"},
      {"get", "nokey"},
      {"lpush", "k", "x"},  // fails with WRONGTYPE: still shown
      {"foo", "bar"},       // unknown: not shown
      {"get"},              // wrong arity: not shown
      {"auth", "wrongpass"},
      {"auth", "user", "pass"},
      {"hello", "2", "auth", "default", "nopass", "setname", "n"},
      {"config", "get", "maxmemory"},  // admin: not shown
      {"slowlog", "len"},              // admin
      {"client", "setname", "xx"},
      {"multi"},
      {"set", "m", "1"},
      {"incr", "m"},
      {"exec"},
      {"multi"},
      {"set", "m", "2"},  // discarded: never shown
      {"discard"},
      {"blpop", "emptyl", "0.01"},
      {"select", "2"},
      {"set", "db2", std::string(3, '\xff')},
      {"ping"},
      {"info", "server"},
      {"echo", "end-of-script"},
  };
  for (auto& cmd : cmds) c.call(cmd);
  std::vector<std::string> out = lines_until(m, "end-of-script", addr);

  // The monitor's own commands: replies, then its own line; keys are off limits.
  out.push_back(m.call({"PING"}).str);
  out.push_back(normalised(m.read_reply().str, monitor_addr));
  out.push_back(m.call({"GET", "k"}).str);
  // MONITOR again is ignored without a reply: the next reply is ECHO's.
  m.append({"MONITOR"});
  m.append({"ECHO", "after-second-monitor"});
  m.flush();
  out.push_back(m.read_reply().str);
  out.push_back(normalised(m.read_reply().str, monitor_addr));
  // RESET ends monitoring: no more lines, only replies.
  out.push_back(m.call({"RESET"}).str);
  c.call({"SET", "after", "reset"});
  out.push_back(m.call({"PING"}).str);
  out.push_back(m.call({"ECHO", "still-plain"}).str);
  // MONITOR inside a transaction is refused at EXEC.
  m.call({"MULTI"});
  m.call({"MONITOR"});
  resp_value exec = m.call({"EXEC"});
  out.push_back(exec.elements.empty() ? "no exec reply" : exec.elements[0].str);
  return out;
}

TEST(monitor, shows_what_redis_shows) {
  auto redis = script_on(kind::redis);
  auto troupe = script_on(kind::troupe);
  EXPECT_EQ(troupe, redis);
  EXPECT_GE(troupe.size(), 20u);
}

TEST(monitor, client_list_flag_and_idle_timeout_exemption) {
  server_process s({"--save", "", "--timeout", "1"});
  ASSERT_TRUE(s.start());
  resp_client m = s.client(), c = s.client(), idle = s.client();
  std::string idle_addr = addr_of(idle);
  ASSERT_EQ(m.call({"MONITOR"}).str, "OK");
  EXPECT_NE(c.call({"CLIENT", "LIST"}).str.find("flags=O "), std::string::npos);
  // Wait until the idle plain client is closed by `timeout`: the monitor,
  // idle as long, must still be there.
  std::string list;
  for (int i = 0; i < 100; ++i) {
    list = c.call({"CLIENT", "LIST"}).str;
    if (list.find("addr=" + idle_addr + " ") == std::string::npos) break;
    usleep(100 * 1000);
  }
  EXPECT_EQ(list.find("addr=" + idle_addr + " "), std::string::npos) << "idle client not closed";
  EXPECT_NE(list.find("flags=O "), std::string::npos) << list;
  c.call({"ECHO", "still-watching"});
  std::string last;
  for (int i = 0; i < 50 && last.find("still-watching") == std::string::npos; ++i)
    last = m.read_reply().str;
  EXPECT_NE(last.find("still-watching"), std::string::npos) << last;
}

TEST(monitor, sees_clients_on_every_reactor) {
  server_process s({"--save", "", "--threads", "2"});
  ASSERT_TRUE(s.start());
  resp_client m = s.client();
  ASSERT_EQ(m.call({"MONITOR"}).str, "OK");
  std::vector<resp_client> clients;
  for (int i = 0; i < 6; ++i) clients.push_back(s.client());
  for (int i = 0; i < 6; ++i) clients[size_t(i)].call({"SET", "from", std::to_string(i)});
  std::set<std::string> seen;
  for (int i = 0; i < 6; ++i) {
    resp_value v = m.read_reply();
    auto q = v.str.rfind("\"from\" \"");
    if (q != std::string::npos) seen.insert(v.str.substr(q + 8, 1));
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(monitor, unix_socket_clients_are_named_by_the_path) {
  std::string path = "/tmp/troupe-monitor-" + std::to_string(getpid()) + ".sock";
  server_process s({"--save", "", "--unixsocket", path});
  ASSERT_TRUE(s.start());
  resp_client m = s.client(), u;
  ASSERT_TRUE(u.connect_unix(path));
  ASSERT_EQ(m.call({"MONITOR"}).str, "OK");
  u.call({"PING"});
  resp_value v = m.read_reply();
  EXPECT_NE(v.str.find(" [0 unix:" + path + "] \"PING\""), std::string::npos) << v.str;
}

TEST(monitor, a_monitor_that_does_not_read_is_closed_by_the_output_limit) {
  server_process s({"--save", "", "--client-output-buffer-limit", "normal 256kb 0 0"});
  ASSERT_TRUE(s.start());
  resp_client m = s.client(), c = s.client();
  ASSERT_EQ(m.call({"MONITOR"}).str, "OK");
  std::string value(64 * 1024, 'v');
  bool gone = false;
  // The monitor never reads: its lines pile up until the limit closes it.
  for (int i = 0; i < 400 && !gone; ++i) {
    c.call({"SET", "big", value});
    gone = c.call({"CLIENT", "LIST"}).str.find("flags=O") == std::string::npos;
  }
  EXPECT_TRUE(gone);
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
}

}  // namespace
