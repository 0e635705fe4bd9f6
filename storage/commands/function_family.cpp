// FCALL FCALL_RO and FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/KILL/
// HELP. Libraries are shared by every reactor (script_store); each reactor's
// engine loads their code into its own lua_State when they change. FUNCTION
// LOAD, DELETE, FLUSH and RESTORE change the dataset as Redis sees it: they are
// journaled as they were sent (AOF, replicas).
#include "protocol/text/glob.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/scripting/function_payload.hpp"
#include "storage/scripting/script_engine.hpp"
#include "storage/scripting/script_flags.hpp"
#include "storage/types/type_support.hpp"

namespace troupe {
namespace {

void cmd_fcall(exec_context& c) {
  c.engine.scripting().fcall(c, false);
}
void cmd_fcall_ro(exec_context& c) {
  c.engine.scripting().fcall(c, true);
}

bool fcall_keys(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  return numkeys_positions(args, 2, positions);
}

void cmd_function(exec_context&) {}

// A change of the installed libraries: counted for save points and journaled.
void libraries_changed(exec_context& c) {
  c.ks.dirty.fetch_add(1, std::memory_order_relaxed);
  c.changes += 1;
}

void cmd_function_load(exec_context& c) {
  bool replace = false;
  for (size_t i = 2; i + 1 < c.argc(); ++i) {
    if (!c.arg_is(i, "replace"))
      return c.out.error("ERR Unknown option given: " + std::string(as_c_string(c.arg(i))));
    replace = true;
  }
  std::string_view code = c.arg(c.argc() - 1);
  std::string err;
  library_set next = *c.srv.scripts.libraries();
  function_library lib;
  if (!install_library_code(c.engine.scripting(), code, replace, next, &lib, err))
    return c.out.error(err);
  c.srv.scripts.set_libraries(std::make_shared<const library_set>(std::move(next)));
  libraries_changed(c);
  c.out.bulk(lib.name);
}

void cmd_function_delete(exec_context& c) {
  library_set next = *c.srv.scripts.libraries();
  auto it = next.find(std::string(c.arg(2)));
  if (it == next.end()) return c.out.error("ERR Library not found");
  next.erase(it);
  c.srv.scripts.set_libraries(std::make_shared<const library_set>(std::move(next)));
  libraries_changed(c);
  c.out.ok();
}

void cmd_function_flush(exec_context& c) {
  if (c.argc() == 3 && !c.arg_is(2, "sync") && !c.arg_is(2, "async"))
    return c.out.error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  if (c.argc() > 3) return c.subcommand_syntax_error();
  c.srv.scripts.set_libraries(std::make_shared<const library_set>());
  libraries_changed(c);
  c.out.ok();
}

void write_library(exec_context& c, const function_library& lib, bool with_code) {
  c.out.map(with_code ? 4 : 3);
  c.out.bulk("library_name");
  c.out.bulk(lib.name);
  c.out.bulk("engine");
  c.out.bulk("LUA");
  c.out.bulk("functions");
  c.out.array(lib.functions.size());
  for (auto& f : lib.functions) {
    c.out.map(3);
    c.out.bulk("name");
    c.out.bulk(f.name);
    c.out.bulk("description");
    if (f.has_description)
      c.out.bulk(f.description);
    else
      c.out.null();
    c.out.bulk("flags");
    auto names = script_flag_names(f.flags);
    c.out.set(names.size());
    for (auto n : names) c.out.simple(n);
  }
  if (with_code) {
    c.out.bulk("library_code");
    c.out.bulk(lib.code);
  }
}

void cmd_function_list(exec_context& c) {
  bool with_code = false;
  std::optional<std::string_view> pattern;
  for (size_t i = 2; i < c.argc(); ++i) {
    // Each option once, as Redis 7.0: a second one is an unknown argument.
    if (c.arg_is(i, "withcode") && !with_code) {
      with_code = true;
    } else if (c.arg_is(i, "libraryname") && !pattern) {
      if (i + 1 >= c.argc()) return c.out.error("ERR library name argument was not given");
      pattern = c.arg(++i);
    } else {
      return c.out.error("ERR Unknown argument " + std::string(as_c_string(c.arg(i))));
    }
  }
  auto libs = c.srv.scripts.libraries();
  size_t mark = c.out.begin_deferred();
  size_t n = 0;
  for (auto& [name, lib] : *libs) {
    if (pattern && !glob_match(*pattern, name)) continue;
    write_library(c, lib, with_code);
    ++n;
  }
  c.out.end_deferred_array(mark, n);
}

void cmd_function_dump(exec_context& c) {
  c.out.bulk(make_function_payload(*c.srv.scripts.libraries()));
}

void cmd_function_restore(exec_context& c) {
  restore_policy policy = restore_policy::append;
  if (c.argc() == 4) {
    if (c.arg_is(3, "flush"))
      policy = restore_policy::flush;
    else if (c.arg_is(3, "append"))
      policy = restore_policy::append;
    else if (c.arg_is(3, "replace"))
      policy = restore_policy::replace;
    else
      return c.out.error(
          "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");
  } else if (c.argc() > 4) {
    return c.subcommand_syntax_error();
  }
  std::vector<std::string> codes;
  std::string err;
  if (!read_function_payload(c.arg(2), c.srv.skip_checksum_validation.load(), codes, err))
    return c.out.error(err);
  library_set next;
  if (policy != restore_policy::flush) next = *c.srv.scripts.libraries();
  for (auto& code : codes) {
    if (!install_library_code(c.engine.scripting(), code, policy == restore_policy::replace, next,
                              nullptr, err, true))
      return c.out.error(err);
  }
  c.srv.scripts.set_libraries(std::make_shared<const library_set>(std::move(next)));
  libraries_changed(c);
  c.out.ok();
}

void cmd_function_stats(exec_context& c) {
  c.out.map(2);
  c.out.bulk("running_script");
  std::string name;
  std::vector<std::string> command;
  int64_t started = 0;
  if (c.srv.script_runs.running_function(name, command, started)) {
    c.out.map(3);
    c.out.bulk("name");
    c.out.bulk(name);
    c.out.bulk("command");
    c.out.array(command.size());
    for (auto& a : command) c.out.bulk(a);
    c.out.bulk("duration_ms");
    c.out.integer(c.now - started);
  } else {
    c.out.null();
  }
  auto libs = c.srv.scripts.libraries();
  size_t functions = 0;
  for (auto& [n, lib] : *libs) functions += lib.functions.size();
  c.out.bulk("engines");
  c.out.map(1);
  c.out.bulk("LUA");
  c.out.map(2);
  c.out.bulk("libraries_count");
  c.out.integer(int64_t(libs->size()));
  c.out.bulk("functions_count");
  c.out.integer(int64_t(functions));
}

void cmd_function_kill(exec_context& c) {
  if (auto err = c.srv.script_runs.request_kill(true)) return c.out.error(*err);
  c.out.ok();
}

void cmd_function_help(exec_context& c) {
  static const char* lines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a new library with the given library name and code.",
      "DELETE <LIBRARY NAME>",
      "    Delete the given library.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Return general information on all the libraries:",
      "    * Library name",
      "    * The engine used to run the Library",
      "    * Library description",
      "    * Functions list",
      "    * Library code (if WITHCODE is given)",
      "    It also possible to get only function that matches a pattern using LIBRARYNAME "
      "argument.",
      "STATS",
      "    Return information about the current function running:",
      "    * Function name",
      "    * Command used to run the function",
      "    * Duration in MS that the function is running",
      "    If no function is running, return nil",
      "    In addition, returns a list of available engines.",
      "KILL",
      "    Kill the current running function.",
      "FLUSH [ASYNC|SYNC]",
      "    Delete all the libraries.",
      "    When called without the optional mode argument, the behavior is determined by the",
      "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
      "    * ASYNC: Asynchronously flush the libraries.",
      "    * SYNC: Synchronously flush the libraries.",
      "DUMP",
      "    Return a serialized payload representing the current libraries, can be restored using "
      "FUNCTION RESTORE command",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Restore the libraries represented by the given payload, it is possible to give a "
      "restore policy to",
      "    control how to handle existing libraries (default APPEND):",
      "    * FLUSH: delete all existing libraries.",
      "    * APPEND: appends the restored libraries to the existing libraries. On collision, "
      "abort.",
      "    * REPLACE: appends the restored libraries to the existing libraries, On collision, "
      "replace the old",
      "      libraries with the new libraries (notice that even on this option there is a chance "
      "of failure",
      "      in case of functions name collision with another library).",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

const command_def function_commands[] = {
    {"fcall", -3, "noscript stale skip_monitor no_mandatory_keys all_shards script", 0, 0, 0,
     "@scripting", cmd_fcall, "Invoke a function", "7.0.0",
     "Depends on the function that is executed.",
     "function numkeys [key [key ...]] [arg [arg ...]]", fcall_keys},
    {"fcall_ro", -3, "readonly noscript stale skip_monitor no_mandatory_keys all_shards script", 0,
     0, 0, "@scripting -@read", cmd_fcall_ro, "Invoke a read-only function", "7.0.0",
     "Depends on the function that is executed.",
     "function numkeys [key [key ...]] [arg [arg ...]]", fcall_keys},
    {"function", -2, "", 0, 0, 0, "", cmd_function, "A container for function commands", "7.0.0",
     "Depends on subcommand.", ""},
    {"function|delete", 3, "write noscript no_keyspace", 0, 0, 0, "@scripting", cmd_function_delete,
     "Delete a function by name", "7.0.0", "O(1)", "library-name"},
    {"function|dump", 2, "noscript no_keyspace", 0, 0, 0, "@scripting", cmd_function_dump,
     "Dump all functions into a serialized binary payload", "7.0.0",
     "O(N) where N is the number of functions", ""},
    {"function|flush", -2, "write noscript no_keyspace", 0, 0, 0, "@scripting", cmd_function_flush,
     "Deleting all functions", "7.0.0", "O(N) where N is the number of functions deleted",
     "[ASYNC|SYNC]"},
    {"function|help", 2, "loading stale no_keyspace", 0, 0, 0, "@scripting", cmd_function_help,
     "Show helpful text about the different subcommands", "7.0.0", "O(1)", ""},
    {"function|kill", 2, "noscript allow_busy no_keyspace", 0, 0, 0, "@scripting",
     cmd_function_kill, "Kill the function currently in execution.", "7.0.0", "O(1)", ""},
    {"function|list", -2, "noscript no_keyspace", 0, 0, 0, "@scripting", cmd_function_list,
     "List information about all the functions", "7.0.0", "O(N) where N is the number of functions",
     "[LIBRARYNAME library-name-pattern] [WITHCODE]"},
    {"function|load", -3, "write denyoom noscript no_keyspace", 0, 0, 0, "@scripting",
     cmd_function_load, "Create a function with the given arguments (name, code, description)",
     "7.0.0", "O(1) (considering compilation time is redundant)", "[REPLACE] function-code"},
    {"function|restore", -3, "write denyoom noscript no_keyspace", 0, 0, 0, "@scripting",
     cmd_function_restore, "Restore all the functions on the given payload", "7.0.0",
     "O(N) where N is the number of functions on the payload",
     "serialized-value [FLUSH|APPEND|REPLACE]"},
    {"function|stats", 2, "noscript allow_busy no_keyspace", 0, 0, 0, "@scripting",
     cmd_function_stats,
     "Return information about the function currently running (name, "
     "description, duration)",
     "7.0.0", "O(1)", ""},
};

}  // namespace

void register_function_family(command_table& t) {
  t.add_all("scripting", function_commands);
}

}  // namespace troupe
