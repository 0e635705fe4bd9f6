// String commands: SET and its variants, GET and friends, counters, ranges.
#include <cmath>
#include <cstring>

#include "protocol/text/numbers.hpp"
#include "storage/types/string_ops.hpp"

namespace troupe {

kv_entry* store_string(exec_context& c, const key_ref& k, dict::location loc, std::string_view v,
                       int64_t expire_at, bool keep_ttl) {
  db_slice& db = *k.db;
  if (loc) {
    kv_entry* e = loc.entry();
    bool old_ttl = e->has_expire();
    int64_t old_when = old_ttl ? e->expire_at() : -1;
    bool want_ttl = expire_at >= 0 || (keep_ttl && old_ttl);
    int64_t when = expire_at >= 0 ? expire_at : old_when;
    // Fast path: overwrite in place when the block fits the new value snugly.
    if (e->type() == value_type::string && old_ttl == want_ttl) {
      size_t cap = e->str_capacity();
      if (v.size() <= cap && cap <= v.size() + 32) {
        memcpy(e->str_data(), v.data(), v.size());
        e->set_str_len(uint32_t(v.size()));
        e->flags &= uint8_t(~(kv_entry::flag_raw | kv_entry::flag_float_text));
        if (want_ttl) e->set_expire_at(when);
        c.stamp_overwrite(e, e->lru());
        return e;
      }
    }
    kv_entry* fresh = make_string_entry(k.name, v, want_ttl);
    if (want_ttl) fresh->set_expire_at(when);
    c.stamp_overwrite(fresh, e->lru());
    db.replace(loc, fresh);
    return fresh;
  }
  kv_entry* fresh = make_string_entry(k.name, v, expire_at >= 0);
  if (expire_at >= 0) fresh->set_expire_at(expire_at);
  c.add(k, fresh);
  return fresh;
}

uint64_t max_string_size(const exec_context& c) {
  int64_t limit = c.srv.config().proto_max_bulk_len.get();
  return std::min<uint64_t>(limit < 0 ? 0 : uint64_t(limit), UINT32_MAX);
}

bool check_string_size(exec_context& c, uint64_t size, uint64_t more) {
  uint64_t limit = max_string_size(c);
  if (size <= limit && more <= limit - size) return true;
  c.out.error(errors::too_big);
  return false;
}

std::optional<int64_t> absolute_expire(exec_context& c, std::string_view arg, int64_t unit_ms,
                                       bool absolute, std::string_view command) {
  auto v = parse_int64(arg);
  if (!v) {
    c.out.error(errors::not_integer);
    return std::nullopt;
  }
  auto invalid = [&] {
    c.out.error("ERR invalid expire time in '" + std::string(command) + "' command");
    return std::nullopt;
  };
  if (*v <= 0) return invalid();
  int64_t ms;
  if (__builtin_mul_overflow(*v, unit_ms, &ms)) return invalid();
  if (!absolute && __builtin_add_overflow(ms, c.now, &ms)) return invalid();
  return ms;
}

// Redis checks the options' syntax first and the time value only later (after
// the key lookup, for GETEX). An option may repeat (EX 1 EX 2: the last one
// counts); two different ways of setting the TTL are a syntax error.
bool parse_expire_options(exec_context& c, size_t from, bool is_set, expire_options& o) {
  constexpr unsigned ex = 1, px = 2, exat = 4, pxat = 8, keepttl = 16, persist = 32;
  unsigned seen = 0;
  for (size_t i = from; i < c.argc(); ++i) {
    std::string_view a = c.arg(i);
    bool has_next = i + 1 < c.argc();
    unsigned kind = iequals(a, "ex")     ? ex
                    : iequals(a, "px")   ? px
                    : iequals(a, "exat") ? exat
                    : iequals(a, "pxat") ? pxat
                                         : 0;
    if (is_set && iequals(a, "nx") && !o.xx) {
      o.nx = true;
    } else if (is_set && iequals(a, "xx") && !o.nx) {
      o.xx = true;
    } else if (is_set && iequals(a, "get")) {
      o.get = true;
    } else if (is_set && iequals(a, "keepttl") && !(seen & ~keepttl)) {
      o.keep_ttl = true;
      seen |= keepttl;
    } else if (!is_set && iequals(a, "persist") && !(seen & ~persist)) {
      o.persist = true;
      seen |= persist;
    } else if (kind != 0 && !(seen & ~kind) && has_next) {
      seen |= kind;
      o.time_arg = ++i;
      o.unit_ms = (kind == ex || kind == exat) ? 1000 : 1;
      o.absolute = kind == exat || kind == pxat;
    } else {
      c.syntax_error();
      return false;
    }
  }
  return true;
}

bool resolve_expire(exec_context& c, expire_options& o, std::string_view command) {
  if (o.time_arg == 0) return true;
  auto when = absolute_expire(c, c.arg(o.time_arg), o.unit_ms, o.absolute, command);
  if (!when) return false;
  o.expire_at = *when;
  return true;
}

namespace {

void cmd_get(exec_context& c) {
  kv_entry* e = c.lookup_read(c.key_at(1));
  if (e == nullptr) return c.out.null();
  if (e->type() != value_type::string) return c.wrongtype();
  c.out.bulk(e->str());
}

void cmd_set(exec_context& c) {
  expire_options o;
  if (!parse_expire_options(c, 3, true, o) || !resolve_expire(c, o, "set")) return;
  if (!check_string_size(c, 0, c.arg(2).size())) return;
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  if (o.get) {
    if (loc && loc.entry()->type() != value_type::string) return c.wrongtype();
    if (loc)
      c.out.bulk(loc.entry()->str());
    else
      c.out.null();
  }
  if ((o.nx && loc) || (o.xx && !loc)) {
    if (!o.get) c.out.null();
    return;
  }
  store_string(c, k, loc, c.arg(2), o.expire_at, o.keep_ttl);
  c.changed(k);
  c.notify(notify_string, "set", k);
  if (o.expire_at >= 0) {
    c.notify(notify_generic, "expire", k);
    // Replicas and the AOF get the absolute time, not one relative to their clock.
    c.propagate(
        {"SET", std::string(k.name), std::string(c.arg(2)), "PXAT", std::to_string(o.expire_at)});
  }
  if (!o.get) c.out.ok();
}

void cmd_setnx(exec_context& c) {
  if (!check_string_size(c, 0, c.arg(2).size())) return;
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  if (loc) return c.out.integer(0);
  store_string(c, k, loc, c.arg(2), -1, false);
  c.changed(k);
  c.notify(notify_string, "set", k);
  c.out.integer(1);
}

void setex_generic(exec_context& c, int64_t unit) {
  auto when = absolute_expire(c, c.arg(2), unit, false, c.cmd.name);
  if (!when || !check_string_size(c, 0, c.arg(3).size())) return;
  key_ref k = c.key_at(1);
  store_string(c, k, c.locate(k), c.arg(3), *when, false);
  c.changed(k);
  c.notify(notify_string, "set", k);
  c.notify(notify_generic, "expire", k);
  c.propagate({"SET", std::string(k.name), std::string(c.arg(3)), "PXAT", std::to_string(*when)});
  c.out.ok();
}
void cmd_setex(exec_context& c) {
  setex_generic(c, 1000);
}
void cmd_psetex(exec_context& c) {
  setex_generic(c, 1);
}

void cmd_getex(exec_context& c) {
  expire_options o;
  if (!parse_expire_options(c, 2, false, o)) return;
  key_ref k = c.key_at(1);
  kv_entry* e = c.lookup_read(k);
  if (e == nullptr) return c.out.null();
  if (e->type() != value_type::string) return c.wrongtype();
  if (!resolve_expire(c, o, "getex")) return;
  c.out.bulk(e->str());
  if (o.expire_at >= 0) {
    dict::location loc = k.db->keys.locate(k.name, k.hash);
    if (o.expire_at <= c.now) {
      k.db->remove(loc);
      c.notify(notify_generic, "del", k);
      c.propagate({"DEL", std::string(k.name)});
    } else {
      k.db->set_expire(loc, o.expire_at);
      c.notify(notify_generic, "expire", k);
      c.propagate({"PEXPIREAT", std::string(k.name), std::to_string(o.expire_at)});
    }
    c.changed(k);
  } else if (o.persist && e->has_expire()) {
    k.db->persist(k.db->keys.locate(k.name, k.hash));
    c.changed(k);
    c.notify(notify_generic, "persist", k);
    c.propagate({"PERSIST", std::string(k.name)});
  }
}

void cmd_getdel(exec_context& c) {
  key_ref k = c.key_at(1);
  kv_entry* e = c.lookup_read(k);
  if (e == nullptr) return c.out.null();
  if (e->type() != value_type::string) return c.wrongtype();
  c.out.bulk(e->str());
  k.db->remove(k.db->keys.locate(k.name, k.hash));
  c.changed(k);
  c.notify(notify_generic, "del", k);
  c.propagate({"DEL", std::string(k.name)});
}

void cmd_getset(exec_context& c) {
  if (!check_string_size(c, 0, c.arg(2).size())) return;
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  if (loc && loc.entry()->type() != value_type::string) return c.wrongtype();
  if (loc)
    c.out.bulk(loc.entry()->str());
  else
    c.out.null();
  store_string(c, k, loc, c.arg(2), -1, false);
  c.changed(k);
  c.notify(notify_string, "set", k);
}

void cmd_mget(exec_context& c) {
  c.out.array(c.argc() - 1);
  for (size_t i = 1; i < c.argc(); ++i) {
    kv_entry* e = c.lookup_read(c.key_at(i));
    if (e == nullptr || e->type() != value_type::string)
      c.out.null();
    else
      c.out.bulk(e->str());
  }
}

void mset_generic(exec_context& c, bool nx) {
  if (c.argc() % 2 == 0) {
    c.out.error("ERR wrong number of arguments for '" + c.cmd.name + "' command");
    return;
  }
  for (size_t i = 2; i < c.argc(); i += 2)
    if (!check_string_size(c, 0, c.arg(i).size())) return;
  if (nx) {
    for (size_t i = 1; i < c.argc(); i += 2)
      if (c.lookup(c.key_at(i)) != nullptr) return c.out.integer(0);
  }
  for (size_t i = 1; i < c.argc(); i += 2) {
    key_ref k = c.key_at(i);
    store_string(c, k, c.locate(k), c.arg(i + 1), -1, false);
    c.changed(k);
    c.notify(notify_string, "set", k);
  }
  if (nx)
    c.out.integer(1);
  else
    c.out.ok();
}
void cmd_mset(exec_context& c) {
  mset_generic(c, false);
}
void cmd_msetnx(exec_context& c) {
  mset_generic(c, true);
}

void cmd_append(exec_context& c) {
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  std::string_view add = c.arg(2);
  if (!loc) {
    if (!check_string_size(c, 0, add.size())) return;
    store_string(c, k, loc, add, -1, false);
    c.out.integer(int64_t(add.size()));
  } else {
    kv_entry* e = loc.entry();
    if (e->type() != value_type::string) return c.wrongtype();
    size_t len = e->str_len();
    if (!check_string_size(c, len, add.size())) return;
    kv_entry* grown = resize_string_entry(e, len + add.size(), true);
    if (grown != e) k.db->moved(loc, grown);
    memcpy(grown->str_data() + len, add.data(), add.size());
    grown->set_str_len(uint32_t(len + add.size()));
    grown->flags |= kv_entry::flag_raw;
    c.out.integer(int64_t(len + add.size()));
  }
  c.changed(k);
  c.notify(notify_string, "append", k);
}

void cmd_strlen(exec_context& c) {
  kv_entry* e = c.lookup_read(c.key_at(1));
  if (e == nullptr) return c.out.integer(0);
  if (e->type() != value_type::string) return c.wrongtype();
  c.out.integer(e->str_len());
}

void incr_generic(exec_context& c, int64_t by) {
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  int64_t value = 0;
  if (loc) {
    kv_entry* e = loc.entry();
    if (e->type() != value_type::string) return c.wrongtype();
    auto v = parse_int64(e->str());
    if (!v) return c.out.error(errors::not_integer);
    value = *v;
  }
  if ((by < 0 && value < 0 && by < INT64_MIN - value) ||
      (by > 0 && value > 0 && by > INT64_MAX - value))
    return c.out.error(errors::overflow);
  value += by;
  char buf[24];
  size_t n = format_int64(value, buf);
  store_string(c, k, loc, std::string_view(buf, n), -1, true);
  c.changed(k);
  c.notify(notify_string, "incrby", k);
  c.out.integer(value);
}
void cmd_incr(exec_context& c) {
  incr_generic(c, 1);
}
void cmd_decr(exec_context& c) {
  incr_generic(c, -1);
}
void cmd_incrby(exec_context& c) {
  int64_t by;
  if (c.int_arg(2, by)) incr_generic(c, by);
}
void cmd_decrby(exec_context& c) {
  int64_t by;
  if (!c.int_arg(2, by)) return;
  if (by == INT64_MIN) return c.out.error("ERR decrement would overflow");
  incr_generic(c, -by);
}

void cmd_incrbyfloat(exec_context& c) {
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  long double value = 0;
  if (loc) {
    kv_entry* e = loc.entry();
    if (e->type() != value_type::string) return c.wrongtype();
    auto v = parse_long_double(e->str());
    if (!v) return c.out.error(errors::not_float);
    value = *v;
  }
  auto by = parse_long_double(c.arg(2));
  if (!by) return c.out.error(errors::not_float);
  value += *by;
  if (std::isnan(value) || std::isinf(value))
    return c.out.error("ERR increment would produce NaN or Infinity");
  std::string s = long_double_to_string(value);
  store_string(c, k, loc, s, -1, true)->flags |= kv_entry::flag_float_text;
  c.changed(k);
  c.notify(notify_string, "incrbyfloat", k);
  // Float arithmetic may differ elsewhere: replicate the result.
  c.propagate({"SET", std::string(k.name), s, "KEEPTTL"});
  c.out.bulk(s);
}

void cmd_getrange(exec_context& c) {
  int64_t start, end;
  if (!c.int_arg(2, start) || !c.int_arg(3, end)) return;
  kv_entry* e = c.lookup_read(c.key_at(1));
  if (e == nullptr) return c.out.bulk("");
  if (e->type() != value_type::string) return c.wrongtype();
  int64_t len = e->str_len();
  // Redis 7.0: both negative and start > end is an empty string.
  if (start < 0 && end < 0 && start > end) return c.out.bulk("");
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (len == 0 || start > end) return c.out.bulk("");
  c.out.bulk(e->str().substr(size_t(start), size_t(end - start + 1)));
}

void cmd_setrange(exec_context& c) {
  int64_t offset;
  if (!c.int_arg(2, offset)) return;
  if (offset < 0) return c.out.error("ERR offset is out of range");
  std::string_view v = c.arg(3);
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  if (loc && loc.entry()->type() != value_type::string) return c.wrongtype();
  size_t cur = loc ? loc.entry()->str_len() : 0;
  if (v.empty()) return c.out.integer(int64_t(cur));
  if (!check_string_size(c, uint64_t(offset), v.size())) return;
  size_t need = size_t(offset) + v.size();
  if (!loc) {
    store_string(c, k, loc, std::string_view(), -1, false);
    loc = k.db->keys.locate(k.name, k.hash);
  }
  kv_entry* e = loc.entry();
  size_t len = e->str_len();
  if (need > len) {
    kv_entry* grown = resize_string_entry(e, need, true);
    if (grown != e) k.db->moved(loc, grown);
    e = grown;
    memset(e->str_data() + len, 0, need - len);
    e->set_str_len(uint32_t(need));
  }
  memcpy(e->str_data() + offset, v.data(), v.size());
  e->flags |= kv_entry::flag_raw;
  c.changed(k);
  c.notify(notify_string, "setrange", k);
  c.out.integer(e->str_len());
}

const command_def string_commands[] = {
    {"get", 2, "readonly fast", 1, 1, 1, "", cmd_get, "Get the value of a key", "1.0.0", "O(1)",
     "key"},
    {"set", -3, "write denyoom", 1, 1, 1, "", cmd_set, "Set the string value of a key", "1.0.0",
     "O(1)",
     "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT "
     "unix-time-milliseconds|KEEPTTL]"},
    {"setnx", 3, "write denyoom fast", 1, 1, 1, "", cmd_setnx,
     "Set the value of a key, only if the key does not exist", "1.0.0", "O(1)", "key value"},
    {"setex", 4, "write denyoom", 1, 1, 1, "", cmd_setex, "Set the value and expiration of a key",
     "2.0.0", "O(1)", "key seconds value"},
    {"psetex", 4, "write denyoom", 1, 1, 1, "", cmd_psetex,
     "Set the value and expiration in milliseconds of a key", "2.6.0", "O(1)",
     "key milliseconds value"},
    {"getex", -2, "write fast", 1, 1, 1, "", cmd_getex,
     "Get the value of a key and optionally set its expiration", "6.2.0", "O(1)",
     "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST]"},
    {"getdel", 2, "write fast", 1, 1, 1, "", cmd_getdel,
     "Get the value of a key and delete the key", "6.2.0", "O(1)", "key"},
    {"getset", 3, "write denyoom fast", 1, 1, 1, "", cmd_getset,
     "Set the string value of a key and return its old value", "1.0.0", "O(1)", "key value"},
    {"mget", -2, "readonly fast", 1, -1, 1, "", cmd_mget, "Get the values of all the given keys",
     "1.0.0", "O(N) where N is the number of keys to retrieve.", "key [key ...]"},
    {"mset", -3, "write denyoom", 1, -1, 2, "", cmd_mset, "Set multiple keys to multiple values",
     "1.0.1", "O(N) where N is the number of keys to set.", "key value [key value ...]"},
    {"msetnx", -3, "write denyoom", 1, -1, 2, "", cmd_msetnx,
     "Set multiple keys to multiple values, only if none of the keys exist", "1.0.1",
     "O(N) where N is the number of keys to set.", "key value [key value ...]"},
    {"append", 3, "write denyoom fast", 1, 1, 1, "", cmd_append, "Append a value to a key", "2.0.0",
     "O(1)", "key value"},
    {"strlen", 2, "readonly fast", 1, 1, 1, "", cmd_strlen,
     "Get the length of the value stored in a key", "2.2.0", "O(1)", "key"},
    {"incr", 2, "write denyoom fast", 1, 1, 1, "", cmd_incr,
     "Increment the integer value of a key by one", "1.0.0", "O(1)", "key"},
    {"decr", 2, "write denyoom fast", 1, 1, 1, "", cmd_decr,
     "Decrement the integer value of a key by one", "1.0.0", "O(1)", "key"},
    {"incrby", 3, "write denyoom fast", 1, 1, 1, "", cmd_incrby,
     "Increment the integer value of a key by the given amount", "1.0.0", "O(1)", "key increment"},
    {"decrby", 3, "write denyoom fast", 1, 1, 1, "", cmd_decrby,
     "Decrement the integer value of a key by the given number", "1.0.0", "O(1)", "key decrement"},
    {"incrbyfloat", 3, "write denyoom fast", 1, 1, 1, "", cmd_incrbyfloat,
     "Increment the float value of a key by the given amount", "2.6.0", "O(1)", "key increment"},
    {"getrange", 4, "readonly", 1, 1, 1, "", cmd_getrange,
     "Get a substring of the string stored at a key", "2.4.0",
     "O(N) where N is the length of the returned string.", "key start end"},
    {"substr", 4, "readonly", 1, 1, 1, "", cmd_getrange,
     "Get a substring of the string stored at a key", "1.0.0",
     "O(N) where N is the length of the returned string.", "key start end", nullptr, "deprecated",
     "`GETRANGE`"},
    {"setrange", 4, "write denyoom", 1, 1, 1, "", cmd_setrange,
     "Overwrite part of a string at key starting at the specified offset", "2.2.0", "O(1)",
     "key offset value"},
};

}  // namespace

void register_string_family(command_table& t) {
  t.add_all("string", string_commands);
}

}  // namespace troupe
