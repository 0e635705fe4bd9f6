// Hash commands with Redis 7.0's replies and errors. The value is a listpack
// while small, then a blob_table (storage/hash_type.hpp).
#include <cmath>
#include <string>
#include <unordered_set>

#include "storage/types/type_support.hpp"

namespace troupe {
namespace {

struct hash_type_registrar {
  hash_type_registrar() {
    register_object_destroyer(value_type::hash, destroy_hash);
    register_object_copier(value_type::hash, copy_hash);
  }
} hash_registrar;

// The hash at k for a write, created empty when absent (Redis's
// hashTypeLookupWriteOrCreate); nullptr after a WRONGTYPE reply.
kv_entry* lookup_or_create(exec_context& c, const key_ref& k) {
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::hash, bad);
  if (bad) return nullptr;
  if (e == nullptr) {
    e = make_hash_entry(k.name, false);
    c.add(k, e);
  }
  return e;
}

void hset_generic(exec_context& c, bool hmset) {
  if (c.argc() % 2 == 1)
    return c.out.error("ERR wrong number of arguments for '" + c.cmd.name + "' command");
  key_ref k = c.key_at(1);
  kv_entry* e = lookup_or_create(c, k);
  if (e == nullptr) return;
  hash_ref h(e);
  hash_limits lim = hash_limits_of(c);
  for (size_t i = 2; i < c.argc(); ++i) h.convert_if_long(c.arg(i), lim);
  int64_t created = 0;
  for (size_t i = 2; i < c.argc(); i += 2) created += h.set(c.arg(i), c.arg(i + 1), lim);
  if (hmset)
    c.out.ok();
  else
    c.out.integer(created);
  c.changed(k);
  c.notify(notify_hash, "hset", k);
}
void cmd_hset(exec_context& c) {
  hset_generic(c, false);
}
void cmd_hmset(exec_context& c) {
  hset_generic(c, true);
}

void cmd_hsetnx(exec_context& c) {
  key_ref k = c.key_at(1);
  kv_entry* e = lookup_or_create(c, k);
  if (e == nullptr) return;
  hash_ref h(e);
  hash_limits lim = hash_limits_of(c);
  if (h.exists(c.arg(2))) return c.out.integer(0);
  h.set(c.arg(2), c.arg(3), lim);
  c.out.integer(1);
  c.changed(k);
  c.notify(notify_hash, "hset", k);
}

void cmd_hget(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::hash, bad);
  if (bad) return;
  if (e == nullptr) return c.out.null();
  std::string_view v;
  char buf[24];
  if (!hash_ref(e).get(c.arg(2), v, buf)) return c.out.null();
  c.out.bulk(v);
}

void cmd_hmget(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::hash, bad);
  if (bad) return;
  c.out.array(c.argc() - 2);
  char buf[24];
  for (size_t i = 2; i < c.argc(); ++i) {
    std::string_view v;
    if (e != nullptr && hash_ref(e).get(c.arg(i), v, buf))
      c.out.bulk(v);
    else
      c.out.null();
  }
}

void cmd_hdel(exec_context& c) {
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::hash, bad);
  if (bad) return;
  if (e == nullptr) return c.out.integer(0);
  hash_ref h(e);
  int64_t deleted = 0;
  bool removed_key = false;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (h.remove(c.arg(i))) {
      ++deleted;
      if (h.size() == 0) {
        removed_key = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    c.notify(notify_hash, "hdel", k);
    if (removed_key) delete_emptied(c, k);
    c.changed(k);
  }
  c.out.integer(deleted);
}

void cmd_hlen(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::hash, bad);
  if (bad) return;
  c.out.integer(e ? int64_t(hash_ref(e).size()) : 0);
}

void cmd_hstrlen(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::hash, bad);
  if (bad) return;
  std::string_view v;
  char buf[24];
  c.out.integer(e && hash_ref(e).get(c.arg(2), v, buf) ? int64_t(v.size()) : 0);
}

void cmd_hexists(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::hash, bad);
  if (bad) return;
  c.out.integer(e && hash_ref(e).exists(c.arg(2)) ? 1 : 0);
}

void getall_generic(exec_context& c, bool keys, bool values) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::hash, bad);
  if (bad) return;
  bool map = keys && values;
  if (e == nullptr) return map ? c.out.map(0) : c.out.empty_array();
  hash_ref h(e);
  if (map)
    c.out.map(h.size());
  else
    c.out.array(h.size());
  h.for_each([&](std::string_view f, std::string_view v) {
    if (keys) c.out.bulk(f);
    if (values) c.out.bulk(v);
  });
}
void cmd_hkeys(exec_context& c) {
  getall_generic(c, true, false);
}
void cmd_hvals(exec_context& c) {
  getall_generic(c, false, true);
}
void cmd_hgetall(exec_context& c) {
  getall_generic(c, true, true);
}

void cmd_hincrby(exec_context& c) {
  int64_t incr;
  if (!c.int_arg(3, incr)) return;
  key_ref k = c.key_at(1);
  kv_entry* e = lookup_or_create(c, k);
  if (e == nullptr) return;
  hash_ref h(e);
  std::string_view cur;
  char buf[24];
  int64_t value = 0;
  if (h.get(c.arg(2), cur, buf)) {
    auto v = parse_int64(cur);
    if (!v) return c.out.error("ERR hash value is not an integer");
    value = *v;
  }
  if ((incr < 0 && value < 0 && incr < INT64_MIN - value) ||
      (incr > 0 && value > 0 && incr > INT64_MAX - value))
    return c.out.error(errors::overflow);
  value += incr;
  h.set(c.arg(2), int64_to_string(value), hash_limits_of(c));
  c.out.integer(value);
  c.changed(k);
  c.notify(notify_hash, "hincrby", k);
}

void cmd_hincrbyfloat(exec_context& c) {
  auto incr = parse_long_double(c.arg(3));
  if (!incr) return c.out.error(errors::not_float);
  if (std::isnan(*incr) || std::isinf(*incr)) return c.out.error("ERR value is NaN or Infinity");
  key_ref k = c.key_at(1);
  kv_entry* e = lookup_or_create(c, k);
  if (e == nullptr) return;
  hash_ref h(e);
  std::string_view cur;
  char buf[24];
  long double value = 0;
  if (h.get(c.arg(2), cur, buf)) {
    auto v = parse_long_double(cur);
    if (!v) return c.out.error("ERR hash value is not a float");
    value = *v;
  }
  value += *incr;
  if (std::isnan(value) || std::isinf(value))
    return c.out.error("ERR increment would produce NaN or Infinity");
  std::string s = long_double_to_string(value);
  h.set(c.arg(2), s, hash_limits_of(c));
  c.out.bulk(s);
  c.changed(k);
  c.notify(notify_hash, "hincrbyfloat", k);
  // Float arithmetic may differ elsewhere: replicate the result.
  c.propagate({"HSET", std::string(k.name), std::string(c.arg(2)), s});
}

// The field (and value) at a listpack pair index.
void reply_lp_pair(exec_context& c, unsigned char* l, size_t pair, bool withvalues) {
  unsigned char* p = lp::seek(l, long(pair * 2));
  char kb[24], vb[24];
  if (withvalues && c.out.resp() > 2) c.out.array(2);
  c.out.bulk(lp::get(p).view(kb));
  if (withvalues) c.out.bulk(lp::get(lp::next(l, p)).view(vb));
}

void reply_node(exec_context& c, const blob_node* n, bool withvalues) {
  if (withvalues && c.out.resp() > 2) c.out.array(2);
  c.out.bulk(n->key());
  if (withvalues) c.out.bulk(n->value());
}

void hrandfield_count(exec_context& c, int64_t l, bool withvalues) {
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_read_typed(c, k, value_type::hash, bad);
  if (bad) return;
  if (e == nullptr) return c.out.empty_array();
  hash_ref h(e);
  size_t size = h.size();
  bool uniq = l >= 0;
  uint64_t count = l >= 0 ? uint64_t(l) : 0 - uint64_t(l);
  if (count == 0) return c.out.empty_array();
  auto& rng = k.shard->rng();
  auto header = [&](size_t n) {
    if (withvalues && c.out.resp() == 2)
      c.out.array(n * 2);
    else
      c.out.array(n);
  };
  if (!uniq || count == 1) {
    repeated_reply_bound bound(c);
    if (!bound.admits(count, withvalues ? 12 : 6)) return;
    // Each listpack pair located once, so a pick costs O(1), not a walk.
    std::vector<unsigned char*> pairs;
    if (h.is_listpack())
      for (unsigned char* p = lp::first(h.lp()); p; p = lp::next(h.lp(), lp::next(h.lp(), p)))
        pairs.push_back(p);
    header(size_t(count));
    char kb[24], vb[24];
    for (uint64_t i = 0; i < count; ++i) {
      if (h.is_listpack()) {
        unsigned char* p = pairs[rng() % size];
        if (withvalues && c.out.resp() > 2) c.out.array(2);
        c.out.bulk(lp::get(p).view(kb));
        if (withvalues) c.out.bulk(lp::get(lp::next(h.lp(), p)).view(vb));
      } else {
        reply_node(c, h.table()->random(rng), withvalues);
      }
      if (!bound.within()) return;
    }
    return;
  }
  if (count >= size) {
    header(size);
    h.for_each([&](std::string_view f, std::string_view v) {
      if (withvalues && c.out.resp() > 2) c.out.array(2);
      c.out.bulk(f);
      if (withvalues) c.out.bulk(v);
    });
    return;
  }
  header(size_t(count));
  if (h.is_listpack()) {
    for (size_t i : pick_distinct(size, size_t(count), rng))
      reply_lp_pair(c, h.lp(), i, withvalues);
    return;
  }
  if (count * 3 > size) {
    std::vector<const blob_node*> all;
    all.reserve(size);
    h.table()->for_each([&](blob_node* n) { all.push_back(n); });
    for (size_t i : pick_distinct(size, size_t(count), rng)) reply_node(c, all[i], withvalues);
    return;
  }
  std::unordered_set<const blob_node*> seen;
  while (seen.size() < count) {
    const blob_node* n = h.table()->random(rng);
    if (seen.insert(n).second) reply_node(c, n, withvalues);
  }
}

void cmd_hrandfield(exec_context& c) {
  if (c.argc() >= 3) {
    int64_t l;
    if (!long_arg_in(c, 2, -INT64_MAX, INT64_MAX, l, "")) return;
    if (c.argc() > 4 || (c.argc() == 4 && !c.arg_is(3, "withvalues"))) return c.syntax_error();
    bool withvalues = c.argc() == 4;
    if (withvalues && (l < -INT64_MAX / 2 || l > INT64_MAX / 2))
      return c.out.error("ERR value is out of range");
    return hrandfield_count(c, l, withvalues);
  }
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_read_typed(c, k, value_type::hash, bad);
  if (bad) return;
  if (e == nullptr) return c.out.null();
  hash_ref h(e);
  auto& rng = k.shard->rng();
  if (h.is_listpack())
    reply_lp_pair(c, h.lp(), size_t(rng() % h.size()), false);
  else
    reply_node(c, h.table()->random(rng), false);
}

void cmd_hscan(exec_context& c) {
  scan_options o;
  if (!parse_scan_cursor(c, o)) return;
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::hash, bad);
  if (bad) return;
  if (e == nullptr) return empty_scan_reply(c);
  if (!parse_scan_options(c, o)) return;
  hash_ref h(e);
  std::vector<std::string> out;
  uint64_t next = 0;
  if (h.is_listpack()) {
    h.for_each([&](std::string_view f, std::string_view v) {
      if (!o.matches(f)) return;
      out.emplace_back(f);
      out.emplace_back(v);
    });
  } else {
    int64_t iterations = scan_iterations(o.count);
    next = o.cursor;
    do {
      next = h.table()->scan(next, [&](const blob_node* n) {
        if (!o.matches(n->key())) return;
        out.emplace_back(n->key());
        out.emplace_back(n->value());
      });
    } while (next != 0 && --iterations > 0 && int64_t(out.size() / 2) < o.count);
  }
  c.out.array(2);
  c.out.bulk(std::to_string(next));
  c.out.array(out.size());
  for (auto& s : out) c.out.bulk(s);
}

const command_def hash_commands[] = {
    {"hset", -4, "write denyoom fast", 1, 1, 1, "", cmd_hset,
     "Set the string value of a hash field", "2.0.0",
     "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is "
     "called with "
     "multiple field/value pairs.",
     "key field value [field value ...]"},
    {"hmset", -4, "write denyoom fast", 1, 1, 1, "", cmd_hmset,
     "Set multiple hash fields to multiple values", "2.0.0",
     "O(N) where N is the number of fields being set.", "key field value [field value ...]",
     nullptr, "deprecated", "`HSET` with multiple field-value pairs"},
    {"hsetnx", 4, "write denyoom fast", 1, 1, 1, "", cmd_hsetnx,
     "Set the value of a hash field, only if the field does not exist", "2.0.0", "O(1)",
     "key field value"},
    {"hget", 3, "readonly fast", 1, 1, 1, "", cmd_hget, "Get the value of a hash field", "2.0.0",
     "O(1)", "key field"},
    {"hmget", -3, "readonly fast", 1, 1, 1, "", cmd_hmget,
     "Get the values of all the given hash fields", "2.0.0",
     "O(N) where N is the number of fields being requested.", "key field [field ...]"},
    {"hdel", -3, "write fast", 1, 1, 1, "", cmd_hdel, "Delete one or more hash fields", "2.0.0",
     "O(N) where N is the number of fields to be removed.", "key field [field ...]"},
    {"hlen", 2, "readonly fast", 1, 1, 1, "", cmd_hlen, "Get the number of fields in a hash",
     "2.0.0", "O(1)", "key"},
    {"hstrlen", 3, "readonly fast", 1, 1, 1, "", cmd_hstrlen,
     "Get the length of the value of a hash field", "3.2.0", "O(1)", "key field"},
    {"hexists", 3, "readonly fast", 1, 1, 1, "", cmd_hexists, "Determine if a hash field exists",
     "2.0.0", "O(1)", "key field"},
    {"hkeys", 2, "readonly", 1, 1, 1, "", cmd_hkeys, "Get all the fields in a hash", "2.0.0",
     "O(N) where N is the size of the hash.", "key"},
    {"hvals", 2, "readonly", 1, 1, 1, "", cmd_hvals, "Get all the values in a hash", "2.0.0",
     "O(N) where N is the size of the hash.", "key"},
    {"hgetall", 2, "readonly", 1, 1, 1, "", cmd_hgetall, "Get all the fields and values in a hash",
     "2.0.0", "O(N) where N is the size of the hash.", "key"},
    {"hincrby", 4, "write denyoom fast", 1, 1, 1, "", cmd_hincrby,
     "Increment the integer value of a hash field by the given number", "2.0.0", "O(1)",
     "key field increment"},
    {"hincrbyfloat", 4, "write denyoom fast", 1, 1, 1, "", cmd_hincrbyfloat,
     "Increment the float value of a hash field by the given amount", "2.6.0", "O(1)",
     "key field increment"},
    {"hrandfield", -2, "readonly", 1, 1, 1, "", cmd_hrandfield,
     "Get one or multiple random fields from a hash", "6.2.0",
     "O(N) where N is the number of fields returned", "key [count [WITHVALUES]]"},
    {"hscan", -3, "readonly", 1, 1, 1, "", cmd_hscan,
     "Incrementally iterate hash fields and associated values", "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
     "cursor to "
     "return back to 0. N is the number of elements inside the collection..",
     "key cursor [MATCH pattern] [COUNT count]"},
};

}  // namespace

void register_hash_family(command_table& t) {
  t.add_all("hash", hash_commands);
}

}  // namespace troupe
