// One reactor's Lua engine: a sandboxed lua_State, the scripts it compiled (by
// SHA1) and the functions of the installed libraries, and the code that runs a
// script for EVAL/EVALSHA/FCALL and its redis.call()s through the reactor's
// dispatcher. Used only from the reactor's thread; what reactors share (script
// bodies, libraries) is in script_store.hpp.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/dispatch/session.hpp"
#include "storage/scripting/lua_api.hpp"
#include "storage/scripting/script_store.hpp"

namespace troupe {

class dispatcher;
struct exec_context;
struct command_spec;

class script_engine {
 public:
  // `d` may be null for an engine that only inspects library code (RDB
  // loading): such an engine runs no script.
  explicit script_engine(dispatcher* d);
  ~script_engine();
  script_engine(const script_engine&) = delete;
  script_engine& operator=(const script_engine&) = delete;

  // EVAL / EVALSHA / EVAL_RO / EVALSHA_RO and FCALL / FCALL_RO, whole: the
  // reply goes to c.out. The dispatcher holds the shards (all of them when the
  // keyspace is concurrent: scripts are flagged all_shards).
  void eval(exec_context& c, bool by_sha, bool read_only);
  void fcall(exec_context& c, bool read_only);

  // The flags the dispatcher checks a script command with (Redis's
  // evalGetCommandFlags / fcallGetCommandFlags): a script that declared flags
  // replaces the command's write/denyoom/stale flags by its own.
  uint32_t command_flags(const command_spec& cmd, const std::vector<std::string_view>& args,
                         uint32_t flags);

  // SCRIPT LOAD: compiles the body and caches it everywhere; its SHA1, or
  // false with the error reply.
  bool load_script(std::string_view body, std::string& sha, std::string& err);

  // FUNCTION LOAD / RESTORE: runs a library's code in a scratch environment
  // to learn its name and functions; false with the error reply.
  bool inspect_library(std::string_view code, function_library& lib, std::string& err);

  // -- for the redis.* functions (lua_redis_api.cpp) -----------------------------
  // redis.call (raise) / redis.pcall.
  int redis_call(lua_State* L, bool raise);
  int set_resp(lua_State* L);
  int set_repl(lua_State* L);
  int register_function(lua_State* L);
  int acl_check_cmd(lua_State* L);
  bool running() const { return run_ != nullptr; }
  // The time the running script's commands see: its start (Redis 7.0 fixes
  // the cached time for nested calls, so keys do not expire mid-script).
  int64_t script_time_ms() const { return script_time_ms_; }
  // The count hook: time, SCRIPT KILL, serving other clients once busy.
  void on_hook(lua_State* L);

  lua_State* state() const { return L_; }

 private:
  struct run_state;
  struct compiled {
    int ref = LUA_NOREF;
    uint32_t flags = 0;
  };
  struct function_entry {
    int ref = LUA_NOREF;
    uint32_t flags = 0;
  };

  // Lets the string-keyed maps be searched with a string_view.
  struct text_hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using script_map = std::unordered_map<std::string, compiled, text_hash, std::equal_to<>>;
  using script_entry = script_map::value_type;  // the SHA1 and the compiled script

  // The compiled script for a body (compiling and caching it); null with the
  // error reply when it does not compile.
  const script_entry* compile(std::string_view sha, std::string_view body, std::string& err);
  const script_entry* find_compiled(std::string_view sha);
  // EVAL's script: by its body when this engine ran it before (no SHA1 to
  // compute), else by the body's SHA1, compiling it.
  const script_entry* script_for_body(std::string_view body, std::string& err);
  void drop_stale_caches();
  void reload_functions();
  // The numkeys argument at index 2: false with the error written.
  bool parse_numkeys(exec_context& c, int64_t& numkeys, bool fcall);
  void run(exec_context& c, int fn_ref, uint32_t flags, size_t numkeys, bool read_only,
           std::string_view name);
  // Runs `code` as a library body; fills lib's functions (and, when `install`,
  // stores their Lua functions in this engine).
  bool load_library(std::string_view code, function_library& lib, std::string& err, bool install);

  dispatcher* engine_;
  lua_State* L_ = nullptr;
  int globals_ref_ = LUA_NOREF;        // the real globals table (behind the read-only proxy)
  int globals_proxy_ref_ = LUA_NOREF;  // the read-only globals scripts see
  int redis_ref_ = LUA_NOREF;          // the `redis` table scripts see
  int load_redis_ref_ = LUA_NOREF;     // the `redis` table of FUNCTION LOAD
  int error_handler_ref_ = LUA_NOREF;
  script_map scripts_;
  // EVAL bodies this engine compiled -> their entry in scripts_ (whose
  // elements never move); cleared with it.
  std::unordered_map<std::string, const script_entry*, text_hash, std::equal_to<>> bodies_;
  uint64_t scripts_gen_ = 0;
  std::unordered_map<std::string, function_entry> functions_;
  uint64_t functions_gen_ = 0;
  // The fake client the script's commands run as (Redis's "lua client").
  session client_;
  run_state* run_ = nullptr;
  int64_t script_time_ms_ = 0;
  // redis.register_function's output while a library loads.
  function_library* loading_ = nullptr;
  std::vector<std::pair<std::string, int>> loaded_refs_;
  // redis.call's command by name, through a small cache (find_command).
  const command_spec* find_command(std::string_view name);
  struct command_cache_entry {
    std::string name;  // exactly as the script wrote it
    const command_spec* cmd = nullptr;
  };
  // rename-command applies at start-up, before any script runs: entries
  // never go stale.
  std::array<command_cache_entry, 64> command_cache_;
  std::vector<std::string_view> argv_;  // redis.call's arguments, reused
  std::string reply_;                   // redis.call's reply, reused
};

}  // namespace troupe
