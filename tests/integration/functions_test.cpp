// FUNCTION LOAD/LIST/DELETE/FLUSH/DUMP/RESTORE/STATS and FCALL/FCALL_RO
// against redis-server; then function libraries moving between Troupe and
// redis-server (DUMP payloads, RDB files both ways) and surviving an AOF
// restart.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

const std::string lib_a =
    "#!lua name=liba\n"
    "redis.register_function('fa', function(keys, args) return {keys, args} end)\n"
    "redis.register_function{function_name='fa_ro', callback=function(keys, args) return "
    "redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}\n";

const std::string lib_b =
    "#!lua name=libb\n"
    "local function helper(k) return redis.call('incr', k) end\n"
    "redis.register_function('fb', function(keys, args) return helper(keys[1]) end)\n";

// A FUNCTION LIST reply as a canonical string: libraries and each library's
// functions sorted (Redis lists both in hash table order, which changes with
// its random hash seed).
std::string sorted_list(const resp_value& v) {
  if (v.is_error()) return v.to_string();
  std::vector<std::string> libs;
  for (auto lib : v.elements) {
    for (size_t i = 0; i + 1 < lib.elements.size(); i += 2)
      if (lib.elements[i].str == "functions") {
        auto& fns = lib.elements[i + 1].elements;
        std::sort(fns.begin(), fns.end(), [](const resp_value& a, const resp_value& b) {
          return a.to_string() < b.to_string();
        });
      }
    libs.push_back(lib.to_string());
  }
  std::sort(libs.begin(), libs.end());
  std::string out;
  for (auto& l : libs) out += l + "\n";
  return out;
}

}  // namespace

class functions : public differential_suite<functions> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->both({"HELLO", "2"});
    d->same({"FLUSHALL"});
    d->same({"FUNCTION", "FLUSH"});
  }
  // FUNCTION LIST (with these arguments) on both, compared canonically.
  void same_list(std::vector<std::string> args) {
    args.insert(args.begin(), {"FUNCTION", "LIST"});
    EXPECT_EQ(sorted_list(d->troupe_client().call(args)), sorted_list(d->redis_client().call(args)))
        << "FUNCTION LIST with " << args.size() - 2 << " arguments";
  }
  void load(const std::string& code) { d->same({"FUNCTION", "LOAD", code}); }
  void load_ok(const std::string& code) {
    for (auto* c : {&d->troupe_client(), &d->redis_client()})
      ASSERT_EQ(c->call({"FUNCTION", "LOAD", code}).type, resp_value::kind::bulk);
  }
};

TEST_F(functions, load_and_call) {
  load(lib_a);
  load(lib_b);
  load(lib_a);  // already exists
  d->same({"FUNCTION", "LOAD", "REPLACE", lib_a});
  d->same({"FUNCTION", "LOAD", "BADOPT", lib_a});
  d->same({"FCALL", "fa", "2", "k1", "k2", "a1"});
  d->same({"FCALL", "fb", "1", "counter"});
  d->same({"FCALL", "fb", "1", "counter"});
  d->same({"SET", "r", "v"});
  d->same({"FCALL", "fa_ro", "1", "r"});
  d->same({"FCALL_RO", "fa_ro", "1", "r"});
  d->same({"FCALL_RO", "fa", "0"});
  d->same({"FCALL", "nosuch", "0"});
  d->same({"FCALL", "nosuch", "x"});
  d->same({"FCALL", "fa", "x"});
  d->same({"FCALL", "fa", "-1"});
  d->same({"FCALL", "fa", "5"});
  d->same({"FCALL"});
}

TEST_F(functions, load_errors) {
  const char* bodies[] = {
      "redis.register_function('a-b', function() end)",
      "redis.register_function('ab', 1)",
      "redis.register_function{function_name='ab', callback=function() end, flags={'bad'}}",
      "redis.register_function{function_name='ab', callback=function() end, foo=1}",
      "redis.register_function('ab')",
      "redis.register_function('ab', function() end); redis.register_function('ab', function() "
      "end)",
      "return 1",
      "redis.register_function{function_name='ab', callback=function() end, flags='x'}",
      "redis.register_function{function_name='ab', callback=1}",
      "redis.register_function{function_name={}, callback=function() end}",
      "redis.register_function{callback=function() end}",
      "redis.register_function{function_name='x'}",
      "redis.register_function()",
      "redis.register_function('a','b','c')",
      "redis.register_function({function_name='x', callback=function() end}, 1)",
      "error('x')",
      "redis.call('ping')",
      "local x = string",
      "local x = redis.setresp",
      "redis.register_function('', function() end)",
      "redis.register_function({}, function() end)",
      "x(",
  };
  for (const char* body : bodies) load(std::string("#!lua name=libx\n") + body);
  load("#!lua");
  load("#!lua name=a-b\nx");
  load("#!lua name=ab foo=bar\nx");
  load("#!py name=ab\nx");
  load("lua name=ab\nx");
  load("#!lua\nx");
  // A function name another library has.
  load(lib_a);
  load("#!lua name=other\nredis.register_function('fa', function() return 1 end)");
}

TEST_F(functions, runtime_behaviour) {
  load(
      "#!lua name=rt\n"
      "redis.register_function('boom', function() error('boom') end)\n"
      "redis.register_function('rf', function() return redis.register_function('z', function() "
      "end) end)\n"
      "redis.register_function{function_name='ro_write', callback=function() return "
      "redis.call('set','a','b') end, flags={'no-writes'}}\n"
      "redis.register_function('writer', function() return redis.call('set','a','b') end)\n"
      "redis.register_function('globals', function() return type(KEYS) end)\n"
      "redis.register_function('log', function() redis.log(redis.LOG_NOTICE, 'hi') return "
      "redis.REDIS_VERSION end)\n");
  d->same({"FCALL", "boom", "0"});
  d->same({"FCALL", "rf", "0"});
  d->same({"FCALL", "ro_write", "0"});
  d->same({"FCALL_RO", "writer", "0"});
  d->same({"FCALL", "writer", "0"});
  d->same({"FCALL", "globals", "0"});
  d->same({"FCALL", "log", "0"});
  d->same({"EVAL", "redis.register_function('a', function() end)", "0"});
}

TEST_F(functions, list_delete_flush_stats) {
  load(lib_a);
  same_list({});
  same_list({"WITHCODE"});
  same_list({"LIBRARYNAME", "lib*"});
  d->same({"FUNCTION", "LIST", "LIBRARYNAME", "nomatch*"});
  d->same({"FUNCTION", "LIST", "LIBRARYNAME"});
  d->same({"FUNCTION", "LIST", "foo"});
  d->same({"FUNCTION", "LIST", "WITHCODE", "WITHCODE"});
  d->same({"FUNCTION", "LIST", "LIBRARYNAME", "a", "LIBRARYNAME", "b"});
  d->same({"FUNCTION", "STATS"});
  d->both({"HELLO", "3"});
  same_list({"WITHCODE"});
  d->same({"FUNCTION", "STATS"});
  d->both({"HELLO", "2"});
  load(lib_b);
  same_list({});
  d->same({"FUNCTION", "DELETE", "liba"});
  d->same({"FUNCTION", "DELETE", "liba"});
  d->same({"FCALL", "fa", "0"});
  d->same({"FUNCTION", "FLUSH", "x"});
  d->same({"FUNCTION", "FLUSH", "ASYNC"});
  d->same({"FUNCTION", "LIST"});
  d->same({"FUNCTION", "KILL"});
  d->same({"FUNCTION", "HELP"});
}

TEST_F(functions, dump_and_restore_interchange) {
  load_ok(lib_a);
  // Each server restores the other's payload.
  resp_value from_redis = d->redis_client().call({"FUNCTION", "DUMP"});
  resp_value from_troupe = d->troupe_client().call({"FUNCTION", "DUMP"});
  d->same({"FUNCTION", "FLUSH"});
  EXPECT_EQ(d->troupe_client().call({"FUNCTION", "RESTORE", from_redis.str}).to_string(), "OK");
  EXPECT_EQ(d->redis_client().call({"FUNCTION", "RESTORE", from_troupe.str}).to_string(), "OK");
  same_list({"WITHCODE"});
  d->same({"FCALL", "fa", "1", "k", "v"});
  // Policies and errors.
  d->same({"FUNCTION", "RESTORE", from_redis.str});
  d->same({"FUNCTION", "RESTORE", from_redis.str, "APPEND"});
  d->same({"FUNCTION", "RESTORE", from_redis.str, "REPLACE"});
  d->same({"FUNCTION", "RESTORE", from_redis.str, "FLUSH"});
  d->same({"FUNCTION", "RESTORE", from_redis.str, "BAD"});
  d->same({"FUNCTION", "RESTORE", "garbage"});
  std::string corrupt = from_redis.str;
  corrupt[3] ^= 0x55;
  d->same({"FUNCTION", "RESTORE", corrupt});
  same_list({});
}

// A Troupe RDB with functions loads in redis-server, and redis-server's in Troupe.
TEST(functions_persistence, rdb_both_ways) {
  server_process troupe;
  ASSERT_TRUE(troupe.start());
  ASSERT_EQ(troupe.call({"FUNCTION", "LOAD", lib_a}).str, "liba");
  ASSERT_EQ(troupe.call({"SAVE"}).to_string(), "OK");
  troupe.stop();
  {
    server_process redis({"--dir", troupe.dir(), "--dbfilename", "dump.rdb"},
                         server_process::kind::redis);
    ASSERT_TRUE(redis.start());
    EXPECT_EQ(redis.call({"FCALL", "fa", "1", "k", "v"}).to_string(), "[[\"k\"], [\"v\"]]");
    ASSERT_EQ(redis.call({"FUNCTION", "LOAD", lib_b}).str, "libb");
    ASSERT_EQ(redis.call({"SAVE"}).to_string(), "OK");
    redis.stop();
  }
  server_process again({"--dir", troupe.dir(), "--dbfilename", "dump.rdb"});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"FCALL", "fb", "1", "n"}).integer, 1);
  EXPECT_EQ(again.call({"FCALL", "fa", "1", "k", "v"}).to_string(), "[[\"k\"], [\"v\"]]");
}

TEST(functions_persistence, aof_restart_keeps_functions) {
  std::string dir;
  {
    server_process s({"--appendonly", "yes"});
    ASSERT_TRUE(s.start());
    dir = s.dir();
    ASSERT_EQ(s.call({"FUNCTION", "LOAD", lib_b}).str, "libb");
    EXPECT_EQ(s.call({"FCALL", "fb", "1", "n"}).integer, 1);
    ASSERT_EQ(s.call({"FUNCTION", "LOAD", lib_a}).str, "liba");
    ASSERT_EQ(s.call({"FUNCTION", "DELETE", "liba"}).to_string(), "OK");
    s.stop();
  }
  server_process s({"--appendonly", "yes", "--dir", dir});
  ASSERT_TRUE(s.start());
  EXPECT_EQ(s.call({"FCALL", "fb", "1", "n"}).integer, 2);
  EXPECT_TRUE(s.call({"FCALL", "fa", "0"}).is_error());
  // After a rewrite, the functions are in the new base.
  ASSERT_EQ(s.call({"BGREWRITEAOF"}).type, resp_value::kind::simple);
  for (int i = 0; i < 200; ++i) {
    resp_value info = s.call({"INFO", "persistence"});
    if (info.str.find("aof_rewrite_in_progress:0") != std::string::npos &&
        info.str.find("aof_rewrite_scheduled:0") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  s.stop();
  server_process after({"--appendonly", "yes", "--dir", dir});
  ASSERT_TRUE(after.start());
  EXPECT_EQ(after.call({"FCALL", "fb", "1", "n"}).integer, 3);
}
