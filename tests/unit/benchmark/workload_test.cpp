// What troupe-benchmark sends: redis-benchmark's tests, custom commands,
// mixes, and the randomized batches built from them.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "protocol/resp/resp_value.hpp"
#include "tools/benchmark/batch_builder.hpp"
#include "tools/benchmark/random.hpp"
#include "tools/benchmark/test_catalog.hpp"

using namespace troupe::bench;

namespace {

options opts(std::vector<std::string> args) {
  auto r = parse_options(args);
  EXPECT_TRUE(r.ok()) << r.error;
  return r.opts;
}

std::vector<std::string> titles(const std::vector<test_spec>& tests) {
  std::vector<std::string> out;
  for (const auto& t : tests) out.push_back(t.title);
  return out;
}

// Decodes a buffer of RESP requests back into argument lists.
std::vector<std::vector<std::string>> decode(std::string_view bytes) {
  std::vector<std::vector<std::string>> out;
  troupe::reply_parser p;
  size_t pos = 0;
  while (pos < bytes.size()) {
    troupe::resp_value v;
    auto r = p.parse(bytes.data(), bytes.size(), pos, v);
    EXPECT_EQ(r, troupe::reply_parser::result::value);
    if (r != troupe::reply_parser::result::value) break;
    std::vector<std::string> args;
    for (auto& e : v.elements) args.push_back(e.str);
    out.push_back(args);
  }
  return out;
}

bool is_12_digits_below(const std::string& s, uint64_t n) {
  if (s.size() != 12) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return std::stoull(s) < n;
}

}  // namespace

TEST(benchmark_workload, payload_is_redis_benchmarks) {
  // The bytes redis-benchmark 7.0 stores for -d 10.
  EXPECT_EQ(make_payload(10), "VXKeHogKgJ");
  EXPECT_EQ(make_payload(3), "VXK");
  EXPECT_EQ(make_payload(0), "");
}

TEST(benchmark_workload, default_tests_in_redis_benchmark_order) {
  auto tests = build_tests(opts({}));
  EXPECT_EQ(titles(tests), (std::vector<std::string>{"PING_INLINE",
                                                     "PING_MBULK",
                                                     "SET",
                                                     "GET",
                                                     "INCR",
                                                     "LPUSH",
                                                     "RPUSH",
                                                     "LPOP",
                                                     "RPOP",
                                                     "SADD",
                                                     "HSET",
                                                     "SPOP",
                                                     "ZADD",
                                                     "ZPOPMIN",
                                                     "LPUSH (needed to benchmark LRANGE)",
                                                     "LRANGE_100 (first 100 elements)",
                                                     "LRANGE_300 (first 300 elements)",
                                                     "LRANGE_500 (first 500 elements)",
                                                     "LRANGE_600 (first 600 elements)",
                                                     "MSET (10 keys)"}));
  EXPECT_EQ(tests[0].ops[0].request.bytes, "PING\r\n");
  for (const auto& t : tests) EXPECT_EQ(t.payload_size, 3) << t.title;
}

TEST(benchmark_workload, commands_and_keys_match_redis_benchmark) {
  std::map<std::string, std::vector<std::string>> sent;
  for (const auto& t : build_tests(opts({"-d", "5"}))) {
    if (t.title == "PING_INLINE") continue;  // inline, not RESP
    sent[t.title] = decode(t.ops[0].request.bytes).at(0);
  }
  using v = std::vector<std::string>;
  EXPECT_EQ(sent["PING_MBULK"], v({"PING"}));
  EXPECT_EQ(sent["SET"], v({"SET", "key:__rand_int__", "VXKeH"}));
  EXPECT_EQ(sent["GET"], v({"GET", "key:__rand_int__"}));
  EXPECT_EQ(sent["INCR"], v({"INCR", "counter:__rand_int__"}));
  EXPECT_EQ(sent["LPUSH"], v({"LPUSH", "mylist", "VXKeH"}));
  EXPECT_EQ(sent["RPOP"], v({"RPOP", "mylist"}));
  EXPECT_EQ(sent["SADD"], v({"SADD", "myset", "element:__rand_int__"}));
  EXPECT_EQ(sent["HSET"], v({"HSET", "myhash", "element:__rand_int__", "VXKeH"}));
  EXPECT_EQ(sent["SPOP"], v({"SPOP", "myset"}));
  // Without -r the score is a plain number so ZADD does not fail.
  EXPECT_EQ(sent["ZADD"], v({"ZADD", "myzset", "0", "element:__rand_int__"}));
  EXPECT_EQ(sent["ZPOPMIN"], v({"ZPOPMIN", "myzset"}));
  EXPECT_EQ(sent["LRANGE_600 (first 600 elements)"], v({"LRANGE", "mylist", "0", "599"}));
  ASSERT_EQ(sent["MSET (10 keys)"].size(), 21u);
  EXPECT_EQ(sent["MSET (10 keys)"][19], "key:__rand_int__");
  EXPECT_EQ(sent["MSET (10 keys)"][20], "VXKeH");

  auto zadd = build_tests(opts({"-t", "zadd", "-r", "10"}));
  EXPECT_EQ(decode(zadd[0].ops[0].request.bytes)[0][2], "__rand_int__");
}

TEST(benchmark_workload, t_selects_tests_and_lrange_brings_its_lpush) {
  EXPECT_EQ(titles(build_tests(opts({"-t", "ping"}))),
            (std::vector<std::string>{"PING_INLINE", "PING_MBULK"}));
  EXPECT_EQ(titles(build_tests(opts({"-t", "get,SET"}))), (std::vector<std::string>{"SET", "GET"}));
  EXPECT_EQ(titles(build_tests(opts({"-t", "lrange_300"}))),
            (std::vector<std::string>{"LPUSH (needed to benchmark LRANGE)",
                                      "LRANGE_300 (first 300 elements)"}));
  EXPECT_EQ(build_tests(opts({"-t", "lrange"})).size(), 5u);
  EXPECT_TRUE(build_tests(opts({"-t", "nope"})).empty());
}

TEST(benchmark_workload, custom_command_title_payload_and_data) {
  auto tests = build_tests(opts({"-d", "4", "--", "SET", "key:__rand_int__", "__data__"}));
  ASSERT_EQ(tests.size(), 1u);
  EXPECT_EQ(tests[0].title, "SET key:__rand_int__ __data__");
  const auto& req = tests[0].ops[0].request;
  EXPECT_EQ(decode(req.bytes)[0], (std::vector<std::string>{"SET", "key:__rand_int__", "VXKe"}));
  // As redis-benchmark: the payload of a custom command is its encoded size.
  EXPECT_EQ(tests[0].payload_size, int(req.bytes.size()));
  EXPECT_EQ(req.rand_offsets.size(), 1u);

  auto with_stdin = build_tests(opts({"-x", "SET", "k"}), "from stdin");
  EXPECT_EQ(with_stdin[0].title, "SET k");
  EXPECT_EQ(decode(with_stdin[0].ops[0].request.bytes)[0],
            (std::vector<std::string>{"SET", "k", "from stdin"}));
}

TEST(benchmark_workload, ratio_is_a_set_get_mix) {
  auto tests = build_tests(opts({"--ratio", "1:10", "-t", "incr"}));
  ASSERT_EQ(tests.size(), 1u);
  EXPECT_EQ(tests[0].title, "SET:GET 1:10");
  ASSERT_EQ(tests[0].ops.size(), 2u);
  EXPECT_EQ(tests[0].ops[0].name, "SET");
  EXPECT_EQ(tests[0].ops[0].weight, 1u);
  EXPECT_EQ(tests[0].ops[1].name, "GET");
  EXPECT_EQ(tests[0].ops[1].weight, 10u);
  EXPECT_EQ(build_tests(opts({"--ratio", "0:3"}))[0].ops.size(), 1u);
}

TEST(benchmark_workload, batches_randomize_every_placeholder_in_range) {
  auto tests = build_tests(opts({"-t", "mset", "-r", "1000"}));
  key_picker keys(1000, 0);
  batch_builder b(tests[0], 4, &keys);
  rng r(1);
  auto cmds = decode(b.prepare(4, r));
  ASSERT_EQ(cmds.size(), 4u);
  std::map<std::string, int> distinct;
  for (const auto& c : cmds) {
    ASSERT_EQ(c.size(), 21u);
    for (size_t i = 1; i < c.size(); i += 2) {
      ASSERT_EQ(c[i].substr(0, 4), "key:");
      EXPECT_TRUE(is_12_digits_below(c[i].substr(4), 1000)) << c[i];
      ++distinct[c[i]];
    }
  }
  EXPECT_GT(distinct.size(), 20u) << "keys should differ between and within requests";
  // A short last batch sends only a prefix of the pre-encoded buffer.
  EXPECT_EQ(decode(b.prepare(3, r)).size(), 3u);
  EXPECT_EQ(decode(b.prepare(1, r)).size(), 1u);
}

TEST(benchmark_workload, without_r_placeholders_are_sent_as_is) {
  auto tests = build_tests(opts({"-t", "get"}));
  batch_builder b(tests[0], 2, nullptr);
  rng r(1);
  auto cmds = decode(b.prepare(2, r));
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[1][1], "key:__rand_int__");
}

TEST(benchmark_workload, mixes_follow_their_weights) {
  auto tests = build_tests(opts({"--ratio", "1:3", "-r", "100"}));
  key_picker keys(100, 0);
  batch_builder b(tests[0], 16, &keys);
  rng r(5);
  int sets = 0, gets = 0;
  for (int batch = 0; batch < 1000; ++batch) {
    auto cmds = decode(b.prepare(16, r));
    for (uint32_t i = 0; i < cmds.size(); ++i) {
      const bool is_set = cmds[i][0] == "SET";
      EXPECT_EQ(b.op_at(i), is_set ? 0u : 1u);
      (is_set ? sets : gets)++;
      EXPECT_TRUE(is_12_digits_below(cmds[i][1].substr(4), 100));
    }
  }
  EXPECT_NEAR(double(sets) / (sets + gets), 0.25, 0.02);
}
