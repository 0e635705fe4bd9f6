// The `struct` library of Redis scripts: struct.pack(fmt, ...),
// struct.unpack(fmt, data [, pos]) and struct.size(fmt), with the format
// language documented for Roberto Ierusalimschy's struct library:
//   ' ' ignored; '<' little endian; '>' big endian; '!n' maximum alignment n
//   (a power of 2; '!' alone: the machine's); 'x' one zero byte;
//   'b'/'B' char, 'h'/'H' short, 'l'/'L' long, 'T' size_t, 'in'/'In' an
//   integer of n bytes (n <= 32; default an int), lower case signed;
//   'f' float, 'd' double; 's' a zero-terminated string; 'cn' n chars
//   ('c0': pack the whole string; unpack as many as the number read before).
// Sizes and the default byte order are those of the x86-64 machine Redis runs
// on; values wider than 8 bytes carry the low 64 bits of the number, as there.
#include <cctype>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "storage/scripting/lua_libraries.hpp"

namespace troupe {
namespace {

constexpr int max_int_size = 32;
constexpr int native_align = 8;  // alignof the strictest scalar (double, pointers)
constexpr bool native_little = true;

struct layout {
  bool little = native_little;
  size_t align = 1;
};

// A decimal count in the format (after 'i', 'c', '!'), or `def` when none.
size_t read_count(lua_State* L, const char*& fmt, size_t def) {
  if (!isdigit(static_cast<unsigned char>(*fmt))) return def;
  int v = 0;
  while (isdigit(static_cast<unsigned char>(*fmt))) {
    int digit = *fmt - '0';
    if (v > INT_MAX / 10 || v * 10 > INT_MAX - digit) luaL_error(L, "integral size overflow");
    v = v * 10 + digit;
    ++fmt;
  }
  return size_t(v);
}

// The bytes an option occupies (0 for directives and 's').
size_t option_size(lua_State* L, char opt, const char*& fmt) {
  switch (opt) {
    case 'b':
    case 'B':
    case 'x':
      return 1;
    case 'h':
    case 'H':
      return 2;
    case 'l':
    case 'L':
    case 'T':
    case 'd':
      return 8;
    case 'f':
      return 4;
    case 'c':
      return read_count(L, fmt, 1);
    case 'i':
    case 'I': {
      size_t n = read_count(L, fmt, 4);
      if (n > size_t(max_int_size))
        luaL_error(L, "integral size %d is larger than limit of %d", int(n), max_int_size);
      return n;
    }
    default:
      return 0;
  }
}

// Padding before an item of `size` bytes at offset `at`. The arithmetic is
// the library's own (it assumes power-of-2 sizes and gives the same odd
// padding for others).
size_t padding(size_t at, const layout& lay, char opt, size_t size) {
  if (size == 0 || opt == 'c') return 0;
  if (size > lay.align) size = lay.align;
  return (size - (at & (size - 1))) & (size - 1);
}

// ' ', '<', '>', '!n'; anything else is an invalid option.
void apply_directive(lua_State* L, char opt, const char*& fmt, layout& lay) {
  switch (opt) {
    case ' ':
      return;
    case '<':
      lay.little = true;
      return;
    case '>':
      lay.little = false;
      return;
    case '!': {
      size_t a = read_count(L, fmt, native_align);
      if (a == 0 || (a & (a - 1)) != 0) luaL_error(L, "alignment %d is not a power of 2", int(a));
      lay.align = a;
      return;
    }
    default:
      luaL_argerror(L, 1, lua_pushfstring(L, "invalid format option '%c'", opt));
  }
}

// C's conversions of a double to a 64-bit integer as x86-64 performs them
// (out of range gives the "integer indefinite" value), so every number packs
// as it does in Redis.
int64_t to_int64(double n) {
  if (!(n >= -9223372036854775808.0 && n < 9223372036854775808.0)) return INT64_MIN;
  return int64_t(n);
}
uint64_t to_uint64(double n) {
  if (n < 9223372036854775808.0) return uint64_t(to_int64(n));
  return uint64_t(to_int64(n - 9223372036854775808.0)) ^ (uint64_t(1) << 63);
}

void put_integer(lua_State* L, std::string& out, int arg, const layout& lay, size_t size) {
  double n = luaL_checknumber(L, arg);
  uint64_t v = n < 0 ? uint64_t(to_int64(n)) : to_uint64(n);
  char bytes[max_int_size];
  for (size_t i = 0; i < size; ++i) {
    bytes[lay.little ? i : size - 1 - i] = char(v & 0xff);
    v >>= 8;
  }
  out.append(bytes, size);
}

double get_integer(const char* p, const layout& lay, bool is_signed, size_t size) {
  uint64_t v = 0;
  for (size_t i = 0; i < size; ++i) {
    unsigned char b = static_cast<unsigned char>(p[lay.little ? size - 1 - i : i]);
    v = (v << 8) | b;
  }
  if (!is_signed) return double(v);
  // The sign bit of a `size`-byte value (the shift count taken mod 64, as the
  // x86 shift instruction does for widths the 64-bit value cannot hold).
  uint64_t sign = ~uint64_t(0) << ((size * 8 - 1) & 63);
  if (v & sign) v |= sign;
  return double(int64_t(v));
}

// Bytes of a float or double in the layout's order.
void put_bytes(std::string& out, const void* value, size_t size, const layout& lay) {
  const char* p = static_cast<const char*>(value);
  if (lay.little == native_little) {
    out.append(p, size);
  } else {
    for (size_t i = size; i-- > 0;) out.push_back(p[i]);
  }
}
void get_bytes(void* value, const char* p, size_t size, const layout& lay) {
  char* d = static_cast<char*>(value);
  for (size_t i = 0; i < size; ++i) d[i] = lay.little == native_little ? p[i] : p[size - 1 - i];
}

bool is_integer_option(char opt) {
  return strchr("bBhHlLTiI", opt) != nullptr;
}

int struct_pack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  layout lay;
  int arg = 2;
  // A nil after the arguments: a missing argument reads as "got nil", as in
  // Redis (whose library keeps a marker there).
  lua_pushnil(L);
  std::string out;
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = option_size(L, opt, fmt);
    out.append(padding(out.size(), lay, opt, size), '\0');
    if (is_integer_option(opt)) {
      put_integer(L, out, arg++, lay, size);
    } else if (opt == 'x') {
      out.push_back('\0');
    } else if (opt == 'f') {
      float f = float(luaL_checknumber(L, arg++));
      put_bytes(out, &f, sizeof f, lay);
    } else if (opt == 'd') {
      double d = luaL_checknumber(L, arg++);
      put_bytes(out, &d, sizeof d, lay);
    } else if (opt == 'c' || opt == 's') {
      size_t len;
      const char* s = luaL_checklstring(L, arg++, &len);
      if (size == 0) size = len;
      // The argument number reported is the next one, as in Redis.
      luaL_argcheck(L, len >= size, arg, "string too short");
      out.append(s, size);
      if (opt == 's') out.push_back('\0');
    } else {
      apply_directive(L, opt, fmt, lay);
    }
  }
  lua_pushlstring(L, out.data(), out.size());
  return 1;
}

int struct_unpack(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  size_t len;
  const char* data = luaL_checklstring(L, 2, &len);
  // Unsigned, as in the library: only 0 is refused here; a negative offset
  // wraps to a huge one and fails as "data string too short".
  size_t pos = size_t(luaL_optinteger(L, 3, 1));
  luaL_argcheck(L, pos > 0, 3, "offset must be 1 or greater");
  --pos;
  layout lay;
  int results = 0;
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = option_size(L, opt, fmt);
    pos += padding(pos, lay, opt, size);
    luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
    luaL_checkstack(L, 2, "too many results");
    if (is_integer_option(opt)) {
      lua_pushnumber(L,
                     get_integer(data + pos, lay, islower(static_cast<unsigned char>(opt)), size));
      ++results;
    } else if (opt == 'x') {
    } else if (opt == 'f') {
      float f;
      get_bytes(&f, data + pos, sizeof f, lay);
      lua_pushnumber(L, f);
      ++results;
    } else if (opt == 'd') {
      double d;
      get_bytes(&d, data + pos, sizeof d, lay);
      lua_pushnumber(L, d);
      ++results;
    } else if (opt == 'c') {
      if (size == 0) {
        // The length is the number unpacked just before.
        if (results == 0 || !lua_isnumber(L, -1))
          luaL_error(L, "format 'c0' needs a previous size");
        size = size_t(to_uint64(lua_tonumber(L, -1)));
        lua_pop(L, 1);
        --results;
        luaL_argcheck(L, size <= len && pos <= len - size, 2, "data string too short");
      }
      lua_pushlstring(L, data + pos, size);
      ++results;
    } else if (opt == 's') {
      const void* end = memchr(data + pos, '\0', len - pos);
      if (end == nullptr) luaL_error(L, "unfinished string in data");
      size = size_t(static_cast<const char*>(end) - (data + pos)) + 1;
      lua_pushlstring(L, data + pos, size - 1);
      ++results;
    } else {
      apply_directive(L, opt, fmt, lay);
    }
    pos += size;
  }
  lua_pushinteger(L, lua_Integer(pos + 1));
  return results + 1;
}

int struct_size(lua_State* L) {
  const char* fmt = luaL_checkstring(L, 1);
  layout lay;
  size_t pos = 0;
  while (*fmt != '\0') {
    char opt = *fmt++;
    size_t size = option_size(L, opt, fmt);
    pos += padding(pos, lay, opt, size);
    if (opt == 's')
      luaL_argerror(L, 1, "option 's' has no fixed size");
    else if (opt == 'c' && size == 0)
      luaL_argerror(L, 1, "option 'c0' has no fixed size");
    // Unknown letters and digits count for nothing here (the library's rule).
    if (!isalnum(static_cast<unsigned char>(opt))) apply_directive(L, opt, fmt, lay);
    pos += size;
  }
  lua_pushinteger(L, lua_Integer(pos));
  return 1;
}

}  // namespace

int open_struct_library(lua_State* L) {
  lua_createtable(L, 0, 3);
  lua_pushcfunction(L, struct_pack);
  lua_setfield(L, -2, "pack");
  lua_pushcfunction(L, struct_unpack);
  lua_setfield(L, -2, "unpack");
  lua_pushcfunction(L, struct_size);
  lua_setfield(L, -2, "size");
  return 1;
}

}  // namespace troupe
