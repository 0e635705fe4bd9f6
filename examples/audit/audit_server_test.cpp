// The audit extension's server over real sockets: the writes of several
// clients and databases come back from AUDIT TAIL in journal order (reads
// never do), errors read as Redis's for a container command, its INFO
// section follows Redis's rules for module sections, its actor is in
// /topology, and the plain troupe-server knows nothing of it.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <thread>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

bool wait_for(const std::function<bool()>& cond) {
  for (int i = 0; i < 500; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::vector<std::string> command_of(const resp_value& entry) {
  std::vector<std::string> out;
  for (const auto& a : entry.elements[3].elements) out.push_back(a.str);
  return out;
}

}  // namespace

TEST(audit_extension, tail_returns_the_journaled_writes_newest_first) {
  server_process s;
  s.use_binary(TROUPE_AUDIT_SERVER_PATH);
  ASSERT_TRUE(s.start()) << s.log_text();
  resp_client c = s.client();
  c.call({"SET", "a", "1"});
  c.call({"GET", "a"});  // a read: not journaled
  c.call({"SELECT", "3"});
  c.call({"RPUSH", "l", "x", "y"});
  resp_client other = s.client();
  other.call({"HSET", "h", "f", "v"});
  ASSERT_TRUE(wait_for([&] {
    return c.call({"AUDIT", "LEN"}).integer == 3;
  })) << c.call({"AUDIT", "LEN"}).integer;
  resp_value t = c.call({"AUDIT", "TAIL", "10"});
  ASSERT_EQ(t.elements.size(), 3u);
  EXPECT_EQ(command_of(t.elements[0]), (std::vector<std::string>{"HSET", "h", "f", "v"}));
  EXPECT_EQ(t.elements[0].elements[2].integer, 0);
  EXPECT_EQ(command_of(t.elements[1]), (std::vector<std::string>{"RPUSH", "l", "x", "y"}));
  EXPECT_EQ(t.elements[1].elements[2].integer, 3);
  EXPECT_EQ(command_of(t.elements[2]), (std::vector<std::string>{"SET", "a", "1"}));
  EXPECT_GT(t.elements[0].elements[0].integer, t.elements[2].elements[0].integer);
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  EXPECT_NEAR(double(t.elements[0].elements[1].integer), double(now_ms), 60000.0);
  EXPECT_EQ(c.call({"AUDIT", "TAIL", "1"}).elements.size(), 1u);
  EXPECT_EQ(c.call({"AUDIT", "TAIL"}).elements.size(), 3u);  // default 10

  EXPECT_EQ(c.call({"AUDIT", "TAIL", "-1"}).str, "ERR value is out of range, must be positive");
  EXPECT_EQ(c.call({"AUDIT", "NOPE"}).str, "ERR unknown subcommand 'NOPE'. Try AUDIT HELP.");
  EXPECT_EQ(c.call({"AUDIT", "LEN", "x"}).str,
            "ERR wrong number of arguments for 'audit|len' command");
  EXPECT_GE(c.call({"AUDIT", "HELP"}).elements.size(), 4u);
  EXPECT_EQ(c.call({"AUDIT", "RESET"}).str, "OK");
  EXPECT_EQ(c.call({"AUDIT", "LEN"}).integer, 0);
}

TEST(audit_extension, info_section_topology_and_command_table) {
  int admin = free_port();
  server_process s({"--admin-port", std::to_string(admin)});
  s.use_binary(TROUPE_AUDIT_SERVER_PATH);
  ASSERT_TRUE(s.start()) << s.log_text();
  s.call({"SET", "k", "v"});
  ASSERT_TRUE(wait_for([&] {
    return s.call({"INFO", "audit"}).str.find("audit_recorded:1\r\n") != std::string::npos;
  })) << s.call({"INFO", "audit"}).str;
  EXPECT_EQ(s.call({"INFO", "audit"}).str.rfind("# Audit\r\n", 0), 0u);
  // Like a module's section: by name or with "everything", not in INFO / INFO all.
  EXPECT_EQ(s.call({"INFO"}).str.find("# Audit"), std::string::npos);
  EXPECT_EQ(s.call({"INFO", "all"}).str.find("# Audit"), std::string::npos);
  EXPECT_NE(s.call({"INFO", "everything"}).str.find("# Audit\r\naudit_entries:1"),
            std::string::npos);
  EXPECT_NE(s.call({"INFO", "troupe"}).str.find("audit"), std::string::npos);

  http_reply t = http_get(admin, "/topology");
  ASSERT_EQ(t.status, 200);
  EXPECT_NE(t.body.find("\"type\":\"audit\""), std::string::npos) << t.body;
  EXPECT_NE(t.body.find("journal follower"), std::string::npos);

  resp_value info = s.call({"COMMAND", "INFO", "audit"});
  ASSERT_EQ(info.elements.size(), 1u);
  EXPECT_EQ(info.elements[0].elements[0].str, "audit");

  // The core server has no such command: the extension is only linked in.
  server_process plain;
  ASSERT_TRUE(plain.start());
  EXPECT_EQ(plain.call({"AUDIT", "LEN"}).str.rfind("ERR unknown command 'AUDIT'", 0), 0u);
}
