// The Lua libraries Redis scripts use that Debian does not package, written
// for Troupe from their public format descriptions: `struct` (Roberto
// Ierusalimschy's struct library, the format characters Redis 7.0 exposes)
// and `cmsgpack` (MessagePack). Each opener pushes the library's table; the
// sandbox makes it a read-only global.
#pragma once
#include "storage/scripting/lua_api.hpp"

namespace troupe {

// struct.pack / struct.unpack / struct.size (lua_struct.cpp).
int open_struct_library(lua_State* L);
// cmsgpack.pack / unpack / unpack_one / unpack_limit (lua_cmsgpack.cpp).
int open_cmsgpack_library(lua_State* L);

}  // namespace troupe
