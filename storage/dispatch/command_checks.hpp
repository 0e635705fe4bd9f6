// The checks a command passes before it runs, in Redis's order, each driven by
// the command's flags and the client's state. A check returns the error reply
// that rejects the command, or nothing. Adding a rule (ACL, cluster slots, OOM,
// read-only replica) means adding one function to the chain in
// command_checks.cpp; no caller changes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/acl/acl_registry.hpp"

namespace troupe {

struct command_spec;
struct session;
class server_services;
class keyspace;

struct check_input {
  const command_spec& cmd;
  const std::vector<std::string_view>& args;
  session& client;
  server_services& srv;
  // When set, the flags to check instead of cmd.flags (a script's declared
  // flags, see script_engine::command_flags).
  uint32_t flags = 0;
  // The keyspace (cluster mode looks up keys of a slot being migrated).
  keyspace* keys = nullptr;
};

// Runs the chain; the first error wins.
std::optional<std::string> check_command(const check_input& in);

// EXEC checks each queued command's ACL permissions again (the user's rules may
// have changed since it was queued): the error for a refused one, as Redis's.
std::optional<std::string> acl_recheck_queued(const command_spec& cmd,
                                              const std::vector<std::string_view>& args,
                                              session& client, server_services& srv);

// redis.call's ACL check: the denial (logged with context "lua"), or none.
acl_denial acl_check_from_script(const command_spec& cmd, const std::vector<std::string_view>& args,
                                 session& client, server_services& srv);

}  // namespace troupe
