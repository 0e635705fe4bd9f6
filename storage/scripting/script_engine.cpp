#include "storage/scripting/script_engine.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "protocol/commands/command_table.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/dispatch/command_checks.hpp"
#include "storage/dispatch/dispatcher.hpp"
#include "storage/dispatch/slot_check.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/scripting/lua_reply.hpp"
#include "storage/scripting/lua_sandbox.hpp"
#include "storage/scripting/script_flags.hpp"

namespace troupe {

// What the script under way needs between its redis.call()s.
struct script_engine::run_state {
  exec_context* caller = nullptr;
  uint32_t flags = 0;      // script_flags.hpp
  bool read_only = false;  // EVAL_RO, FCALL_RO
  bool wrote = false;      // a command changed the dataset
  bool oom = false;        // memory was over maxmemory when the script started
  int resp = 2;            // redis.setresp
  bool replicate = true;   // redis.set_repl (REPL_NONE turns it off)
  bool is_function = false;
  bool busy = false;       // past busy-reply-threshold: other clients get -BUSY
  int64_t started_ns = 0;  // monotonic
  int64_t started_wall_ms = 0;
  std::string_view name;  // the SHA1 or the function's name
  // Cluster mode: the slot of the keys so far (-1: none), unless the script
  // may use keys of several slots (allow-cross-slot-keys, legacy EVAL).
  int slot = -1;
  bool cross_slot = true;
};

namespace {

// Where the count hook finds its engine (set per thread by the engine that
// runs a script).
thread_local script_engine* running_engine = nullptr;

// Every this many Lua instructions a running script checks its time, SCRIPT
// KILL and, once busy, serves other clients.
constexpr int hook_instructions = 100000;

void count_hook(lua_State* L, lua_Debug*) {
  if (running_engine != nullptr) running_engine->on_hook(L);
}

// Redis's messages, for the errors scripts get from redis.call.
constexpr std::string_view readonly_replica =
    "-READONLY You can't write against a read only replica.";
constexpr std::string_view oom_error = "-OOM command not allowed when used memory > 'maxmemory'.";

// The body Lua compiles: a shebang line becomes a comment (line numbers stay).
std::string compilable(std::string_view body) {
  std::string code(body);
  if (code.size() >= 2 && code[0] == '#' && code[1] == '!') code[0] = code[1] = '-';
  return code;
}

// Lower-case copy of a 40-character SHA1 argument (EVALSHA accepts any case),
// in `buf`.
std::string_view lower_sha(std::string_view s, char (&buf)[sha1_hex_size]) {
  for (size_t i = 0; i < sha1_hex_size; ++i) {
    char ch = s[i];
    buf[i] = ch >= 'A' && ch <= 'Z' ? char(ch - 'A' + 'a') : ch;
  }
  return std::string_view(buf, sha1_hex_size);
}

// A number argument of redis.call as Redis formats it ("%.17g"); whole
// numbers below 2^53 print the same digits faster as integers.
size_t format_number_arg(double v, char* buf, size_t size) {
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0 && !(v == 0 && std::signbit(v))) {
    auto r = std::to_chars(buf, buf + size, int64_t(v));
    return size_t(r.ptr - buf);
  }
  int n = snprintf(buf, size, "%.17g", v);
  return size_t(n);
}

}  // namespace

script_engine::script_engine(dispatcher* d) : engine_(d) {
  client_.addr = "lua";
  client_.authenticated = true;
  sandbox_refs refs = create_sandbox(this);
  L_ = refs.L;
  globals_ref_ = refs.globals;
  globals_proxy_ref_ = refs.globals_proxy;
  redis_ref_ = refs.redis;
  load_redis_ref_ = refs.load_redis;
  error_handler_ref_ = refs.error_handler;
  lua_sethook(L_, count_hook, LUA_MASKCOUNT, hook_instructions);
}

void script_engine::on_hook(lua_State* L) {
  if (run_ == nullptr || engine_ == nullptr) return;
  server_services& srv = engine_->services();
  if (!run_->busy) {
    int64_t threshold_ms = srv.config().busy_reply_threshold.get();
    if ((monotonic_ns() - run_->started_ns) / 1000000 < threshold_ms) return;
    run_->busy = true;
    std::vector<std::string> command(run_->caller->argv.begin(), run_->caller->argv.end());
    srv.script_runs.become_busy(run_->is_function, run_->wrote, run_->name, std::move(command),
                                run_->started_wall_ms);
  }
  if (srv.script_runs.kill_requested()) {
    // From now on at every instruction: a pcall in the script cannot keep
    // it alive.
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
    push_err(L, "Script killed by user with SCRIPT KILL...");
    lua_error(L);
  }
  srv.serve_clients_while_busy(run_->caller->client);
}

script_engine::~script_engine() {
  if (L_ != nullptr) lua_close(L_);
}

void script_engine::drop_stale_caches() {
  uint64_t gen = engine_->services().scripts.scripts_generation();
  if (gen == scripts_gen_) return;
  for (auto& [sha, c] : scripts_) luaL_unref(L_, LUA_REGISTRYINDEX, c.ref);
  bodies_.clear();
  scripts_.clear();
  scripts_gen_ = gen;
  lua_gc(L_, LUA_GCCOLLECT, 0);
}

const script_engine::script_entry* script_engine::find_compiled(std::string_view sha) {
  drop_stale_caches();
  auto it = scripts_.find(sha);
  return it == scripts_.end() ? nullptr : &*it;
}

const script_engine::script_entry* script_engine::script_for_body(std::string_view body,
                                                                  std::string& err) {
  drop_stale_caches();
  auto it = bodies_.find(body);
  if (it != bodies_.end()) return it->second;
  char sha[sha1_hex_size];
  sha1_hex(body, sha);
  const script_entry* entry = compile(std::string_view(sha, sha1_hex_size), body, err);
  if (entry != nullptr) bodies_.emplace(body, entry);
  return entry;
}

const script_engine::script_entry* script_engine::compile(std::string_view sha,
                                                          std::string_view body, std::string& err) {
  drop_stale_caches();
  auto it = scripts_.find(sha);
  if (it != scripts_.end()) return &*it;
  compiled c;
  if (!parse_eval_shebang(body, c.flags, err)) return nullptr;
  std::string code = compilable(body);
  if (luaL_loadbuffer(L_, code.data(), code.size(), "@user_script") != 0) {
    err = "ERR Error compiling script (new function): ";
    const char* msg = lua_tostring(L_, -1);
    err += msg != nullptr ? msg : "unknown error";
    lua_pop(L_, 1);
    return nullptr;
  }
  c.ref = luaL_ref(L_, LUA_REGISTRYINDEX);
  std::string key(sha);
  engine_->services().scripts.add_script(key, body);
  return &*scripts_.emplace(std::move(key), c).first;
}

bool script_engine::load_script(std::string_view body, std::string& sha, std::string& err) {
  sha = sha1_hex(body);
  return compile(sha, body, err) != nullptr;
}

uint32_t script_engine::command_flags(const command_spec& cmd,
                                      const std::vector<std::string_view>& args, uint32_t flags) {
  // Which script: EVAL's body, EVALSHA's cached script, FCALL's function.
  uint32_t script_flags = script_no_shebang;
  const std::string& name = cmd.name;
  if (args.size() < 2) return flags;
  if (name == "eval" || name == "eval_ro") {
    if (args[1].substr(0, 2) != "#!") return flags;
    std::string err;
    if (!parse_eval_shebang(args[1], script_flags, err)) return flags;
  } else if (name == "evalsha" || name == "evalsha_ro") {
    if (args[1].size() != sha1_hex_size) return flags;
    char buf[sha1_hex_size];
    std::string_view sha = lower_sha(args[1], buf);
    const script_entry* c = find_compiled(sha);
    if (c != nullptr) {
      script_flags = c->second.flags;
    } else {
      auto body = engine_->services().scripts.script_body(std::string(sha));
      std::string err;
      if (!body || !parse_eval_shebang(*body, script_flags, err)) return flags;
    }
  } else {  // fcall, fcall_ro
    reload_functions();
    auto it = functions_.find(std::string(args[1]));
    if (it == functions_.end()) return flags;
    script_flags = it->second.flags;
  }
  if (script_flags & script_no_shebang) return flags;
  // Redis's scriptFlagsToCmdFlags.
  flags &= ~(cmd_stale | cmd_denyoom | cmd_write);
  if (!(script_flags & (script_allow_oom | script_no_writes))) flags |= cmd_denyoom;
  if (!(script_flags & script_no_writes)) flags |= cmd_write;
  if (script_flags & script_allow_stale) flags |= cmd_stale;
  return flags;
}

bool script_engine::parse_numkeys(exec_context& c, int64_t& numkeys, bool fcall) {
  if (fcall) {
    auto n = parse_int64(c.arg(2));
    if (n) numkeys = *n;
    if (!n) {
      c.out.error("ERR Bad number of keys provided");
      return false;
    }
  } else if (!c.int_arg(2, numkeys)) {
    return false;
  }
  if (numkeys > int64_t(c.argc() - 3)) {
    c.out.error(fcall ? "ERR Number of keys can't be greater than number of args"
                      : "ERR Number of keys can't be greater than number of args");
    return false;
  }
  if (numkeys < 0) {
    c.out.error("ERR Number of keys can't be negative");
    return false;
  }
  return true;
}

void script_engine::eval(exec_context& c, bool by_sha, bool read_only) {
  // A SHA1 of the wrong length is unknown before numkeys is read (Redis).
  if (by_sha && c.arg(1).size() != 40)
    return c.out.error("NOSCRIPT No matching script. Please use EVAL.");
  int64_t numkeys;
  if (!parse_numkeys(c, numkeys, false)) return;
  const script_entry* script = nullptr;
  std::string err;
  if (by_sha) {
    char buf[sha1_hex_size];
    std::string_view sha = lower_sha(c.arg(1), buf);
    script = find_compiled(sha);
    if (script == nullptr) {
      auto body = engine_->services().scripts.script_body(std::string(sha));
      if (!body) return c.out.error("NOSCRIPT No matching script. Please use EVAL.");
      script = compile(sha, *body, err);
    }
  } else {
    script = script_for_body(c.arg(1), err);
  }
  if (script == nullptr) return c.out.error(err);
  // The name outlives the cache entry (a flush while the script is busy).
  char name[sha1_hex_size];
  memcpy(name, script->first.data(), sha1_hex_size);
  run(c, script->second.ref, script->second.flags, size_t(numkeys), read_only,
      std::string_view(name, sha1_hex_size));
}

void script_engine::fcall(exec_context& c, bool read_only) {
  reload_functions();
  auto it = functions_.find(std::string(c.arg(1)));
  if (it == functions_.end()) return c.out.error("ERR Function not found");
  int64_t numkeys;
  if (!parse_numkeys(c, numkeys, true)) return;
  function_entry fn = it->second;
  run(c, fn.ref, fn.flags, size_t(numkeys), read_only, c.arg(1));
}

void script_engine::run(exec_context& c, int fn_ref, uint32_t flags, size_t numkeys, bool read_only,
                        std::string_view name) {
  bool legacy = flags & script_no_shebang;
  bool cluster = c.srv.config().cluster_enabled.get();
  if (!legacy && (flags & script_no_cluster) && cluster)
    return c.out.error("ERR Can not run script on cluster, 'no-cluster' flag is set.");
  if (!legacy && read_only && !(flags & script_no_writes))
    return c.out.error("ERR Can not execute a script with write flag using *_ro command.");
  if (run_ != nullptr) return c.out.error("ERR a script is already running");
  bool is_function = c.cmd.name == "fcall" || c.cmd.name == "fcall_ro";

  run_state st;
  st.caller = &c;
  st.flags = flags;
  st.read_only = read_only;
  st.oom = engine_->script_oom();
  st.is_function = is_function;
  st.name = name;
  st.started_ns = monotonic_ns();
  st.started_wall_ms = c.now;
  if (cluster) {
    // The declared keys passed the routing check together: their slot.
    st.cross_slot = legacy || (flags & script_allow_cross_slot);
    if (numkeys > 0) st.slot = key_hash_slot(c.arg(3));
  }
  script_time_ms_ = c.now;
  client_.db.store(c.db_index, std::memory_order_relaxed);
  client_.acl_user = c.client.acl_user;
  client_.resp = 2;
  client_.tx.ops.clear();
  client_.flags.store(c.client.flags.load(std::memory_order_relaxed) &
                          (client_master | client_no_evict | client_no_touch),
                      std::memory_order_relaxed);

  lua_State* L = L_;
  lua_settop(L, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, error_handler_ref_);
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn_ref);
  // KEYS and ARGV: globals for EVAL, the two arguments of a function.
  lua_createtable(L, int(numkeys), 0);
  for (size_t i = 0; i < numkeys; ++i) {
    std::string_view k = c.arg(3 + i);
    lua_pushlstring(L, k.data(), k.size());
    lua_rawseti(L, -2, int(i + 1));
  }
  size_t nargs = c.argc() - 3 - numkeys;
  lua_createtable(L, int(nargs), 0);
  for (size_t i = 0; i < nargs; ++i) {
    std::string_view a = c.arg(3 + numkeys + i);
    lua_pushlstring(L, a.data(), a.size());
    lua_rawseti(L, -2, int(i + 1));
  }
  int call_args = 2;
  if (!is_function) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, globals_ref_);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "ARGV");
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "KEYS");
    lua_pop(L, 3);
    call_args = 0;
  }
  run_ = &st;
  script_engine* outer = running_engine;
  running_engine = this;
  int status = lua_pcall(L, call_args, 1, 1);
  running_engine = outer;
  run_ = nullptr;
  if (st.busy) {
    c.srv.script_runs.end();
    lua_sethook(L, count_hook, LUA_MASKCOUNT, hook_instructions);
  }

  if (status != 0) {
    std::string msg;
    if (lua_istable(L, -1)) {
      lua_getfield(L, -1, "err");
      const char* e = lua_tostring(L, -1);
      msg = e != nullptr ? e : "ERR unknown error";
      lua_pop(L, 1);
      lua_getfield(L, -1, "source");
      lua_getfield(L, -2, "line");
      const char* source = lua_tostring(L, -2);
      if (source != nullptr) {
        msg += " script: ";
        msg.append(name);
        msg += ", on ";
        msg += source;
        msg += ':';
        msg += std::to_string(lua_tointeger(L, -1));
        msg += '.';
      }
      lua_pop(L, 2);
    } else {
      const char* e = lua_tostring(L, -1);
      msg = std::string("ERR ") + (e != nullptr ? e : "unknown error");
    }
    c.out.error(msg);
  } else {
    write_lua_value(L, -1, c.out, st.resp);
  }
  lua_settop(L, 0);

  // The script's writes, as their effects, wrapped in MULTI/EXEC when more
  // than one (EXEC gathers them with the rest of its transaction).
  std::vector<journal_op>& ops = client_.tx.ops;
  if (!ops.empty()) {
    if (c.origin == command_origin::transaction) {
      c.client.tx.ops.insert(c.client.tx.ops.end(), std::make_move_iterator(ops.begin()),
                             std::make_move_iterator(ops.end()));
    } else if (c.origin != command_origin::replay && c.origin != command_origin::replication &&
               c.srv.journal_active()) {
      c.srv.journal_ops(ops);
      c.client.woff = c.srv.journal_end();
    }
    ops.clear();
  }
  client_.acl_user.reset();
}

const command_spec* script_engine::find_command(std::string_view name) {
  // Scripts name their commands with the same few strings over and over: a
  // small cache keyed by those exact bytes spares the case-folding lookup.
  size_t slot = std::hash<std::string_view>{}(name) % command_cache_.size();
  command_cache_entry& e = command_cache_[slot];
  if (e.cmd != nullptr && e.name == name) return e.cmd;
  const command_spec* cmd = command_table::instance().find(name);
  if (cmd != nullptr && name.size() <= 32) {
    e.name.assign(name);
    e.cmd = cmd;
  }
  return cmd;
}

int script_engine::redis_call(lua_State* L, bool raise) {
  auto fail = [&](std::string_view msg) -> int {
    push_err(L, msg);
    if (raise) lua_error(L);
    return 1;
  };
  auto fail_raw = [&](std::string_view reply_text) -> int {
    push_error_table(L, reply_text);
    if (raise) lua_error(L);
    return 1;
  };
  if (run_ == nullptr) return fail("redis.call can only be called inside a script invocation");
  int argc = lua_gettop(L);
  if (argc == 0) return fail("Please specify at least one argument for this redis lib call");
  for (int i = 1; i <= argc; ++i) {
    int t = lua_type(L, i);
    if (t == LUA_TNUMBER) {
      // Not lua_tostring: Lua's "%.14g" loses precision; Redis uses "%.17g".
      char buf[64];
      size_t n = format_number_arg(double(lua_tonumber(L, i)), buf, sizeof buf);
      lua_pushlstring(L, buf, n);
      lua_replace(L, i);
    } else if (t != LUA_TSTRING) {
      return fail("Lua redis lib command arguments must be strings or integers");
    }
  }
  argv_.clear();
  for (int i = 1; i <= argc; ++i) {
    size_t n;
    const char* p = lua_tolstring(L, i, &n);
    argv_.emplace_back(p, n);
  }
  const command_spec* cmd = find_command(argv_[0]);
  if (cmd != nullptr && cmd->has_subcommands() && argv_.size() >= 2) cmd = cmd->find_sub(argv_[1]);
  if (cmd == nullptr) return fail("Unknown Redis command called from script");
  int n = int(argv_.size());
  if ((cmd->arity > 0 && n != cmd->arity) || n < -cmd->arity)
    return fail("Wrong number of args calling Redis command from script");
  if (cmd->flags & cmd_noscript) return fail("This Redis command is not allowed from script");

  server_services& srv = engine_->services();
  switch (acl_check_from_script(*cmd, argv_, client_, srv)) {
    case acl_denial::none:
      break;
    case acl_denial::key:
      return fail(
          "The user executing the script can't access at least one of the keys mentioned in the "
          "command arguments");
    case acl_denial::channel:
      return fail(
          "The user executing the script can't publish to the channel mentioned in the command");
    default:
      return fail("The user executing the script can't run this command or subcommand");
  }
  if (cmd->flags & cmd_write) {
    if (run_->read_only || (run_->flags & script_no_writes))
      return fail("Write commands are not allowed from read-only scripts.");
    if (srv.is_replica() && srv.config().replica_read_only.get() && !client_.has(client_master))
      return fail_raw(readonly_replica);
    if (srv.writes_refused())
      return fail_raw(
          "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
          "persist to disk. Commands that may modify the data set are disabled, because this "
          "instance is configured to report errors during writes if RDB snapshotting fails "
          "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about "
          "the RDB error.");
  }
  // Legacy scripts may not grow memory past maxmemory until they wrote.
  if ((cmd->flags & cmd_denyoom) && run_->oom && !run_->wrote &&
      !(run_->flags & script_allow_oom) && !client_.has(client_master))
    return fail_raw(oom_error);
  // Cluster mode: the keys must be served here (the caller's ASKING and
  // READONLY count), except for what the master or the AOF sends.
  if (srv.config().cluster_enabled.get() && run_->caller->origin != command_origin::replay &&
      run_->caller->origin != command_origin::replication) {
    if (auto err = script_call_route(*cmd, argv_, run_->caller->client, srv, engine_->keys(),
                                     run_->slot, run_->cross_slot))
      return fail(*err);
  }

  reply_.clear();
  reply_writer w(reply_);
  w.set_resp(run_->resp);
  client_.resp = run_->resp;
  keyspace& ks = engine_->keys();
  int64_t dirty = ks.dirty.load(std::memory_order_relaxed);
  size_t ops_before = client_.tx.ops.size();
  engine_->run_from_script(*cmd, argv_, client_, w);
  if (ks.dirty.load(std::memory_order_relaxed) != dirty) {
    run_->wrote = true;
    if (run_->busy) srv.script_runs.note_write();
  }
  if (!run_->replicate) client_.tx.ops.resize(ops_before);
  lua_settop(L, 0);
  if (reply_.empty()) {
    lua_pushboolean(L, 0);
    return 1;
  }
  if (reply_[0] == '-' && raise) {
    std::string_view text(reply_);
    text = text.substr(0, text.find("\r\n"));
    push_error_table(L, text);
    lua_error(L);
  }
  size_t pos = 0;
  push_resp_reply(L, reply_, pos);
  return 1;
}

int script_engine::set_resp(lua_State* L) {
  if (lua_gettop(L) != 1 || lua_type(L, 1) != LUA_TNUMBER) {
    push_err(L, "redis.setresp() requires one argument.");
    return lua_error(L);
  }
  int v = int(lua_tonumber(L, 1));
  if (v != 2 && v != 3) {
    push_err(L, "RESP version must be 2 or 3.");
    return lua_error(L);
  }
  if (run_ != nullptr) run_->resp = v;
  return 0;
}

int script_engine::set_repl(lua_State* L) {
  if (lua_gettop(L) != 1) {
    push_err(L, "redis.set_repl() requires one argument.");
    return lua_error(L);
  }
  int v = int(lua_tonumber(L, 1));
  if (v < 0 || v > 3 || lua_type(L, 1) != LUA_TNUMBER) {
    push_err(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.");
    return lua_error(L);
  }
  // Troupe's journal feeds the AOF and the replicas together: REPL_AOF and
  // REPL_REPLICA alone both keep propagating; REPL_NONE stops it.
  if (run_ != nullptr) run_->replicate = v != 0;
  return 0;
}

int script_engine::acl_check_cmd(lua_State* L) {
  int argc = lua_gettop(L);
  if (argc == 0) {
    push_err(L, "Please specify at least one argument for this redis lib call");
    return lua_error(L);
  }
  std::vector<std::string_view> args;
  for (int i = 1; i <= argc; ++i) {
    if (lua_type(L, i) != LUA_TSTRING && lua_type(L, i) != LUA_TNUMBER) {
      push_err(L, "Lua redis lib command arguments must be strings or integers");
      return lua_error(L);
    }
  }
  for (int i = 1; i <= argc; ++i) {
    size_t n;
    const char* p = lua_tolstring(L, i, &n);
    args.emplace_back(p, n);
  }
  const command_spec* cmd = command_table::instance().find(args[0]);
  if (cmd != nullptr && cmd->has_subcommands() && args.size() >= 2) cmd = cmd->find_sub(args[1]);
  int n = int(args.size());
  if (cmd == nullptr) {
    push_err(L, "Invalid command passed to redis.acl_check_cmd()");
    return lua_error(L);
  }
  if ((cmd->arity > 0 && n != cmd->arity) || n < -cmd->arity) {
    push_err(L, "Wrong number of args calling Redis command from script");
    return lua_error(L);
  }
  bool ok = true;
  const acl_user_slot* user = client_.acl_user.get();
  if (user != nullptr && !user->unrestricted()) {
    size_t failed = 0;
    ok = user->rules()->check(*cmd, args, failed) == acl_denial::none;
  }
  lua_pushboolean(L, ok);
  return 1;
}

}  // namespace troupe
