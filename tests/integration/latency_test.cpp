// LATENCY against a real redis-server 7.0: help and error replies, the
// latency-* directives, an event recorded by a slow command (LATEST, HISTORY,
// GRAPH's shape, DOCTOR's event line, RESET), LATENCY HISTOGRAM's buckets and
// counts, INFO latencystats with latency-tracking-info-percentiles, and
// latency-tracking off.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

const std::vector<std::string> args = {"--enable-debug-command", "yes", "--save", ""};

std::string digits_to_zero(std::string s) {
  for (char& ch : s)
    if (ch >= '1' && ch <= '9') ch = '0';
  return s;
}

TEST(latency, replies_and_directives_match_redis) {
  differential d(args, args);
  ASSERT_TRUE(d.ok());
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"LATENCY", "HELP"},
           {"LATENCY", "LATEST"},
           {"LATENCY", "HISTORY", "command"},
           {"LATENCY", "RESET"},
           {"LATENCY", "RESET", "command", "other"},
           {"LATENCY", "GRAPH", "nothing"},
           {"LATENCY", "FOO"},
           {"LATENCY", "HISTORY"},
           {"LATENCY", "LATEST", "x"},
           {"LATENCY"},
           {"CONFIG", "GET", "latency-monitor-threshold"},
           {"CONFIG", "GET", "latency-tracking"},
           {"CONFIG", "GET", "latency-tracking-info-percentiles"},
           {"CONFIG", "SET", "latency-tracking-info-percentiles", "101"},
           {"CONFIG", "SET", "latency-tracking-info-percentiles", "x"},
           {"CONFIG", "SET", "latency-tracking-info-percentiles", "50.0 99.99999"},
           {"CONFIG", "GET", "latency-tracking-info-percentiles"},
           {"CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"},
           {"CONFIG", "SET", "latency-monitor-threshold", "-1"},
           {"CONFIG", "SET", "latency-tracking", "maybe"},
       })
    d.same(cmd);
}

TEST(latency, a_slow_command_is_an_event) {
  differential d(args, args);
  ASSERT_TRUE(d.ok());
  d.same({"CONFIG", "SET", "latency-monitor-threshold", "20"});
  d.same({"DEBUG", "SLEEP", "0.05"});
  for (auto* c : {&d.redis_client(), &d.troupe_client()}) {
    resp_value latest = c->call({"LATENCY", "LATEST"});
    ASSERT_EQ(latest.elements.size(), 1u) << latest.to_string();
    const resp_value& e = latest.elements[0];
    EXPECT_EQ(e.elements[0].str, "command");
    EXPECT_GE(e.elements[2].integer, 50);
    EXPECT_EQ(e.elements[2].integer, e.elements[3].integer);
    resp_value h = c->call({"LATENCY", "HISTORY", "command"});
    ASSERT_EQ(h.elements.size(), 1u);
    EXPECT_EQ(h.elements[0].elements[0].integer, e.elements[1].integer);
    std::string doctor = c->call({"LATENCY", "DOCTOR"}).str;
    EXPECT_TRUE(std::regex_search(
        doctor, std::regex(R"(1\. command: 1 latency spikes \(average \d+ms, mean deviation 0ms, )"
                           R"(period \d+\.\d\d sec\)\. Worst all time event \d+ms\.)")))
        << doctor;
  }
  // The graph: same header, ruler, sparkline and label layout as Redis's.
  resp_value rg = d.redis_client().call({"LATENCY", "GRAPH", "command"});
  resp_value tg = d.troupe_client().call({"LATENCY", "GRAPH", "command"});
  EXPECT_EQ(digits_to_zero(tg.str), digits_to_zero(rg.str)) << tg.str << "\nvs\n" << rg.str;
  // A fast command under the threshold adds nothing.
  d.same({"PING"});
  d.same({"LATENCY", "RESET", "command"});
  d.same({"LATENCY", "LATEST"});
  d.same({"LATENCY", "RESET"});
}

// highest_equivalent(2^k) / 1000 for k >= 10: what Redis prints as bucket labels.
std::set<int64_t> redis_bucket_labels() {
  std::set<int64_t> out;
  for (int k = 10; k <= 31; ++k)
    out.insert(((int64_t(1) << k) + (int64_t(1) << (k - 7)) - 1) / 1000);
  return out;
}

TEST(latency, histogram_counts_every_call_in_redis_buckets) {
  differential d(args, args);
  ASSERT_TRUE(d.ok());
  for (int i = 0; i < 50; ++i) d.same({"SET", "k" + std::to_string(i), "v"});
  for (int i = 0; i < 7; ++i) d.same({"GET", "k1"});
  d.same({"CONFIG", "GET", "maxmemory"});
  auto labels = redis_bucket_labels();
  for (auto* c : {&d.redis_client(), &d.troupe_client()}) {
    resp_value h = c->call({"LATENCY", "HISTOGRAM", "set", "GET", "nosuch", "config"});
    // RESP2: a flat list name, {calls, n, histogram_usec, [usec, count ...]} ...
    std::map<std::string, int64_t> calls;
    for (size_t i = 0; i + 1 < h.elements.size(); i += 2) {
      const resp_value& body = h.elements[i + 1];
      ASSERT_EQ(body.elements.size(), 4u);
      EXPECT_EQ(body.elements[0].str, "calls");
      calls[h.elements[i].str] = body.elements[1].integer;
      const auto& buckets = body.elements[3].elements;
      ASSERT_FALSE(buckets.empty());
      int64_t prev = 0;
      for (size_t b = 0; b + 1 < buckets.size(); b += 2) {
        EXPECT_TRUE(labels.count(buckets[b].integer)) << buckets[b].integer;
        EXPECT_GT(buckets[b + 1].integer, prev);  // cumulative, only when it grows
        prev = buckets[b + 1].integer;
      }
      EXPECT_EQ(prev, body.elements[1].integer);
    }
    EXPECT_EQ(calls["set"], 50);
    EXPECT_EQ(calls["get"], 7);
    EXPECT_EQ(calls["config|get"], 1);
    EXPECT_EQ(calls.size(), 3u);
  }
}

TEST(latency, info_latencystats_prints_the_configured_percentiles) {
  differential d(args, args);
  ASSERT_TRUE(d.ok());
  for (int i = 0; i < 20; ++i) d.same({"INCR", "n"});
  const std::regex line(
      R"(latency_percentiles_usec_incr:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n)");
  for (auto* c : {&d.redis_client(), &d.troupe_client()}) {
    std::string info = c->call({"INFO", "latencystats"}).str;
    EXPECT_EQ(info.rfind("# Latencystats\r\n", 0), 0u) << info;
    EXPECT_TRUE(std::regex_search(info, line)) << info;
    EXPECT_NE(c->call({"INFO", "all"}).str.find("# Latencystats"), std::string::npos);
    EXPECT_EQ(c->call({"INFO"}).str.find("# Latencystats"), std::string::npos);
  }
  d.same({"CONFIG", "SET", "latency-tracking-info-percentiles", "25"});
  for (auto* c : {&d.redis_client(), &d.troupe_client()}) {
    std::string info = c->call({"INFO", "latencystats"}).str;
    EXPECT_TRUE(
        std::regex_search(info, std::regex(R"(latency_percentiles_usec_incr:p25=\d+\.\d{3}\r\n)")))
        << info;
  }
  d.same({"CONFIG", "SET", "latency-tracking-info-percentiles", ""});
  for (auto* c : {&d.redis_client(), &d.troupe_client()})
    EXPECT_NE(c->call({"INFO", "latencystats"}).str.find("latency_percentiles_usec_incr:\r\n"),
              std::string::npos);
  // Tracking off: a command never called before gets no histogram.
  d.same({"CONFIG", "SET", "latency-tracking", "no"});
  d.same({"DECR", "n"});
  d.same({"LATENCY", "HISTOGRAM", "decr"});
  // CONFIG RESETSTAT forgets the histograms, as Redis.
  d.same({"CONFIG", "SET", "latency-tracking", "yes"});
  d.same({"CONFIG", "RESETSTAT"});
  d.same({"LATENCY", "HISTOGRAM", "incr"});
}

}  // namespace
