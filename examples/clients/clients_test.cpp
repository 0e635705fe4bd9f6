// The client snippets of examples/clients run against a real troupe-server
// and print what they should: they are documentation that cannot rot.
#include <gtest/gtest.h>

#include "support/server_process.hpp"

using namespace troupe::test;

namespace {
const std::string dir = std::string(TROUPE_SOURCE_DIR) + "/examples/clients/";
}

TEST(client_examples, redis_cli_script) {
  server_process s;
  ASSERT_TRUE(s.start());
  int status = -1;
  std::string out =
      run_command("sh " + dir + "redis_cli.sh " + std::to_string(s.port()) + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("hello from redis-cli\njob1\njob2\njob3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("name\nAda\nlang\nC++\n"), std::string::npos) << out;
  EXPECT_NE(out.find("OK\nQUEUED\nQUEUED\n1\n2\n"), std::string::npos) << out;
  EXPECT_EQ(s.call({"DBSIZE"}).integer, 0);
}

TEST(client_examples, python_redis_py) {
  server_process s;
  ASSERT_TRUE(s.start());
  int status = -1;
  std::string out = run_command(
      "/usr/bin/python3 " + dir + "python_client.py " + std::to_string(s.port()) + " 2>&1",
      &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("hello from redis-py\ntransaction: [1, 2, True]\n"), std::string::npos) << out;
  EXPECT_NE(out.find("top: [('grace', 30.0), ('ada', 12.0)]"), std::string::npos) << out;
  EXPECT_NE(out.find("received: troupe is up"), std::string::npos) << out;
  EXPECT_EQ(s.call({"DBSIZE"}).integer, 0);
}

TEST(client_examples, node_ioredis) {
  // ioredis comes from npm (`npm install` in examples/clients/node), which a
  // machine without the npm registry cannot reach.
  int status = -1;
  run_command("cd " + dir + "node && node -e 'require(\"ioredis\")' 2>/dev/null", &status);
  if (status != 0) GTEST_SKIP() << "ioredis is not installed in examples/clients/node";
  server_process s;
  ASSERT_TRUE(s.start());
  std::string out = run_command(
      "cd " + dir + "node && node client.js " + std::to_string(s.port()) + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("hello from ioredis\npipeline: [ 1, 2 ]\n"), std::string::npos) << out;
  EXPECT_NE(out.find("transaction: [ 2, [ 'a', 'b' ] ]"), std::string::npos) << out;
  EXPECT_NE(out.find("received: troupe is up"), std::string::npos) << out;
}
