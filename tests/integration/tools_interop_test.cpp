// The stock Redis tools work against Troupe: redis-cli (commands, pipes, --pipe
// mass insertion, --scan) and redis-benchmark.
#include <gtest/gtest.h>

#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

class tools_interop : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s = new server_process();
    ASSERT_TRUE(s->start());
  }
  static void TearDownTestSuite() { delete s; }
  static server_process* s;
};
server_process* tools_interop::s = nullptr;

TEST_F(tools_interop, redis_cli_commands) {
  EXPECT_EQ(s->cli({"PING"}), "PONG\n");
  EXPECT_EQ(s->cli({"SET", "cli", "hello world"}), "OK\n");
  EXPECT_EQ(s->cli({"GET", "cli"}), "hello world\n");
  EXPECT_EQ(s->cli({"INCR", "n"}), "1\n");
  EXPECT_EQ(s->cli({"GET", "nope"}), "\n");
  EXPECT_EQ(s->cli({"NOSUCH"}), "ERR unknown command 'NOSUCH', with args beginning with: \n\n");
  EXPECT_EQ(s->cli({"-3", "HELLO", "3"}).find("server"), 0u);
  std::string many = s->cli({}, "SET a 1\nSET b 2\nMGET a b\n");
  EXPECT_EQ(many, "OK\nOK\n1\n2\n");
}

TEST_F(tools_interop, redis_cli_pipe_mass_insertion) {
  std::string input;
  for (int i = 0; i < 10000; ++i) {
    std::string k = "mass:" + std::to_string(i);
    input += "*3\r\n$3\r\nSET\r\n$" + std::to_string(k.size()) + "\r\n" + k + "\r\n$1\r\nv\r\n";
  }
  std::string out = s->cli({"--pipe"}, input);
  EXPECT_NE(out.find("errors: 0, replies: 10000"), std::string::npos) << out;
  EXPECT_EQ(s->call({"EXISTS", "mass:0", "mass:9999"}).integer, 2);
}

TEST_F(tools_interop, redis_cli_scan_and_info) {
  for (int i = 0; i < 30; ++i) s->call({"SET", "scan:" + std::to_string(i), "v"});
  std::string out = s->cli({"--scan", "--pattern", "scan:*"});
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 30) << out;
  std::string info = s->cli({"INFO", "server"});
  EXPECT_NE(info.find("redis_version:"), std::string::npos);
}

TEST_F(tools_interop, redis_benchmark_runs_clean) {
  std::string cmd = "redis-benchmark -h 127.0.0.1 -p " + std::to_string(s->port()) +
                    " -c 20 -n 20000 -r 1000 -t set,get,incr,mset,ping -q -P 8 2>&1";
  int status = 0;
  std::string out = run_command(cmd, &status);
  EXPECT_EQ(status, 0) << out;
  for (auto t : {"SET:", "GET:", "INCR:", "MSET (10 keys):", "PING_INLINE:", "PING_MBULK:"})
    EXPECT_NE(out.find(t), std::string::npos) << t << "\n" << out;
  EXPECT_EQ(out.find("rror"), std::string::npos) << out;
  auto n = s->call({"DBSIZE"}).integer;
  EXPECT_GT(n, 500);
}
