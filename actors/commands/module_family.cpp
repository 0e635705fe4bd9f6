// MODULE: Redis modules are a C ABI Troupe does not load (Troupe is extended
// with actor types instead, see examples/). MODULE HELP answers as Redis and
// MODULE LIST is empty; LOAD, LOADEX and UNLOAD are refused unless
// enable-module-command allows them, as in Redis 7.0, and then LOAD and
// LOADEX fail as a module that cannot be loaded does, and UNLOAD finds none.
#include <iterator>
#include <string>

#include "actors/runtime/log.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

void cmd_module(exec_context&) {}

void cmd_module_help(exec_context& c) {
  static const char* lines[] = {
      "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LIST",
      "    Return a list of loaded modules.",
      "LOAD <path> [<arg> ...]",
      "    Load a module library from <path>, passing to it any optional arguments.",
      "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
      "    Load a module library from <path>, while passing it module configurations and "
      "optional arguments.",
      "UNLOAD <name>",
      "    Unload a module.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

void cmd_module_list(exec_context& c) {
  c.out.empty_array();
}

// LOAD, LOADEX and UNLOAD are "protected": the dispatcher's checks refuse
// them unless enable-module-command allows them.
void cmd_module_load(exec_context& c) {
  log_warning(
      "Module {} failed to load: Troupe does not load Redis modules (extensions are "
      "actor types, see examples/)",
      as_c_string(c.arg(2)));
  c.out.error("ERR Error loading the extension. Please check the server logs.");
}

void cmd_module_unload(exec_context& c) {
  c.out.error("ERR Error unloading module: no such module with that name");
}

const command_def module_commands[] = {
    {"module", -2, "", 0, 0, 0, "", cmd_module, "A container for module commands", "4.0.0",
     "Depends on subcommand.", ""},
    {"module|help", 2, "loading stale", 0, 0, 0, "", cmd_module_help,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", ""},
    {"module|list", 2, "admin noscript", 0, 0, 0, "", cmd_module_list,
     "List all modules loaded by the server", "4.0.0",
     "O(N) where N is the number of loaded modules.", ""},
    {"module|load", -3, "admin noscript no_async_loading protected", 0, 0, 0, "", cmd_module_load,
     "Load a module", "4.0.0", "O(1)", "path [arg [arg ...]]"},
    {"module|loadex", -3, "admin noscript no_async_loading protected", 0, 0, 0, "", cmd_module_load,
     "Load a module with extended parameters", "7.0.0", "O(1)",
     "path [CONFIG name value [CONFIG name value ...]] [ARGS args [args ...]]"},
    {"module|unload", 3, "admin noscript no_async_loading protected", 0, 0, 0, "",
     cmd_module_unload, "Unload a module", "4.0.0", "O(1)", "name"},
};

}  // namespace

void register_module_family(command_table& t) {
  t.add_all("server", module_commands);
}

}  // namespace troupe
