// troupe-benchmark against a running troupe-server: every request it counts
// was sent and answered, the keys it writes exist, and failures are reported.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "support/server_process.hpp"

using namespace troupe::test;

#ifdef TROUPE_BENCHMARK_PATH

namespace {

struct run_output {
  std::string out;  // stdout and stderr together
  int status = -1;
};

// The number right after the first occurrence of `key` in `text`.
std::optional<double> number_after(const std::string& text, const std::string& key) {
  const size_t pos = text.find(key);
  if (pos == std::string::npos) return std::nullopt;
  const char* start = text.c_str() + pos + key.size();
  char* end = nullptr;
  const double v = std::strtod(start, &end);
  if (end == start) return std::nullopt;
  return v;
}

run_output bench(int port, const std::string& args) {
  run_output r;
  r.out = run_command(
      std::string(TROUPE_BENCHMARK_PATH) + " -p " + std::to_string(port) + " " + args + " 2>&1",
      &r.status);
  return r;
}

class benchmark_tool : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server = new server_process();
    ASSERT_TRUE(server->start());
  }
  static void TearDownTestSuite() {
    delete server;
    server = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server, nullptr);
    ASSERT_EQ(server->call({"FLUSHALL"}).str, "OK");
  }
  static server_process* server;
};
server_process* benchmark_tool::server = nullptr;

}  // namespace

TEST_F(benchmark_tool, every_request_is_sent_once_and_answered) {
  // INCR on one key: the final value counts exactly the requests the server
  // executed. Odd sizes make the last pipelined batch a partial one.
  auto r = bench(server->port(), "-n 12345 -c 7 -P 5 -q -- INCR bench:counter");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("INCR bench:counter: "), std::string::npos) << r.out;
  EXPECT_EQ(server->call({"GET", "bench:counter"}).str, "12345");

  r = bench(server->port(), "-n 10001 -c 9 -P 3 --threads 2 -q -- INCR bench:threads");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(server->call({"GET", "bench:threads"}).str, "10001");

  r = bench(server->port(), "-n 301 -c 4 -k 0 -q -- INCR bench:reconnect");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(server->call({"GET", "bench:reconnect"}).str, "301");
}

TEST_F(benchmark_tool, set_test_writes_the_random_keys) {
  auto r = bench(server->port(), "-t set -n 20000 -r 100 -d 8 -P 16 --csv");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"test\",\"rps\",\"avg_latency_ms\""), std::string::npos) << r.out;
  auto rps = number_after(r.out, "\n\"SET\",\"");
  ASSERT_TRUE(rps.has_value()) << r.out;
  EXPECT_GT(*rps, 0);
  // 20000 draws over 100 keys hit every one of them.
  EXPECT_EQ(server->call({"DBSIZE"}).integer, 100);
  EXPECT_EQ(server->call({"GET", "key:000000000000"}).str, "VXKeHogK");
  EXPECT_EQ(server->call({"GET", "key:000000000099"}).str, "VXKeHogK");
  EXPECT_TRUE(server->call({"GET", "key:000000000100"}).is_nil());
}

TEST_F(benchmark_tool, full_report_counts_the_requests) {
  auto r = bench(server->port(), "-t get -n 5000 -c 5");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("====== GET ======"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  5000 requests completed in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  5 parallel clients"), std::string::npos);
  EXPECT_NE(r.out.find("100.000% <= "), std::string::npos);
  auto rps = number_after(r.out, "  throughput summary: ");
  ASSERT_TRUE(rps.has_value()) << r.out;
  EXPECT_GT(*rps, 0);
  EXPECT_NE(r.out.find(" requests per second\n  latency summary (msec):\n"), std::string::npos);
  // Not a terminal: no live progress line.
  EXPECT_EQ(r.out.find("rps="), std::string::npos);
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
}

TEST_F(benchmark_tool, mix_in_json_reports_both_commands) {
  auto r = bench(server->port(), "--ratio 1:3 -r 50 -n 4000 -c 4 --json --seed 7");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"test\":\"SET:GET 1:3\",\"requests\":4000,\"errors\":0"),
            std::string::npos)
      << r.out;
  auto sets = number_after(r.out, "\"command\":\"SET\",\"requests\":");
  ASSERT_TRUE(sets.has_value()) << r.out;
  EXPECT_GT(*sets, 800);
  EXPECT_LT(*sets, 1200);
  EXPECT_LE(server->call({"DBSIZE"}).integer, 50);
  EXPECT_GT(server->call({"DBSIZE"}).integer, 40);
}

TEST_F(benchmark_tool, error_replies_are_counted_and_fail_the_run) {
  auto r = bench(server->port(), "-n 500 -c 5 -q -- NOSUCHCOMMAND x");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("NOSUCHCOMMAND x: 500 of 500 replies were errors (first: ERR unknown "
                       "command"),
            std::string::npos)
      << r.out;
}

TEST_F(benchmark_tool, duration_runs_for_a_time) {
  auto r = bench(server->port(), "-t ping_mbulk --duration 0.5 -c 4 --json");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"errors\":0,"), std::string::npos) << r.out;
  auto requests = number_after(r.out, "{\"test\":\"PING_MBULK\",\"requests\":");
  auto seconds = number_after(r.out, "\"seconds\":");
  ASSERT_TRUE(requests.has_value() && seconds.has_value()) << r.out;
  EXPECT_GT(*requests, 100);
  EXPECT_GE(*seconds, 0.5);
  EXPECT_LT(*seconds, 5.0);
}

TEST(benchmark_tool_errors, server_down) {
  const int port = free_port();
  auto r = bench(port, "-q -n 10 -t set");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "Could not connect to Redis at 127.0.0.1:" + std::to_string(port) +
                       ": Connection refused\n");
}

TEST(benchmark_tool_errors, auth_refused_and_accepted) {
  server_process s({"--requirepass", "s3cret"});
  ASSERT_TRUE(s.start());
  auto r = bench(s.port(), "-q -n 10 -t set -a wrong");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("Node 127.0.0.1:" + std::to_string(s.port()) + " replied with error:\n"),
            std::string::npos)
      << r.out;
  r = bench(s.port(), "-q -n 10 -t set");
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("NOAUTH"), std::string::npos) << r.out;
  r = bench(s.port(), "-q -n 100 -c 2 -a s3cret -- INCR c");
  EXPECT_EQ(r.status, 0) << r.out;
}

#else
TEST(benchmark_tool, not_built) {
  GTEST_SKIP() << "troupe-benchmark is not part of this build";
}
#endif
