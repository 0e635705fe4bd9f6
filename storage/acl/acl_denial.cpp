#include "storage/acl/acl_denial.hpp"

#include "protocol/commands/command_table.hpp"

namespace troupe {

const char* acl_denial_reason(acl_denial d) {
  switch (d) {
    case acl_denial::command:
      return "command";
    case acl_denial::key:
      return "key";
    case acl_denial::channel:
      return "channel";
    case acl_denial::auth:
      return "auth";
    case acl_denial::none:
      break;
  }
  return "unknown";
}

std::string acl_denial_error(acl_denial d, const command_spec& cmd) {
  switch (d) {
    case acl_denial::key:
      return "NOPERM this user has no permissions to access one of the keys used as arguments";
    case acl_denial::channel:
      return "NOPERM this user has no permissions to access one of the channels used as "
             "arguments";
    default:
      return "NOPERM this user has no permissions to run the '" + cmd.full_name() + "' command";
  }
}

const char* acl_exec_reason(acl_denial d) {
  switch (d) {
    case acl_denial::command:
      return "no permission to execute the command or subcommand";
    case acl_denial::key:
      return "no permission to touch the specified keys";
    case acl_denial::channel:
      return "no permission to access one of the channels used as arguments";
    default:
      return "no permission";
  }
}

std::string acl_dryrun_message(acl_denial d, const command_spec& cmd, std::string_view object) {
  switch (d) {
    case acl_denial::key:
      return "This user has no permissions to access the '" + std::string(object) + "' key";
    case acl_denial::channel:
      return "This user has no permissions to access the '" + std::string(object) + "' channel";
    default:
      return "This user has no permissions to run the '" + cmd.full_name() + "' command";
  }
}

}  // namespace troupe
