// Set commands with Redis 7.0's replies and errors. The value is an intset while
// it holds few integers, else a blob_table (storage/set_type.hpp).
#include <algorithm>
#include <memory>
#include <string>
#include <unordered_set>

#include "storage/types/set_type.hpp"
#include "storage/types/type_support.hpp"

namespace troupe {
namespace {

struct set_type_registrar {
  set_type_registrar() {
    register_object_destroyer(value_type::set, destroy_set);
    register_object_copier(value_type::set, copy_set);
  }
} set_registrar;

void cmd_sadd(exec_context& c) {
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::set, bad);
  if (bad) return;
  if (e == nullptr) {
    e = make_set_entry(k.name, c.arg(2), false);
    c.add(k, e);
  }
  set_ref s(e);
  size_t max_intset = intset_limit_of(c);
  int64_t added = 0;
  for (size_t i = 2; i < c.argc(); ++i) added += s.add(c.arg(i), max_intset);
  if (added > 0) {
    c.changed(k);
    c.notify(notify_set, "sadd", k);
  }
  c.out.integer(added);
}

void cmd_srem(exec_context& c) {
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::set, bad);
  if (bad) return;
  if (e == nullptr) return c.out.integer(0);
  set_ref s(e);
  int64_t removed = 0;
  bool key_removed = false;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (s.remove(c.arg(i))) {
      ++removed;
      if (s.size() == 0) {
        key_removed = true;
        break;
      }
    }
  }
  if (removed > 0) {
    c.notify(notify_set, "srem", k);
    if (key_removed) delete_emptied(c, k);
    c.changed(k);
  }
  c.out.integer(removed);
}

void cmd_smove(exec_context& c) {
  key_ref src = c.key_at(1), dst = c.key_at(2);
  std::string_view m = c.arg(3);
  kv_entry* se = c.lookup(src);
  kv_entry* de = c.lookup(dst);
  if (se == nullptr) return c.out.integer(0);
  if (se->type() != value_type::set || (de != nullptr && de->type() != value_type::set))
    return c.wrongtype();
  if (se == de) return c.out.integer(set_ref(se).contains(m) ? 1 : 0);
  set_ref s(se);
  if (!s.remove(m)) return c.out.integer(0);
  c.notify(notify_set, "srem", src);
  if (s.size() == 0) delete_emptied(c, src);
  c.changed(src);
  if (de == nullptr) {
    de = make_set_entry(dst.name, m, false);
    c.add(dst, de);
  }
  if (set_ref(de).add(m, intset_limit_of(c))) {
    c.changed(dst);
    c.notify(notify_set, "sadd", dst);
  }
  c.out.integer(1);
}

void cmd_sismember(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::set, bad);
  if (bad) return;
  c.out.integer(e && set_ref(e).contains(c.arg(2)) ? 1 : 0);
}

void cmd_smismember(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::set, bad);
  if (bad) return;
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) c.out.integer(e && set_ref(e).contains(c.arg(i)) ? 1 : 0);
}

void cmd_scard(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::set, bad);
  if (bad) return;
  c.out.integer(e ? int64_t(set_ref(e).size()) : 0);
}

// Looks up the sets named by args [from, from+n); false after a WRONGTYPE reply.
// Missing keys are nullptr.
bool load_sets(exec_context& c, size_t from, size_t n, std::vector<kv_entry*>& sets) {
  sets.resize(n);
  for (size_t i = 0; i < n; ++i) {
    kv_entry* e = c.lookup_read(c.key_at(from + i));
    if (e != nullptr && e->type() != value_type::set) {
      c.wrongtype();
      return false;
    }
    sets[i] = e;
  }
  return true;
}

void reply_members(exec_context& c, const set_ref& s) {
  c.out.set(s.size());
  s.for_each([&](std::string_view m) { c.out.bulk(m); });
}

// SINTER, SINTERSTORE, SINTERCARD and SMEMBERS.
void inter_generic(exec_context& c, size_t from, size_t n, const key_ref* dst, bool card_only,
                   int64_t limit) {
  std::vector<kv_entry*> sets;
  if (!load_sets(c, from, n, sets)) return;
  bool any_empty = std::find(sets.begin(), sets.end(), nullptr) != sets.end();
  if (any_empty) {
    if (dst) {
      dict::location loc = c.locate(*dst);
      if (loc) {
        dst->db->remove(loc);
        c.notify(notify_generic, "del", *dst);
        c.changed(*dst);
      }
      return c.out.integer(0);
    }
    if (card_only) return c.out.integer(0);
    return c.out.set(0);
  }
  std::stable_sort(sets.begin(), sets.end(),
                   [](kv_entry* a, kv_entry* b) { return set_ref(a).size() < set_ref(b).size(); });
  set_ref smallest(sets[0]);
  auto in_all = [&](std::string_view m) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] == sets[0]) continue;
      if (!set_ref(sets[j]).contains(m)) return false;
    }
    return true;
  };
  if (card_only) {
    int64_t n_found = 0;
    bool stop = false;
    smallest.for_each([&](std::string_view m) {
      if (stop || !in_all(m)) return;
      ++n_found;
      if (limit != 0 && n_found >= limit) stop = true;
    });
    return c.out.integer(n_found);
  }
  if (dst) {
    entry_holder result;
    result.e = make_intset_entry(dst->name, false);
    set_ref r(result.e);
    size_t max_intset = intset_limit_of(c);
    smallest.for_each([&](std::string_view m) {
      if (in_all(m)) r.add(m, max_intset);
    });
    return store_built_value(c, *dst, result, r.size(), notify_set, "sinterstore");
  }
  size_t mark = c.out.begin_deferred();
  size_t count = 0;
  smallest.for_each([&](std::string_view m) {
    if (!in_all(m)) return;
    c.out.bulk(m);
    ++count;
  });
  c.out.end_deferred_set(mark, count);
}

void cmd_smembers(exec_context& c) {
  inter_generic(c, 1, 1, nullptr, false, 0);
}
void cmd_sinter(exec_context& c) {
  inter_generic(c, 1, c.argc() - 1, nullptr, false, 0);
}
void cmd_sinterstore(exec_context& c) {
  key_ref dst = c.key_at(1);
  inter_generic(c, 2, c.argc() - 2, &dst, false, 0);
}

void cmd_sintercard(exec_context& c) {
  int64_t numkeys;
  if (!long_arg_in(c, 1, 1, INT64_MAX, numkeys, "ERR numkeys should be greater than 0")) return;
  if (uint64_t(numkeys) > c.argc() - 2)
    return c.out.error("ERR Number of keys can't be greater than number of args");
  int64_t limit = 0;
  for (size_t i = 2 + size_t(numkeys); i < c.argc(); ++i) {
    if (c.arg_is(i, "limit") && i + 1 < c.argc()) {
      ++i;
      if (!long_arg_in(c, i, 0, INT64_MAX, limit, "ERR LIMIT can't be negative")) return;
    } else {
      return c.syntax_error();
    }
  }
  inter_generic(c, 2, size_t(numkeys), nullptr, true, limit);
}

// SUNION, SDIFF and their STORE forms: the result is built as a set value, an
// intset while it can be, and replied from there.
void union_diff_generic(exec_context& c, size_t from, size_t n, const key_ref* dst, bool diff) {
  std::vector<kv_entry*> sets;
  if (!load_sets(c, from, n, sets)) return;
  entry_holder result;
  result.e = make_intset_entry(dst ? dst->name : std::string_view("tmp"), false);
  set_ref r(result.e);
  size_t max_intset = intset_limit_of(c);
  if (!diff) {
    for (kv_entry* e : sets)
      if (e) set_ref(e).for_each([&](std::string_view m) { r.add(m, max_intset); });
  } else if (sets[0] != nullptr) {
    bool same = false;
    for (size_t j = 1; j < sets.size(); ++j) same |= sets[j] == sets[0];
    if (!same) {
      set_ref(sets[0]).for_each([&](std::string_view m) {
        for (size_t j = 1; j < sets.size(); ++j)
          if (sets[j] && set_ref(sets[j]).contains(m)) return;
        r.add(m, max_intset);
      });
    }
  }
  if (dst)
    return store_built_value(c, *dst, result, r.size(), notify_set,
                             diff ? "sdiffstore" : "sunionstore");
  reply_members(c, r);
}

void cmd_sunion(exec_context& c) {
  union_diff_generic(c, 1, c.argc() - 1, nullptr, false);
}
void cmd_sdiff(exec_context& c) {
  union_diff_generic(c, 1, c.argc() - 1, nullptr, true);
}
void cmd_sunionstore(exec_context& c) {
  key_ref dst = c.key_at(1);
  union_diff_generic(c, 2, c.argc() - 2, &dst, false);
}
void cmd_sdiffstore(exec_context& c) {
  key_ref dst = c.key_at(1);
  union_diff_generic(c, 2, c.argc() - 2, &dst, true);
}

// Removes a random member of a non-empty set into out.
template <class Rng>
void pop_random(set_ref& s, Rng& rng, std::string& out) {
  if (s.is_intset()) {
    unsigned char* is = s.ints();
    size_t i = rng() % is::length(is);
    out = std::to_string(is::get(is, i));
    s.remove(out);
    return;
  }
  blob_table* t = s.table();
  blob_node* n = t->random(rng);
  out.assign(n->key());
  s.remove(out);
}

void cmd_spop(exec_context& c) {
  if (c.argc() > 3) return c.syntax_error();
  key_ref k = c.key_at(1);
  auto& rng = k.shard->rng();
  if (c.argc() == 2) {
    bool bad;
    kv_entry* e = lookup_write_typed(c, k, value_type::set, bad);
    if (bad) return;
    if (e == nullptr) return c.out.null();
    set_ref s(e);
    std::string m;
    pop_random(s, rng, m);
    c.notify(notify_set, "spop", k);
    c.out.bulk(m);
    if (s.size() == 0) delete_emptied(c, k);
    c.changed(k);
    // The pick is random: replicas and the AOF learn which member went.
    c.propagate({"SREM", std::string(k.name), m});
    return;
  }
  int64_t count;
  if (!long_arg_in(c, 2, 0, INT64_MAX, count, "ERR value is out of range, must be positive"))
    return;
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::set, bad);
  if (bad) return;
  if (e == nullptr || count == 0) return c.out.set(0);
  set_ref s(e);
  size_t size = s.size();
  c.notify(notify_set, "spop", k);
  if (uint64_t(count) >= size) {
    reply_members(c, s);
    delete_emptied(c, k);
    c.changed(k);
    c.propagate({"DEL", std::string(k.name)});
    return;
  }
  c.out.set(size_t(count));
  std::string m;
  // Each popped member is journaled as an SREM of its own, together in one
  // MULTI/EXEC, exactly as Redis 7.0 propagates SPOP with a count.
  for (int64_t i = 0; i < count; ++i) {
    pop_random(s, rng, m);
    c.out.bulk(m);
    c.propagate({"SREM", std::string(k.name), m});
  }
  c.changed(k);
}

void cmd_srandmember(exec_context& c) {
  if (c.argc() > 3) return c.syntax_error();
  key_ref k = c.key_at(1);
  auto& rng = k.shard->rng();
  if (c.argc() == 2) {
    bool bad;
    kv_entry* e = lookup_read_typed(c, k, value_type::set, bad);
    if (bad) return;
    if (e == nullptr) return c.out.null();
    std::string m;
    set_ref(e).random(rng, m);
    return c.out.bulk(m);
  }
  int64_t l;
  if (!long_arg_in(c, 2, -INT64_MAX, INT64_MAX, l, "")) return;
  bool bad;
  kv_entry* e = lookup_read_typed(c, k, value_type::set, bad);
  if (bad) return;
  if (e == nullptr || l == 0) return c.out.empty_array();
  set_ref s(e);
  size_t size = s.size();
  std::string m;
  if (l < 0) {
    uint64_t count = 0 - uint64_t(l);
    repeated_reply_bound bound(c);
    if (!bound.admits(count, 6)) return;
    c.out.array(size_t(count));
    for (uint64_t i = 0; i < count; ++i) {
      s.random(rng, m);
      c.out.bulk(m);
      if (!bound.within()) return;
    }
    return;
  }
  uint64_t count = uint64_t(l);
  if (count >= size) {
    c.out.array(size);
    s.for_each([&](std::string_view x) { c.out.bulk(x); });
    return;
  }
  c.out.array(size_t(count));
  if (s.is_intset()) {
    for (size_t i : pick_distinct(size, size_t(count), rng))
      c.out.bulk(std::to_string(is::get(s.ints(), i)));
    return;
  }
  if (count * 3 > size) {
    std::vector<const blob_node*> all;
    all.reserve(size);
    s.table()->for_each([&](blob_node* n) { all.push_back(n); });
    for (size_t i : pick_distinct(size, size_t(count), rng)) c.out.bulk(all[i]->key());
    return;
  }
  std::unordered_set<const blob_node*> seen;
  while (seen.size() < count) {
    const blob_node* n = s.table()->random(rng);
    if (seen.insert(n).second) c.out.bulk(n->key());
  }
}

void cmd_sscan(exec_context& c) {
  scan_options o;
  if (!parse_scan_cursor(c, o)) return;
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::set, bad);
  if (bad) return;
  if (e == nullptr) return empty_scan_reply(c);
  if (!parse_scan_options(c, o)) return;
  set_ref s(e);
  std::vector<std::string> out;
  uint64_t next = 0;
  if (s.is_intset()) {
    s.for_each([&](std::string_view m) {
      if (o.matches(m)) out.emplace_back(m);
    });
  } else {
    int64_t iterations = scan_iterations(o.count);
    next = o.cursor;
    do {
      next = s.table()->scan(next, [&](const blob_node* n) {
        if (o.matches(n->key())) out.emplace_back(n->key());
      });
    } while (next != 0 && --iterations > 0 && int64_t(out.size()) < o.count);
  }
  c.out.array(2);
  c.out.bulk(std::to_string(next));
  c.out.array(out.size());
  for (auto& m : out) c.out.bulk(m);
}

bool sintercard_keys(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  return numkeys_positions(args, 1, positions);
}

const command_def set_commands[] = {
    {"sadd", -3, "write denyoom fast", 1, 1, 1, "", cmd_sadd, "Add one or more members to a set",
     "1.0.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key member [member ...]"},
    {"srem", -3, "write fast", 1, 1, 1, "", cmd_srem, "Remove one or more members from a set",
     "1.0.0", "O(N) where N is the number of members to be removed.", "key member [member ...]"},
    {"smove", 4, "write fast", 1, 2, 1, "", cmd_smove, "Move a member from one set to another",
     "1.0.0", "O(1)", "source destination member"},
    {"sismember", 3, "readonly fast", 1, 1, 1, "", cmd_sismember,
     "Determine if a given value is a member of a set", "1.0.0", "O(1)", "key member"},
    {"smismember", -3, "readonly fast", 1, 1, 1, "", cmd_smismember,
     "Returns the membership associated with the given elements for a set", "6.2.0",
     "O(N) where N is the number of elements being checked for membership",
     "key member [member ...]"},
    {"scard", 2, "readonly fast", 1, 1, 1, "", cmd_scard, "Get the number of members in a set",
     "1.0.0", "O(1)", "key"},
    {"smembers", 2, "readonly", 1, 1, 1, "", cmd_smembers, "Get all the members in a set", "1.0.0",
     "O(N) where N is the set cardinality.", "key"},
    {"sinter", -2, "readonly", 1, -1, 1, "", cmd_sinter, "Intersect multiple sets", "1.0.0",
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
     "sets.",
     "key [key ...]"},
    {"sintercard", -3, "readonly", 0, 0, 0, "", cmd_sintercard,
     "Intersect multiple sets and return the cardinality of the result", "7.0.0",
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
     "sets.",
     "numkeys key [key ...] [LIMIT limit]", sintercard_keys},
    {"sinterstore", -3, "write denyoom", 1, -1, 1, "", cmd_sinterstore,
     "Intersect multiple sets and store the resulting set in a key", "1.0.0",
     "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of "
     "sets.",
     "destination key [key ...]"},
    {"sunion", -2, "readonly", 1, -1, 1, "", cmd_sunion, "Add multiple sets", "1.0.0",
     "O(N) where N is the total number of elements in all given sets.", "key [key ...]"},
    {"sunionstore", -3, "write denyoom", 1, -1, 1, "", cmd_sunionstore,
     "Add multiple sets and store the resulting set in a key", "1.0.0",
     "O(N) where N is the total number of elements in all given sets.",
     "destination key [key ...]"},
    {"sdiff", -2, "readonly", 1, -1, 1, "", cmd_sdiff, "Subtract multiple sets", "1.0.0",
     "O(N) where N is the total number of elements in all given sets.", "key [key ...]"},
    {"sdiffstore", -3, "write denyoom", 1, -1, 1, "", cmd_sdiffstore,
     "Subtract multiple sets and store the resulting set in a key", "1.0.0",
     "O(N) where N is the total number of elements in all given sets.",
     "destination key [key ...]"},
    {"spop", -2, "write fast", 1, 1, 1, "", cmd_spop,
     "Remove and return one or multiple random members from a set", "1.0.0",
     "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
     "key [count]"},
    {"srandmember", -2, "readonly", 1, 1, 1, "", cmd_srandmember,
     "Get one or multiple random members from a set", "1.0.0",
     "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed "
     "count.",
     "key [count]"},
    {"sscan", -3, "readonly", 1, 1, 1, "", cmd_sscan, "Incrementally iterate Set elements", "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
     "cursor to "
     "return back to 0. N is the number of elements inside the collection..",
     "key cursor [MATCH pattern] [COUNT count]"},
};

}  // namespace

void register_set_family(command_table& t) {
  t.add_all("set", set_commands);
}

}  // namespace troupe
