// The Lua 5.1 C API. Troupe links Debian's liblua5.1-c++ (Lua built as C++,
// with C linkage): lua_error unwinds with a C++ exception, so C++ objects
// between a raise and its pcall are destroyed properly.
#pragma once
#include <lua5.1/lua.hpp>
