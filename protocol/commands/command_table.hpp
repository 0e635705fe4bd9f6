// The command table: every command's name, arity, flags, key positions, ACL
// categories and documentation, and the function that runs it. Each command
// family file ends with a table of its commands and a register_<file>(table)
// function; storage/command_families.cpp and actors/command_families.cpp call
// them once at start-up, in a fixed order.
//
// This layer knows nothing of how commands run: a handler takes an exec_context,
// which storage/ defines.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace troupe {

struct exec_context;
using command_handler = void (*)(exec_context&);

// Redis's command flags (COMMAND INFO shows them by these names).
enum command_flag : uint32_t {
  cmd_write = 1u << 0,
  cmd_readonly = 1u << 1,
  cmd_denyoom = 1u << 2,
  cmd_admin = 1u << 3,
  cmd_pubsub = 1u << 4,
  cmd_noscript = 1u << 5,
  cmd_blocking = 1u << 6,
  cmd_loading = 1u << 7,
  cmd_stale = 1u << 8,
  cmd_skip_monitor = 1u << 9,
  cmd_skip_slowlog = 1u << 10,
  cmd_fast = 1u << 11,
  cmd_no_auth = 1u << 12,
  cmd_may_replicate = 1u << 13,
  cmd_no_multi = 1u << 14,
  cmd_allow_busy = 1u << 15,
  cmd_no_mandatory_keys = 1u << 16,
  cmd_sentinel = 1u << 17,
  cmd_only_sentinel = 1u << 18,
  cmd_no_async_loading = 1u << 19,
  // Set by the table for a command whose keys a key_finder locates.
  cmd_movablekeys = 1u << 20,
  // Runs only where enable-module-command allows (MODULE LOAD...); not shown
  // by COMMAND INFO, as in Redis.
  cmd_protected = 1u << 21,
  // Served on an importing slot without ASKING (RESTORE-ASKING).
  cmd_asking = 1u << 22,
  // Troupe's own: the command reads or writes every key of a database (KEYS,
  // FLUSHDB, SCAN...), so it must hold all shards.
  cmd_all_shards = 1u << 24,
  // The command does not touch the keyspace at all (PING, CLIENT, CONFIG...).
  cmd_no_keyspace = 1u << 25,
  // A RESP2 subscriber may send it (the (P|S)SUBSCRIBE family, PING, QUIT, RESET).
  cmd_subscriber_ok = 1u << 26,
  // It manages the transaction itself, so MULTI does not queue it (EXEC,
  // DISCARD, MULTI, WATCH, QUIT, RESET).
  cmd_tx_control = 1u << 27,
  // It runs a script (EVAL, FCALL...): the flags the dispatcher checks are
  // the script's declared ones when it has some (script_engine::command_flags).
  cmd_script = 1u << 28,
  // Its "keys" are shard channels (SSUBSCRIBE, SPUBLISH...): COMMAND INFO shows
  // their positions, as Redis's not_key specs, but nothing treats them as keys.
  cmd_channel_keys = 1u << 29,
};

// Redis's ACL categories, in the order Redis lists them.
enum acl_category : uint32_t {
  acl_keyspace = 1u << 0,
  acl_read = 1u << 1,
  acl_write = 1u << 2,
  acl_set = 1u << 3,
  acl_sortedset = 1u << 4,
  acl_list = 1u << 5,
  acl_hash = 1u << 6,
  acl_string = 1u << 7,
  acl_bitmap = 1u << 8,
  acl_hyperloglog = 1u << 9,
  acl_geo = 1u << 10,
  acl_stream = 1u << 11,
  acl_pubsub = 1u << 12,
  acl_admin = 1u << 13,
  acl_fast = 1u << 14,
  acl_slow = 1u << 15,
  acl_blocking = 1u << 16,
  acl_dangerous = 1u << 17,
  acl_connection = 1u << 18,
  acl_transaction = 1u << 19,
  acl_scripting = 1u << 20,
};

std::vector<std::string_view> flag_names(uint32_t flags);
std::vector<std::string_view> acl_category_names(uint32_t cats);
const std::vector<std::string_view>& all_acl_category_names();

// Finds the positions of the keys of a command whose keys do not follow the
// first/last/step rule (e.g. numkeys arguments). Returns false on a syntax error.
using key_finder = bool (*)(const std::vector<std::string_view>& args, std::vector<int>& positions);

// What a family file writes for each command.
struct command_def {
  const char* name;   // lower case; "config|get" for a subcommand
  int arity;          // Redis's convention: negative means "at least -arity"
  const char* flags;  // space separated flag names, e.g. "write denyoom fast"
  int first_key = 0, last_key = 0, key_step = 0;  // last_key < 0 counts from the end
  const char* acl = "";  // extra ACL categories, e.g. "@string"; "-@keyspace" removes one
  command_handler handler = nullptr;
  const char* summary = "";
  const char* since = "1.0.0";
  const char* complexity = "O(1)";
  const char* syntax = "";  // argument syntax as in Redis's docs, e.g. "key [NX|XX]"
  key_finder keys = nullptr;
  const char* doc_flags = "";  // e.g. "deprecated"
  const char* replaced_by = "";
};

// Hash that lets a std::string-keyed map be searched with a string_view.
struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct command_spec;
using name_index = std::unordered_map<std::string, command_spec*, string_hash, std::equal_to<>>;

struct command_spec {
  std::string name;   // full name: "get", "config|get"
  std::string group;  // "string", "generic", "server", ...
  int arity = 0;
  uint32_t flags = 0;
  uint32_t acl = 0;
  int first_key = 0, last_key = 0, key_step = 0;
  command_handler handler = nullptr;
  key_finder keys = nullptr;
  std::string summary, since, complexity, syntax, doc_flags, replaced_by;
  int id = 0;  // dense index, for per-command statistics arrays
  command_spec* parent = nullptr;
  std::vector<std::unique_ptr<command_spec>> subcommands;
  name_index sub_index;

  bool has_subcommands() const { return !subcommands.empty(); }
  // Finds a subcommand by (any case) name; nullptr if there is none.
  command_spec* find_sub(std::string_view sub) const;
  // Appends the positions of the key arguments in args; false on bad numkeys etc.
  bool key_positions(const std::vector<std::string_view>& args, std::vector<int>& out) const;
  // Redis's "declared name" shown in errors: "get", "config|get".
  const std::string& full_name() const { return name; }
};

class command_table {
 public:
  static command_table& instance();

  void add(const char* group, const command_def& def);
  template <size_t N>
  void add_all(const char* group, const command_def (&defs)[N]) {
    for (const auto& d : defs) add(group, d);
  }
  // Looks a top-level command up by (any case) name: only the commands the
  // server's mode serves (see set_sentinel_mode).
  command_spec* find(std::string_view name) const;
  // Sentinel mode, as Redis 7.0's populateCommandTable: a Sentinel serves only
  // the commands flagged `sentinel`, a server never those flagged
  // `only_sentinel` (SENTINEL). Set once at start-up, before any client.
  void set_sentinel_mode(bool on);
  static bool sentinel_mode() { return sentinel_mode_; }
  // Whether the mode serves this command (or subcommand).
  static bool served(const command_spec& c) {
    return sentinel_mode_ ? (c.flags & cmd_sentinel) != 0 : (c.flags & cmd_only_sentinel) == 0;
  }
  // rename-command: the command answers to `to` instead of `from` ("" removes
  // the name). Its own name (errors, COMMAND, ACL rules) stays. False with
  // Redis's reason in `err`.
  bool rename(std::string_view from, std::string_view to, std::string& err);
  // The top-level commands the mode serves.
  const std::vector<command_spec*>& top_level() const { return top_; }
  // Every command and subcommand, indexed by id.
  const std::vector<command_spec*>& all() const { return all_; }
  size_t size() const { return all_.size(); }

 private:
  std::vector<std::unique_ptr<command_spec>> owned_;
  std::vector<command_spec*> top_;
  std::vector<command_spec*> all_;
  name_index index_;
  static inline bool sentinel_mode_ = false;
};

// Lower-cases s into buf (which must hold s.size() bytes); returns the view.
std::string_view to_lower(std::string_view s, char* buf);
std::string lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

}  // namespace troupe
