// Output formats: the layout scripts written for redis-benchmark parse.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "tools/benchmark/progress_line.hpp"
#include "tools/benchmark/report.hpp"

using namespace troupe::bench;

namespace {

test_result sample_result() {
  test_result r(3);
  r.title = "SET";
  r.op_names = {""};
  r.ops.emplace_back(3);
  for (uint64_t v = 1; v <= 1000; ++v) r.ops[0].latency.record(100 + v);  // 0.101 .. 1.100 ms
  r.latency.merge(r.ops[0].latency);
  r.requests = 1000;
  r.seconds = 0.5;
  r.payload_size = 3;
  return r;
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace

TEST(benchmark_report, quiet_line) {
  EXPECT_EQ(format_quiet(sample_result()), "SET: 2000.00 requests per second, p50=0.600 msec\n");
}

TEST(benchmark_report, csv_header_and_row) {
  EXPECT_EQ(csv_header(),
            "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
            "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n");
  EXPECT_EQ(format_csv(sample_result()),
            "\"SET\",\"2000.00\",\"0.601\",\"0.101\",\"0.600\",\"1.050\",\"1.090\",\"1.100\"\n");
  test_result quoted = sample_result();
  quoted.title = "SET \"k\" v";
  EXPECT_EQ(format_csv(quoted).substr(0, 14), "\"SET \"\"k\"\" v\",");
}

TEST(benchmark_report, full_report_layout) {
  options o;
  report_context ctx{&o, server_config{"", "no"}};
  const auto l = lines(format_full(sample_result(), ctx));
  ASSERT_GT(l.size(), 20u);
  EXPECT_EQ(l[0], "====== SET ======");
  EXPECT_EQ(l[1], "  1000 requests completed in 0.50 seconds");
  EXPECT_EQ(l[2], "  50 parallel clients");
  EXPECT_EQ(l[3], "  3 bytes payload");
  EXPECT_EQ(l[4], "  keep alive: 1");
  EXPECT_EQ(l[5], "  host configuration \"save\": ");
  EXPECT_EQ(l[6], "  host configuration \"appendonly\": no");
  EXPECT_EQ(l[7], "  multi-thread: no");
  EXPECT_EQ(l[8], "");
  EXPECT_EQ(l[9], "Latency by percentile distribution:");
  EXPECT_EQ(l[10], "0.000% <= 0.101 milliseconds (cumulative count 1)");
  EXPECT_EQ(l[11], "50.000% <= 0.600 milliseconds (cumulative count 500)");
  EXPECT_EQ(l[12], "75.000% <= 0.850 milliseconds (cumulative count 750)");

  size_t summary = 0;
  for (size_t i = 0; i < l.size(); ++i) {
    if (l[i] == "Summary:") summary = i;
  }
  ASSERT_GT(summary, 0u);
  EXPECT_EQ(l[summary + 1], "  throughput summary: 2000.00 requests per second");
  EXPECT_EQ(l[summary + 2], "  latency summary (msec):");
  EXPECT_EQ(l[summary + 3], "          avg       min       p50       p95       p99       max");
  EXPECT_EQ(l[summary + 4], "        0.601     0.101     0.600     1.050     1.090     1.100");
  EXPECT_EQ(l[summary + 5],
            "  latency percentiles (msec): p50=0.600 p90=1.000 p99=1.090 p99.9=1.099 max=1.100");
  EXPECT_EQ(l.size(), summary + 6) << "no error line without errors";
}

TEST(benchmark_report, percentile_distribution_ends_at_100_percent) {
  const auto l = lines(format_percentile_distribution(sample_result().latency));
  ASSERT_GE(l.size(), 5u);
  EXPECT_EQ(l.back(), "100.000% <= 1.100 milliseconds (cumulative count 1000)");
  // Ticks halve the distance to 100%: 0, 50, 75, 87.5, 93.75 ...
  double last_pct = -1, last_ms = 0;
  for (const auto& s : l) {
    double pct = 0, ms = 0;
    unsigned long long count = 0;
    int used = 0;
    ASSERT_EQ(std::sscanf(s.c_str(), "%lf%% <= %lf milliseconds (cumulative count %llu)%n", &pct,
                          &ms, &count, &used),
              3)
        << s;
    EXPECT_EQ(size_t(used), s.size()) << s;
    EXPECT_GE(pct, last_pct);
    EXPECT_GE(ms, last_ms);
    last_pct = pct;
    last_ms = ms;
  }
  EXPECT_EQ(l[0], "0.000% <= 0.101 milliseconds (cumulative count 1)");
  EXPECT_EQ(l[1], "50.000% <= 0.600 milliseconds (cumulative count 500)");
  EXPECT_EQ(l[2], "75.000% <= 0.850 milliseconds (cumulative count 750)");
  EXPECT_EQ(l[3], "87.500% <= 0.975 milliseconds (cumulative count 875)");
}

TEST(benchmark_report, cumulative_distribution_steps) {
  const auto l = lines(format_cumulative_distribution(sample_result().latency));
  ASSERT_EQ(l.size(), 11u);
  EXPECT_EQ(l[0], "0.000% <= 0.100 milliseconds (cumulative count 0)");
  EXPECT_EQ(l[1], "10.000% <= 0.200 milliseconds (cumulative count 100)");
  EXPECT_EQ(l[10], "100.000% <= 1.100 milliseconds (cumulative count 1000)");
}

TEST(benchmark_report, errors_are_reported_not_hidden) {
  test_result r = sample_result();
  EXPECT_EQ(format_error_note(r), "");
  r.ops[0].errors = 7;
  r.ops[0].first_error = "ERR unknown command 'FOO'";
  EXPECT_EQ(format_error_note(r),
            "SET: 7 of 1000 replies were errors (first: ERR unknown command 'FOO')\n");
  options o;
  report_context ctx{&o, std::nullopt};
  const auto l = lines(format_full(r, ctx));
  EXPECT_EQ(l.back(), "  error replies: 7 of 1000 (first: ERR unknown command 'FOO')");
  for (const auto& s : l) EXPECT_EQ(s.find("host configuration"), std::string::npos);
  const std::string json = format_json({r}, ctx);
  EXPECT_NE(json.find("\"errors\":7"), std::string::npos);
  EXPECT_NE(json.find("\"first_error\":\"ERR unknown command 'FOO'\""), std::string::npos);
}

TEST(benchmark_report, json_has_the_percentiles) {
  options o;
  report_context ctx{&o, std::nullopt};
  const std::string json = format_json({sample_result()}, ctx);
  for (const char* key : {"\"test\":\"SET\"", "\"requests\":1000", "\"rps\":2000.00",
                          "\"p50\":0.600", "\"p90\":1.000", "\"p99\":1.090", "\"p99.9\":1.099",
                          "\"max\":1.100", "\"errors\":0", "\"first_error\":null"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << " in " << json;
  }
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.substr(json.size() - 2), "}\n");
}

TEST(benchmark_report, progress_line_format) {
  EXPECT_EQ(progress_line::format("SET", 104510, 104510, 0.267, 0.267, 2.31),
            "SET: rps=104510.0 (overall: 104510.0) avg_msec=0.267 (overall: 0.267) elapsed=2.3s");
}
