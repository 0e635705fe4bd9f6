// The Lua environment scripts run in, as Redis 7.0 builds it: the base,
// table, string and math libraries plus cjson, bit, struct and cmsgpack; no
// os, io, package, print, dofile, loadfile, require; a read-only global table
// (writing a global, or reading one that does not exist, is an error with
// Redis's message) and read-only library tables; the `redis` table.
#pragma once
#include "storage/scripting/lua_api.hpp"

namespace troupe {

class script_engine;

// Registry references to what the engine needs after set-up.
struct sandbox_refs {
  lua_State* L = nullptr;
  int globals = LUA_NOREF;        // the real globals (KEYS and ARGV go there)
  int globals_proxy = LUA_NOREF;  // what scripts see as their globals
  int redis = LUA_NOREF;          // the real `redis` table
  int load_redis = LUA_NOREF;     // the `redis` table of a library being loaded
  int error_handler = LUA_NOREF;  // the message handler of every script call
};

sandbox_refs create_sandbox(script_engine* engine);

// A table whose writes fail with "Attempt to modify a readonly table" and whose
// missing fields fail as nonexistent globals, reading through to `index` (a
// table, or nothing). Pushes it.
void push_protected_env(lua_State* L, int index);
// Points a protected table's reads at the table on top of the stack (popped).
void set_protected_fallback(lua_State* L, int table);

}  // namespace troupe
