// EVAL EVALSHA EVAL_RO EVALSHA_RO and SCRIPT LOAD/EXISTS/FLUSH/KILL/HELP. The
// work is in storage/scripting/ (one Lua engine per reactor, the shared script
// cache). Scripts are flagged all_shards: with several reactors the dispatcher
// holds every shard for the whole script (its undeclared keys included), so a
// script is atomic and isolated at any `threads` setting.
#include "storage/commands/exec_context.hpp"
#include "storage/scripting/script_engine.hpp"
#include "storage/types/type_support.hpp"

namespace troupe {
namespace {

void cmd_eval(exec_context& c) {
  c.engine.scripting().eval(c, false, false);
}
void cmd_evalsha(exec_context& c) {
  c.engine.scripting().eval(c, true, false);
}
void cmd_eval_ro(exec_context& c) {
  c.engine.scripting().eval(c, false, true);
}
void cmd_evalsha_ro(exec_context& c) {
  c.engine.scripting().eval(c, true, true);
}

// EVAL's keys: numkeys at index 2, then the keys.
bool eval_keys(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  return numkeys_positions(args, 2, positions);
}

void cmd_script(exec_context&) {}

void cmd_script_load(exec_context& c) {
  std::string sha, err;
  if (!c.engine.scripting().load_script(c.arg(2), sha, err)) return c.out.error(err);
  c.out.bulk(sha);
}

void cmd_script_exists(exec_context& c) {
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    std::string sha(c.arg(i));
    for (auto& ch : sha) ch = char(tolower(static_cast<unsigned char>(ch)));
    c.out.integer(c.srv.scripts.has_script(sha) ? 1 : 0);
  }
}

void cmd_script_flush(exec_context& c) {
  if (c.argc() == 3 && !c.arg_is(2, "sync") && !c.arg_is(2, "async"))
    return c.out.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  if (c.argc() > 3) return c.out.error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
  c.srv.scripts.flush_scripts();
  c.out.ok();
}

void cmd_script_kill(exec_context& c) {
  if (auto err = c.srv.script_runs.request_kill(false)) return c.out.error(*err);
  c.out.ok();
}

void cmd_script_debug(exec_context& c) {
  if (!c.arg_is(2, "no") && !c.arg_is(2, "yes") && !c.arg_is(2, "sync"))
    return c.out.error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
  if (c.arg_is(2, "no")) return c.out.ok();
  c.out.error("ERR SCRIPT DEBUG is not supported by this server");
}

void cmd_script_help(exec_context& c) {
  static const char* lines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Set the debug mode for subsequent scripts executed.",
      "EXISTS <sha1> [<sha1> ...]",
      "    Return information about the existence of the scripts in the script cache.",
      "FLUSH [ASYNC|SYNC]",
      "    Flush the Lua scripts cache. Very dangerous on replicas.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the scripts cache.",
      "    * SYNC: Synchronously flush the scripts cache.",
      "KILL",
      "    Kill the currently executing Lua script.",
      "LOAD <script>",
      "    Load a script into the scripts cache without executing it.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

const command_def script_commands[] = {
    {"eval", -3, "noscript stale skip_monitor no_mandatory_keys all_shards script", 0, 0, 0,
     "@scripting", cmd_eval, "Execute a Lua script server side", "2.6.0",
     "Depends on the script that is executed.", "script numkeys [key [key ...]] [arg [arg ...]]",
     eval_keys},
    {"evalsha", -3, "noscript stale skip_monitor no_mandatory_keys all_shards script", 0, 0, 0,
     "@scripting", cmd_evalsha, "Execute a Lua script server side", "2.6.0",
     "Depends on the script that is executed.", "sha1 numkeys [key [key ...]] [arg [arg ...]]",
     eval_keys},
    {"eval_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys all_shards script", 0,
     0, 0, "@scripting -@read", cmd_eval_ro, "Execute a read-only Lua script server side", "7.0.0",
     "Depends on the script that is executed.", "script numkeys [key [key ...]] [arg [arg ...]]",
     eval_keys},
    {"evalsha_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys all_shards script",
     0, 0, 0, "@scripting -@read", cmd_evalsha_ro, "Execute a read-only Lua script server side",
     "7.0.0", "Depends on the script that is executed.",
     "sha1 numkeys [key [key ...]] [arg [arg ...]]", eval_keys},
    {"script", -2, "", 0, 0, 0, "", cmd_script, "A container for Lua scripts management commands",
     "2.6.0", "Depends on subcommand.", ""},
    {"script|debug", 3, "noscript no_keyspace", 0, 0, 0, "@scripting", cmd_script_debug,
     "Set the debug mode for executed scripts.", "3.2.0", "O(1)", "YES|SYNC|NO"},
    {"script|exists", -3, "noscript no_keyspace", 0, 0, 0, "@scripting", cmd_script_exists,
     "Check existence of scripts in the script cache.", "2.6.0",
     "O(N) with N being the number of scripts to check (so checking a single script is an O(1) "
     "operation).",
     "sha1 [sha1 ...]"},
    {"script|flush", -2, "noscript no_keyspace", 0, 0, 0, "@scripting", cmd_script_flush,
     "Remove all the scripts from the script cache.", "2.6.0",
     "O(N) with N being the number of scripts in cache", "[ASYNC|SYNC]"},
    {"script|help", 2, "loading stale no_keyspace", 0, 0, 0, "@scripting", cmd_script_help,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", ""},
    {"script|kill", 2, "noscript allow_busy no_keyspace", 0, 0, 0, "@scripting", cmd_script_kill,
     "Kill the script currently in execution.", "2.6.0", "O(1)", ""},
    {"script|load", 3, "noscript stale no_keyspace", 0, 0, 0, "@scripting", cmd_script_load,
     "Load the specified Lua script into the script cache.", "2.6.0",
     "O(N) with N being the length in bytes of the script body.", "script"},
};

}  // namespace

void register_script_family(command_table& t) {
  t.add_all("scripting", script_commands);
}

}  // namespace troupe
