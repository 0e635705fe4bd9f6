// How a refused command is reported: the -NOPERM error of Redis 7.0, the
// reason ACL LOG shows, and ACL DRYRUN's sentence.
#pragma once
#include <string>
#include <string_view>

#include "storage/acl/acl_registry.hpp"

namespace troupe {

struct command_spec;

const char* acl_denial_reason(acl_denial d);
// "NOPERM this user has no permissions to ..." (without the leading '-').
std::string acl_denial_error(acl_denial d, const command_spec& cmd);
// Why EXEC refuses a queued command whose permission was revoked.
const char* acl_exec_reason(acl_denial d);
// ACL DRYRUN's reply for a refused command ("This user has no permissions...").
std::string acl_dryrun_message(acl_denial d, const command_spec& cmd, std::string_view object);

}  // namespace troupe
