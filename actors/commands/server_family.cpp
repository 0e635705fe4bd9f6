// Server commands: INFO, CONFIG, COMMAND, TIME, SHUTDOWN.
#include <sys/time.h>

#include "actors/commands/server_of.hpp"
#include "actors/runtime/log.hpp"
#include "actors/server/info.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_docs.hpp"
#include "protocol/commands/key_specs.hpp"
#include "protocol/text/glob.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/dispatch/client_endpoint.hpp"

namespace troupe {
namespace {

void cmd_info(exec_context& c) {
  std::vector<std::string_view> sections(c.argv.begin() + 1, c.argv.end());
  c.out.verbatim(build_info(srv_of(c), sections));
}

void cmd_time(exec_context& c) {
  int64_t us = wall_clock_us();
  c.out.array(2);
  c.out.bulk(std::to_string(us / 1000000));
  c.out.bulk(std::to_string(us % 1000000));
}

// -- CONFIG ------------------------------------------------------------------------

void cmd_config(exec_context&) {}

void cmd_config_get(exec_context& c) {
  std::vector<std::string_view> patterns(c.argv.begin() + 2, c.argv.end());
  auto found = srv_of(c).config().get_matching(patterns);
  c.out.map(found.size());
  for (auto& [k, v] : found) {
    c.out.bulk(k);
    c.out.bulk(v);
  }
}

void cmd_config_set(exec_context& c) {
  if (c.argc() % 2 != 0) return c.syntax_error();  // Redis 7.0 says so for a missing value
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  for (size_t i = 2; i + 1 < c.argc(); i += 2) pairs.emplace_back(c.arg(i), c.arg(i + 1));
  server& srv = srv_of(c);
  protected_mode mode = srv.config().enable_protected_configs.get();
  bool local = c.client.has(client_unix_socket) || c.client.addr.rfind("127.0.0.1:", 0) == 0 ||
               c.client.addr.rfind("::1:", 0) == 0;
  bool allow_protected = mode == protected_mode::yes || (mode == protected_mode::local && local);
  std::string err;
  if (!srv.config().set(pairs, err, allow_protected)) return c.out.error("ERR " + err);
  c.out.ok();
}

void cmd_config_rewrite(exec_context& c) {
  std::string err;
  if (!srv_of(c).config().rewrite(err)) {
    log_warning("CONFIG REWRITE failed: {}", err);
    return c.out.error("ERR " + err);
  }
  log_notice("CONFIG REWRITE executed with success.");
  c.out.ok();
}

void cmd_config_resetstat(exec_context& c) {
  srv_of(c).reset_stats();
  c.out.ok();
}

void cmd_config_help(exec_context& c) {
  static const char* lines[] = {
      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET <pattern>",
      "    Return parameters matching the glob-like <pattern> and their values.",
      "SET <directive> <value>",
      "    Set the configuration <directive> to <value>.",
      "RESETSTAT",
      "    Reset statistics reported by the INFO command.",
      "REWRITE",
      "    Rewrite the configuration file.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

// -- COMMAND -----------------------------------------------------------------------

const command_spec* find_any(std::string_view name) {
  // "config|get" names a subcommand.
  size_t bar = name.find('|');
  const command_spec* top = command_table::instance().find(name.substr(0, bar));
  if (top == nullptr || bar == std::string_view::npos) return top;
  return top->find_sub(name.substr(bar + 1));
}

void cmd_command(exec_context& c) {
  auto& top = command_table::instance().top_level();
  c.out.array(top.size());
  for (auto* cmd : top) write_command_info(c.out, *cmd);
}

void cmd_command_count(exec_context& c) {
  c.out.integer(int64_t(command_table::instance().top_level().size()));
}

void cmd_command_info(exec_context& c) {
  if (c.argc() == 2) return cmd_command(c);
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    const command_spec* cmd = find_any(c.arg(i));
    if (cmd == nullptr)
      c.out.null_array();
    else
      write_command_info(c.out, *cmd);
  }
}

void cmd_command_docs(exec_context& c) {
  std::vector<const command_spec*> cmds;
  if (c.argc() == 2) {
    for (auto* cmd : command_table::instance().top_level()) cmds.push_back(cmd);
  } else {
    for (size_t i = 2; i < c.argc(); ++i)
      if (const command_spec* cmd = find_any(c.arg(i))) cmds.push_back(cmd);
  }
  c.out.map(cmds.size());
  for (auto* cmd : cmds) {
    c.out.bulk(cmd->name);
    write_command_docs(c.out, *cmd);
  }
}

void cmd_command_list(exec_context& c) {
  std::string_view filter, value;
  if (c.argc() == 5 && c.arg_is(2, "filterby")) {
    filter = c.arg(3);
    value = c.arg(4);
    if (!iequals(filter, "module") && !iequals(filter, "aclcat") && !iequals(filter, "pattern"))
      return c.syntax_error();
  } else if (c.argc() != 2) {
    return c.syntax_error();
  }
  std::vector<std::string> names;
  auto consider = [&](const command_spec& cmd) {
    if (iequals(filter, "module")) return;  // no modules
    if (iequals(filter, "aclcat")) {
      bool match = false;
      for (auto cat : acl_category_names(cmd.acl))
        if (iequals(cat, value)) match = true;
      if (!match) return;
    }
    if (iequals(filter, "pattern") && !glob_match(value, cmd.name, true)) return;
    names.push_back(cmd.name);
  };
  for (auto* cmd : command_table::instance().top_level()) {
    consider(*cmd);
    for (auto& sub : cmd->subcommands) consider(*sub);
  }
  c.out.array(names.size());
  for (auto& n : names) c.out.bulk(n);
}

// Redis's order: the command (and subcommand) must exist, have key
// arguments at all, get a valid number of arguments, and then yield keys
// (keys_with_flags: the key specs, or the command's own key finder).
void command_getkeys(exec_context& c, bool with_flags) {
  std::vector<std::string_view> args(c.argv.begin() + 2, c.argv.end());
  const command_spec* cmd = command_table::instance().find(args[0]);
  if (cmd != nullptr && cmd->has_subcommands() && args.size() >= 2) cmd = cmd->find_sub(args[1]);
  if (cmd == nullptr) return c.out.error("ERR Invalid command specified");
  if (cmd->keys == nullptr && (cmd->first_key <= 0 || (cmd->flags & cmd_channel_keys)))
    return c.out.error("ERR The command has no key arguments");
  int argc = int(args.size());
  if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity)
    return c.out.error("ERR Invalid number of arguments specified for command");
  std::vector<found_key> keys;
  keys_with_flags(*cmd, args, keys);
  if (keys.empty()) {
    if (cmd->flags & cmd_no_mandatory_keys) return c.out.empty_array();
    return c.out.error("ERR Invalid arguments specified for command");
  }
  c.out.array(keys.size());
  for (auto& k : keys) {
    if (!with_flags) {
      c.out.bulk(args[size_t(k.pos)]);
      continue;
    }
    c.out.array(2);
    c.out.bulk(args[size_t(k.pos)]);
    auto names = key_flag_names(k.flags);
    c.out.set(names.size());
    for (auto f : names) c.out.simple(f);
  }
}

void cmd_command_getkeys(exec_context& c) {
  command_getkeys(c, false);
}

void cmd_command_getkeysandflags(exec_context& c) {
  command_getkeys(c, true);
}

void cmd_command_help(exec_context& c) {
  static const char* lines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Return details about all Redis commands.",
      "COUNT",
      "    Return the total number of commands in this Redis server.",
      "LIST",
      "    Return a list of all commands in this Redis server.",
      "INFO [<command-name> ...]",
      "    Return details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "DOCS [<command-name> ...]",
      "    Return documentation details about multiple Redis commands.",
      "    If no command names are given, documentation details for all",
      "    commands are returned.",
      "GETKEYS <full-command>",
      "    Return the keys from a full Redis command.",
      "GETKEYSANDFLAGS <full-command>",
      "    Return the keys and the access flags from a full Redis command.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

// -- SHUTDOWN ----------------------------------------------------------------------

// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: see actors/server/shutdown.hpp.
// The client stays blocked while replicas catch up and gets no reply when the
// server exits, as with Redis.
void cmd_shutdown(exec_context& c) {
  uint32_t flags = 0;
  bool abort = false;
  for (size_t i = 1; i < c.argc(); ++i) {
    if (c.arg_is(i, "nosave"))
      flags |= shutdown_nosave;
    else if (c.arg_is(i, "save"))
      flags |= shutdown_save;
    else if (c.arg_is(i, "force"))
      flags |= shutdown_force;
    else if (c.arg_is(i, "now"))
      flags |= shutdown_now;
    else if (c.arg_is(i, "abort"))
      abort = true;
    else
      return c.syntax_error();
  }
  if ((abort && flags != 0) || ((flags & shutdown_nosave) && (flags & shutdown_save)))
    return c.syntax_error();
  server& srv = srv_of(c);
  if (abort) {
    if (!srv.shutdown().abort()) return c.out.error("ERR No shutdown in progress.");
    return c.out.ok();
  }
  blocked_ptr w;
  if (c.origin == command_origin::client && c.client.endpoint != nullptr) {
    w = std::make_shared<blocked_client>();
    w->s = &c.client;
    w->db = c.db_index;
    w->cmd = &c.cmd;
    c.ks.blocked_clients.fetch_add(1, std::memory_order_relaxed);
    c.client.set(client_blocked);
    c.client.endpoint->on_block(w, 0);
  }
  // exiting: no reply; waiting: answered later; failed: answered already.
  srv.shutdown().begin(flags, w);
}

const command_def server_commands[] = {
    // all_shards: INFO memory and keyspace read every shard's tables.
    {"info", -1, "loading stale sentinel all_shards", 0, 0, 0, "@dangerous", cmd_info,
     "Get information and statistics about the server", "1.0.0", "O(1)", "[section [section ...]]"},
    {"time", 1, "loading stale fast", 0, 0, 0, "", cmd_time, "Return the current server time",
     "2.6.0", "O(1)", ""},
    {"config", -2, "", 0, 0, 0, "", cmd_config, "A container for server configuration commands",
     "2.0.0", "Depends on subcommand.", ""},
    {"config|get", -3, "admin noscript loading stale", 0, 0, 0, "", cmd_config_get,
     "Get the values of configuration parameters", "2.0.0",
     "O(N) when N is the number of configuration parameters provided", "parameter [parameter ...]"},
    {"config|set", -4, "admin noscript loading stale", 0, 0, 0, "", cmd_config_set,
     "Set configuration parameters to the given values", "2.0.0",
     "O(N) when N is the number of configuration parameters provided",
     "parameter value [parameter value ...]"},
    {"config|rewrite", 2, "admin noscript loading stale", 0, 0, 0, "", cmd_config_rewrite,
     "Rewrite the configuration file with the in memory configuration", "2.8.0", "O(1)", ""},
    {"config|resetstat", 2, "admin noscript loading stale", 0, 0, 0, "", cmd_config_resetstat,
     "Reset the stats returned by INFO", "2.0.0", "O(1)", ""},
    {"config|help", 2, "loading stale", 0, 0, 0, "", cmd_config_help,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", ""},
    {"command", -1, "loading stale sentinel", 0, 0, 0, "@connection", cmd_command,
     "Get array of Redis command details", "2.8.13",
     "O(N) where N is the total number of Redis commands", ""},
    {"command|count", 2, "loading stale sentinel", 0, 0, 0, "@connection", cmd_command_count,
     "Get total number of Redis commands", "2.8.13", "O(1)", ""},
    {"command|info", -2, "loading stale sentinel", 0, 0, 0, "@connection", cmd_command_info,
     "Get array of specific Redis command details, or all when no argument is given.", "2.8.13",
     "O(N) where N is the number of commands to look up", "[command-name [command-name ...]]"},
    {"command|docs", -2, "loading stale sentinel", 0, 0, 0, "@connection", cmd_command_docs,
     "Get array of specific Redis command documentation", "7.0.0",
     "O(N) where N is the number of commands to look up", "[command-name [command-name ...]]"},
    {"command|list", -2, "loading stale sentinel", 0, 0, 0, "@connection", cmd_command_list,
     "Get an array of Redis command names", "7.0.0",
     "O(N) where N is the total number of Redis commands",
     "[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]"},
    {"command|getkeys", -4, "loading stale sentinel", 0, 0, 0, "@connection", cmd_command_getkeys,
     "Extract keys given a full Redis command", "2.8.13",
     "O(N) where N is the number of arguments to the command", ""},
    {"command|getkeysandflags", -4, "loading stale sentinel", 0, 0, 0, "@connection",
     cmd_command_getkeysandflags, "Extract keys and access flags given a full Redis command",
     "7.0.0", "O(N) where N is the number of arguments to the command", ""},
    {"command|help", 2, "loading stale sentinel", 0, 0, 0, "@connection", cmd_command_help,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", ""},
    {"shutdown", -1, "admin noscript loading stale no_multi sentinel allow_busy", 0, 0, 0, "",
     cmd_shutdown, "Synchronously save the dataset to disk and then shut down the server", "1.0.0",
     "O(N) when saving, where N is the total number of keys in all databases",
     "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"},
};

}  // namespace

void register_server_family(command_table& t) {
  t.add_all("server", server_commands);
}

}  // namespace troupe
