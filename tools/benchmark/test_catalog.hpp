// The benchmark tests: redis-benchmark 7.0's built-in ones (same names, same
// commands and keys), a custom command line, or a SET/GET mix.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tools/benchmark/command_template.hpp"
#include "tools/benchmark/options.hpp"

namespace troupe::bench {

// One kind of request in a test, sent with probability weight / sum(weights).
struct test_op {
  std::string name;  // e.g. "SET"; used in per-operation reports of a mix
  command_template request;
  uint32_t weight = 1;
};

struct test_spec {
  std::string title;  // as printed, e.g. "LRANGE_100 (first 100 elements)"
  std::vector<test_op> ops;
  int payload_size = 0;  // what "bytes payload" reports
};

// The tests to run for these options, in redis-benchmark's order. `stdin_arg`
// is the text read for -x (ignored otherwise).
std::vector<test_spec> build_tests(const options& o, const std::string& stdin_arg = "");

}  // namespace troupe::bench
