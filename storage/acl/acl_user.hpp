// An ACL user: enabled or not, its password hashes, its root selector and
// extra selectors. ACL SETUSER applies rules to a copy (all or nothing); rules
// parse with Redis 7.0's syntax and errors.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/acl/acl_selector.hpp"

namespace troupe {

struct acl_user {
  enum class sanitize : uint8_t { unset, sanitize_payload, skip_sanitize_payload };

  std::string name;
  bool enabled = false;
  bool nopass = false;
  sanitize payload = sanitize::unset;
  std::vector<std::string> passwords;  // SHA-256 hex digests, in the order added
  acl_selector root;
  std::vector<acl_selector> selectors;

  acl_user(std::string n, bool all_channels_default)
      : name(std::move(n)), root(all_channels_default) {}

  // One rule; nullopt or the error text (see acl_selector::apply).
  std::optional<std::string> apply(std::string_view rule, bool all_channels_default);
  // The rules after "user <name> " in ACL LIST and acl files.
  std::string describe() const;
  bool unrestricted() const { return root.unrestricted(); }
  // Some selector allowing this command may read any key (SORT's BY and GET
  // read keys named by patterns, which Redis allows only then).
  bool reads_every_key(const command_spec& cmd, const std::vector<std::string_view>& args) const;
  // Accepts any password for a nopass user.
  bool password_matches(std::string_view pass) const;
  // The command is allowed when one selector allows it all; otherwise the most
  // relevant denial, with the refused argument's index in `failed`.
  acl_denial check(const command_spec& cmd, const std::vector<std::string_view>& args,
                   size_t& failed) const;
};

// ACL SETUSER's arguments with selectors joined: "(~x" "+get)" become "(~x +get)".
// On an unmatched '(' returns nullopt and `error` is Redis's message.
std::optional<std::vector<std::string>> merge_selector_arguments(
    const std::vector<std::string_view>& rules, std::string& error);

// Redis refuses usernames with spaces or NUL bytes.
bool valid_username(std::string_view name);

}  // namespace troupe
