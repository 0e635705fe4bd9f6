// Command-line options of troupe-benchmark: those of redis-benchmark 7.0 plus
// Troupe's own (--zipf, --ratio, --duration, --json).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace troupe::bench {

struct options {
  // Where and who.
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string socket_path;  // -s: overrides host and port
  std::optional<std::string> password;
  std::optional<std::string> user;
  int dbnum = 0;
  bool resp3 = false;
  bool enable_tracking = false;

  // Load shape.
  int clients = 50;
  int64_t requests = 100000;
  int data_size = 3;
  bool keep_alive = true;
  bool random_keys = false;  // -r given: __rand_int__ is substituted
  int64_t keyspace = 0;
  int pipeline = 1;
  int threads = 0;                   // 0: one event loop ("multi-thread: no")
  std::optional<std::string> tests;  // -t as given, lower case
  std::vector<std::string> command;  // a custom command after the options
  bool stdin_arg = false;            // -x: the last argument is read from stdin
  bool idle = false;
  bool loop = false;
  std::optional<uint64_t> seed;

  // Troupe extensions.
  double zipf = 0;  // > 0: Zipf exponent for __rand_int__ over [0, keyspace)
  std::optional<std::pair<int, int>> ratio;  // SET:GET weights
  double duration = 0;                       // seconds; > 0 replaces -n

  // Output.
  bool quiet = false;
  bool csv = false;
  bool json = false;
  bool show_errors = false;  // -e
  int precision = 3;         // significant digits of the latency histogram

  bool help = false;
  bool version = false;
};

struct parse_result {
  options opts;
  std::string error;                  // non-empty: print it and the usage, exit 1
  std::vector<std::string> warnings;  // print to stderr and carry on
  bool ok() const { return error.empty(); }
};

// args excludes the program name. Options come first; the first argument that
// does not start with '-' (or everything after "--") is the custom command.
parse_result parse_options(const std::vector<std::string>& args);

// Whether test `name` (lower case, e.g. "lrange_100") is selected by -t.
bool test_selected(const options& o, const std::string& name);

std::string usage_text();

}  // namespace troupe::bench
