// Statistics kept per reactor (written only by its thread, read by INFO from any
// thread) and summed on demand.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/keyspace/counters.hpp"

namespace troupe {

struct command_stats {
  counter calls, usec, rejected_calls, failed_calls;
};

struct reactor_stats {
  explicit reactor_stats(size_t commands) : per_command(commands) {}
  counter commands_processed;
  counter net_input_bytes, net_output_bytes;
  counter reads_processed, writes_processed;
  counter connections_received, rejected_connections;
  counter error_replies;
  std::vector<command_stats> per_command;  // indexed by command_spec::id
  std::mutex errors_mutex;                 // errorstats, touched only on errors
  std::map<std::string, uint64_t> errors_by_code;

  void count_error(std::string_view code) {
    error_replies.add();
    std::lock_guard<std::mutex> g(errors_mutex);
    if (errors_by_code.size() < 128 || errors_by_code.count(std::string(code)))
      ++errors_by_code[std::string(code)];
  }
  void reset();
};

inline void reactor_stats::reset() {
  commands_processed.set(0);
  net_input_bytes.set(0);
  net_output_bytes.set(0);
  reads_processed.set(0);
  writes_processed.set(0);
  connections_received.set(0);
  rejected_connections.set(0);
  error_replies.set(0);
  for (auto& c : per_command) {
    c.calls.set(0);
    c.usec.set(0);
    c.rejected_calls.set(0);
    c.failed_calls.set(0);
  }
  std::lock_guard<std::mutex> g(errors_mutex);
  errors_by_code.clear();
}

}  // namespace troupe
