// The Lua <-> RESP conversion layer (storage/scripting/lua_reply.cpp) against
// the conversion tables of Redis's scripting documentation.
#include <gtest/gtest.h>

#include <string>

#include "protocol/resp/reply_writer.hpp"
#include "storage/scripting/lua_reply.hpp"

using namespace troupe;

namespace {

class lua_reply : public ::testing::Test {
 protected:
  void SetUp() override { L = luaL_newstate(); }
  void TearDown() override { lua_close(L); }

  // Pushes the Lua value of a RESP reply and checks all of it was read.
  void push(const std::string& resp) {
    size_t pos = 0;
    push_resp_reply(L, resp, pos);
    EXPECT_EQ(pos, resp.size()) << resp;
  }
  // The reply written for the Lua value that `chunk` returns.
  std::string reply_of(const std::string& chunk, int client_resp = 2, int script_resp = 2) {
    EXPECT_EQ(luaL_dostring(L, chunk.c_str()), 0) << lua_tostring(L, -1);
    std::string out;
    reply_writer w(out);
    w.set_resp(client_resp);
    write_lua_value(L, -1, w, script_resp);
    lua_settop(L, 0);
    return out;
  }
  std::string field(const char* name) {
    lua_getfield(L, -1, name);
    std::string v = lua_isstring(L, -1) ? lua_tostring(L, -1) : "<none>";
    lua_pop(L, 1);
    return v;
  }
  lua_State* L = nullptr;
};

}  // namespace

TEST_F(lua_reply, resp2_replies_to_lua) {
  push(":42\r\n");
  EXPECT_EQ(lua_type(L, -1), LUA_TNUMBER);
  EXPECT_EQ(lua_tonumber(L, -1), 42);
  push("$5\r\nhello\r\n");
  EXPECT_EQ(std::string(lua_tostring(L, -1)), "hello");
  push("$-1\r\n");  // nil bulk -> false
  EXPECT_EQ(lua_type(L, -1), LUA_TBOOLEAN);
  EXPECT_FALSE(lua_toboolean(L, -1));
  push("*-1\r\n");  // nil multi bulk -> false
  EXPECT_EQ(lua_type(L, -1), LUA_TBOOLEAN);
  push("+OK\r\n");  // status -> {ok=...}
  EXPECT_EQ(field("ok"), "OK");
  push("-WRONGTYPE Operation\r\n");  // error -> {err=...}
  EXPECT_EQ(field("err"), "WRONGTYPE Operation");
  push("-oops\r\n");  // an error without a code gets ERR
  EXPECT_EQ(field("err"), "ERR oops");
  push("*3\r\n:1\r\n$1\r\na\r\n*1\r\n$0\r\n\r\n");
  ASSERT_EQ(lua_type(L, -1), LUA_TTABLE);
  EXPECT_EQ(lua_objlen(L, -1), 3u);
  lua_rawgeti(L, -1, 3);
  lua_rawgeti(L, -1, 1);
  EXPECT_EQ(std::string(lua_tostring(L, -1)), "");
}

TEST_F(lua_reply, resp3_replies_to_lua) {
  push("_\r\n");  // null -> nil
  EXPECT_TRUE(lua_isnil(L, -1));
  push("#t\r\n");
  EXPECT_TRUE(lua_toboolean(L, -1));
  push("#f\r\n");
  EXPECT_EQ(lua_type(L, -1), LUA_TBOOLEAN);
  EXPECT_FALSE(lua_toboolean(L, -1));
  push(",3.25\r\n");  // double -> {double=n}
  lua_getfield(L, -1, "double");
  EXPECT_EQ(lua_tonumber(L, -1), 3.25);
  lua_pop(L, 2);
  push("(12345678901234567890\r\n");  // big number -> {big_number="..."}
  EXPECT_EQ(field("big_number"), "12345678901234567890");
  push("%1\r\n$1\r\nk\r\n:7\r\n");  // map -> {map={k=7}}
  lua_getfield(L, -1, "map");
  lua_getfield(L, -1, "k");
  EXPECT_EQ(lua_tonumber(L, -1), 7);
  lua_settop(L, 0);
  push("~2\r\n$1\r\na\r\n$1\r\nb\r\n");  // set -> {set={a=true, b=true}}
  lua_getfield(L, -1, "set");
  lua_getfield(L, -1, "b");
  EXPECT_TRUE(lua_toboolean(L, -1));
  lua_settop(L, 0);
  push("=8\r\ntxt:abcd\r\n");  // verbatim -> {verbatim_string={format=, string=}}
  lua_getfield(L, -1, "verbatim_string");
  EXPECT_EQ(field("format"), "txt");
  EXPECT_EQ(field("string"), "abcd");
}

TEST_F(lua_reply, lua_values_to_resp2) {
  EXPECT_EQ(reply_of("return 3.99"), ":3\r\n");  // numbers are truncated
  EXPECT_EQ(reply_of("return -3.99"), ":-3\r\n");
  EXPECT_EQ(reply_of("return 'x'"), "$1\r\nx\r\n");
  EXPECT_EQ(reply_of("return true"), ":1\r\n");
  EXPECT_EQ(reply_of("return false"), "$-1\r\n");
  EXPECT_EQ(reply_of("return nil"), "$-1\r\n");
  EXPECT_EQ(reply_of("return {1, 'a', nil, 3}"), "*2\r\n:1\r\n$1\r\na\r\n");  // cut at nil
  EXPECT_EQ(reply_of("return {ok='fine'}"), "+fine\r\n");
  EXPECT_EQ(reply_of("return {err='ERR bad'}"), "-ERR bad\r\n");
  EXPECT_EQ(reply_of("return {double=1.5}"), "$3\r\n1.5\r\n");
  EXPECT_EQ(reply_of("return {map={a=1}}"), "*2\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(reply_of("return {set={a=true}}"), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(reply_of("return {big_number='9'}"), "$1\r\n9\r\n");
  // setresp(3) booleans to a RESP2 client: 1 and 0.
  EXPECT_EQ(reply_of("return false", 2, 3), ":0\r\n");
}

TEST_F(lua_reply, lua_values_to_resp3) {
  EXPECT_EQ(reply_of("return nil", 3), "_\r\n");
  EXPECT_EQ(reply_of("return false", 3), "_\r\n");  // the script's RESP2 rules
  EXPECT_EQ(reply_of("return true", 3, 3), "#t\r\n");
  EXPECT_EQ(reply_of("return false", 3, 3), "#f\r\n");
  EXPECT_EQ(reply_of("return {double=1.5}", 3), ",1.5\r\n");
  EXPECT_EQ(reply_of("return {map={a=1}}", 3), "%1\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(reply_of("return {set={a=true}}", 3), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(reply_of("return {big_number='9'}", 3), "(9\r\n");
  EXPECT_EQ(reply_of("return {verbatim_string={format='txt', string='hi'}}", 3),
            "=6\r\ntxt:hi\r\n");
}

TEST_F(lua_reply, self_referencing_table_stops) {
  std::string out = reply_of("local t = {} t[1] = t return t");
  EXPECT_NE(out.find("-ERR reached lua stack limit\r\n"), std::string::npos);
}
