// Output formats. The full report, -q and --csv have redis-benchmark 7.0's
// layout so scripts written for it parse them; --json is Troupe's own.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "tools/benchmark/net.hpp"
#include "tools/benchmark/options.hpp"
#include "tools/benchmark/stats.hpp"

namespace troupe::bench {

struct report_context {
  const options* opts = nullptr;
  std::optional<server_config> server;
};

// "====== SET ======" through the latency summary table, then Troupe's extra
// percentiles (and error replies, when there were any).
std::string format_full(const test_result& r, const report_context& ctx);
// "SET: 162162.16 requests per second, p50=0.167 msec"
std::string format_quiet(const test_result& r);
std::string csv_header();
std::string format_csv(const test_result& r);
// One JSON document for all the tests of a run.
std::string format_json(const std::vector<test_result>& results, const report_context& ctx);
// For stderr in -q and --csv modes (the stdout layout has no room for it):
// "SET: 100 of 100 replies were errors (first: ERR unknown command ...)".
// Empty when there were no errors.
std::string format_error_note(const test_result& r);

// The distribution sections of the full report, exposed for tests.
std::string format_percentile_distribution(const histogram& h);
std::string format_cumulative_distribution(const histogram& h);

}  // namespace troupe::bench
