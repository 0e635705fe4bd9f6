// The `cmsgpack` and `struct` libraries of scripts, against redis-server:
// byte-exact packed strings (returned as bulk strings), round trips, every
// integer width boundary, floats, string length boundaries, nested tables,
// struct's formats with byte order and alignment, and the errors of bad
// calls. Hostile msgpack (truncated, huge declared lengths, deep nesting) must
// only error, with Redis's message.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class lua_libraries : public differential_suite<lua_libraries> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->both({"HELLO", "2"});
  }
  resp_value eval(const std::string& body) { return d->same({"EVAL", body, "0"}); }
};

TEST_F(lua_libraries, msgpack_integers_at_every_width_boundary) {
  for (const char* n : {"0",
                        "1",
                        "127",
                        "128",
                        "255",
                        "256",
                        "65535",
                        "65536",
                        "4294967295",
                        "4294967296",
                        "9007199254740992",
                        "-1",
                        "-32",
                        "-33",
                        "-128",
                        "-129",
                        "-32768",
                        "-32769",
                        "-2147483648",
                        "-2147483649",
                        "-9007199254740992",
                        "-2^63",
                        "2^63",
                        "2^64",
                        "-0.0"}) {
    std::string v(n);
    eval("return cmsgpack.pack(" + v + ")");
    eval("return tostring(cmsgpack.unpack(cmsgpack.pack(" + v + ")))");
  }
}

TEST_F(lua_libraries, msgpack_floats_strings_booleans_nil) {
  for (const char* v : {"0.5", "0.1", "-0.1", "1/0", "-1/0", "3.5e38", "1e300", "3e9", "-3e9",
                        "1.5", "true", "false", "nil", "'x'", "''", "function() end"}) {
    eval(std::string("return cmsgpack.pack(") + v + ")");
    eval(std::string("return {tostring(cmsgpack.unpack(cmsgpack.pack(") + v + ")))}");
  }
  for (int len : {0, 1, 31, 32, 255, 256, 65535, 65536}) {
    std::string body =
        "local s = string.rep('a', " + std::to_string(len) + ") " +
        "local p = cmsgpack.pack(s) return {p:sub(1, 8), #p, cmsgpack.unpack(p) == s}";
    eval(body);
  }
}

TEST_F(lua_libraries, msgpack_tables) {
  eval("return cmsgpack.pack({})");
  eval("return cmsgpack.pack({1, 2, 3})");
  eval("return cmsgpack.pack({1, 2, nil, 4})");
  eval("return cmsgpack.pack({a = 1, b = {1, 2, {c = 'x'}}, [1] = 5, [2.5] = 3})");
  eval("return cmsgpack.pack({[0] = 1})");
  eval("return cmsgpack.pack({[-1] = 1})");
  eval("return cmsgpack.pack({[2^31] = 1})");
  eval("local t = {} for i = 1, 15 do t[i] = i end return cmsgpack.pack(t)");
  eval("local t = {} for i = 1, 16 do t[i] = i end return cmsgpack.pack(t)");
  eval("local t = {} for i = 1, 65536 do t[i] = 1 end return #cmsgpack.pack(t)");
  eval("local t = {} for i = 1, 16 do t['k'..i] = i end return cmsgpack.pack(t)");
  eval("local t = {} for i = 1, 70000 do t['k'..i] = i end return #cmsgpack.pack(t)");
  // Nesting deeper than 16 (and a table holding itself) becomes nil.
  eval("local t = {} t[1] = t return cmsgpack.pack(t)");
  eval("local t = {} t.me = t return cmsgpack.pack(t)");
  eval("return cmsgpack.pack(1, 'two', {3}, nil, true)");
  eval(
      "local t = cmsgpack.unpack(cmsgpack.pack({a = {1, 2, {b = 'c'}}, d = false})) "
      "return {t.a[1], t.a[2], t.a[3].b, tostring(t.d)}");
  eval("return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}, true))}");
}

TEST_F(lua_libraries, msgpack_unpack_one_and_limit) {
  eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}");
  eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 1)}");
  eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}");
  eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 3)}");
  eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 4)}");
  eval("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), -1)}");
  eval("return {cmsgpack.unpack_one('')}");
  eval("return {cmsgpack.unpack('')}");
  eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 0)}");
  eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}");
  eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2, 1)}");
  eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 5, 1)}");
  eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), -1)}");
  eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 'x')}");
  eval("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3))}");
  eval("return cmsgpack.unpack(5)");
  eval("return cmsgpack.unpack({})");
  eval("return cmsgpack.pack()");
  eval("return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}");
  eval("cmsgpack.pack = 1");
}

TEST_F(lua_libraries, msgpack_hostile_input_errors) {
  // Truncated values of every kind.
  for (const char* bytes :
       {"0xcc",   "0xcd,1",       "0xce,1,2",   "0xcf,1,2,3",    "0xd0",   "0xd1,1",
        "0xd2,1", "0xd3,1,2,3,4", "0xca,1",     "0xcb,1,2",      "0xd9",   "0xd9,5,65",
        "0xda,0", "0xda,0,3,65",  "0xdb,0,0,0", "0xa3,65",       "0x92,1", "0x81,1",
        "0xdc,0", "0xdd,0,0",     "0xde,0,0,1", "0xdf,0,0,0,1,1"})
    eval(std::string("return cmsgpack.unpack(string.char(") + bytes + "))");
  // Lengths far beyond the input.
  for (const char* bytes : {"0xdb,255,255,255,255,65", "0xdd,255,255,255,255,1",
                            "0xdf,255,255,255,255,1,2", "0xdc,255,255,1"})
    eval(std::string("return cmsgpack.unpack(string.char(") + bytes + "))");
  // Formats the library does not read: bin, ext, fixext, the unused byte.
  for (const char* bytes :
       {"0xc1", "0xc4,1,65", "0xc5,0,1,65", "0xc6,0,0,0,1,65", "0xc7,1,1,1", "0xd4,1,1", "0xd8"})
    eval(std::string("return cmsgpack.unpack(string.char(") + bytes + "))");
  // Keys Lua tables cannot hold.
  eval("return cmsgpack.unpack(string.char(0x81, 0xc0, 1))");
  eval("return cmsgpack.unpack(string.char(0x81, 0xcb, 0xff, 0xf8, 0, 0, 0, 0, 0, 0, 1))");
  // Deep nesting and too many values at once: Lua's stack limit errors.
  eval("return cmsgpack.unpack(string.rep(string.char(0x91), 100000))");
  eval("return cmsgpack.unpack(string.rep(string.char(0x81, 1), 100000))");
  eval("return #{cmsgpack.unpack(string.rep(string.char(1), 100000))}");
  eval("return #{cmsgpack.unpack_limit(string.rep(string.char(1), 100000), 10)}");
  // The server is still there.
  eval("return cmsgpack.unpack(cmsgpack.pack('alive'))");
}

// Random bytes into cmsgpack.unpack and random formats into struct.unpack,
// from a generator written in the script (the same stream on both servers):
// every outcome, value or error, as Redis's.
TEST_F(lua_libraries, random_input_outcomes_as_redis) {
  const std::string rng =
      "local seed = 42 "
      "local function rnd(n) seed = (seed * 16807) % 2147483647 return seed % n end "
      "local function bytes(len) local b = {} for j = 1, len do b[j] = string.char(rnd(256)) end "
      "return table.concat(b) end "
      "local function show(...) local t = {} for i = 1, select('#', ...) do "
      "local v = select(i, ...) "
      "t[i] = type(v) == 'table' and 'T' .. cmsgpack.pack(v) or tostring(v) end "
      "return table.concat(t, ',') end ";
  eval(rng +
       "local out = {} for i = 1, 400 do local s = bytes(rnd(14)) "
       "out[#out + 1] = show(pcall(cmsgpack.unpack, s)) "
       "out[#out + 1] = show(pcall(cmsgpack.unpack_limit, s, rnd(3), rnd(4))) end return out");
  eval(rng +
       "local chars = 'bBhHlLTiIfdscx<>!012345678 ' local out = {} for i = 1, 400 do "
       "local f = {} for j = 1, rnd(6) do local k = rnd(#chars) + 1 f[j] = chars:sub(k, k) end "
       "local fmt = table.concat(f) local s = bytes(rnd(24)) "
       "out[#out + 1] = fmt .. '=' .. show(pcall(struct.unpack, fmt, s)) "
       "out[#out + 1] = show(pcall(struct.size, fmt)) end return out");
}

TEST_F(lua_libraries, struct_pack_formats) {
  for (const char* call : {"'b', -1",
                           "'B', 255",
                           "'h', -2",
                           "'H', 65535",
                           "'>h', 1",
                           "'<h', 1",
                           "'l', -3",
                           "'L', 3",
                           "'T', 7",
                           "'i', -5",
                           "'I', 5",
                           "'>i3', 65536",
                           "'<I3', 65536",
                           "'i1', 300",
                           "'i8', -2",
                           "'>i16', -2",
                           "'<I16', 5",
                           "'i0', 1",
                           "'f', 1.5",
                           "'>f', 1.5",
                           "'d', 0.1",
                           "'>d', -0.1",
                           "'s', 'abc'",
                           "'c', 'xyz'",
                           "'c2', 'xyz'",
                           "'c0', 'xyz'",
                           "'x'",
                           "'bxb', 1, 2",
                           "'!4 b i', 1, 2",
                           "'!b i', 1, 2",
                           "'!2 b d', 1, 2",
                           "'!8 b h b i b d', 1, 2, "
                           "3, 4, 5, 6",
                           "'! b i3 b', 1, 2, 3",
                           "'< > b h', 1, 2",
                           "'bBhHlLiI', -1, 1, -1, 1, -1, 1, -1, 1"})
    eval(std::string("return struct.pack(") + call + ")");
}

TEST_F(lua_libraries, struct_unpack_and_size) {
  for (const char* call : {"'b', '\\255'", "'B', '\\255'", "'>h', '\\1\\2'", "'<H', '\\255\\255'",
                           "'<i3', '\\255\\255\\255'", "'>I3', '\\1\\0\\0'", "'bb', '\\1\\2\\3', 2",
                           "'b', '\\1', 1", "'s', 'ab\\0cd'", "'ss', 'ab\\0cd\\0'", "'c2', 'abc'",
                           "'b c0', '\\2abc'", "'!4 b i', '\\1\\0\\0\\0\\2\\0\\0\\0'",
                           "'x b', '\\1\\2'", "'<i16', struct.pack('<i16', -2)", "'<i0', ''",
                           "'d', struct.pack('d', 0.1)", "'>f', struct.pack('>f', -2.5)"})
    eval(std::string("return {struct.unpack(") + call + ")}");
  for (const char* fmt :
       {"'b'", "'bhlTiIfd'", "'!4 b i'", "'!8 b d'", "'c10'", "'i7'", "'bz'", "'x'", "'>!2 b h'"})
    eval(std::string("return struct.size(") + fmt + ")");
  for (const char* v : {"0", "1", "-1", "127", "-128", "32767", "-32768", "2147483647",
                        "-2147483648", "4294967295", "2^53"}) {
    std::string n(v);
    eval("return {struct.unpack('<i8', struct.pack('<i8', " + n + "))}");
    eval("return {struct.unpack('>I4', struct.pack('>I4', " + n + "))}");
  }
}

TEST_F(lua_libraries, struct_errors) {
  for (const char* call : {"struct.pack('z', 1)",
                           "struct.pack('b')",
                           "struct.pack('b', 'x')",
                           "struct.pack('c5', 'ab')",
                           "struct.pack('s', 1)",
                           "struct.pack('i33', 1)",
                           "struct.pack('!3 b', 1)",
                           "struct.pack('c99999999999', 'x')",
                           "struct.unpack('b', '')",
                           "struct.unpack('i4', 'ab')",
                           "struct.unpack('b', 'a', 0)",
                           "struct.unpack('b', 'a', -3)",
                           "{struct.unpack('', 'a', 5)}",
                           "struct.pack('bb', 1)",
                           "struct.pack('bbb', 1)",
                           "struct.unpack('b', 'a', 5)",
                           "struct.unpack('s', 'abc')",
                           "struct.unpack('c0', 'abc')",
                           "struct.unpack('b c0', '\\9a')",
                           "struct.unpack('q', 'abc')",
                           "struct.unpack('c3000000000', 'abc')",
                           "struct.size('s')",
                           "struct.size('c0')",
                           "struct.size('!6')",
                           "struct.size('i40')",
                           "struct.pack()",
                           "struct.unpack('b')",
                           "struct.size()"})
    eval(std::string("return ") + call);
  d->same({"EVAL", "struct.pack = nil", "0"});
}
