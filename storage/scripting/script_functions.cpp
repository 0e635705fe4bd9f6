// The function side of the engine: loading a library's code (FUNCTION LOAD,
// RESTORE, RDB/AOF loading) with redis.register_function, and keeping this
// engine's functions in step with the installed libraries.
#include <cctype>

#include "storage/dispatch/dispatcher.hpp"
#include "storage/scripting/function_payload.hpp"
#include "storage/scripting/lua_reply.hpp"
#include "storage/scripting/lua_sandbox.hpp"
#include "storage/scripting/script_engine.hpp"
#include "storage/scripting/script_flags.hpp"

namespace troupe {
namespace {

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char ch : name)
    if (!isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  return true;
}

constexpr const char* bad_name =
    "Library names can only contain letters, numbers, or underscores(_) and must be at least one "
    "character long";

}  // namespace

// "#!lua name=<name>" (the first line of a library): the name, or false with
// Redis's error.
bool library_header_name(std::string_view code, std::string& name, std::string& err) {
  if (code.substr(0, 2) != "#!") {
    err = "ERR Missing library metadata";
    return false;
  }
  size_t eol = code.find('\n');
  if (eol == std::string_view::npos) {
    err = "ERR Invalid library metadata";
    return false;
  }
  std::string_view line = code.substr(2, eol - 2);
  size_t sp = line.find(' ');
  std::string_view engine = line.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
  std::string upper(engine);
  for (auto& ch : upper) ch = char(toupper(static_cast<unsigned char>(ch)));
  if (upper != "LUA") {
    err = "ERR Engine '" + std::string(engine) + "' not found";
    return false;
  }
  bool named = false;
  while (!rest.empty()) {
    size_t next = rest.find(' ');
    std::string_view part = rest.substr(0, next);
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
    if (part.empty()) continue;
    if (part.substr(0, 5) != "name=") {
      err = "ERR Invalid metadata value given: " + std::string(part);
      return false;
    }
    name = std::string(part.substr(5));
    named = true;
  }
  if (!named) {
    err = "ERR Library name was not given";
    return false;
  }
  if (!valid_name(name)) {
    err = std::string("ERR ") + bad_name;
    return false;
  }
  return true;
}

int script_engine::register_function(lua_State* L) {
  auto fail = [&](const char* msg) -> int {
    push_err(L, msg);
    return lua_error(L);
  };
  if (loading_ == nullptr)
    return fail("redis.register_function can only be called on FUNCTION LOAD command");
  int argc = lua_gettop(L);
  function_info info;
  int callback = 0;
  if (argc == 1) {
    if (!lua_istable(L, 1))
      return fail(
          "calling redis.register_function with a single argument is only applicable to Lua "
          "table (representing named arguments).");
    lua_settop(L, 1);
    lua_pushnil(L);  // slot 2: the callback, once found
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
      // key -2, value -1
      if (lua_type(L, -2) != LUA_TSTRING)
        return fail("named argument key given to redis.register_function is not a string");
      std::string key = lua_tostring(L, -2);
      if (key == "function_name") {
        if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
          return fail("function_name argument given to redis.register_function must be a string");
        info.name = lua_tostring(L, -1);
      } else if (key == "description") {
        if (lua_type(L, -1) != LUA_TSTRING && lua_type(L, -1) != LUA_TNUMBER)
          return fail("description argument given to redis.register_function must be a string");
        info.description = lua_tostring(L, -1);
        info.has_description = true;
      } else if (key == "callback") {
        if (!lua_isfunction(L, -1))
          return fail("callback argument given to redis.register_function must be a function");
        lua_pushvalue(L, -1);
        lua_replace(L, 2);
        callback = 2;
      } else if (key == "flags") {
        if (!lua_istable(L, -1))
          return fail(
              "flags argument to redis.register_function must be a table representing function "
              "flags");
        int t = lua_gettop(L);
        for (int i = 1;; ++i) {
          lua_rawgeti(L, t, i);
          if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            break;
          }
          uint32_t bit =
              lua_type(L, -1) == LUA_TSTRING ? script_flag_by_name(lua_tostring(L, -1)) : 0;
          if (bit == 0) return fail("unknown flag given");
          info.flags |= bit;
          lua_pop(L, 1);
        }
      } else {
        return fail("unknown argument given to redis.register_function");
      }
      lua_pop(L, 1);
    }
    if (callback == 0) {
      if (info.name.empty())
        return fail("redis.register_function must get a function name argument");
      return fail("redis.register_function must get a callback argument");
    }
    if (info.name.empty()) return fail("redis.register_function must get a function name argument");
  } else if (argc == 2) {
    if (lua_type(L, 1) != LUA_TSTRING && lua_type(L, 1) != LUA_TNUMBER)
      return fail("first argument to redis.register_function must be a string");
    if (!lua_isfunction(L, 2))
      return fail("second argument to redis.register_function must be a function");
    info.name = lua_tostring(L, 1);
    callback = 2;
  } else {
    return fail("wrong number of arguments to redis.register_function");
  }
  if (!valid_name(info.name)) {
    push_err(L, bad_name);
    return lua_error(L);
  }
  for (auto& f : loading_->functions)
    if (f.name == info.name) return fail("Function already exists in the library");
  lua_pushvalue(L, callback);
  loaded_refs_.emplace_back(info.name, luaL_ref(L, LUA_REGISTRYINDEX));
  loading_->functions.push_back(std::move(info));
  return 0;
}

bool script_engine::load_library(std::string_view code, function_library& lib, std::string& err,
                                 bool install) {
  lib.functions.clear();
  if (!library_header_name(code, lib.name, err)) return false;
  lib.code = std::string(code);
  std::string body(code);
  body[0] = body[1] = '-';
  lua_State* L = L_;
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, error_handler_ref_);
  if (luaL_loadbuffer(L, body.data(), body.size(), "@user_function") != 0) {
    const char* msg = lua_tostring(L, -1);
    err = std::string("ERR Error compiling function: ") + (msg != nullptr ? msg : "unknown error");
    lua_settop(L, 0);
    return false;
  }
  // The library's own globals: while it loads, only the load-time `redis`;
  // afterwards its functions read through to the scripts' globals.
  push_protected_env(L, 0);
  int env = lua_gettop(L);
  lua_getmetatable(L, env);
  lua_rawgeti(L, LUA_REGISTRYINDEX, load_redis_ref_);
  lua_pushcclosure(
      L,
      [](lua_State* s) -> int {
        const char* k = lua_tostring(s, 2);
        if (k != nullptr && std::string_view(k) == "redis") {
          lua_pushvalue(s, lua_upvalueindex(1));
          return 1;
        }
        return luaL_error(s, "Script attempted to access nonexistent global variable '%s'",
                          k != nullptr ? k : "?");
      },
      1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);  // the metatable
  lua_pushvalue(L, env);
  lua_setfenv(L, 2);

  function_library* saved = loading_;
  loading_ = &lib;
  loaded_refs_.clear();
  lua_pushvalue(L, 2);
  int status = lua_pcall(L, 0, 0, 1);
  loading_ = saved;
  // Loaded: the library's globals are the scripts' ones from now on.
  lua_rawgeti(L, LUA_REGISTRYINDEX, globals_proxy_ref_);
  set_protected_fallback(L, env);
  bool ok = true;
  if (status != 0) {
    std::string msg = "unknown error";
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      if (const char* e = lua_tostring(L, -1)) msg = e;
      lua_pop(L, 1);
    } else if (const char* e = lua_tostring(L, -1)) {
      msg = e;
    }
    err = "ERR Error registering functions: " + msg;
    ok = false;
  } else if (lib.functions.empty()) {
    err = "ERR No functions registered";
    ok = false;
  }
  if (ok && install) {
    for (size_t i = 0; i < loaded_refs_.size(); ++i) {
      auto& [name, ref] = loaded_refs_[i];
      auto& slot = functions_[name];
      if (slot.ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, slot.ref);
      slot.ref = ref;
      slot.flags = lib.functions[i].flags;
    }
  } else {
    for (auto& [name, ref] : loaded_refs_) luaL_unref(L, LUA_REGISTRYINDEX, ref);
  }
  loaded_refs_.clear();
  lua_settop(L, 0);
  return ok;
}

bool script_engine::inspect_library(std::string_view code, function_library& lib,
                                    std::string& err) {
  if (run_ != nullptr) {
    err = "ERR FUNCTION LOAD is not allowed from a script";
    return false;
  }
  return load_library(code, lib, err, false);
}

void script_engine::reload_functions() {
  if (engine_ == nullptr) return;
  uint64_t gen = engine_->services().scripts.functions_generation();
  if (gen == functions_gen_) return;
  for (auto& [name, f] : functions_) luaL_unref(L_, LUA_REGISTRYINDEX, f.ref);
  functions_.clear();
  auto libs = engine_->services().scripts.libraries();
  for (auto& [name, lib] : *libs) {
    function_library copy;
    std::string err;
    load_library(lib.code, copy, err, true);
  }
  functions_gen_ = gen;
  lua_gc(L_, LUA_GCCOLLECT, 0);
}

}  // namespace troupe
