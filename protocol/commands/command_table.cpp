#include "protocol/commands/command_table.hpp"

#include <cctype>
#include <cstring>
#include <stdexcept>

#include "protocol/text/numbers.hpp"

namespace troupe {
namespace {

struct named_bit {
  const char* name;
  uint32_t bit;
};

const named_bit flag_table[] = {
    {"write", cmd_write},
    {"readonly", cmd_readonly},
    {"denyoom", cmd_denyoom},
    {"admin", cmd_admin},
    {"pubsub", cmd_pubsub},
    {"noscript", cmd_noscript},
    {"blocking", cmd_blocking},
    {"loading", cmd_loading},
    {"stale", cmd_stale},
    {"skip_monitor", cmd_skip_monitor},
    {"skip_slowlog", cmd_skip_slowlog},
    {"fast", cmd_fast},
    {"no_auth", cmd_no_auth},
    {"may_replicate", cmd_may_replicate},
    {"no_multi", cmd_no_multi},
    {"allow_busy", cmd_allow_busy},
    {"no_mandatory_keys", cmd_no_mandatory_keys},
    {"sentinel", cmd_sentinel},
    {"only_sentinel", cmd_only_sentinel},
    {"no_async_loading", cmd_no_async_loading},
    {"movablekeys", cmd_movablekeys},
    {"protected", cmd_protected},
    {"asking", cmd_asking},
    {"all_shards", cmd_all_shards},
    {"no_keyspace", cmd_no_keyspace},
    {"subscriber_ok", cmd_subscriber_ok},
    {"tx_control", cmd_tx_control},
    {"script", cmd_script},
    {"channel_keys", cmd_channel_keys},
};

const named_bit acl_table[] = {
    {"keyspace", acl_keyspace},
    {"read", acl_read},
    {"write", acl_write},
    {"set", acl_set},
    {"sortedset", acl_sortedset},
    {"list", acl_list},
    {"hash", acl_hash},
    {"string", acl_string},
    {"bitmap", acl_bitmap},
    {"hyperloglog", acl_hyperloglog},
    {"geo", acl_geo},
    {"stream", acl_stream},
    {"pubsub", acl_pubsub},
    {"admin", acl_admin},
    {"fast", acl_fast},
    {"slow", acl_slow},
    {"blocking", acl_blocking},
    {"dangerous", acl_dangerous},
    {"connection", acl_connection},
    {"transaction", acl_transaction},
    {"scripting", acl_scripting},
};

std::vector<std::string_view> split_words(const char* s) {
  std::vector<std::string_view> out;
  std::string_view v(s);
  while (!v.empty()) {
    size_t sp = v.find(' ');
    std::string_view w = v.substr(0, sp);
    if (!w.empty()) out.push_back(w);
    if (sp == std::string_view::npos) break;
    v.remove_prefix(sp + 1);
  }
  return out;
}

uint32_t parse_bits(const char* words, const named_bit* table, size_t n, const char* what,
                    const char* cmd) {
  uint32_t bits = 0;
  for (auto w : split_words(words)) {
    if (!w.empty() && w[0] == '-') continue;  // a removal (removed_bits)
    if (!w.empty() && w[0] == '@') w.remove_prefix(1);
    bool found = false;
    for (size_t i = 0; i < n; ++i)
      if (w == table[i].name) {
        bits |= table[i].bit;
        found = true;
      }
    if (!found)
      throw std::logic_error(std::string("command ") + cmd + ": unknown " + what + " '" +
                             std::string(w) + "'");
  }
  return bits;
}

// The categories a table removes from the implied ones ("-@keyspace": SORT is
// in the generic group but not in @keyspace).
uint32_t removed_bits(const char* words, const char* cmd) {
  std::string removed;
  for (auto w : split_words(words))
    if (w.size() > 1 && w[0] == '-') removed.append(w.substr(1)).push_back(' ');
  return parse_bits(removed.c_str(), acl_table, std::size(acl_table), "ACL category", cmd);
}

// Redis derives some ACL categories from flags; do the same so tables stay short.
uint32_t implied_categories(uint32_t flags, const std::string& group) {
  uint32_t c = 0;
  if (flags & cmd_write) c |= acl_write;
  if (flags & cmd_readonly) c |= acl_read;
  if (flags & cmd_admin) c |= acl_admin | acl_dangerous;
  if (flags & cmd_pubsub) c |= acl_pubsub;
  if (flags & cmd_fast) c |= acl_fast;
  if (flags & cmd_blocking) c |= acl_blocking;
  if (!(flags & cmd_fast)) c |= acl_slow;
  if (group == "string") c |= acl_string;
  if (group == "list") c |= acl_list;
  if (group == "hash") c |= acl_hash;
  if (group == "set") c |= acl_set;
  if (group == "sorted-set") c |= acl_sortedset;
  if (group == "bitmap") c |= acl_bitmap;
  if (group == "hyperloglog") c |= acl_hyperloglog;
  if (group == "geo") c |= acl_geo;
  if (group == "stream") c |= acl_stream;
  if (group == "generic") c |= acl_keyspace;
  if (group == "pubsub") c |= acl_pubsub;
  if (group == "transactions") c |= acl_transaction;
  if (group == "connection") c |= acl_connection;
  return c;
}

}  // namespace

std::string_view to_lower(std::string_view s, char* buf) {
  for (size_t i = 0; i < s.size(); ++i) buf[i] = char(tolower(static_cast<unsigned char>(s[i])));
  return std::string_view(buf, s.size());
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = char(tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) != tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// COMMAND INFO lists flags in Redis 7.0's order, and, as Redis, never shows
// may_replicate, sentinel and only_sentinel.
std::vector<std::string_view> flag_names(uint32_t flags) {
  static const uint32_t reply_order[] = {
      cmd_write,    cmd_readonly,     cmd_denyoom,           cmd_admin,
      cmd_pubsub,   cmd_noscript,     cmd_blocking,          cmd_loading,
      cmd_stale,    cmd_skip_monitor, cmd_skip_slowlog,      cmd_asking,
      cmd_fast,     cmd_no_auth,      cmd_no_mandatory_keys, cmd_no_async_loading,
      cmd_no_multi, cmd_movablekeys,  cmd_allow_busy,
  };
  std::vector<std::string_view> out;
  for (uint32_t bit : reply_order) {
    if (!(flags & bit)) continue;
    for (auto& f : flag_table)
      if (f.bit == bit) out.push_back(f.name);
  }
  return out;
}

std::vector<std::string_view> acl_category_names(uint32_t cats) {
  std::vector<std::string_view> out;
  for (auto& f : acl_table)
    if (cats & f.bit) out.push_back(f.name);
  return out;
}

const std::vector<std::string_view>& all_acl_category_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (auto& f : acl_table) v.push_back(f.name);
    return v;
  }();
  return names;
}

command_spec* command_spec::find_sub(std::string_view sub) const {
  if (sub.size() > 64) return nullptr;
  char buf[64];
  auto it = sub_index.find(to_lower(sub, buf));
  return it == sub_index.end() || !command_table::served(*it->second) ? nullptr : it->second;
}

bool command_spec::key_positions(const std::vector<std::string_view>& args,
                                 std::vector<int>& out) const {
  if (keys != nullptr) return keys(args, out);
  if (first_key <= 0 || (flags & cmd_channel_keys)) return true;
  int argc = int(args.size());
  int last = last_key < 0 ? argc + last_key : last_key;
  for (int i = first_key; i <= last && i < argc; i += key_step) out.push_back(i);
  return true;
}

command_table& command_table::instance() {
  static command_table table;
  return table;
}

void command_table::add(const char* group, const command_def& def) {
  auto spec = std::make_unique<command_spec>();
  spec->name = def.name;
  spec->group = group;
  spec->arity = def.arity;
  spec->flags = parse_bits(def.flags, flag_table, std::size(flag_table), "flag", def.name);
  spec->acl = parse_bits(def.acl, acl_table, std::size(acl_table), "ACL category", def.name) |
              implied_categories(spec->flags, spec->group);
  spec->acl &= ~removed_bits(def.acl, def.name);
  spec->first_key = def.first_key;
  spec->last_key = def.last_key;
  spec->key_step = def.key_step == 0 && def.first_key > 0 ? 1 : def.key_step;
  spec->handler = def.handler;
  spec->keys = def.keys;
  spec->summary = def.summary;
  spec->since = def.since;
  spec->complexity = def.complexity;
  spec->syntax = def.syntax;
  spec->doc_flags = def.doc_flags;
  spec->replaced_by = def.replaced_by;
  if (spec->keys != nullptr) spec->flags |= cmd_movablekeys;
  if ((spec->first_key == 0 || (spec->flags & cmd_channel_keys)) && spec->keys == nullptr &&
      !(spec->flags & cmd_all_shards))
    spec->flags |= cmd_no_keyspace;
  spec->id = int(all_.size());

  std::string name = def.name;
  size_t bar = name.find('|');
  if (bar != std::string::npos) {
    std::string parent_name = name.substr(0, bar);
    auto it = index_.find(parent_name);
    if (it == index_.end())
      throw std::logic_error("subcommand " + name + " registered before its container");
    command_spec* parent = it->second;
    spec->parent = parent;
    all_.push_back(spec.get());
    parent->sub_index[name.substr(bar + 1)] = spec.get();
    parent->subcommands.push_back(std::move(spec));
    return;
  }
  if (index_.count(name)) throw std::logic_error("command " + name + " registered twice");
  all_.push_back(spec.get());
  if (served(*spec)) top_.push_back(spec.get());
  index_[name] = spec.get();
  owned_.push_back(std::move(spec));
}

command_spec* command_table::find(std::string_view name) const {
  if (name.size() > 64) return nullptr;
  char buf[64];
  auto it = index_.find(to_lower(name, buf));
  return it == index_.end() || !served(*it->second) ? nullptr : it->second;
}

void command_table::set_sentinel_mode(bool on) {
  sentinel_mode_ = on;
  top_.clear();
  for (auto& c : owned_)
    if (served(*c)) top_.push_back(c.get());
}

bool command_table::rename(std::string_view from, std::string_view to, std::string& err) {
  auto it = index_.find(lower(from));
  if (it == index_.end()) {
    err = "No such command in rename-command";
    return false;
  }
  command_spec* cmd = it->second;
  if (!to.empty() && index_.count(lower(to))) {
    err = "Target command name already exists";
    return false;
  }
  index_.erase(it);
  if (!to.empty()) index_.emplace(lower(to), cmd);
  return true;
}

}  // namespace troupe
