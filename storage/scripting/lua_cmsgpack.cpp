// The `cmsgpack` library of Redis scripts, from the MessagePack format
// specification, with the choices Redis 7.0's library makes:
//   cmsgpack.pack(v1, v2, ...)           the encodings of every value, concatenated
//   cmsgpack.unpack(s)                   every value s holds
//   cmsgpack.unpack_one(s [, offset])    next offset (-1 at the end), one value
//   cmsgpack.unpack_limit(s, n [, off])  next offset, at most n values
// Encoding: a number that is a whole int64 is the smallest integer format,
// other numbers a float32 when exact, else a float64; strings are str
// formats (fixstr/str8/16/32); a table whose keys are exactly 1..n is an
// array, any other a map; tables nested 16 deep and values MessagePack has no
// type for (functions, nil) are nil. Decoding reads nil, booleans, integers,
// floats, str and the array/map formats; bin and ext are "Bad data format".
// Hostile input only errors: every length is checked against the bytes left
// before anything is read or allocated, and nesting is bounded by the Lua
// stack check every level makes.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "storage/scripting/lua_libraries.hpp"

namespace troupe {
namespace {

constexpr int max_encode_nesting = 16;

// -- encoding ---------------------------------------------------------------------

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(char((v >> (8 * i)) & 0xff));
}

void encode_int(std::string& out, int64_t n) {
  if (n >= 0) {
    if (n <= 127) {
      out.push_back(char(n));
    } else if (n <= 0xff) {
      out.push_back(char(0xcc));
      put_be(out, uint64_t(n), 1);
    } else if (n <= 0xffff) {
      out.push_back(char(0xcd));
      put_be(out, uint64_t(n), 2);
    } else if (n <= 0xffffffffLL) {
      out.push_back(char(0xce));
      put_be(out, uint64_t(n), 4);
    } else {
      out.push_back(char(0xcf));
      put_be(out, uint64_t(n), 8);
    }
  } else if (n >= -32) {
    out.push_back(char(n));  // negative fixint
  } else if (n >= -128) {
    out.push_back(char(0xd0));
    put_be(out, uint64_t(n), 1);
  } else if (n >= -32768) {
    out.push_back(char(0xd1));
    put_be(out, uint64_t(n), 2);
  } else if (n >= -2147483648LL) {
    out.push_back(char(0xd2));
    put_be(out, uint64_t(n), 4);
  } else {
    out.push_back(char(0xd3));
    put_be(out, uint64_t(n), 8);
  }
}

void encode_double(std::string& out, double d) {
  float f = float(d);
  if (d == double(f)) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    out.push_back(char(0xca));
    put_be(out, bits, 4);
  } else {
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    out.push_back(char(0xcb));
    put_be(out, bits, 8);
  }
}

// C's double -> int64 conversion as x86-64 performs it: out of range (and
// NaN) gives INT64_MIN, so such numbers never pass for integers.
int64_t truncate_int64(double n) {
  if (!(n >= -9223372036854775808.0 && n < 9223372036854775808.0)) return INT64_MIN;
  return int64_t(n);
}

void encode_number(std::string& out, double n) {
  int64_t i = truncate_int64(n);
  if (!std::isinf(n) && double(i) == n)
    encode_int(out, i);
  else
    encode_double(out, n);
}

void encode_string(std::string& out, const char* s, size_t len) {
  if (len < 32) {
    out.push_back(char(0xa0 | len));
  } else if (len <= 0xff) {
    out.push_back(char(0xd9));
    put_be(out, len, 1);
  } else if (len <= 0xffff) {
    out.push_back(char(0xda));
    put_be(out, len, 2);
  } else {
    out.push_back(char(0xdb));
    put_be(out, len, 4);
  }
  out.append(s, len);
}

void encode_header(std::string& out, size_t n, unsigned char fix, unsigned char c16,
                   unsigned char c32) {
  if (n <= 15) {
    out.push_back(char(fix | n));
  } else if (n <= 0xffff) {
    out.push_back(char(c16));
    put_be(out, n, 2);
  } else {
    out.push_back(char(c32));
    put_be(out, n, 4);
  }
}

// True when the table on top has exactly the keys 1..n (empty included).
bool is_array(lua_State* L) {
  int top = lua_gettop(L);
  double count = 0, max = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TNUMBER) {
      lua_settop(L, top);
      return false;
    }
    double k = lua_tonumber(L, -1);
    // A positive whole number in C int's range.
    if (!(k > 0 && k <= 2147483647.0 && std::floor(k) == k)) {
      lua_settop(L, top);
      return false;
    }
    if (k > max) max = k;
    count += 1;
  }
  lua_settop(L, top);
  return max == count;
}

void encode_value(lua_State* L, std::string& out, int level);

void encode_table(lua_State* L, std::string& out, int level) {
  if (is_array(L)) {
    size_t n = lua_objlen(L, -1);
    encode_header(out, n, 0x90, 0xdc, 0xdd);
    luaL_checkstack(L, 1, "in function mp_encode_lua_table_as_array");
    for (size_t i = 1; i <= n; ++i) {
      lua_pushnumber(L, lua_Number(i));
      lua_gettable(L, -2);
      encode_value(L, out, level + 1);
    }
    return;
  }
  luaL_checkstack(L, 3, "in function mp_encode_lua_table_as_map");
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    ++n;
  }
  encode_header(out, n, 0x80, 0xde, 0xdf);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);             // key value key
    encode_value(L, out, level + 1);  // the key (popped)
    encode_value(L, out, level + 1);  // the value (popped); the key stays for lua_next
  }
}

// Encodes the value on top of the stack and pops it.
void encode_value(lua_State* L, std::string& out, int level) {
  int t = lua_type(L, -1);
  if (t == LUA_TTABLE && level == max_encode_nesting) t = LUA_TNIL;
  switch (t) {
    case LUA_TSTRING: {
      size_t len;
      const char* s = lua_tolstring(L, -1, &len);
      encode_string(out, s, len);
      break;
    }
    case LUA_TBOOLEAN:
      out.push_back(lua_toboolean(L, -1) ? char(0xc3) : char(0xc2));
      break;
    case LUA_TNUMBER:
      encode_number(out, lua_tonumber(L, -1));
      break;
    case LUA_TTABLE:
      encode_table(L, out, level);
      break;
    default:
      out.push_back(char(0xc0));
      break;
  }
  lua_pop(L, 1);
}

int msgpack_pack(lua_State* L) {
  int nargs = lua_gettop(L);
  if (nargs == 0) return luaL_argerror(L, 0, "MessagePack pack needs input.");
  if (!lua_checkstack(L, nargs))
    return luaL_argerror(L, 0, "Too many arguments for MessagePack pack.");
  std::string out;
  for (int i = 1; i <= nargs; ++i) {
    luaL_checkstack(L, 1, "in function mp_check");
    lua_pushvalue(L, i);
    encode_value(L, out, 0);
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

// -- decoding ---------------------------------------------------------------------

enum class decode_error { none, eof, bad_format };

struct cursor {
  const unsigned char* p;
  size_t left;
  decode_error err = decode_error::none;

  // False (and the error set) when fewer than n bytes are left.
  bool need(size_t n) {
    if (left >= n) return true;
    err = decode_error::eof;
    return false;
  }
  void consume(size_t n) {
    p += n;
    left -= n;
  }
  uint64_t be(size_t at, int bytes) const {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | p[at + size_t(i)];
    return v;
  }
};

void decode_value(lua_State* L, cursor& c);

void decode_array(lua_State* L, cursor& c, uint64_t n) {
  lua_newtable(L);
  luaL_checkstack(L, 1, "in function mp_decode_to_lua_array");
  for (uint64_t i = 1; i <= n; ++i) {
    lua_pushnumber(L, lua_Number(i));
    decode_value(L, c);
    if (c.err != decode_error::none) return;
    lua_settable(L, -3);
  }
}

void decode_map(lua_State* L, cursor& c, uint64_t n) {
  lua_newtable(L);
  for (uint64_t i = 0; i < n; ++i) {
    decode_value(L, c);  // the key
    if (c.err != decode_error::none) return;
    decode_value(L, c);  // the value
    if (c.err != decode_error::none) return;
    lua_settable(L, -3);  // a nil or NaN key is Lua's own error, as in Redis
  }
}

// An integer of `bytes` bytes after the type byte; unsigned 64-bit values
// wrap to signed, as Redis's library pushes them.
bool decode_int(lua_State* L, cursor& c, int bytes, bool is_signed) {
  if (!c.need(size_t(bytes) + 1)) return false;
  uint64_t u = c.be(1, bytes);
  int64_t v;
  if (is_signed && bytes < 8) {
    uint64_t sign = uint64_t(1) << (8 * bytes - 1);
    v = int64_t((u ^ sign) - sign);
  } else {
    v = int64_t(u);
  }
  lua_pushnumber(L, lua_Number(v));
  c.consume(size_t(bytes) + 1);
  return true;
}

// A string whose length takes `len_bytes` bytes after the type byte.
void decode_string(lua_State* L, cursor& c, size_t len_bytes) {
  if (!c.need(1 + len_bytes)) return;
  uint64_t len = c.be(1, int(len_bytes));
  if (!c.need(1 + len_bytes + len)) return;
  lua_pushlstring(L, reinterpret_cast<const char*>(c.p + 1 + len_bytes), size_t(len));
  c.consume(1 + len_bytes + size_t(len));
}

// An array or map whose count takes `len_bytes` bytes after the type byte.
void decode_container(lua_State* L, cursor& c, size_t len_bytes, bool map) {
  if (!c.need(1 + len_bytes)) return;
  uint64_t n = c.be(1, int(len_bytes));
  c.consume(1 + len_bytes);
  if (map)
    decode_map(L, c, n);
  else
    decode_array(L, c, n);
}

void decode_value(lua_State* L, cursor& c) {
  if (!c.need(1)) return;
  luaL_checkstack(L, 1, "too many return values at once; use unpack_one or unpack_limit instead.");
  unsigned char type = c.p[0];
  switch (type) {
    case 0xcc:
      decode_int(L, c, 1, false);
      return;
    case 0xcd:
      decode_int(L, c, 2, false);
      return;
    case 0xce:
      decode_int(L, c, 4, false);
      return;
    case 0xcf:
      decode_int(L, c, 8, false);
      return;
    case 0xd0:
      decode_int(L, c, 1, true);
      return;
    case 0xd1:
      decode_int(L, c, 2, true);
      return;
    case 0xd2:
      decode_int(L, c, 4, true);
      return;
    case 0xd3:
      decode_int(L, c, 8, true);
      return;
    case 0xc0:
      lua_pushnil(L);
      c.consume(1);
      return;
    case 0xc2:
    case 0xc3:
      lua_pushboolean(L, type == 0xc3);
      c.consume(1);
      return;
    case 0xca: {
      if (!c.need(5)) return;
      uint32_t bits = uint32_t(c.be(1, 4));
      float f;
      memcpy(&f, &bits, sizeof f);
      lua_pushnumber(L, f);
      c.consume(5);
      return;
    }
    case 0xcb: {
      if (!c.need(9)) return;
      uint64_t bits = c.be(1, 8);
      double d;
      memcpy(&d, &bits, sizeof d);
      lua_pushnumber(L, d);
      c.consume(9);
      return;
    }
    case 0xd9:
      decode_string(L, c, 1);
      return;
    case 0xda:
      decode_string(L, c, 2);
      return;
    case 0xdb:
      decode_string(L, c, 4);
      return;
    case 0xdc:
      decode_container(L, c, 2, false);
      return;
    case 0xdd:
      decode_container(L, c, 4, false);
      return;
    case 0xde:
      decode_container(L, c, 2, true);
      return;
    case 0xdf:
      decode_container(L, c, 4, true);
      return;
    default:
      break;
  }
  if ((type & 0x80) == 0) {  // positive fixint
    lua_pushnumber(L, type);
    c.consume(1);
  } else if ((type & 0xe0) == 0xe0) {  // negative fixint
    lua_pushnumber(L, static_cast<signed char>(type));
    c.consume(1);
  } else if ((type & 0xe0) == 0xa0) {  // fixstr
    size_t len = type & 0x1f;
    if (!c.need(1 + len)) return;
    lua_pushlstring(L, reinterpret_cast<const char*>(c.p + 1), len);
    c.consume(1 + len);
  } else if ((type & 0xf0) == 0x90) {  // fixarray
    c.consume(1);
    decode_array(L, c, type & 0x0f);
  } else if ((type & 0xf0) == 0x80) {  // fixmap
    c.consume(1);
    decode_map(L, c, type & 0x0f);
  } else {
    c.err = decode_error::bad_format;
  }
}

// The string at index 1 (the only argument left on the stack), from byte
// `offset`: at most `limit` values (0 and offset 0: all of them, and no
// offset in the results).
int unpack_values(lua_State* L, int limit, int offset) {
  size_t len;
  const char* s = luaL_checklstring(L, 1, &len);
  bool everything = limit == 0 && offset == 0;
  // Redis's message shows the input's length (truncated to an int) as the limit.
  if (offset < 0 || limit < 0)
    return luaL_error(L, "Invalid request to unpack with offset of %d and limit of %d.", offset,
                      int(len));
  if (size_t(offset) > len)
    return luaL_error(L, "Start offset %d greater than input length %d.", offset, int(len));
  if (everything) limit = INT32_MAX;
  cursor c{reinterpret_cast<const unsigned char*>(s) + offset, len - size_t(offset)};
  int count = 0;
  for (; c.left > 0 && count < limit; ++count) {
    decode_value(L, c);
    if (c.err == decode_error::eof) return luaL_error(L, "Missing bytes in input.");
    if (c.err == decode_error::bad_format) return luaL_error(L, "Bad data format in input.");
  }
  if (everything) return count;
  luaL_checkstack(L, 1, "in function mp_unpack_full");
  lua_pushinteger(L, c.left == 0 ? -1 : lua_Integer(len - c.left));
  lua_insert(L, 2);
  return count + 1;
}

int msgpack_unpack(lua_State* L) {
  return unpack_values(L, 0, 0);
}

int msgpack_unpack_one(lua_State* L) {
  int offset = int(luaL_optinteger(L, 2, 0));
  lua_settop(L, 1);
  return unpack_values(L, 1, offset);
}

int msgpack_unpack_limit(lua_State* L) {
  int limit = int(luaL_checkinteger(L, 2));
  int offset = int(luaL_optinteger(L, 3, 0));
  lua_settop(L, 1);
  return unpack_values(L, limit, offset);
}

}  // namespace

int open_cmsgpack_library(lua_State* L) {
  lua_createtable(L, 0, 8);
  lua_pushcfunction(L, msgpack_pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, msgpack_unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, msgpack_unpack_one);
  lua_setfield(L, -2, "unpack_one");
  lua_pushcfunction(L, msgpack_unpack_limit);
  lua_setfield(L, -2, "unpack_limit");
  lua_pushliteral(L, "cmsgpack");
  lua_setfield(L, -2, "_NAME");
  lua_pushliteral(L, "lua-cmsgpack 0.4.0");
  lua_setfield(L, -2, "_VERSION");
  lua_pushliteral(L, "Copyright (C) 2012, Salvatore Sanfilippo");
  lua_setfield(L, -2, "_COPYRIGHT");
  lua_pushliteral(L, "MessagePack C implementation for Lua");
  lua_setfield(L, -2, "_DESCRIPTION");
  return 1;
}

}  // namespace troupe
