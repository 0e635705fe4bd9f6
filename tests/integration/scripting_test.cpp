// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT against redis-server: replies,
// Lua <-> RESP2/RESP3 conversions, the sandbox, shebang flags, error strings;
// then what only Troupe can show: atomicity with several reactors, effects
// journaled to the AOF and to a replica.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class scripting : public differential_suite<scripting> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->both({"HELLO", "2"});
    d->same({"FLUSHALL"});
    d->same({"SCRIPT", "FLUSH"});
  }
  resp_value eval(const std::string& body, std::vector<std::string> rest = {"0"}) {
    std::vector<std::string> args{"EVAL", body};
    args.insert(args.end(), rest.begin(), rest.end());
    return d->same(args);
  }
};

TEST_F(scripting, return_value_conversions_resp2) {
  eval("return 1");
  eval("return 3.99");
  eval("return -3.99");
  eval("return 'hello'");
  eval("return true");
  eval("return false");
  eval("return nil");
  eval("return {1,2,3,'ciao',{1,2}}");
  eval("return {1,2,3.7,'x',true,false,nil,4}");
  eval("return {}");
  eval("return {ok='fine'}");
  eval("return {ok='-a'}");
  eval("return {err='boom'}");
  eval("return {err='boom x'}");
  eval("return {err='-boom'}");
  eval("return redis.error_reply('boom')");
  eval("return redis.error_reply('boom x')");
  eval("return redis.error_reply('-boom')");
  eval("return redis.error_reply()");
  eval("return redis.status_reply('yo')");
  eval("return redis.status_reply(1)");
  eval("return {double=3.5}");
  eval("return {map={a=1}}");
  eval("return {set={a=1}}");
  eval("return {big_number='123'}");
  eval("return {verbatim_string={format='txt',string='hi'}}");
  eval("redis.setresp(3); return {true,false}");
  eval("return {KEYS[1],KEYS[2],ARGV[1],ARGV[2]}", {"2", "k1", "k2", "a1", "a2"});
  eval("return #KEYS + #ARGV", {"1", "k", "a", "b"});
  eval("return function() end");
  eval("return 9007199254740993");
}

TEST_F(scripting, return_value_conversions_resp3) {
  d->both({"HELLO", "3"});
  eval("return {1,2,3.7,'x',true,false,nil,4}");
  eval("return nil");
  eval("return false");
  eval("return {double=3.5}");
  eval("return {map={a=1}}");
  eval("return {set={a=1}}");
  eval("return {big_number='123'}");
  eval("return {verbatim_string={format='txt',string='hi'}}");
  eval("redis.setresp(3); return {true,false}");
  eval("return {ok='fine'}");
  eval("return {err='boom x'}");
}

TEST_F(scripting, redis_call_reply_conversions) {
  d->same({"SET", "s", "v"});
  d->same({"RPUSH", "l", "a", "b"});
  d->same({"HSET", "h", "f", "1"});
  d->same({"SADD", "set", "m"});
  d->same({"ZADD", "z", "1.5", "m"});
  eval("return redis.call('get', 's')");
  eval("return redis.call('get', 'nokey')");
  eval("return redis.call('get', 'nokey') == false");
  eval("return redis.call('lrange', 'l', 0, -1)");
  eval("return redis.call('incr', 'n')");
  eval("return redis.call('ping')");
  eval("return redis.call('ping')['ok']");
  eval("return type(redis.call('hgetall', 'h'))");
  eval("redis.setresp(3); return redis.call('hgetall', 'h')");
  eval("redis.setresp(3); local t = redis.call('hgetall', 'h'); return t['map']['f']");
  eval("redis.setresp(3); local t = redis.call('smembers', 'set'); return t['set']['m']");
  eval("redis.setresp(3); return redis.call('get', 'nokey') == nil");
  eval("redis.setresp(3); return redis.call('zscore', 'z', 'm')");
  eval("redis.setresp(3); local t = redis.call('zscore', 'z', 'm'); return t['double'] * 2");
  eval("redis.setresp(3); return redis.call('exists', 's')");
  d->both({"HELLO", "3"});
  eval("redis.setresp(3); return redis.call('hgetall', 'h')");
  eval("redis.setresp(3); return redis.call('zscore', 'z', 'm')");
  eval("redis.setresp(3); return redis.call('smembers', 'set')");
}

TEST_F(scripting, call_errors_and_pcall) {
  eval("return redis.call('nosuch')");
  eval("return redis.pcall('nosuch')");
  eval("return redis.call('get')");
  eval("return redis.pcall('get')");
  eval("return redis.call('incr','a','b')");
  eval("return redis.call()");
  eval("return redis.pcall()");
  eval("return redis.call({})");
  eval("return redis.call('get', {})");
  eval("return redis.call('multi')");
  eval("return redis.call('eval', 'return 1', 0)");
  eval("return redis.call('subscribe', 'ch')");
  d->same({"SET", "e", "x"});
  eval("return redis.call('incr','e')");
  eval("return redis.pcall('incr','e')");
  eval("local t = redis.pcall('incr','e'); return t.err");
  eval("return redis.call('lpush','e','x')");
  eval("return redis.pcall('lpush','e','x')");
  eval("return redis.call('set','x',0.1)");
  d->same({"GET", "x"});
  eval("return redis.call('set','x',3)");
  d->same({"GET", "x"});
  eval("return redis.call('set','x',-1.5e300)");
  d->same({"GET", "x"});
  eval("local ok, e = pcall(redis.call, 'incr', 'e'); return e['err']");
}

TEST_F(scripting, runtime_and_compile_errors) {
  eval("error('boom')");
  eval("error({err='boom'})");
  eval("error({err='boom x'})");
  eval("error(12)");
  eval("return x(");
  eval("local a = \n\n nosuchfn()");
  eval("return redis.setresp(4)");
  eval("return redis.set_repl(99)");
  eval("local function f() error('deep') end\nf()");
}

TEST_F(scripting, sandbox) {
  for (const char* g : {"os", "io", "print", "dofile", "loadfile", "require", "module", "getfenv",
                        "setfenv", "newproxy", "debug", "package", "nosuch"})
    eval(std::string("return type(") + g + ")");
  for (const char* g : {"loadstring", "load", "pcall", "xpcall", "unpack", "string", "math",
                        "table", "cjson", "bit", "coroutine", "_G", "rawset", "rawget",
                        "collectgarbage", "gcinfo", "tonumber", "_VERSION"})
    eval(std::string("return type(") + g + ")");
  eval("foo = 1");
  eval("_G.foo = 1");
  eval("redis.call = 1");
  eval("string.x = 1");
  eval("math.floor = nil");
  eval("rawset(_G,'x',1)");
  eval("local t = {} t.x = 1 return t.x");
  eval("return loadstring('return 1 + 1')()");
  eval("return cjson.encode({a=1})");
  eval("return cjson.decode('[1,2,3]')[2]");
  eval("return bit.band(0xff, 0x0f)");
  eval("return bit.tohex(65535)");
  eval("return string.format('%d-%s', 3, 'x')");
  eval("return redis.sha1hex('')");
  eval("return redis.sha1hex('abc')");
  eval("return redis.REDIS_VERSION");
  eval("return redis.REDIS_VERSION_NUM");
  eval("return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}");
  eval(
      "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, "
      "redis.REPL_ALL}");
  eval("redis.log(redis.LOG_WARNING, 'from a script') return 1");
  eval("return redis.replicate_commands()");
  eval("return redis.breakpoint()");
  eval("redis.debug('x') return 1");
  eval("return redis.acl_check_cmd('set', 'a', 'b')");
  eval("return redis.acl_check_cmd('nosuch')");
}

TEST_F(scripting, numkeys_and_evalsha) {
  d->same({"EVAL", "return 1", "2", "a"});
  d->same({"EVAL", "return 1", "-1"});
  d->same({"EVAL", "return 1", "x"});
  d->same({"EVAL", "return 1"});
  d->same({"EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "0"});
  d->same({"EVALSHA", "short", "0"});
  resp_value loaded = d->same({"SCRIPT", "LOAD", "return 'loaded'"});
  d->same({"EVALSHA", loaded.str, "0"});
  resp_value sha = d->same({"SCRIPT", "LOAD", "return {KEYS[1], ARGV[1]}"});
  d->same({"EVALSHA", sha.str, "1", "k", "a"});
  std::string upper = sha.str;
  for (auto& ch : upper) ch = char(toupper(static_cast<unsigned char>(ch)));
  d->same({"EVALSHA", upper, "1", "k", "a"});
  d->same({"EVALSHA_RO", sha.str, "1", "k", "a"});
  d->same({"SCRIPT", "EXISTS", sha.str, "ffffffffffffffffffffffffffffffffffffffff", upper});
  d->same({"SCRIPT", "LOAD", "return x("});
  // EVAL caches its script too.
  eval("return 'cached'");
  resp_value cached = eval("return redis.sha1hex(ARGV[1])", {"0", "return 'cached'"});
  EXPECT_EQ(d->same({"SCRIPT", "EXISTS", cached.str}).elements.at(0).integer, 1);
  d->same({"SCRIPT", "FLUSH", "x"});
  d->same({"SCRIPT", "FLUSH", "ASYNC"});
  d->same({"SCRIPT", "FLUSH", "SYNC"});
  d->same({"SCRIPT", "EXISTS", sha.str});
  d->same({"EVALSHA", sha.str, "0"});
  d->same({"SCRIPT", "KILL"});
  d->same({"SCRIPT", "HELP"});
  d->same({"SCRIPT", "NOSUCH"});
  d->same({"SCRIPT", "LOAD"});
}

TEST_F(scripting, read_only_scripts_and_shebang) {
  d->same({"EVAL_RO", "return redis.call('set','a','1')", "0"});
  d->same({"EVAL_RO", "return redis.call('get','a')", "0"});
  d->same({"EVAL_RO", "#!lua\nreturn 1", "0"});
  d->same({"EVAL_RO", "#!lua flags=no-writes\nreturn redis.call('get','a')", "0"});
  eval("#!lua flags=no-writes\nreturn redis.call('set','b','1')");
  eval("#!lua flags=bad\nreturn 1");
  eval("#!luax\nreturn 1");
  eval("#!lua foo=bar\nreturn 1");
  eval("#!lua flags=\nreturn 1");
  eval("#!lua  flags=no-writes\nreturn 1");
  eval("#!lua");
  eval("#!lua flags=no-writes,,allow-oom\nreturn 1");
  eval("#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 2");
  eval("#!lua\nreturn redis.call('set','c','1')");
  eval("#!lua\nerror('line two')");
  d->same({"GET", "c"});
}

TEST_F(scripting, oom_rules) {
  d->same({"CONFIG", "SET", "maxmemory", "1"});
  eval("return redis.call('set','a','1')");
  eval("return redis.call('get','a')");
  eval("#!lua\nreturn 1");
  eval("#!lua flags=allow-oom\nreturn redis.call('set','a','1')");
  eval("#!lua flags=no-writes\nreturn 1");
  d->same({"EVAL_RO", "#!lua\nreturn 1", "0"});
  d->same({"CONFIG", "SET", "maxmemory", "0"});
}

TEST_F(scripting, acl_inside_scripts) {
  d->same({"ACL", "SETUSER", "scriptuser", "on", "nopass", "+eval", "+get", "~a*"});
  d->same({"AUTH", "scriptuser", "x"});
  eval("return redis.call('set','a','1')");
  eval("return redis.pcall('set','a','1')");
  eval("return redis.call('get','b')");
  eval("return redis.pcall('get','b')");
  eval("return redis.call('get','a')");
  eval("return redis.acl_check_cmd('get','b')");
  eval("return redis.acl_check_cmd('get','a')");
  d->same({"AUTH", "default", "x"});
  d->both({"ACL", "DELUSER", "scriptuser"});
}

TEST_F(scripting, select_inside_a_script_stays_inside) {
  eval("redis.call('select', 1); redis.call('set', 'in1', 'x'); return redis.call('get', 'in1')");
  d->same({"GET", "in1"});
  d->same({"SELECT", "1"});
  d->same({"GET", "in1"});
  d->same({"SELECT", "0"});
}

TEST_F(scripting, blocking_commands_do_not_block) {
  eval("return redis.call('blpop', 'nolist', 0)");
  eval("return redis.call('brpoplpush', 'nolist', 'x', 0)");
  d->same({"RPUSH", "q", "a"});
  eval("return redis.call('blpop', 'q', 0)");
}

// Time stands still for a script's commands (Redis 7.0): a key that expires
// while the script runs still exists for it, and is gone afterwards.
TEST_F(scripting, keys_do_not_expire_mid_script) {
  eval(
      "redis.call('set', 'short', 'v', 'px', 100) "
      "local t = redis.call('time') local start = t[1] * 1000000 + t[2] "
      "repeat t = redis.call('time') until t[1] * 1000000 + t[2] > start + 300000 "
      "return {redis.call('exists', 'short'), redis.call('get', 'short')}");
  d->same({"EXISTS", "short"});
}

TEST_F(scripting, inside_multi) {
  d->same({"MULTI"});
  d->same({"EVAL", "return redis.call('incr', 'k')", "0"});
  d->same({"EVAL", "return redis.call('incr', KEYS[1])", "1", "k"});
  d->same({"EXEC"});
  d->same({"GET", "k"});
}

TEST_F(scripting, command_metadata) {
  for (const char* c : {"eval", "evalsha", "eval_ro", "evalsha_ro"}) {
    resp_value t = d->troupe().call({"COMMAND", "INFO", c});
    resp_value r = d->redis().call({"COMMAND", "INFO", c});
    ASSERT_EQ(t.elements.size(), 1u);
    // name, arity, flags, first, last, step, categories as redis-server's.
    for (size_t i = 0; i < 7; ++i)
      EXPECT_EQ(t.elements[0].elements[i].to_string(), r.elements[0].elements[i].to_string())
          << c << " field " << i;
  }
  d->same({"COMMAND", "GETKEYS", "EVAL", "return 1", "2", "k1", "k2", "a"});
  d->same({"COMMAND", "GETKEYS", "EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", "1", "k1"});
}

// Scripts hold every shard: with two reactors, a script's read-modify-write
// of keys on different shards never interleaves with another client's.
TEST(scripting_isolation, atomic_with_two_reactors) {
  server_process s({"--threads", "2", "--shards", "4"});
  ASSERT_TRUE(s.start());
  const std::string body =
      "local a = tonumber(redis.call('get', KEYS[1]) or '0') "
      "local b = tonumber(redis.call('get', KEYS[2]) or '0') "
      "redis.call('set', KEYS[1], a + 1) redis.call('set', KEYS[2], b - 1) "
      "return a + b";
  std::atomic<bool> bad{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      resp_client c = s.client();
      for (int i = 0; i < 300; ++i) {
        // Every script sees a+b == 0 if no other script ran half-way.
        resp_value v = c.call({"EVAL", body, "2", "{x}a", "{y}b"});
        if (v.type != resp_value::kind::integer || v.integer != 0) bad = true;
      }
    });
  for (auto& t : workers) t.join();
  EXPECT_FALSE(bad.load());
  EXPECT_EQ(s.call({"GET", "{x}a"}).str, "1200");
  EXPECT_EQ(s.call({"GET", "{y}b"}).str, "-1200");
}

namespace {

// What a client sees of a long script on `s`: its reply, what another client
// got while it ran, and what SCRIPT KILL (or FUNCTION KILL) answered.
struct busy_outcome {
  std::string script_reply, other_reply, kill_reply, after_kill, late_reply;
};

busy_outcome run_busy_scenario(server_process& s, const std::vector<std::string>& script,
                               const std::string& kill) {
  busy_outcome o;
  // Connected before the script starts; another connects while it is busy.
  resp_client other = s.client();
  EXPECT_EQ(other.call({"PING"}).to_string(), "PONG");
  std::thread runner([&] { o.script_reply = s.client().call(script).to_string(); });
  // Wait for the script to become busy (threshold 50 ms). PING: with two
  // reactors, a command on keys from the other reactor waits for the script's
  // shards (it cannot answer -BUSY); keyless ones are answered.
  for (int i = 0; i < 500; ++i) {
    resp_value v = other.call({"PING"});
    if (v.is_error()) {
      o.other_reply = v.to_string();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // A client that connects during the script is served too (-BUSY).
  resp_client late = s.client();
  o.late_reply = late.connected() ? late.call({"PING"}).to_string() : "not connected";
  o.kill_reply = other.call({kill, "KILL"}).to_string();
  // The wrong KILL for the kind of script (-BUSY): end it with the right one.
  if (o.kill_reply.rfind("(error) BUSY", 0) == 0)
    other.call({kill == "SCRIPT" ? "FUNCTION" : "SCRIPT", "KILL"});
  runner.join();
  o.after_kill = other.call({"PING"}).to_string();
  return o;
}

}  // namespace

// -BUSY, SCRIPT KILL, FUNCTION KILL and -UNKILLABLE as redis-server answers
// them, to a client connected before the script and one connecting during it.
TEST(scripting_busy, kill_and_unkillable_as_redis) {
  const std::string spin_until_2s =
      "local s = tonumber(redis.call('time')[1]) "
      "while tonumber(redis.call('time')[1]) < s + 2 do end return 'done'";
  const std::string lib =
      "#!lua name=busy\nredis.register_function('spin', function() while true do end end)";
  server_process redis({"--busy-reply-threshold", "50"}, server_process::kind::redis);
  ASSERT_TRUE(redis.start());
  redis.call({"FUNCTION", "LOAD", lib});
  // One reactor (the default on two cores). With two, a connection placed on
  // the script's own reactor is not yet served while the script is busy (it
  // waits for the script's end): a known gap, see the README's scripting notes.
  for (const char* threads : {"1"}) {
    server_process troupe({"--lua-time-limit", "50", "--threads", threads});
    ASSERT_TRUE(troupe.start());
    troupe.call({"FUNCTION", "LOAD", lib});
    for (auto* kill : {"SCRIPT", "FUNCTION"}) {
      auto t = run_busy_scenario(troupe, {"EVAL", "while true do end", "0"}, kill);
      auto r = run_busy_scenario(redis, {"EVAL", "while true do end", "0"}, kill);
      EXPECT_EQ(t.script_reply, r.script_reply) << kill;
      EXPECT_EQ(t.other_reply, r.other_reply) << kill;
      EXPECT_EQ(t.kill_reply, r.kill_reply) << kill;
      EXPECT_EQ(t.after_kill, r.after_kill) << kill;
      EXPECT_EQ(t.late_reply, r.late_reply) << kill;
    }
    auto t = run_busy_scenario(troupe, {"FCALL", "spin", "0"}, "FUNCTION");
    auto r = run_busy_scenario(redis, {"FCALL", "spin", "0"}, "FUNCTION");
    EXPECT_EQ(t.script_reply, r.script_reply);
    EXPECT_EQ(t.other_reply, r.other_reply);
    EXPECT_EQ(t.kill_reply, r.kill_reply);
    t = run_busy_scenario(troupe, {"EVAL", "redis.call('set','w','1') " + spin_until_2s, "0"},
                          "SCRIPT");
    r = run_busy_scenario(redis, {"EVAL", "redis.call('set','w','1') " + spin_until_2s, "0"},
                          "SCRIPT");
    EXPECT_EQ(t.script_reply, r.script_reply);
    EXPECT_EQ(t.other_reply, r.other_reply);
    EXPECT_EQ(t.kill_reply, r.kill_reply);
    EXPECT_EQ(troupe.call({"GET", "w"}).str, "1");
  }
}

// A script's writes reach the AOF as their effects (MULTI/EXEC around more
// than one), never as EVAL, and come back after a restart.
TEST(scripting_effects, aof_gets_effects_not_scripts) {
  server_process s({"--appendonly", "yes", "--appendfsync", "always"});
  ASSERT_TRUE(s.start());
  EXPECT_EQ(s.call({"EVAL", "redis.call('set', KEYS[1], '1') redis.call('incr', KEYS[1]) return 1",
                    "1", "a"})
                .integer,
            1);
  EXPECT_EQ(s.call({"EVAL", "return redis.call('rpush', 'l', 'x')", "0"}).integer, 1);
  EXPECT_EQ(s.call({"EVAL", "return redis.call('get', 'a')", "0"}).str, "2");
  std::string aof = read_file(s.dir() + "/appendonlydir/appendonly.aof.1.incr.aof");
  for (auto& ch : aof) ch = char(tolower(static_cast<unsigned char>(ch)));
  EXPECT_EQ(aof.find("eval"), std::string::npos);
  size_t multi = aof.find("multi");
  ASSERT_NE(multi, std::string::npos);
  size_t set = aof.find("set", multi), incr = aof.find("incr", multi),
         exec = aof.find("exec", multi);
  EXPECT_TRUE(set < incr && incr < exec) << aof;
  EXPECT_NE(aof.find("rpush", exec), std::string::npos) << aof;
  EXPECT_EQ(aof.find("multi", exec), std::string::npos) << "one write needs no MULTI";
  s.stop();
  server_process again({"--appendonly", "yes", "--dir", s.dir()});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"GET", "a"}).str, "2");
  EXPECT_EQ(again.call({"LLEN", "l"}).integer, 1);
}
