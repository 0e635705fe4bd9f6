// Generic key commands: DEL, EXISTS, TYPE, KEYS, SCAN, RENAME, COPY, MOVE, TTLs,
// OBJECT, and the database-wide DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, RANDOMKEY.
#include <algorithm>
#include <string>

#include "protocol/text/glob.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/types/string_ops.hpp"
#include "storage/types/type_support.hpp"

namespace troupe {
namespace {

bool live(const kv_entry* e, int64_t now) {
  return !e->has_expire() || e->expire_at() > now;
}

void del_generic(exec_context& c, bool lazy) {
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); ++i) {
    key_ref k = c.key_at(i);
    dict::location loc = c.locate(k);
    if (!loc) continue;
    kv_entry* e = k.db->detach(loc);
    if (lazy && free_effort(e) > lazyfree_threshold) {
      c.srv.free_later(entry_chain::single(e));
    } else {
      destroy_entry(e);
    }
    c.changed(k);
    c.notify(notify_generic, "del", k);
    ++n;
  }
  c.out.integer(n);
}
void cmd_del(exec_context& c) {
  del_generic(c, c.srv.config().lazyfree_lazy_user_del.get());
}
void cmd_unlink(exec_context& c) {
  del_generic(c, true);
}

void cmd_exists(exec_context& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); ++i) n += c.lookup_read(c.key_at(i), false) != nullptr;
  c.out.integer(n);
}

void cmd_touch(exec_context& c) {
  int64_t n = 0;
  for (size_t i = 1; i < c.argc(); ++i) n += c.lookup(c.key_at(i)) != nullptr;
  c.out.integer(n);
}

void cmd_type(exec_context& c) {
  kv_entry* e = c.lookup(c.key_at(1), false);
  c.out.simple(e == nullptr ? "none" : type_name(e->type()));
}

void cmd_dbsize(exec_context& c) {
  c.out.integer(int64_t(c.ks.db_size(c.db_index)));
}

void cmd_keys(exec_context& c) {
  std::string_view pattern = c.arg(1);
  bool all = pattern == "*";
  size_t mark = c.out.begin_deferred();
  size_t n = 0;
  for (int s = 0; s < c.ks.shard_count(); ++s) {
    c.ks.shard(s).db(c.db_index).keys.for_each([&](kv_entry* e) {
      if (!live(e, c.now)) return;
      std::string_view key = e->key();
      if (all || glob_match(pattern, key)) {
        c.out.bulk(key);
        ++n;
      }
    });
  }
  c.out.end_deferred_array(mark, n);
}

void cmd_randomkey(exec_context& c) {
  size_t total = c.ks.db_size(c.db_index);
  if (total == 0) return c.out.null();
  for (int attempt = 0; attempt < 100; ++attempt) {
    // Pick a shard in proportion to its size, then a random entry in it.
    size_t pick = c.ks.shard(0).rng()() % total;
    int s = 0;
    for (; s < c.ks.shard_count(); ++s) {
      size_t sz = c.ks.shard(s).db(c.db_index).size();
      if (pick < sz) break;
      pick -= sz;
    }
    if (s == c.ks.shard_count()) break;
    shard_store& sh = c.ks.shard(s);
    kv_entry* e = sh.db(c.db_index).keys.random_entry(sh.rng());
    if (e == nullptr) continue;
    std::string key(e->key());
    if (!live(e, c.now)) {
      c.locate(c.key(key));  // expires it
      total = c.ks.db_size(c.db_index);
      if (total == 0) break;
      continue;
    }
    return c.out.bulk(key);
  }
  c.out.null();
}

// SCAN's cursor: the dict cursor of one shard, shifted left, with the shard
// index in the low bits.
int shard_bits(int shards) {
  int b = 0;
  while ((1 << b) < shards) ++b;
  return b;
}

void cmd_scan(exec_context& c) {
  auto cursor = parse_cursor(c.arg(1));
  if (!cursor) return c.out.error("ERR invalid cursor");
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  std::string_view type;
  bool use_type = false;
  for (size_t i = 2; i < c.argc(); i += 2) {
    if (i + 1 >= c.argc()) return c.syntax_error();
    if (c.arg_is(i, "count")) {
      if (!c.int_arg(i + 1, count)) return;
      if (count < 1) return c.syntax_error();
    } else if (c.arg_is(i, "match")) {
      pattern = c.arg(i + 1);
      use_pattern = !(pattern.size() == 1 && pattern[0] == '*');
    } else if (c.arg_is(i, "type")) {
      type = c.arg(i + 1);
      use_type = true;
    } else {
      return c.syntax_error();
    }
  }
  int shards = c.ks.shard_count();
  int bits = shard_bits(shards);
  uint64_t mask = (uint64_t(1) << bits) - 1;
  int shard = int(*cursor & mask);
  uint64_t inner = *cursor >> bits;
  // Not a cursor this server gave out: Redis never rejects a number, it ends the scan.
  if (shard >= shards) return empty_scan_reply(c);
  std::vector<std::string> found;
  int64_t max_iterations = scan_iterations(count);
  uint64_t next = 0;
  while (true) {
    dict& d = c.ks.shard(shard).db(c.db_index).keys;
    do {
      inner = d.scan(inner, [&](kv_entry* e) {
        if (!live(e, c.now)) return;
        std::string_view key = e->key();
        if (use_pattern && !glob_match(pattern, key)) return;
        if (use_type && !iequals(type, type_name(e->type()))) return;
        found.emplace_back(key);
      });
    } while (inner != 0 && --max_iterations > 0 && int64_t(found.size()) < count);
    if (inner != 0) {
      next = (inner << bits) | uint64_t(shard);
      break;
    }
    if (++shard >= shards) {
      next = 0;
      break;
    }
    if (max_iterations <= 0 || int64_t(found.size()) >= count) {
      next = uint64_t(shard);  // start of the next shard
      break;
    }
  }
  c.out.array(2);
  c.out.bulk(std::to_string(next));
  c.out.array(found.size());
  for (auto& k : found) c.out.bulk(k);
}

void rename_generic(exec_context& c, bool nx) {
  key_ref src = c.key_at(1);
  dict::location sloc = c.locate(src);
  if (!sloc) return c.out.error(errors::no_such_key);
  if (c.arg(1) == c.arg(2)) return nx ? c.out.integer(0) : c.out.ok();
  key_ref dst = c.key_at(2);
  dict::location dloc = c.locate(dst);
  if (dloc && nx) return c.out.integer(0);
  kv_entry* e = src.db->detach(sloc);
  bool ttl = e->has_expire();
  int64_t when = ttl ? e->expire_at() : -1;
  kv_entry* moved = rekey_entry(e, dst.name, ttl);
  if (ttl) moved->set_expire_at(when);
  c.touch(moved);  // Redis's lookupKeyWrite of the source; the value keeps its history
  // The source may have been in the same bucket chain: look the destination up again.
  dloc = dst.db->keys.locate(dst.name, dst.hash);
  if (dloc) {
    c.replace_as_new(dst, dloc, moved, false);
  } else {
    c.add(dst, moved, false);
  }
  c.changed(src);
  c.changed(dst);
  c.notify(notify_generic, "rename_from", src);
  c.notify(notify_generic, "rename_to", dst);
  nx ? c.out.integer(1) : c.out.ok();
}
void cmd_rename(exec_context& c) {
  rename_generic(c, false);
}
void cmd_renamenx(exec_context& c) {
  rename_generic(c, true);
}

void cmd_copy(exec_context& c) {
  int db = c.db_index;
  bool replace = false;
  for (size_t i = 3; i < c.argc(); ++i) {
    if (c.arg_is(i, "replace")) {
      replace = true;
    } else if (c.arg_is(i, "db") && i + 1 < c.argc()) {
      if (!c.db_arg(++i, db)) return;
    } else {
      return c.syntax_error();
    }
  }
  // A cluster node has database 0 only.
  if (c.srv.cluster_enabled() && (c.db_index != 0 || db != 0))
    return c.out.error("ERR Copying to another database is not allowed in cluster mode");
  if (c.arg(1) == c.arg(2) && db == c.db_index)
    return c.out.error("ERR source and destination objects are the same");
  key_ref src = c.key_at(1);
  kv_entry* e = c.lookup(src);
  if (e == nullptr) return c.out.integer(0);
  key_ref dst = c.key(c.arg(2), db);
  dict::location dloc = c.locate(dst);
  if (dloc && !replace) return c.out.integer(0);
  kv_entry* copy = copy_entry(e, dst.name, e->has_expire());
  if (e->has_expire()) copy->set_expire_at(e->expire_at());
  if (dloc)
    c.replace_as_new(dst, dloc, copy);
  else
    c.add(dst, copy);
  c.changed(dst);
  c.notify(notify_generic, "copy_to", dst);
  c.out.integer(1);
}

void cmd_move(exec_context& c) {
  if (c.srv.cluster_enabled()) return c.out.error("ERR MOVE is not allowed in cluster mode");
  int db;
  if (!c.db_arg(2, db)) return;
  if (db == c.db_index) return c.out.error("ERR source and destination objects are the same");
  key_ref src = c.key_at(1);
  dict::location sloc = c.locate(src);
  if (!sloc) return c.out.integer(0);
  key_ref dst = c.key(c.arg(1), db);
  if (c.locate(dst)) return c.out.integer(0);
  sloc = src.db->keys.locate(src.name, src.hash);
  kv_entry* e = src.db->detach(sloc);
  c.touch(e);
  c.add(dst, e, false);
  c.changed(src);
  c.changed(dst);
  c.notify(notify_generic, "move_from", src);
  c.notify(notify_generic, "move_to", dst);
  c.out.integer(1);
}

// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX / XX / GT / LT.
void expire_generic(exec_context& c, int64_t unit, bool absolute) {
  bool nx = false, xx = false, gt = false, lt = false;
  for (size_t i = 3; i < c.argc(); ++i) {
    if (c.arg_is(i, "nx"))
      nx = true;
    else if (c.arg_is(i, "xx"))
      xx = true;
    else if (c.arg_is(i, "gt"))
      gt = true;
    else if (c.arg_is(i, "lt"))
      lt = true;
    else
      return c.out.error("ERR Unsupported option " + std::string(as_c_string(c.arg(i))));
  }
  if (nx && (xx || gt || lt))
    return c.out.error("ERR NX and XX, GT or LT options at the same time are not compatible");
  if (gt && lt) return c.out.error("ERR GT and LT options at the same time are not compatible");
  auto v = parse_int64(c.arg(2));
  if (!v) return c.out.error(errors::not_integer);
  int64_t when;
  auto invalid = [&] { c.out.error("ERR invalid expire time in '" + c.cmd.name + "' command"); };
  if (__builtin_mul_overflow(*v, unit, &when)) return invalid();
  if (!absolute && __builtin_add_overflow(when, c.now, &when)) return invalid();
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  if (!loc) return c.out.integer(0);
  kv_entry* e = loc.entry();
  bool has = e->has_expire();
  int64_t cur = has ? e->expire_at() : -1;
  if (nx && has) return c.out.integer(0);
  if (xx && !has) return c.out.integer(0);
  // A key without TTL counts as an infinite TTL for GT and LT.
  if (gt && (!has || when <= cur)) return c.out.integer(0);
  if (lt && has && when >= cur) return c.out.integer(0);
  if (when <= c.now) {
    k.db->remove(loc);
    c.changed(k);
    c.notify(notify_generic, "del", k);
    c.propagate({"DEL", std::string(k.name)});
    return c.out.integer(1);
  }
  k.db->set_expire(loc, when);
  c.changed(k);
  c.notify(notify_generic, "expire", k);
  c.propagate({"PEXPIREAT", std::string(k.name), std::to_string(when)});
  c.out.integer(1);
}
void cmd_expire(exec_context& c) {
  expire_generic(c, 1000, false);
}
void cmd_pexpire(exec_context& c) {
  expire_generic(c, 1, false);
}
void cmd_expireat(exec_context& c) {
  expire_generic(c, 1000, true);
}
void cmd_pexpireat(exec_context& c) {
  expire_generic(c, 1, true);
}

void ttl_generic(exec_context& c, bool ms, bool absolute) {
  kv_entry* e = c.lookup(c.key_at(1), false);
  if (e == nullptr) return c.out.integer(-2);
  if (!e->has_expire()) return c.out.integer(-1);
  int64_t v = absolute ? e->expire_at() : std::max<int64_t>(0, e->expire_at() - c.now);
  c.out.integer(ms ? v : (v + 500) / 1000);
}
void cmd_ttl(exec_context& c) {
  ttl_generic(c, false, false);
}
void cmd_pttl(exec_context& c) {
  ttl_generic(c, true, false);
}
void cmd_expiretime(exec_context& c) {
  ttl_generic(c, false, true);
}
void cmd_pexpiretime(exec_context& c) {
  ttl_generic(c, true, true);
}

void cmd_persist(exec_context& c) {
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  if (!loc || !loc.entry()->has_expire()) return c.out.integer(0);
  k.db->persist(loc);
  c.changed(k);
  c.notify(notify_generic, "persist", k);
  c.out.integer(1);
}

void cmd_object(exec_context&) {}

void cmd_object_encoding(exec_context& c) {
  kv_entry* e = c.lookup(c.key_at(2), false);
  if (e == nullptr) return c.out.null();
  value_encoding enc = e->type() == value_type::string ? string_encoding_of(e) : e->encoding();
  c.out.bulk(encoding_name(enc));
}

void cmd_object_refcount(exec_context& c) {
  kv_entry* e = c.lookup(c.key_at(2), false);
  if (e == nullptr) return c.out.null();
  // Redis shares small integers (refcount INT_MAX); every other value has one owner.
  bool shared_int =
      e->type() == value_type::string && string_encoding_of(e) == value_encoding::int_;
  if (shared_int) {
    auto v = parse_int64(e->str());
    if (v && *v >= 0 && *v < 10000) return c.out.integer(2147483647);
  }
  c.out.integer(1);
}

// OBJECT IDLETIME and FREQ look the key up without touching it (asking must not
// change the answer), and each answers only under the policy that keeps its figure.
void cmd_object_idletime(exec_context& c) {
  kv_entry* e = c.lookup(c.key_at(2), false);
  if (e == nullptr) return c.out.null();
  if (policy_is_lfu(c.srv.config().maxmemory_policy.get()))
    return c.out.error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
  c.out.integer(int64_t(lru_idle_seconds(e->lru(), c.srv.lru_clock.load())));
}

void cmd_object_freq(exec_context& c) {
  kv_entry* e = c.lookup(c.key_at(2), false);
  if (e == nullptr) return c.out.null();
  if (!policy_is_lfu(c.srv.config().maxmemory_policy.get()))
    return c.out.error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time to "
        "adjust.");
  c.out.integer(lfu_decayed_counter(e->lru(), c.now, c.srv.config().lfu_decay_time.get()));
}

void cmd_object_help(exec_context& c) {
  static const char* lines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

// FLUSHDB / FLUSHALL [ASYNC|SYNC]
bool flush_mode(exec_context& c, bool& async) {
  async = c.srv.config().lazyfree_lazy_user_flush.get();
  if (c.argc() == 1) return true;
  if (c.argc() == 2 && c.arg_is(1, "async"))
    async = true;
  else if (c.argc() == 2 && c.arg_is(1, "sync"))
    async = false;
  else {
    c.syntax_error();
    return false;
  }
  return true;
}

void flush_db(exec_context& c, int db, bool async) {
  for (int s = 0; s < c.ks.shard_count(); ++s) {
    snapshot_drain_db(c.ks.shard(s), db);  // a snapshot in progress keeps the old data
    db_slice& slice = c.ks.shard(s).db(db);
    size_t n = slice.size();
    if (n == 0) continue;
    c.ks.dirty.fetch_add(int64_t(n), std::memory_order_relaxed);
    if (async)
      c.srv.free_later(entry_chain::whole_table(slice.release_all()));
    else
      slice.clear();
  }
}

void cmd_flushdb(exec_context& c) {
  bool async;
  if (!flush_mode(c, async)) return;
  flush_db(c, c.db_index, async);
  signal_ready_keys_in_db(c.ks, c.db_index);  // stream readers of a group learn it is gone
  c.ks.key_modified(c.db_index, {});
  c.ks.dataset_flushed(c.client.id);
  c.changes++;  // journaled even when the database was empty, as Redis does
  c.out.ok();
}

void cmd_flushall(exec_context& c) {
  bool async;
  if (!flush_mode(c, async)) return;
  for (int db = 0; db < c.ks.databases(); ++db) {
    flush_db(c, db, async);
    signal_ready_keys_in_db(c.ks, db);
    c.ks.key_modified(db, {});
  }
  c.ks.dataset_flushed(c.client.id);
  c.ks.dirty.fetch_add(1, std::memory_order_relaxed);
  c.changes++;  // journaled even when every database was empty, as Redis does
  c.out.ok();
}

void cmd_swapdb(exec_context& c) {
  // Not allowed in cluster mode: there is database 0 only.
  if (c.srv.cluster_enabled()) return c.out.error("ERR SWAPDB is not allowed in cluster mode");
  int a, b;
  if (!c.int32_arg(1, a, "ERR invalid first DB index") ||
      !c.int32_arg(2, b, "ERR invalid second DB index"))
    return;
  if (a < 0 || a >= c.ks.databases() || b < 0 || b >= c.ks.databases())
    return c.out.error(errors::db_range);
  if (a != b) {
    for (int s = 0; s < c.ks.shard_count(); ++s) {
      snapshot_drain_db(c.ks.shard(s), a);
      snapshot_drain_db(c.ks.shard(s), b);
      c.ks.shard(s).db(a).swap(c.ks.shard(s).db(b));
    }
    // Waiters stay in their database: those whose key the swap brought in are
    // served, group readers whose stream it took away are told.
    signal_ready_keys_in_db(c.ks, a);
    signal_ready_keys_in_db(c.ks, b);
    c.ks.key_modified(a, {});
    c.ks.key_modified(b, {});
    c.ks.dirty.fetch_add(1, std::memory_order_relaxed);
  }
  c.changes++;  // journaled like any write, also for a == b (Redis does)
  c.out.ok();
}

const command_def key_commands[] = {
    {"del", -2, "write", 1, -1, 1, "", cmd_del, "Delete a key", "1.0.0",
     "O(N) where N is the number of keys that will be removed.", "key [key ...]"},
    {"unlink", -2, "write fast", 1, -1, 1, "", cmd_unlink,
     "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but "
     "non blocking.",
     "4.0.0", "O(1) for each key removed regardless of its size.", "key [key ...]"},
    {"exists", -2, "readonly fast", 1, -1, 1, "", cmd_exists, "Determine if a key exists", "1.0.0",
     "O(N) where N is the number of keys to check.", "key [key ...]"},
    {"touch", -2, "readonly fast", 1, -1, 1, "", cmd_touch,
     "Alters the last access time of a key(s). Returns the number of existing keys specified.",
     "3.2.1", "O(N) where N is the number of keys that will be touched.", "key [key ...]"},
    {"type", 2, "readonly fast", 1, 1, 1, "", cmd_type, "Determine the type stored at key", "1.0.0",
     "O(1)", "key"},
    {"keys", 2, "readonly all_shards", 0, 0, 0, "@keyspace @dangerous", cmd_keys,
     "Find all keys matching the given pattern", "1.0.0",
     "O(N) with N being the number of keys in the database", "pattern"},
    {"scan", -2, "readonly all_shards", 0, 0, 0, "@keyspace", cmd_scan,
     "Incrementally iterate the keys space", "2.8.0",
     "O(1) for every call. O(N) for a complete iteration.",
     "cursor [MATCH pattern] [COUNT count] [TYPE type]"},
    {"randomkey", 1, "readonly all_shards", 0, 0, 0, "@keyspace", cmd_randomkey,
     "Return a random key from the keyspace", "1.0.0", "O(1)", ""},
    {"dbsize", 1, "readonly fast all_shards", 0, 0, 0, "@keyspace", cmd_dbsize,
     "Return the number of keys in the selected database", "1.0.0", "O(1)", ""},
    {"rename", 3, "write", 1, 2, 1, "", cmd_rename, "Rename a key", "1.0.0", "O(1)", "key newkey"},
    {"renamenx", 3, "write fast", 1, 2, 1, "", cmd_renamenx,
     "Rename a key, only if the new key does not exist", "1.0.0", "O(1)", "key newkey"},
    {"copy", -3, "write denyoom", 1, 2, 1, "", cmd_copy, "Copy a key", "6.2.0",
     "O(N) worst case for collections, where N is the number of nested items. O(1) for string "
     "values.",
     "source destination [DB destination-db] [REPLACE]"},
    {"move", 3, "write fast", 1, 1, 1, "", cmd_move, "Move a key to another database", "1.0.0",
     "O(1)", "key db"},
    {"expire", -3, "write fast", 1, 1, 1, "", cmd_expire, "Set a key's time to live in seconds",
     "1.0.0", "O(1)", "key seconds [NX|XX|GT|LT]"},
    {"pexpire", -3, "write fast", 1, 1, 1, "", cmd_pexpire,
     "Set a key's time to live in milliseconds", "2.6.0", "O(1)", "key milliseconds [NX|XX|GT|LT]"},
    {"expireat", -3, "write fast", 1, 1, 1, "", cmd_expireat,
     "Set the expiration for a key as a UNIX timestamp", "1.2.0", "O(1)",
     "key unix-time-seconds [NX|XX|GT|LT]"},
    {"pexpireat", -3, "write fast", 1, 1, 1, "", cmd_pexpireat,
     "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "2.6.0", "O(1)",
     "key unix-time-milliseconds [NX|XX|GT|LT]"},
    {"ttl", 2, "readonly fast", 1, 1, 1, "", cmd_ttl, "Get the time to live for a key in seconds",
     "1.0.0", "O(1)", "key"},
    {"pttl", 2, "readonly fast", 1, 1, 1, "", cmd_pttl,
     "Get the time to live for a key in milliseconds", "2.6.0", "O(1)", "key"},
    {"expiretime", 2, "readonly fast", 1, 1, 1, "", cmd_expiretime,
     "Get the expiration Unix timestamp for a key", "7.0.0", "O(1)", "key"},
    {"pexpiretime", 2, "readonly fast", 1, 1, 1, "", cmd_pexpiretime,
     "Get the expiration Unix timestamp for a key in milliseconds", "7.0.0", "O(1)", "key"},
    {"persist", 2, "write fast", 1, 1, 1, "", cmd_persist, "Remove the expiration from a key",
     "2.2.0", "O(1)", "key"},
    {"object", -2, "", 0, 0, 0, "-@keyspace", cmd_object,
     "A container for object introspection commands", "2.2.3", "Depends on subcommand.", ""},
    {"object|encoding", 3, "readonly", 2, 2, 1, "", cmd_object_encoding,
     "Inspect the internal encoding of a Redis object", "2.2.3", "O(1)", "key"},
    {"object|freq", 3, "readonly", 2, 2, 1, "", cmd_object_freq,
     "Get the logarithmic access frequency counter of a Redis object", "4.0.0", "O(1)", "key"},
    {"object|idletime", 3, "readonly", 2, 2, 1, "", cmd_object_idletime,
     "Get the time since a Redis object was last accessed", "2.2.3", "O(1)", "key"},
    {"object|refcount", 3, "readonly", 2, 2, 1, "", cmd_object_refcount,
     "Get the number of references to the value of the key", "2.2.3", "O(1)", "key"},
    {"object|help", 2, "loading stale no_keyspace", 0, 0, 0, "", cmd_object_help,
     "Show helpful text about the different subcommands", "6.2.0", "O(1)", ""},
    {"flushdb", -1, "write all_shards", 0, 0, 0, "@keyspace @dangerous", cmd_flushdb,
     "Remove all keys from the current database", "1.0.0",
     "O(N) where N is the number of keys in the selected database", "[ASYNC|SYNC]"},
    {"flushall", -1, "write all_shards", 0, 0, 0, "@keyspace @dangerous", cmd_flushall,
     "Remove all keys from all databases", "1.0.0",
     "O(N) where N is the total number of keys in all databases", "[ASYNC|SYNC]"},
    {"swapdb", 3, "write fast all_shards", 0, 0, 0, "@keyspace @dangerous", cmd_swapdb,
     "Swaps two Redis databases", "4.0.0",
     "O(N) where N is the count of clients watching or blocking on keys from both databases.",
     "index1 index2"},
};

}  // namespace

void register_key_family(command_table& t) {
  t.add_all("generic", key_commands);
}

}  // namespace troupe
