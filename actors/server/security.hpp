// The server's side of security: the live effects of requirepass,
// acl-pubsub-default and acllog-max-len, the users of `user` lines or the
// aclfile at start-up, rename-command, and disconnecting the clients of users
// that ACL DELUSER or ACL LOAD removed.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "storage/acl/acl_registry.hpp"

namespace troupe {

class server;
struct session;

// Before the config's apply hooks run.
void attach_security_hooks(server& srv);
// After them: users and renamed commands. False (logged) when the server must not start.
bool load_security(server& srv);
// Reads the aclfile into the user table (ACL LOAD); an error text (without
// "ERR "). The users replaced land in `dropped` (their clients are to go).
std::optional<std::string> load_acl_file(server& srv, const std::string& path,
                                         std::vector<acl_user_ptr>& dropped);
// Writes the user table to the aclfile (ACL SAVE); false on failure (logged).
bool save_acl_file(server& srv, const std::string& path);
// After ACL SETUSER changed `user`'s rules: closes its clients subscribed to a
// channel or pattern the new rules no longer allow, as Redis 7.0 does.
void disconnect_revoked_subscribers(server& srv, const acl_user_ptr& user, const acl_user& before,
                                    session& current);
// Closes every client of these users; `current` (the caller) closes after its reply.
void disconnect_users(server& srv, const std::vector<acl_user_ptr>& users, session& current);

}  // namespace troupe
