#include "storage/acl/acl_selector.hpp"

#include <algorithm>
#include <cctype>

#include "protocol/commands/command_table.hpp"
#include "protocol/commands/key_specs.hpp"
#include "protocol/text/glob.hpp"

namespace troupe {
namespace {

const char* const unknown_command = "Unknown command or category name in ACL";
const char* const syntax_error = "Syntax error";

bool has_space_or_nul(std::string_view s) {
  for (char c : s)
    if (c == '\0' || isspace(static_cast<unsigned char>(c))) return true;
  return false;
}

// "get" or "config|get", any case; a first argument is not a command.
const command_spec* lookup_command(std::string_view name) {
  size_t bar = name.find('|');
  const command_spec* cmd = command_table::instance().find(name.substr(0, bar));
  if (cmd == nullptr || bar == std::string_view::npos) return cmd;
  std::string_view sub = name.substr(bar + 1);
  if (sub.find('|') != std::string_view::npos || !cmd->has_subcommands()) return nullptr;
  return cmd->find_sub(sub);
}

// Every command and subcommand, in table order (a parent before its subcommands).
template <class F>
void for_each_command(F&& f) {
  for (const command_spec* top : command_table::instance().top_level()) {
    f(*top);
    for (const auto& sub : top->subcommands) f(*sub);
  }
}

bool names_match(const command_spec& cmd, std::string_view name) {
  return cmd.name == name;
}

}  // namespace

uint32_t acl_category_bit(std::string_view name) {
  for (int i = 0; i < 32; ++i) {
    auto names = acl_category_names(1u << i);
    if (!names.empty() && iequals(names[0], name)) return 1u << i;
  }
  return 0;
}

void channel_positions(const command_spec& cmd, size_t argc, std::vector<size_t>& out,
                       bool& patterns) {
  patterns = false;
  if (!(cmd.flags & cmd_pubsub)) return;
  if (names_match(cmd, "publish") || names_match(cmd, "spublish")) {
    if (argc > 1) out.push_back(1);
  } else if (names_match(cmd, "subscribe") || names_match(cmd, "ssubscribe") ||
             names_match(cmd, "psubscribe")) {
    patterns = names_match(cmd, "psubscribe");
    for (size_t i = 1; i < argc; ++i) out.push_back(i);
  }
}

// The permission a key needs, from its key-spec flags as Redis 7.0 reads them:
// read when the command reads its value (access), write when it inserts,
// updates or deletes; neither (EXISTS, TYPE) for a key only looked at. A
// command Redis does not have (an extension's) goes by its own flags.
uint8_t key_access_needed(const command_spec& cmd, const found_key& k, bool redis_specs) {
  if (!redis_specs) {
    if (cmd.flags & cmd_write) return key_read_write;
    return (cmd.flags & cmd_readonly) ? key_read : 0;
  }
  uint8_t need = 0;
  if (k.flags & troupe::key_access) need |= key_read;
  if (k.flags & (key_insert | key_delete | key_update)) need |= key_write;
  return need;
}

bool acl_selector::has_command(int id) const {
  size_t w = size_t(id) / 64;
  if (w >= commands_.size()) return future_;
  return (commands_[w] >> (id % 64)) & 1;
}

void acl_selector::set_command(int id, bool on) {
  size_t w = size_t(id) / 64;
  if (w >= commands_.size()) commands_.resize(w + 1, future_ ? ~uint64_t(0) : 0);
  if (on)
    commands_[w] |= uint64_t(1) << (id % 64);
  else
    commands_[w] &= ~(uint64_t(1) << (id % 64));
}

void acl_selector::change_command(const command_spec& cmd, bool on) {
  set_command(cmd.id, on);
  first_args_.erase(cmd.id);
  for (const auto& sub : cmd.subcommands) {
    set_command(sub->id, on);
    first_args_.erase(sub->id);
  }
}

void acl_selector::set_category(uint32_t bit, bool on) {
  for_each_command([&](const command_spec& c) {
    if (c.acl & bit) change_command(c, on);
  });
}

std::optional<std::string> acl_selector::apply_command_rule(std::string_view rule) {
  bool on = rule[0] == '+';
  std::string_view name = rule.substr(1);
  if (!name.empty() && name[0] == '@') {
    std::string_view cat = name.substr(1);
    if (iequals(cat, "all")) {
      size_t words = (command_table::instance().size() + 63) / 64;
      commands_.assign(words, on ? ~uint64_t(0) : 0);
      future_ = on;
      first_args_.clear();
      return std::nullopt;
    }
    uint32_t bit = acl_category_bit(cat);
    if (bit == 0) return unknown_command;
    set_category(bit, on);
    return std::nullopt;
  }
  size_t bar = name.find('|');
  if (bar == std::string_view::npos || !on) {
    const command_spec* cmd = lookup_command(name);
    if (cmd == nullptr) return unknown_command;
    change_command(*cmd, on);
    return std::nullopt;
  }
  const command_spec* cmd = command_table::instance().find(name.substr(0, bar));
  if (cmd == nullptr) return unknown_command;
  std::string_view arg = name.substr(bar + 1);
  if (arg.empty()) return syntax_error;
  if (arg.find('|') != std::string_view::npos) return unknown_command;
  if (cmd->has_subcommands()) {
    const command_spec* sub = cmd->find_sub(arg);
    if (sub == nullptr) return unknown_command;
    change_command(*sub, true);
    return std::nullopt;
  }
  // SELECT|0: the command with this first argument only (Redis 7.0 keeps it,
  // deprecated). Nothing to add when the whole command is allowed.
  if (has_command(cmd->id)) return std::nullopt;
  auto& list = first_args_[cmd->id];
  std::string l = lower(arg);
  if (std::find(list.begin(), list.end(), l) == list.end()) list.push_back(std::move(l));
  return std::nullopt;
}

std::optional<std::string> acl_selector::apply(std::string_view rule, bool all_channels_default) {
  if (iequals(rule, "allkeys") || rule == "~*") {
    all_keys_ = true;
    keys_.clear();
  } else if (iequals(rule, "resetkeys")) {
    all_keys_ = false;
    keys_.clear();
  } else if (iequals(rule, "allchannels") || rule == "&*") {
    all_channels_ = true;
    channels_.clear();
  } else if (iequals(rule, "resetchannels")) {
    all_channels_ = false;
    channels_.clear();
  } else if (iequals(rule, "allcommands")) {
    return apply("+@all", all_channels_default);
  } else if (iequals(rule, "nocommands")) {
    return apply("-@all", all_channels_default);
  } else if (!rule.empty() && (rule[0] == '~' || rule[0] == '%')) {
    if (all_keys_)
      return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does "
             "not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    uint8_t flags = 0;
    size_t offset = 1;
    if (rule[0] == '%') {
      bool tilde = false;
      for (; offset < rule.size(); ++offset) {
        char c = char(toupper(static_cast<unsigned char>(rule[offset])));
        if (c == 'R' && !(flags & key_read)) {
          flags |= key_read;
        } else if (c == 'W' && !(flags & key_write)) {
          flags |= key_write;
        } else if (c == '~') {
          ++offset;
          tilde = true;
          break;
        } else {
          return syntax_error;
        }
      }
      if (!tilde || flags == 0) return syntax_error;
    } else {
      flags = key_read_write;
    }
    std::string_view pat = rule.substr(offset);
    if (has_space_or_nul(pat)) return syntax_error;
    auto it = std::find_if(keys_.begin(), keys_.end(),
                           [&](const key_pattern& k) { return k.pattern == pat; });
    if (it == keys_.end())
      keys_.push_back({std::string(pat), flags});
    else
      it->flags |= flags;
  } else if (!rule.empty() && rule[0] == '&') {
    if (all_channels_)
      return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and "
             "does not have any effect. Try 'resetchannels' to start with an empty list of "
             "channels";
    std::string_view pat = rule.substr(1);
    if (has_space_or_nul(pat)) return syntax_error;
    if (std::find(channels_.begin(), channels_.end(), pat) == channels_.end())
      channels_.emplace_back(pat);
  } else if (!rule.empty() && (rule[0] == '+' || rule[0] == '-')) {
    return apply_command_rule(rule);
  } else {
    return syntax_error;
  }
  return std::nullopt;
}

bool acl_selector::reads_every_key() const {
  if (all_keys_) return true;
  for (const key_pattern& k : keys_)
    if (k.pattern == "*" && (k.flags & key_read)) return true;
  return false;
}

bool acl_selector::unrestricted() const {
  if (!all_keys_ || !all_channels_ || !future_) return false;
  for (uint64_t w : commands_)
    if (w != ~uint64_t(0)) return false;
  return true;
}

bool acl_selector::command_allowed(const command_spec& cmd,
                                   const std::vector<std::string_view>& args) const {
  if (has_command(cmd.id)) return true;
  if (cmd.has_subcommands() || cmd.parent != nullptr || args.size() < 2) return false;
  auto it = first_args_.find(cmd.id);
  if (it == first_args_.end()) return false;
  for (const std::string& a : it->second)
    if (iequals(a, args[1])) return true;
  return false;
}

bool acl_selector::channel_allowed(std::string_view channel, bool is_pattern) const {
  if (all_channels_) return true;
  for (const std::string& p : channels_) {
    if (is_pattern ? p == channel : glob_match(p, channel)) return true;
  }
  return false;
}

acl_denial acl_selector::check(const command_spec& cmd, const std::vector<std::string_view>& args,
                               size_t& failed) const {
  if (!command_allowed(cmd, args)) return acl_denial::command;
  if (!all_keys_ && !(cmd.flags & cmd_no_keyspace)) {
    // Keys that cannot be found (a bad numkeys) are none: the command then
    // fails on its syntax, as in Redis.
    std::vector<found_key> keys;
    keys_with_flags(cmd, args, keys);
    bool redis_specs = !key_specs_of(cmd.name).empty();
    for (const found_key& k : keys) {
      std::string_view key = args[size_t(k.pos)];
      uint8_t need = key_access_needed(cmd, k, redis_specs);
      bool ok = false;
      for (const key_pattern& p : keys_) {
        if ((p.flags & need) != need) continue;
        if (glob_match(p.pattern, key)) {
          ok = true;
          break;
        }
      }
      if (!ok) {
        failed = size_t(k.pos);
        return acl_denial::key;
      }
    }
  }
  if (!all_channels_) {
    std::vector<size_t> positions;
    bool patterns = false;
    channel_positions(cmd, args.size(), positions, patterns);
    for (size_t p : positions)
      if (!channel_allowed(args[p], patterns)) {
        failed = p;
        return acl_denial::channel;
      }
  }
  return acl_denial::none;
}

std::string acl_selector::describe_keys() const {
  if (all_keys_) return "~*";
  std::string out;
  for (const key_pattern& k : keys_) {
    if (!out.empty()) out += ' ';
    if (k.flags == key_read)
      out += "%R~";
    else if (k.flags == key_write)
      out += "%W~";
    else
      out += "~";
    out += k.pattern;
  }
  return out;
}

std::string acl_selector::describe_channels() const {
  if (all_channels_) return "&*";
  std::string out;
  for (const std::string& c : channels_) {
    if (!out.empty()) out += ' ';
    out += '&' + c;
  }
  return out;
}

// Redis's reconstruction: start from +@all or -@all, then apply the category
// that fits best (more commands in the wanted state than not; fewest misfits,
// then most fits) as long as one fits, then list the single commands that still
// differ. `left` is what remains to explain: each category applied is inverted
// in it, so it no longer counts.
std::string acl_selector::describe_commands() const {
  acl_selector fake;
  bool additive = !future_;
  std::string rules = additive ? "-@all " : "+@all ";
  fake.apply(additive ? "-@all" : "+@all", false);
  acl_selector left = *this;
  const auto& cats = all_acl_category_names();
  std::vector<bool> applied(cats.size(), false);
  for (;;) {
    int best = -1;
    size_t min_diff = SIZE_MAX, max_same = 0;
    for (size_t j = 0; j < cats.size(); ++j) {
      if (applied[j]) continue;
      uint32_t bit = acl_category_bit(cats[j]);
      size_t on = 0, off = 0;
      for_each_command([&](const command_spec& c) {
        if (c.acl & bit) (left.has_command(c.id) ? on : off)++;
      });
      size_t diff = additive ? off : on, same = additive ? on : off;
      if (same > diff && (diff < min_diff || (diff == min_diff && same > max_same))) {
        best = int(j);
        min_diff = diff;
        max_same = same;
      }
    }
    if (best < 0) break;
    uint32_t bit = acl_category_bit(cats[size_t(best)]);
    fake.set_category(bit, additive);
    left.set_category(bit, !additive);
    rules += additive ? "+@" : "-@";
    rules += cats[size_t(best)];
    rules += ' ';
    applied[size_t(best)] = true;
  }
  for (const command_spec* top : command_table::instance().top_level()) {
    auto one = [&](const command_spec& c) {
      bool mine = has_command(c.id);
      if (mine != fake.has_command(c.id)) {
        rules += mine ? '+' : '-';
        rules += c.full_name();
        rules += ' ';
        fake.change_command(c, mine);
      }
    };
    one(*top);
    for (const auto& sub : top->subcommands) one(*sub);
    auto it = first_args_.find(top->id);
    if (!has_command(top->id) && it != first_args_.end())
      for (const std::string& a : it->second) rules += "+" + top->name + "|" + a + " ";
  }
  rules.pop_back();
  return rules;
}

std::string acl_selector::describe() const {
  std::string out = describe_keys();
  if (!out.empty()) out += ' ';
  if (!all_channels_) out += "resetchannels ";
  std::string ch = describe_channels();
  if (!ch.empty()) out += ch + ' ';
  out += describe_commands();
  return out;
}

}  // namespace troupe
