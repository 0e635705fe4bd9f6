#include "storage/scripting/lua_reply.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "protocol/resp/reply_writer.hpp"

namespace troupe {
namespace {

// Deep enough for any reply Troupe writes; a self-referencing Lua table stops
// here instead of exhausting the C stack.
constexpr int max_depth = 1000;

// The line that starts at pos (without its CRLF); pos moves past the CRLF.
std::string_view line_at(std::string_view s, size_t& pos) {
  size_t end = s.find("\r\n", pos);
  if (end == std::string_view::npos) end = s.size();
  std::string_view l = s.substr(pos, end - pos);
  pos = end + 2 > s.size() ? s.size() : end + 2;
  return l;
}

int64_t to_int(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

void set_field(lua_State* L, const char* name) {  // t[name] = top; pops the value
  lua_setfield(L, -2, name);
}

void push_reply(lua_State* L, std::string_view s, size_t& pos, int depth) {
  if (pos >= s.size()) {
    lua_pushboolean(L, 0);
    return;
  }
  if (!lua_checkstack(L, 4)) luaL_error(L, "reached lua stack limit");
  char type = s[pos++];
  std::string_view l = line_at(s, pos);
  switch (type) {
    case '+':
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, l.data(), l.size());
      set_field(L, "ok");
      return;
    case '-':
      push_error_table(L, l);
      return;
    case ':':
      lua_pushnumber(L, lua_Number(to_int(l)));
      return;
    case '$':
    case '=': {
      int64_t n = to_int(l);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      std::string_view body = s.substr(pos, size_t(n));
      pos += size_t(n) + 2;
      if (type == '$') {
        lua_pushlstring(L, body.data(), body.size());
        return;
      }
      // Verbatim: {verbatim_string={format="txt", string="..."}}
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, 2);
      std::string_view format = body.substr(0, std::min<size_t>(3, body.size()));
      std::string_view text = body.size() >= 4 ? body.substr(4) : std::string_view();
      lua_pushlstring(L, format.data(), format.size());
      set_field(L, "format");
      lua_pushlstring(L, text.data(), text.size());
      set_field(L, "string");
      set_field(L, "verbatim_string");
      return;
    }
    case '*':
    case '~':
    case '%':
    case '>': {
      int64_t n = to_int(l);
      if (n < 0) {
        lua_pushboolean(L, 0);
        return;
      }
      if (type == '*' || type == '>') {
        lua_createtable(L, int(std::min<int64_t>(n, 1 << 20)), 0);
        for (int64_t i = 1; i <= n; ++i) {
          push_reply(L, s, pos, depth + 1);
          lua_rawseti(L, -2, int(i));
        }
        return;
      }
      // {map={k=v}} / {set={member=true}}
      lua_createtable(L, 0, 1);
      lua_createtable(L, 0, int(std::min<int64_t>(n, 1 << 20)));
      for (int64_t i = 0; i < n; ++i) {
        push_reply(L, s, pos, depth + 1);
        if (type == '%')
          push_reply(L, s, pos, depth + 1);
        else
          lua_pushboolean(L, 1);
        lua_rawset(L, -3);
      }
      set_field(L, type == '%' ? "map" : "set");
      return;
    }
    case '_':
      lua_pushnil(L);
      return;
    case '#':
      lua_pushboolean(L, !l.empty() && l[0] == 't');
      return;
    case ',': {
      lua_createtable(L, 0, 1);
      std::string text(l);
      lua_pushnumber(L, std::strtod(text.c_str(), nullptr));
      set_field(L, "double");
      return;
    }
    case '(':
      lua_createtable(L, 0, 1);
      lua_pushlstring(L, l.data(), l.size());
      set_field(L, "big_number");
      return;
    case '|': {
      // An attribute: skipped, the reply that follows is the value.
      int64_t n = to_int(l);
      for (int64_t i = 0; i < 2 * n; ++i) {
        push_reply(L, s, pos, depth + 1);
        lua_pop(L, 1);
      }
      push_reply(L, s, pos, depth + 1);
      return;
    }
    default:
      lua_pushboolean(L, 0);
      return;
  }
}

// t[name] as a string view when it is a string (the value stays on the stack
// until the caller pops it).
bool string_field(lua_State* L, int t, const char* name, std::string_view& out) {
  lua_getfield(L, t, name);
  if (lua_type(L, -1) != LUA_TSTRING) {
    lua_pop(L, 1);
    return false;
  }
  size_t n;
  const char* p = lua_tolstring(L, -1, &n);
  out = std::string_view(p, n);
  return true;
}

void write_value(lua_State* L, int idx, reply_writer& out, int script_resp, int depth) {
  if (depth > max_depth || !lua_checkstack(L, 4)) {
    out.error("ERR reached lua stack limit");
    return;
  }
  idx = idx < 0 ? lua_gettop(L) + idx + 1 : idx;
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      size_t n;
      const char* p = lua_tolstring(L, idx, &n);
      out.bulk(std::string_view(p, n));
      return;
    }
    case LUA_TBOOLEAN:
      if (script_resp == 2) {
        if (lua_toboolean(L, idx))
          out.integer(1);
        else
          out.null();
      } else if (out.resp() == 2) {
        out.integer(lua_toboolean(L, idx) ? 1 : 0);
      } else {
        out.boolean(lua_toboolean(L, idx));
      }
      return;
    case LUA_TNUMBER:
      out.integer(int64_t(lua_tonumber(L, idx)));
      return;
    case LUA_TTABLE:
      break;
    default:
      out.null();
      return;
  }
  std::string_view text;
  if (string_field(L, idx, "err", text)) {
    std::string msg(text);
    lua_pop(L, 1);
    out.error(msg);
    return;
  }
  if (string_field(L, idx, "ok", text)) {
    std::string msg(text);
    lua_pop(L, 1);
    out.simple(msg);
    return;
  }
  lua_getfield(L, idx, "double");
  if (lua_type(L, -1) == LUA_TNUMBER) {
    double d = lua_tonumber(L, -1);
    lua_pop(L, 1);
    out.dbl(d);
    return;
  }
  lua_pop(L, 1);
  if (string_field(L, idx, "big_number", text)) {
    std::string n(text);
    lua_pop(L, 1);
    if (out.resp() == 3) {
      out.raw("(");
      out.raw(n);
      out.raw("\r\n");
    } else {
      out.bulk(n);
    }
    return;
  }
  lua_getfield(L, idx, "verbatim_string");
  if (lua_type(L, -1) == LUA_TTABLE) {
    int v = lua_gettop(L);
    std::string_view format, str;
    bool has_format = string_field(L, v, "format", format);
    bool has_string = string_field(L, v, "string", str);
    if (has_format && has_string) {
      if (out.resp() == 3) {
        std::string body(format.substr(0, 3));
        body += ':';
        body.append(str);
        out.raw("=" + std::to_string(body.size()) + "\r\n");
        out.raw(body);
        out.raw("\r\n");
      } else {
        out.bulk(str);
      }
      lua_settop(L, v - 1);
      return;
    }
    lua_settop(L, v - 1);
  } else {
    lua_pop(L, 1);
  }
  for (const char* kind : {"map", "set"}) {
    lua_getfield(L, idx, kind);
    if (lua_type(L, -1) != LUA_TTABLE) {
      lua_pop(L, 1);
      continue;
    }
    bool is_map = kind[0] == 'm';
    int t = lua_gettop(L);
    size_t mark = out.begin_deferred();
    size_t n = 0;
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
      // key at -2, value at -1
      write_value(L, -2, out, script_resp, depth + 1);
      if (is_map) write_value(L, -1, out, script_resp, depth + 1);
      lua_pop(L, 1);
      ++n;
    }
    if (is_map)
      out.end_deferred_map(mark, n);
    else
      out.end_deferred_set(mark, n);
    lua_pop(L, 1);
    return;
  }
  // An array: elements 1, 2, ... up to the first nil.
  size_t mark = out.begin_deferred();
  size_t n = 0;
  for (int i = 1;; ++i) {
    lua_rawgeti(L, idx, i);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      break;
    }
    write_value(L, -1, out, script_resp, depth + 1);
    lua_pop(L, 1);
    ++n;
  }
  out.end_deferred_array(mark, n);
}

}  // namespace

void push_resp_reply(lua_State* L, std::string_view resp, size_t& pos) {
  push_reply(L, resp, pos, 0);
}

void write_lua_value(lua_State* L, int idx, reply_writer& out, int script_resp) {
  write_value(L, idx, out, script_resp, 0);
}

void push_error_table(lua_State* L, std::string_view text) {
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  lua_createtable(L, 0, 1);
  if (text.find(' ') == std::string_view::npos) {
    std::string msg = "ERR ";
    msg.append(text);
    lua_pushlstring(L, msg.data(), msg.size());
  } else {
    lua_pushlstring(L, text.data(), text.size());
  }
  lua_setfield(L, -2, "err");
}

void push_err(lua_State* L, std::string_view msg) {
  std::string text = "ERR ";
  text.append(msg);
  lua_createtable(L, 0, 1);
  lua_pushlstring(L, text.data(), text.size());
  lua_setfield(L, -2, "err");
}

}  // namespace troupe
