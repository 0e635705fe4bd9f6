// DEBUG, behind enable-debug-command (no / yes / local) as in Redis 7.0:
// SLEEP (stalls every reactor), SEGFAULT / ASSERT / PANIC (crash on purpose),
// DIGEST / DIGEST-VALUE (the digest Redis computes: storage/types/value_digest),
// OBJECT, POPULATE, RELOAD, LOADAOF, SET-ACTIVE-EXPIRE,
// SET-SKIP-CHECKSUM-VALIDATION, CHANGE-REPL-ID, ERROR, LOG, PROTOCOL, HELP.
// DEBUG is one command in Redis's table (no subcommands in COMMAND INFO), so it
// parses its subcommand itself; a wrong name or count gets Redis's one error.
#include <csignal>
#include <cstdlib>
#include <thread>

#include "actors/client/connection.hpp"
#include "actors/commands/command_families.hpp"
#include "actors/commands/server_of.hpp"
#include "actors/persistence/aof.hpp"
#include "actors/persistence/persistence.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/reactor.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/encodings/quicklist.hpp"
#include "storage/eviction/key_access.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/keyspace/keyspace.hpp"
#include "storage/keyspace/snapshot.hpp"
#include "storage/rdb/rdb_encoder.hpp"
#include "storage/types/value_digest.hpp"
#include "topology/replication/replication_ids.hpp"

namespace troupe {
namespace {

void unknown(exec_context& c) {
  c.out.error("ERR unknown subcommand or wrong number of arguments for '" +
              std::string(as_c_string(c.arg(1))) + "'. Try DEBUG HELP.");
}

// Redis's getPositiveLongFromObjectOrReply with its default message.
bool positive_arg(exec_context& c, size_t i, int64_t& v) {
  auto n = parse_int64(c.arg(i));
  if (!n || *n < 0) {
    c.out.error("ERR value is out of range, must be positive");
    return false;
  }
  v = *n;
  return true;
}

void help(exec_context& c) {
  static const char* lines[] = {
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ASSERT",
      "    Crash by assertion failed.",
      "CHANGE-REPL-ID",
      "    Change the replication IDs of the instance.",
      "    Dangerous: should be used only for testing the replication subsystem.",
      "DIGEST",
      "    Output a hex signature representing the current DB content.",
      "DIGEST-VALUE <key> [<key> ...]",
      "    Output a hex signature of the values of all the specified keys.",
      "ERROR <string>",
      "    Return a Redis protocol error with <string> as message. Useful for clients",
      "    unit tests to simulate Redis errors.",
      "LOG <message>",
      "    Write <message> to the server log.",
      "LOADAOF",
      "    Flush the AOF buffers on disk and reload the AOF in memory.",
      "OBJECT <key>",
      "    Show low level info about `key` and associated value.",
      "PANIC",
      "    Crash the server simulating a panic.",
      "POPULATE <count> [<prefix>] [<size>]",
      "    Create <count> string keys named key:<num>. If <prefix> is specified then",
      "    it is used instead of the 'key' prefix. These are not propagated to",
      "    replicas.",
      "PROTOCOL <type>",
      "    Reply with a test value of the specified type. <type> can be: string,",
      "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
      "    true, false.",
      "RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
      "    * MERGE: conflicting keys will be loaded from RDB.",
      "    * NOFLUSH: the existing database will not be removed before load.",
      "    * NOSAVE: the database will be loaded from an existing RDB file.",
      "SEGFAULT",
      "    Crash the server with sigsegv.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not",
      "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
      "    default.",
      "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
      "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
      "SLEEP <seconds>",
      "    Stop the server for <seconds>. Decimals allowed.",
      "DROP-CLUSTER-PACKET-FILTER <packet-type>",
      "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
      "CLUSTER-LINK-FILTER <node-id> DROP|PASS|<delay-ms>",
      "    (Troupe) Drop or delay the cluster bus messages exchanged with one node.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (const char* l : lines) c.out.simple(l);
}

// The whole server stops for the time given, as Redis's one thread would: no
// reactor answers anything (a sentinel's PING times out) until it ends.
void sleep_for(exec_context& c) {
  double secs = parse_double(c.arg(2)).value_or(0);  // Redis's strtod: junk is 0
  if (!(secs > 0)) return c.out.ok();
  secs = std::min(secs, 1e6);
  auto ms = int64_t(secs * 1000);
  reactor::stall_all_until(monotonic_ns() / 1000000 + ms);
  std::this_thread::sleep_for(std::chrono::microseconds(int64_t(secs * 1e6)));
  reactor::stall_all_until(0);
  c.out.ok();
}

void crash(const char* how) {
  log_warning("=== DEBUG {}: crashing on purpose ===", how);
  spdlog::default_logger()->flush();
  if (std::string_view(how) == "SEGFAULT") std::raise(SIGSEGV);
  std::abort();
}

void digest(exec_context& c) {
  shard_set_guard all;
  all.acquire_all(c.ks);
  c.out.simple(digest_hex(dataset_digest(c.ks)));
}

void digest_value(exec_context& c) {
  shard_set_guard all;
  all.acquire_all(c.ks);
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    digest20 d{};
    if (kv_entry* e = c.lookup(c.key_at(i), false)) add_value_digest(d, e);
    c.out.simple(digest_hex(d));
  }
}

void object(exec_context& c) {
  shard_set_guard all;
  all.acquire_all(c.ks);
  kv_entry* e = c.lookup(c.key_at(2), false);
  if (e == nullptr) return c.out.error("ERR no such key");
  std::string body;
  rdb_encoder enc(body, c.srv.config().rdbcompression.get());
  enc.value(e);
  size_t serialized = body.empty() ? 0 : body.size() - 1;  // without the type byte
  uint32_t clock = c.srv.lru_clock.load();
  char line[512];
  int n = std::snprintf(line, sizeof line,
                        "Value at:%p refcount:1 encoding:%s serializedlength:%zu lru:%u "
                        "lru_seconds_idle:%llu",
                        static_cast<const void*>(e), encoding_name(e->encoding()), serialized,
                        e->lru() & lru_clock_max,
                        static_cast<unsigned long long>(lru_idle_seconds(e->lru(), clock)));
  std::string out(line, size_t(n));
  if (e->type() == value_type::list) {
    const auto* q = static_cast<const quicklist*>(e->object());
    size_t bytes = 0;
    for (ql_node* nd = q->head(); nd != nullptr; nd = nd->next) bytes += lp::bytes(nd->lp);
    n = std::snprintf(line, sizeof line,
                      " ql_nodes:%zu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:0 "
                      "ql_uncompressed_size:%zu",
                      q->node_count(),
                      q->node_count() ? double(q->size()) / double(q->node_count()) : 0.0,
                      q->fill(), bytes);
    out.append(line, size_t(n));
  }
  c.out.simple(out);
}

// Keys prefix:0 .. prefix:count-1 that do not exist yet, valued "value:<n>"
// (or that text cut or zero-padded to `size` bytes); not propagated, as Redis.
void populate(exec_context& c) {
  int64_t count = 0, size = 0;
  if (!positive_arg(c, 2, count)) return;
  std::string prefix = c.argc() >= 4 ? std::string(c.arg(3)) : "key";
  if (c.argc() == 5 && !positive_arg(c, 4, size)) return;
  shard_set_guard all;
  all.acquire_all(c.ks);
  std::string key, value;
  for (int64_t j = 0; j < count; ++j) {
    key = prefix + ":" + std::to_string(j);
    key_ref k = c.key(key);
    if (c.locate(k)) continue;
    value = "value:" + std::to_string(j);
    if (size > 0) value.resize(size_t(size), '\0');
    c.add(k, make_string_entry(key, value, false));
  }
  c.out.ok();
}

// Every key of every database goes (the caller holds every shard).
void empty_dataset(keyspace& ks) {
  for (int s = 0; s < ks.shard_count(); ++s)
    for (int db = 0; db < ks.databases(); ++db) {
      snapshot_drain_db(ks.shard(s), db);
      ks.shard(s).db(db).clear();
    }
}

void reload(exec_context& c) {
  bool flush = true, save = true, merge = false;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (c.arg_is(i, "merge"))
      merge = true;
    else if (c.arg_is(i, "noflush"))
      flush = false;
    else if (c.arg_is(i, "nosave"))
      save = false;
    else
      return c.out.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
  }
  (void)merge;  // a key both in memory and in the file always takes the file's value
  server& s = srv_of(c);
  if (save) {
    if (auto err = s.snapshots().save()) return c.out.error("ERR Error trying to save the DB");
  }
  std::string path = s.config().dbfilename.str();  // the server runs in `dir`
  shard_set_guard all;
  all.acquire_all(c.ks);
  if (flush) empty_dataset(c.ks);
  if (auto err = s.load_rdb_file(path)) {
    log_warning("DEBUG RELOAD: {}", *err);
    return c.out.error("ERR Error trying to load the RDB dump, check server logs.");
  }
  log_notice("DB reloaded by DEBUG RELOAD");
  c.out.ok();
}

void loadaof(exec_context& c) {
  server& s = srv_of(c);
  if (!s.aof().enabled()) return c.out.error("ERR DEBUG LOADAOF needs appendonly yes");
  s.aof().flush_pass();
  // Nothing else runs while the dataset is replaced (Redis has one thread).
  reactor::stall_all_until(INT64_MAX);
  {
    shard_set_guard all;
    all.acquire_all(c.ks);
    empty_dataset(c.ks);
  }
  auto err = s.aof().load(&c.engine);
  reactor::stall_all_until(0);
  if (err) {
    log_warning("DEBUG LOADAOF: {}", *err);
    return c.out.error("ERR Error loading the AOF, check server logs.");
  }
  log_warning("Append Only File loaded by DEBUG LOADAOF");
  c.out.ok();
}

void change_repl_id(exec_context& c) {
  replication_state& r = srv_of(c).replication();
  {
    std::lock_guard<std::mutex> g(r.mutex);
    r.ids.replid = random_hex_id();
    r.ids.clear_secondary();
  }
  log_warning("Changing replication IDs after receiving DEBUG change-repl-id");
  c.out.ok();
}

void protocol(exec_context& c) {
  std::string_view t = c.arg(2);
  reply_writer& o = c.out;
  auto is = [&](const char* name) { return iequals(t, name); };
  if (is("string")) {
    o.bulk("Hello World");
  } else if (is("integer")) {
    o.integer(12345);
  } else if (is("double")) {
    o.dbl(3.141);
  } else if (is("bignum")) {
    if (o.resp() == 3)
      o.raw("(1234567999999999999999999999999999999\r\n");
    else
      o.bulk("1234567999999999999999999999999999999");
  } else if (is("null")) {
    o.null();
  } else if (is("array") || is("set")) {
    if (is("set"))
      o.set(3);
    else
      o.array(3);
    for (int i = 0; i < 3; ++i) o.integer(i);
  } else if (is("map")) {
    o.map(3);
    for (int i = 0; i < 3; ++i) {
      o.integer(i);
      o.boolean(i == 1);
    }
  } else if (is("attrib")) {
    if (o.resp() == 3) {
      o.raw("|1\r\n");
      o.bulk("key-popularity");
      o.array(2);
      o.bulk("key:123");
      o.integer(90);
    }
    o.bulk("Some real reply following the attribute");
  } else if (is("push")) {
    if (o.resp() != 3) return o.error("ERR RESP2 is not supported by this command");
    o.push(2);
    o.bulk("server-cpu-usage");
    o.integer(42);
    o.bulk("Some real reply following the push reply");
  } else if (is("verbatim")) {
    o.verbatim("This is a verbatim\nstring");
  } else if (is("true") || is("false")) {
    o.boolean(is("true"));
  } else {
    o.error(
        "ERR Wrong protocol type name. Please use one of the following: "
        "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false");
  }
}

// DEBUG CLUSTER-LINK-FILTER <node-id> DROP|PASS|<delay-ms> (Troupe): fault
// injection on this node's bus links with one other node.
void cluster_link_filter(exec_context& c) {
  cluster_control* cl = static_cast<server&>(c.srv).cluster();
  if (!cl) return c.out.error("ERR This instance has cluster support disabled");
  int64_t rule = 0;
  if (iequals(c.arg(3), "drop")) {
    rule = -1;
  } else if (!iequals(c.arg(3), "pass")) {
    auto ms = parse_int64(c.arg(3));
    if (!ms || *ms < 0 || *ms > 3600000)
      return c.out.error("ERR delay must be DROP, PASS or milliseconds (0..3600000)");
    rule = *ms;
  }
  cl->set_link_filter(std::string(c.arg(2)), rule);
  c.out.ok();
}

void cmd_debug(exec_context& c) {
  size_t n = c.argc();
  auto sub = [&](const char* name) { return iequals(c.arg(1), name); };
  if (sub("help") && n == 2) return help(c);
  if (sub("sleep") && n == 3) return sleep_for(c);
  if (sub("segfault") && n == 2) return crash("SEGFAULT");
  if (sub("assert") && n == 2) return crash("ASSERT");
  if (sub("panic") && n == 2) return crash("PANIC");
  if (sub("digest") && n == 2) return digest(c);
  if (sub("digest-value") && n >= 2) return digest_value(c);
  if (sub("object") && n == 3) return object(c);
  if (sub("populate") && n >= 3 && n <= 5) return populate(c);
  if (sub("reload")) return reload(c);
  if (sub("loadaof") && n == 2) return loadaof(c);
  if (sub("change-repl-id") && n == 2) return change_repl_id(c);
  if (sub("protocol") && n == 3) return protocol(c);
  if (sub("error") && n == 3) return c.out.error(c.arg(2));
  if (sub("log") && n == 3) {
    log_warning("DEBUG LOG: {}", c.arg(2));
    return c.out.ok();
  }
  if (sub("drop-cluster-packet-filter") && n == 3) {
    // Redis 7.0's test hook: received bus messages of this type are dropped.
    auto type = parse_int64(c.arg(2));
    if (!type) return c.out.error("ERR value is not an integer or out of range");
    if (cluster_control* cl = static_cast<server&>(c.srv).cluster())
      cl->drop_packet_filter.store(*type < INT32_MIN || *type > INT32_MAX ? -1 : int(*type));
    return c.out.ok();
  }
  if (sub("cluster-link-filter") && n == 4) return cluster_link_filter(c);
  if (sub("set-active-expire") && n == 3) {
    c.srv.active_expire_enabled.store(parse_int64(c.arg(2)).value_or(0) != 0);
    return c.out.ok();
  }
  if (sub("set-skip-checksum-validation") && n == 3) {
    c.srv.skip_checksum_validation.store(parse_int64(c.arg(2)).value_or(0) != 0);
    return c.out.ok();
  }
  unknown(c);
}

const command_def debug_commands[] = {
    {"debug", -2, "admin noscript loading stale protected", 0, 0, 0, "", cmd_debug,
     "A container for debugging commands", "1.0.0", "Depends on subcommand.", "", nullptr,
     "syscmd"},
};

}  // namespace

void register_debug_family(command_table& t) {
  t.add_all("server", debug_commands);
}

}  // namespace troupe
