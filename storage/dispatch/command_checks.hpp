// The checks a command passes before it runs, in Redis's order, each driven by
// the command's flags and the client's state. A check returns the error reply
// that rejects the command, or nothing. Adding a rule (ACL, cluster slots, OOM,
// read-only replica) means adding one function to the chain in
// command_checks.cpp; no caller changes.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

struct command_spec;
struct session;
class server_services;

struct check_input {
  const command_spec& cmd;
  const std::vector<std::string_view>& args;
  session& client;
  server_services& srv;
};

// Runs the chain; the first error wins.
std::optional<std::string> check_command(const check_input& in);

// EXEC checks each queued command's ACL permissions again (the user's rules may
// have changed since it was queued): the error for a refused one, as Redis's.
std::optional<std::string> acl_recheck_queued(const command_spec& cmd,
                                              const std::vector<std::string_view>& args,
                                              session& client, server_services& srv);

}  // namespace troupe
