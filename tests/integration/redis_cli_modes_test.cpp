// redis-cli's monitoring modes against Troupe, beside redis-server where the
// output is deterministic: --bigkeys (the same biggest keys and totals as
// Redis for the same data), --memkeys, --hotkeys (with an LFU policy, and
// Redis's refusal without one), --stat, --latency, --latency-history and
// --latency-dist.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

using kind = server_process::kind;

// Runs a shell command, returns its stdout.
std::string run(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

std::string cli(const server_process& s, const std::string& args, int seconds = 20) {
  return run("timeout -s INT " + std::to_string(seconds) + " stdbuf -oL /usr/bin/redis-cli -p " +
             std::to_string(s.port()) + " " + args + " 2>&1");
}

// One key per type, sizes without ties, so "biggest" is the same everywhere.
void fill(server_process& s) {
  resp_client c = s.client();
  for (int i = 0; i < 20; ++i)
    c.call({"SET", "str:" + std::to_string(i), std::string(size_t(i + 1), 'x')});
  c.call({"RPUSH", "list:a", "1", "2", "3"});
  c.call({"RPUSH", "list:b", "1", "2", "3", "4", "5", "6", "7"});
  c.call({"HSET", "hash:a", "f1", "v", "f2", "v"});
  c.call({"SADD", "set:a", "m1", "m2", "m3", "m4"});
  c.call({"ZADD", "zset:a", "1", "a", "2", "b"});
}

// The lines of --bigkeys that do not depend on timing or scan order.
std::string bigkeys_summary(const std::string& out) {
  std::istringstream in(out);
  std::string line, kept;
  while (std::getline(in, line))
    if (line.rfind("[", 0) == 0)
      continue;  // "found so far": scan order
    else if (line.rfind("Biggest", 0) == 0 || line.find(" with ") != std::string::npos ||
             line.rfind("Sampled", 0) == 0)
      kept += line + "\n";
  return kept;
}

TEST(redis_cli_modes, bigkeys_finds_what_redis_finds) {
  server_process redis({}, kind::redis), troupe;
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(troupe.start());
  fill(redis);
  fill(troupe);
  std::string r = bigkeys_summary(cli(redis, "--bigkeys"));
  std::string t = bigkeys_summary(cli(troupe, "--bigkeys"));
  EXPECT_NE(r.find("Biggest string found '\"str:19\"' has 20 bytes"), std::string::npos) << r;
  EXPECT_EQ(t, r);
}

TEST(redis_cli_modes, memkeys_reports_every_type) {
  server_process troupe;
  ASSERT_TRUE(troupe.start());
  fill(troupe);
  std::string out = cli(troupe, "--memkeys");
  for (const char* type : {"string", "list", "hash", "set", "zset"})
    EXPECT_TRUE(std::regex_search(out, std::regex(std::string("Biggest +") + type +
                                                  " found '\"[a-z:0-9]+\"' has \\d+ bytes")))
        << type << "\n"
        << out;
  EXPECT_NE(out.find("20 strings with"), std::string::npos) << out;
}

TEST(redis_cli_modes, hotkeys_needs_lfu_as_in_redis_and_then_finds_the_hot_key) {
  server_process redis({}, kind::redis), troupe;
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(troupe.start());
  auto refusal = [](const std::string& out) {
    size_t at = out.find("ERROR");
    return at == std::string::npos ? out : out.substr(at, out.find('\n', at) - at);
  };
  fill(redis);
  fill(troupe);
  EXPECT_EQ(refusal(cli(troupe, "--hotkeys")), refusal(cli(redis, "--hotkeys")));
  troupe.call({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  resp_client c = troupe.client();
  for (int i = 0; i < 300; ++i) c.call({"GET", "str:7"});
  std::string out = cli(troupe, "--hotkeys");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      out, m, std::regex(R"(hot key found with counter: (\d+)\s+keyname: "str:7")")))
      << out;
  EXPECT_GT(std::stoi(m[1].str()), 5);  // above LFU's initial counter
}

TEST(redis_cli_modes, stat_and_latency_modes_print_live_figures) {
  server_process troupe;
  ASSERT_TRUE(troupe.start());
  fill(troupe);
  std::string stat = cli(troupe, "--stat -i 0.2", 2);
  EXPECT_NE(stat.find("keys       mem      clients blocked requests"), std::string::npos) << stat;
  EXPECT_TRUE(std::regex_search(stat, std::regex(R"(\n25 +[0-9.]+[KMG]? +1 +0 +\d+ \(\+\d+\))")))
      << stat;
  std::string raw = cli(troupe, "--latency --raw", 10);
  EXPECT_TRUE(std::regex_match(raw, std::regex(R"(\d+ \d+ \d+\.\d\d \d+\n)"))) << raw;
  std::string history = cli(troupe, "--latency-history -i 1", 3);
  // Without a terminal, redis-cli prints each sample as "min max avg count".
  EXPECT_TRUE(std::regex_search(history, std::regex(R"((^|\n)\d+ \d+ \d+\.\d\d 3\n)"))) << history;
  std::string dist = cli(troupe, "--latency-dist -i 1", 3);
  EXPECT_NE(dist.find("milliseconds"), std::string::npos) << dist;
}

}  // namespace
