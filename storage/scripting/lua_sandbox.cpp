#include "storage/scripting/lua_sandbox.hpp"

// Debian's headers declare these without C linkage.
extern "C" {
#include <lua5.1/lua-bitop.h>
#include <lua5.1/lua-cjson.h>
}

#include <string>

#include "storage/scripting/lua_libraries.hpp"
#include "storage/scripting/lua_reply.hpp"
#include "storage/scripting/script_engine.hpp"
#include "storage/scripting/script_log.hpp"
#include "storage/scripting/script_store.hpp"

namespace troupe {
namespace {

constexpr const char* redis_version = "7.0.15";
constexpr int redis_version_num = 0x07000f;

script_engine* engine_of(lua_State* L) {
  return static_cast<script_engine*>(lua_touserdata(L, lua_upvalueindex(1)));
}

int readonly_error(lua_State* L) {
  return luaL_error(L, "Attempt to modify a readonly table");
}

int missing_global(lua_State* L) {
  const char* name = lua_tostring(L, 2);
  return luaL_error(L, "Script attempted to access nonexistent global variable '%s'",
                    name != nullptr ? name : "?");
}

// Protected tables are those whose metatable refuses writes.
bool is_protected(lua_State* L, int idx) {
  if (!lua_getmetatable(L, idx)) return false;
  lua_pushstring(L, "__newindex");
  lua_rawget(L, -2);
  bool refused = lua_tocfunction(L, -1) == readonly_error;
  lua_pop(L, 2);
  return refused;
}

// rawset, refusing the protected tables (Redis's read-only tables refuse it).
int safe_rawset(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checkany(L, 2);
  luaL_checkany(L, 3);
  if (is_protected(L, 1)) {
    lua_pushstring(L, "Attempt to modify a readonly table");
    return lua_error(L);
  }
  lua_settop(L, 3);
  lua_rawset(L, 1);
  return 1;
}

// Scripts' message handler: every error becomes {err=...} with the place it
// was raised (the first Lua frame), which the reply names.
int error_handler(lua_State* L) {
  if (!lua_istable(L, 1)) {
    const char* msg = lua_tostring(L, 1);
    std::string text = std::string("ERR ") + (msg != nullptr ? msg : "unknown error");
    lua_settop(L, 0);
    lua_createtable(L, 0, 3);
    lua_pushlstring(L, text.data(), text.size());
    lua_setfield(L, -2, "err");
  } else {
    lua_settop(L, 1);
    lua_getfield(L, 1, "err");
    bool has_err = lua_isstring(L, -1);
    lua_pop(L, 1);
    if (!has_err) {
      lua_pushstring(L, "ERR unknown error");
      lua_setfield(L, 1, "err");
    }
  }
  lua_Debug ar;
  for (int level = 1; lua_getstack(L, level, &ar); ++level) {
    lua_getinfo(L, "Sl", &ar);
    if (ar.currentline <= 0) continue;
    lua_pushstring(L, ar.source);
    lua_setfield(L, 1, "source");
    lua_pushinteger(L, ar.currentline);
    lua_setfield(L, 1, "line");
    break;
  }
  return 1;
}

// Scripts' pcall: as Lua's, except that an error table ({err=...}, what
// redis.call raises) reaches the handler as its message string, as in Redis.
int script_pcall(lua_State* L) {
  luaL_checkany(L, 1);
  int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  if (status == 0) {
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    return lua_gettop(L);
  }
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "err");
    if (lua_isstring(L, -1))
      lua_replace(L, -2);
    else
      lua_pop(L, 1);
  }
  lua_pushboolean(L, 0);
  lua_insert(L, -2);
  return 2;
}

// -- the redis table -------------------------------------------------------------

int redis_call(lua_State* L) {
  return engine_of(L)->redis_call(L, true);
}
int redis_pcall(lua_State* L) {
  return engine_of(L)->redis_call(L, false);
}
int redis_setresp(lua_State* L) {
  return engine_of(L)->set_resp(L);
}
int redis_set_repl(lua_State* L) {
  return engine_of(L)->set_repl(L);
}
int redis_register_function(lua_State* L) {
  return engine_of(L)->register_function(L);
}
int redis_acl_check_cmd(lua_State* L) {
  return engine_of(L)->acl_check_cmd(L);
}

int redis_sha1hex(lua_State* L) {
  if (lua_gettop(L) != 1) {
    push_err(L, "wrong number of arguments");
    return lua_error(L);
  }
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  std::string hex = sha1_hex(std::string_view(s != nullptr ? s : "", s != nullptr ? n : 0));
  lua_pushlstring(L, hex.data(), hex.size());
  return 1;
}

// error_reply / status_reply: {err=...} / {ok=...}; a bad argument is returned
// as an error table, as Redis does.
int redis_error_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    push_err(L, "wrong number or type of arguments");
    return 1;
  }
  size_t n;
  const char* s = lua_tolstring(L, 1, &n);
  std::string text(s, n);
  if (text.empty() || text[0] != '-') text.insert(0, "-");
  push_error_table(L, text);
  return 1;
}

int redis_status_reply(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TSTRING) {
    push_err(L, "wrong number or type of arguments");
    return 1;
  }
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, 1);
  lua_setfield(L, -2, "ok");
  return 1;
}

int redis_log(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc < 2) {
    push_err(L, "redis.log() requires two arguments or more.");
    return lua_error(L);
  }
  if (!lua_isnumber(L, 1)) {
    push_err(L, "First argument must be a number (log level).");
    return lua_error(L);
  }
  int level = int(lua_tonumber(L, 1));
  if (level < 0 || level > 3) {
    push_err(L, "Invalid debug level.");
    return lua_error(L);
  }
  std::string msg;
  for (int i = 2; i <= argc; ++i) {
    size_t n;
    const char* s = lua_tolstring(L, i, &n);
    if (s == nullptr) continue;
    if (i > 2) msg += ' ';
    msg.append(s, n);
  }
  script_log(level, msg);
  return 0;
}

int redis_replicate_commands(lua_State* L) {
  lua_pushboolean(L, 1);  // scripts always replicate their effects (Redis 7.0)
  return 1;
}

int redis_breakpoint(lua_State* L) {
  lua_pushboolean(L, 0);  // no debugging session: nothing to stop in
  return 1;
}

int redis_debug(lua_State*) {
  return 0;
}

void set_fn(lua_State* L, const char* name, lua_CFunction f, script_engine* engine) {
  lua_pushlightuserdata(L, engine);
  lua_pushcclosure(L, f, 1);
  lua_setfield(L, -2, name);
}

void set_int(lua_State* L, const char* name, int v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, name);
}

void set_log_levels_and_version(lua_State* L) {
  set_int(L, "LOG_DEBUG", 0);
  set_int(L, "LOG_VERBOSE", 1);
  set_int(L, "LOG_NOTICE", 2);
  set_int(L, "LOG_WARNING", 3);
  lua_pushstring(L, redis_version);
  lua_setfield(L, -2, "REDIS_VERSION");
  set_int(L, "REDIS_VERSION_NUM", redis_version_num);
}

// Pushes the `redis` table scripts use.
void push_redis_table(lua_State* L, script_engine* engine) {
  lua_newtable(L);
  set_fn(L, "call", redis_call, engine);
  set_fn(L, "pcall", redis_pcall, engine);
  set_fn(L, "setresp", redis_setresp, engine);
  set_fn(L, "set_repl", redis_set_repl, engine);
  set_fn(L, "acl_check_cmd", redis_acl_check_cmd, engine);
  set_fn(L, "sha1hex", redis_sha1hex, engine);
  set_fn(L, "error_reply", redis_error_reply, engine);
  set_fn(L, "status_reply", redis_status_reply, engine);
  set_fn(L, "log", redis_log, engine);
  set_fn(L, "replicate_commands", redis_replicate_commands, engine);
  set_fn(L, "breakpoint", redis_breakpoint, engine);
  set_fn(L, "debug", redis_debug, engine);
  set_log_levels_and_version(L);
  set_int(L, "REPL_NONE", 0);
  set_int(L, "REPL_AOF", 1);
  set_int(L, "REPL_SLAVE", 2);
  set_int(L, "REPL_REPLICA", 2);
  set_int(L, "REPL_ALL", 3);
}

// Pushes the `redis` table of FUNCTION LOAD: register_function, log, levels.
void push_load_redis_table(lua_State* L, script_engine* engine) {
  lua_newtable(L);
  set_fn(L, "register_function", redis_register_function, engine);
  set_fn(L, "log", redis_log, engine);
  set_log_levels_and_version(L);
}

void open_library(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 1);
  if (lua_istable(L, -1)) {
    lua_pushvalue(L, -1);
    lua_setglobal(L, name);
  }
  lua_pop(L, 1);
}

}  // namespace

void push_protected_env(lua_State* L, int index) {
  index = index < 0 ? lua_gettop(L) + index + 1 : index;
  lua_newtable(L);
  lua_newtable(L);
  if (index != 0)
    lua_pushvalue(L, index);
  else
    lua_pushcfunction(L, missing_global);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, readonly_error);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
}

void set_protected_fallback(lua_State* L, int table) {
  table = table < 0 ? lua_gettop(L) + table + 1 : table;
  // The metatable is hidden behind __metatable: reach it raw.
  lua_getmetatable(L, table);
  lua_pushvalue(L, -2);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 2);
}

sandbox_refs create_sandbox(script_engine* engine) {
  sandbox_refs refs;
  lua_State* L = luaL_newstate();
  refs.L = L;
  open_library(L, luaopen_base, "");
  open_library(L, luaopen_table, LUA_TABLIBNAME);
  open_library(L, luaopen_string, LUA_STRLIBNAME);
  open_library(L, luaopen_math, LUA_MATHLIBNAME);
  open_library(L, luaopen_cjson, "cjson");
  open_library(L, luaopen_bit, "bit");
  open_library(L, open_struct_library, "struct");
  open_library(L, open_cmsgpack_library, "cmsgpack");
  for (const char* name :
       {"print", "dofile", "loadfile", "require", "module", "getfenv", "setfenv", "newproxy"}) {
    lua_pushnil(L);
    lua_setglobal(L, name);
  }
  lua_pushcfunction(L, safe_rawset);
  lua_setglobal(L, "rawset");
  lua_pushcfunction(L, script_pcall);
  lua_setglobal(L, "pcall");

  push_redis_table(L, engine);
  lua_pushvalue(L, -1);
  refs.redis = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_setglobal(L, "redis");
  // FUNCTION LOAD's redis table: read-only, missing fields are errors.
  push_load_redis_table(L, engine);
  lua_newtable(L);
  lua_pushcfunction(L, missing_global);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, readonly_error);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  refs.load_redis = luaL_ref(L, LUA_REGISTRYINDEX);

  // Library tables become read-only proxies.
  lua_pushvalue(L, LUA_GLOBALSINDEX);
  int globals = lua_gettop(L);
  for (const char* name :
       {"string", "table", "math", "coroutine", "cjson", "bit", "struct", "cmsgpack", "redis"}) {
    lua_getfield(L, globals, name);
    if (!lua_istable(L, -1)) {
      lua_pop(L, 1);
      continue;
    }
    push_protected_env(L, -1);  // a protected proxy of that table
    lua_setfield(L, globals, name);
    lua_pop(L, 1);
  }
  // Reading a missing global is an error.
  lua_newtable(L);
  lua_pushcfunction(L, missing_global);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, globals);
  // Scripts see a read-only proxy of the globals.
  push_protected_env(L, globals);
  lua_pushvalue(L, -1);
  lua_setfield(L, globals, "_G");
  lua_pushvalue(L, -1);
  refs.globals_proxy = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_replace(L, LUA_GLOBALSINDEX);
  refs.globals = luaL_ref(L, LUA_REGISTRYINDEX);

  lua_pushcfunction(L, error_handler);
  refs.error_handler = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_settop(L, 0);
  return refs;
}

}  // namespace troupe
