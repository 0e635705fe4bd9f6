#include "storage/acl/acl_user.hpp"

#include <algorithm>
#include <cctype>

#include "protocol/commands/command_table.hpp"
#include "storage/acl/sha256.hpp"

namespace troupe {
namespace {

bool valid_hash(std::string_view h) {
  if (h.size() != 64) return false;
  for (char c : h)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Compares every byte, so the time taken says nothing about where they differ.
bool same_digest(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= unsigned(a[i] ^ b[i]);
  return diff == 0;
}

const char* const bad_hash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
const char* const no_such_password =
    "The password you are trying to remove from the user does not exist";

}  // namespace

bool valid_username(std::string_view name) {
  for (char c : name)
    if (c == '\0' || isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

std::optional<std::string> acl_user::apply(std::string_view rule, bool all_channels_default) {
  if (iequals(rule, "on")) {
    enabled = true;
  } else if (iequals(rule, "off")) {
    enabled = false;
  } else if (iequals(rule, "nopass")) {
    nopass = true;
    passwords.clear();
  } else if (iequals(rule, "resetpass")) {
    nopass = false;
    passwords.clear();
  } else if (iequals(rule, "sanitize-payload")) {
    payload = sanitize::sanitize_payload;
  } else if (iequals(rule, "skip-sanitize-payload")) {
    payload = sanitize::skip_sanitize_payload;
  } else if (iequals(rule, "clearselectors")) {
    selectors.clear();
  } else if (iequals(rule, "reset")) {
    for (const char* r : {"resetpass", "resetkeys", "resetchannels"})
      (void)apply(r, all_channels_default);
    if (all_channels_default) (void)apply("allchannels", all_channels_default);
    enabled = false;
    payload = sanitize::sanitize_payload;
    selectors.clear();
    (void)apply("-@all", all_channels_default);
  } else if (!rule.empty() && (rule[0] == '>' || rule[0] == '#')) {
    std::string hash = rule[0] == '>' ? sha256_hex(rule.substr(1)) : std::string(rule.substr(1));
    if (rule[0] == '#' && !valid_hash(hash)) return bad_hash;
    if (std::find(passwords.begin(), passwords.end(), hash) == passwords.end())
      passwords.push_back(std::move(hash));
    nopass = false;
  } else if (!rule.empty() && (rule[0] == '<' || rule[0] == '!')) {
    std::string hash = rule[0] == '<' ? sha256_hex(rule.substr(1)) : std::string(rule.substr(1));
    if (rule[0] == '!' && !valid_hash(hash)) return bad_hash;
    auto it = std::find(passwords.begin(), passwords.end(), hash);
    if (it == passwords.end()) return no_such_password;
    passwords.erase(it);
    nopass = false;
  } else if (rule.size() >= 2 && rule.front() == '(' && rule.back() == ')') {
    acl_selector s(all_channels_default);
    std::string_view body = rule.substr(1, rule.size() - 2);
    size_t i = 0;
    while (i < body.size()) {
      if (body[i] == ' ') {
        ++i;
        continue;
      }
      size_t end = body.find(' ', i);
      if (end == std::string_view::npos) end = body.size();
      if (auto err = s.apply(body.substr(i, end - i), all_channels_default)) return err;
      i = end;
    }
    selectors.push_back(std::move(s));
  } else {
    return root.apply(rule, all_channels_default);
  }
  return std::nullopt;
}

std::string acl_user::describe() const {
  std::string out = enabled ? "on" : "off";
  if (nopass) out += " nopass";
  if (payload == sanitize::skip_sanitize_payload) out += " skip-sanitize-payload";
  if (payload == sanitize::sanitize_payload) out += " sanitize-payload";
  for (const std::string& h : passwords) out += " #" + h;
  out += ' ' + root.describe();
  for (const acl_selector& s : selectors) out += " (" + s.describe() + ")";
  return out;
}

bool acl_user::reads_every_key(const command_spec& cmd,
                               const std::vector<std::string_view>& args) const {
  if (root.command_allowed(cmd, args) && root.reads_every_key()) return true;
  for (const acl_selector& s : selectors)
    if (s.command_allowed(cmd, args) && s.reads_every_key()) return true;
  return false;
}

bool acl_user::password_matches(std::string_view pass) const {
  if (nopass) return true;
  std::string hash = sha256_hex(pass);
  bool found = false;
  for (const std::string& h : passwords) found = same_digest(h, hash) || found;
  return found;
}

acl_denial acl_user::check(const command_spec& cmd, const std::vector<std::string_view>& args,
                           size_t& failed) const {
  size_t where = 0;
  acl_denial worst = root.check(cmd, args, where);
  if (worst == acl_denial::none) return worst;
  failed = where;
  for (const acl_selector& s : selectors) {
    size_t at = 0;
    acl_denial d = s.check(cmd, args, at);
    if (d == acl_denial::none) return d;
    if (d > worst) {
      worst = d;
      failed = at;
    }
  }
  return worst;
}

std::optional<std::vector<std::string>> merge_selector_arguments(
    const std::vector<std::string_view>& rules, std::string& error) {
  std::vector<std::string> out;
  std::string open, start;
  bool in_selector = false;
  for (std::string_view r : rules) {
    if (in_selector) {
      open += ' ';
      open += r;
      if (!r.empty() && r.back() == ')') {
        out.push_back(std::move(open));
        open.clear();
        in_selector = false;
      }
    } else if (!r.empty() && r.front() == '(' && r.back() != ')') {
      open = start = std::string(r);
      in_selector = true;
    } else {
      out.emplace_back(r);
    }
  }
  if (in_selector) {
    error = "Unmatched parenthesis in acl selector starting at '" + start + "'.";
    return std::nullopt;
  }
  return out;
}

}  // namespace troupe
