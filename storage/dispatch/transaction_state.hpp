// What one client's MULTI ... EXEC needs between commands: the queued
// commands, the keys it WATCHes, and the writes of the EXEC under way.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "storage/dispatch/server_services.hpp"

namespace troupe {

struct command_spec;

struct queued_command {
  const command_spec* cmd;
  std::vector<std::string> args;
};

struct transaction_state {
  std::vector<queued_command> queue;
  std::vector<std::pair<int, std::string>> watched;  // (db, key)
  std::vector<journal_op> ops;                       // journaled together at the end of EXEC
};

}  // namespace troupe
