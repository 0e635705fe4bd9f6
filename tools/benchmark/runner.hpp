// Runs one test: opens the connections, spreads them over the worker
// threads, shows progress, and merges what the workers measured.
#pragma once
#include <atomic>
#include <optional>
#include <string>

#include "tools/benchmark/options.hpp"
#include "tools/benchmark/stats.hpp"
#include "tools/benchmark/test_catalog.hpp"

namespace troupe::bench {

// Set by the SIGINT handler: the current test stops sending and reports.
extern std::atomic<bool> interrupted;

// Returns the result, or nullopt with `error` set to the message to print
// when the test could not run or a fatal error stopped it.
std::optional<test_result> run_test(const test_spec& test, const options& o, bool show_progress,
                                    uint64_t seed, std::string& error);

// -I: opens the connections and keeps them open until Ctrl-C.
int run_idle(const options& o, bool show_progress);

}  // namespace troupe::bench
