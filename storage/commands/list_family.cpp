// List commands: pushes and pops at both ends, ranges, indexes, LINSERT, LREM,
// LTRIM, LPOS, LMOVE and LMPOP, with Redis 7.0's replies and errors. The value is
// a quicklist (storage/quicklist.hpp); OBJECT ENCODING says "quicklist" as 7.0 does.
#include "storage/commands/list_family.hpp"

#include <string>

#include "storage/types/type_support.hpp"

namespace troupe {

kv_entry* make_list_entry(std::string_view key, int fill, bool with_expire) {
  return make_object_entry(key, value_type::list, value_encoding::quicklist, new quicklist(fill),
                           with_expire);
}

namespace {

struct list_type_registrar {
  list_type_registrar() {
    register_object_destroyer(
        value_type::list, [](void* obj, value_encoding) { delete static_cast<quicklist*>(obj); });
    register_object_copier(value_type::list, [](const void* obj, value_encoding) -> void* {
      return static_cast<const quicklist*>(obj)->clone();
    });
  }
} list_registrar;

const char* pop_event(bool left) {
  return left ? "lpop" : "rpop";
}
const char* push_event(bool left) {
  return left ? "lpush" : "rpush";
}

void reply_value(exec_context& c, const lp::value& v) {
  char buf[24];
  c.out.bulk(v.view(buf));
}

}  // namespace

void list_pop_one_reply(exec_context& c, const key_ref& k, kv_entry* e, bool left, bool with_key) {
  quicklist* q = list_of(e);
  std::string v;
  if (left)
    q->pop_front(v);
  else
    q->pop_back(v);
  if (with_key) {
    c.out.array(2);
    c.out.bulk(k.name);
  }
  c.out.bulk(v);
  c.notify(notify_list, pop_event(left), k);
  if (q->size() == 0) delete_emptied(c, k);
  c.changed(k);
}

void list_pop_many_reply(exec_context& c, const key_ref& k, kv_entry* e, bool left, int64_t count,
                         bool with_key) {
  quicklist* q = list_of(e);
  size_t n = size_t(count) < q->size() ? size_t(count) : q->size();
  if (with_key) {
    c.out.array(2);
    c.out.bulk(k.name);
  }
  c.out.array(n);
  quicklist::iter it = left ? q->begin() : q->rbegin();
  for (size_t i = 0; i < n; ++i) {
    reply_value(c, quicklist::get(it));
    q->erase(it, left);
  }
  c.notify(notify_list, pop_event(left), k);
  if (q->size() == 0) delete_emptied(c, k);
  c.changed(k);
}

bool list_move_reply(exec_context& c, const key_ref& src, kv_entry* se, const key_ref& dst,
                     bool from_left, bool to_left) {
  bool bad;
  kv_entry* de = lookup_write_typed(c, dst, value_type::list, bad);
  if (bad) return false;
  quicklist* sq = list_of(se);
  std::string v;
  if (from_left)
    sq->pop_front(v);
  else
    sq->pop_back(v);
  if (de == nullptr) {
    de = make_list_entry(dst.name, int(c.srv.config().list_max_listpack_size.get()), false);
    c.add(dst, de);
  }
  quicklist* dq = list_of(de);
  if (to_left)
    dq->push_front(v);
  else
    dq->push_back(v);
  c.notify(notify_list, push_event(to_left), dst);
  c.changed(dst);
  c.out.bulk(v);
  c.notify(notify_list, pop_event(from_left), src);
  if (sq->size() == 0) delete_emptied(c, src);
  c.changed(src);
  return true;
}

namespace {

void push_generic(exec_context& c, bool left, bool only_existing) {
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::list, bad);
  if (bad) return;
  if (e == nullptr) {
    if (only_existing) return c.out.integer(0);
    e = make_list_entry(k.name, int(c.srv.config().list_max_listpack_size.get()), false);
    c.add(k, e);
  }
  quicklist* q = list_of(e);
  for (size_t i = 2; i < c.argc(); ++i) {
    if (left)
      q->push_front(c.arg(i));
    else
      q->push_back(c.arg(i));
  }
  c.changed(k);
  c.notify(notify_list, push_event(left), k);
  c.out.integer(int64_t(q->size()));
}
void cmd_lpush(exec_context& c) {
  push_generic(c, true, false);
}
void cmd_rpush(exec_context& c) {
  push_generic(c, false, false);
}
void cmd_lpushx(exec_context& c) {
  push_generic(c, true, true);
}
void cmd_rpushx(exec_context& c) {
  push_generic(c, false, true);
}

void pop_generic(exec_context& c, bool left) {
  if (c.argc() > 3)
    return c.out.error("ERR wrong number of arguments for '" + c.cmd.name + "' command");
  bool has_count = c.argc() == 3;
  int64_t count = 0;
  if (has_count &&
      !long_arg_in(c, 2, 0, INT64_MAX, count, "ERR value is out of range, must be positive"))
    return;
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::list, bad);
  if (bad) return;
  if (e == nullptr) return has_count ? c.out.null_array() : c.out.null();
  if (!has_count) return list_pop_one_reply(c, k, e, left, false);
  if (count == 0) return c.out.empty_array();
  list_pop_many_reply(c, k, e, left, count, false);
}
void cmd_lpop(exec_context& c) {
  pop_generic(c, true);
}
void cmd_rpop(exec_context& c) {
  pop_generic(c, false);
}

void cmd_llen(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::list, bad);
  if (bad) return;
  c.out.integer(e ? int64_t(list_of(e)->size()) : 0);
}

void cmd_lrange(exec_context& c) {
  int64_t start, end;
  if (!c.int_arg(2, start) || !c.int_arg(3, end)) return;
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::list, bad);
  if (bad) return;
  if (e == nullptr) return c.out.empty_array();
  quicklist* q = list_of(e);
  int64_t len = int64_t(q->size());
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return c.out.empty_array();
  if (end >= len) end = len - 1;
  size_t n = size_t(end - start + 1);
  c.out.array(n);
  quicklist::iter it = q->at(start);
  char buf[24];
  // Walk node by node: the listpack of each node is read in one sweep.
  while (n > 0) {
    c.out.bulk(lp::get(it.p).view(buf));
    --n;
    if (n > 0) q->next(it);
  }
}

// LINDEX and LSET look the key up before they read the index (Redis's order
// of errors).
void cmd_lindex(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::list, bad);
  if (bad) return;
  if (e == nullptr) return c.out.null();
  int64_t index;
  if (!c.int_arg(2, index)) return;
  quicklist::iter it = list_of(e)->at(long(index));
  if (!it) return c.out.null();
  reply_value(c, quicklist::get(it));
}

void cmd_lset(exec_context& c) {
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::list, bad);
  if (bad) return;
  if (e == nullptr) return c.out.error(errors::no_such_key);
  int64_t index;
  if (!c.int_arg(2, index)) return;
  quicklist* q = list_of(e);
  quicklist::iter it = q->at(long(index));
  if (!it) return c.out.error(errors::out_of_range);
  q->replace(it, c.arg(3));
  c.changed(k);
  c.notify(notify_list, "lset", k);
  c.out.ok();
}

void cmd_linsert(exec_context& c) {
  bool after;
  if (c.arg_is(2, "after"))
    after = true;
  else if (c.arg_is(2, "before"))
    after = false;
  else
    return c.syntax_error();
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::list, bad);
  if (bad) return;
  if (e == nullptr) return c.out.integer(0);
  quicklist* q = list_of(e);
  std::string_view pivot = c.arg(3);
  for (quicklist::iter it = q->begin(); it; q->next(it)) {
    if (quicklist::get(it).equals(pivot)) {
      q->insert(it, c.arg(4), after);
      c.changed(k);
      c.notify(notify_list, "linsert", k);
      return c.out.integer(int64_t(q->size()));
    }
  }
  c.out.integer(-1);
}

void cmd_lrem(exec_context& c) {
  int64_t count;
  if (!c.int_arg(2, count)) return;
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::list, bad);
  if (bad) return;
  if (e == nullptr) return c.out.integer(0);
  quicklist* q = list_of(e);
  std::string_view v = c.arg(3);
  bool forward = count >= 0;
  uint64_t limit = count == 0 ? UINT64_MAX : (count > 0 ? uint64_t(count) : 0 - uint64_t(count));
  int64_t removed = 0;
  quicklist::iter it = forward ? q->begin() : q->rbegin();
  while (it && uint64_t(removed) < limit) {
    if (quicklist::get(it).equals(v)) {
      q->erase(it, forward);
      ++removed;
    } else if (forward) {
      q->next(it);
    } else {
      q->prev(it);
    }
  }
  if (removed > 0) {
    c.notify(notify_list, "lrem", k);
    if (q->size() == 0) delete_emptied(c, k);
    c.changed(k);
  }
  c.out.integer(removed);
}

void cmd_ltrim(exec_context& c) {
  int64_t start, end;
  if (!c.int_arg(2, start) || !c.int_arg(3, end)) return;
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::list, bad);
  if (bad) return;
  if (e == nullptr) return c.out.ok();
  quicklist* q = list_of(e);
  int64_t len = int64_t(q->size());
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  int64_t ltrim, rtrim;
  if (start > end || start >= len) {
    ltrim = len;
    rtrim = 0;
  } else {
    if (end >= len) end = len - 1;
    ltrim = start;
    rtrim = len - end - 1;
  }
  if (rtrim > 0) q->erase_range(size_t(len - rtrim), size_t(rtrim));
  if (ltrim > 0) q->erase_range(0, size_t(ltrim));
  c.notify(notify_list, "ltrim", k);
  if (q->size() == 0) delete_emptied(c, k);
  c.changed(k);
  c.out.ok();
}

void cmd_lpos(exec_context& c) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < c.argc(); i += 2) {
    bool more = i + 1 < c.argc();
    if (c.arg_is(i, "rank") && more) {
      // Any 64-bit value: Redis negates LONG_MIN into itself, which then matches
      // the first element found from the tail.
      if (!c.int_arg(i + 1, rank)) return;
      if (rank == 0)
        return c.out.error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
    } else if (c.arg_is(i, "count") && more) {
      if (!long_arg_in(c, i + 1, 0, INT64_MAX, count, "ERR COUNT can't be negative")) return;
    } else if (c.arg_is(i, "maxlen") && more) {
      if (!long_arg_in(c, i + 1, 0, INT64_MAX, maxlen, "ERR MAXLEN can't be negative")) return;
    } else {
      return c.syntax_error();
    }
  }
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::list, bad);
  if (bad) return;
  if (e == nullptr) return count == -1 ? c.out.null() : c.out.empty_array();
  quicklist* q = list_of(e);
  bool forward = rank > 0;
  uint64_t skip = rank == INT64_MIN ? 0 : (forward ? uint64_t(rank) : 0 - uint64_t(rank)) - 1;
  std::string_view v = c.arg(2);
  size_t mark = 0;
  if (count != -1) mark = c.out.begin_deferred();
  int64_t found = 0;
  int64_t len = int64_t(q->size());
  int64_t index = forward ? 0 : len - 1;
  int64_t seen = 0;
  for (quicklist::iter it = forward ? q->begin() : q->rbegin(); it;
       forward ? q->next(it) : q->prev(it)) {
    if (maxlen != 0 && seen >= maxlen) break;
    ++seen;
    if (quicklist::get(it).equals(v)) {
      if (skip > 0) {
        --skip;
      } else {
        if (count == -1) return c.out.integer(index);
        c.out.integer(index);
        ++found;
        if (count != 0 && found == count) break;
      }
    }
    index += forward ? 1 : -1;
  }
  if (count == -1) return c.out.null();
  c.out.end_deferred_array(mark, size_t(found));
}

bool parse_where(exec_context& c, size_t i, bool& left) {
  if (c.arg_is(i, "left"))
    left = true;
  else if (c.arg_is(i, "right"))
    left = false;
  else {
    c.syntax_error();
    return false;
  }
  return true;
}

void move_generic(exec_context& c, bool from_left, bool to_left) {
  key_ref src = c.key_at(1);
  bool bad;
  kv_entry* se = lookup_write_typed(c, src, value_type::list, bad);
  if (bad) return;
  if (se == nullptr) return c.out.null();
  list_move_reply(c, src, se, c.key_at(2), from_left, to_left);
}

void cmd_lmove(exec_context& c) {
  bool from, to;
  if (!parse_where(c, 3, from) || !parse_where(c, 4, to)) return;
  move_generic(c, from, to);
}
void cmd_rpoplpush(exec_context& c) {
  move_generic(c, false, true);
}

void cmd_lmpop(exec_context& c) {
  int64_t numkeys;
  if (!long_arg_in(c, 1, 1, INT64_MAX, numkeys, "ERR numkeys should be greater than 0")) return;
  if (uint64_t(numkeys) > c.argc() - 2) return c.syntax_error();
  size_t where_idx = 2 + size_t(numkeys);
  if (where_idx >= c.argc()) return c.syntax_error();
  bool left;
  if (!parse_where(c, where_idx, left)) return;
  int64_t count = -1;
  for (size_t i = where_idx + 1; i < c.argc(); i += 2) {
    if (c.arg_is(i, "count") && i + 1 < c.argc() && count == -1) {
      if (!long_arg_in(c, i + 1, 1, INT64_MAX, count, "ERR count should be greater than 0")) return;
    } else {
      return c.syntax_error();
    }
  }
  if (count == -1) count = 1;
  for (size_t i = 2; i < where_idx; ++i) {
    key_ref k = c.key_at(i);
    bool bad;
    kv_entry* e = lookup_write_typed(c, k, value_type::list, bad);
    if (bad) return;
    if (e != nullptr) return list_pop_many_reply(c, k, e, left, count, true);
  }
  c.out.null_array();
}

bool lmpop_keys(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  return numkeys_positions(args, 1, positions);
}

const command_def list_commands[] = {
    {"lpush", -3, "write denyoom fast", 1, 1, 1, "", cmd_lpush,
     "Prepend one or multiple elements to a list", "1.0.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key element [element ...]"},
    {"rpush", -3, "write denyoom fast", 1, 1, 1, "", cmd_rpush,
     "Append one or multiple elements to a list", "1.0.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key element [element ...]"},
    {"lpushx", -3, "write denyoom fast", 1, 1, 1, "", cmd_lpushx,
     "Prepend an element to a list, only if the list exists", "2.2.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key element [element ...]"},
    {"rpushx", -3, "write denyoom fast", 1, 1, 1, "", cmd_rpushx,
     "Append an element to a list, only if the list exists", "2.2.0",
     "O(1) for each element added, so O(N) to add N elements when the command is called with "
     "multiple arguments.",
     "key element [element ...]"},
    {"lpop", -2, "write fast", 1, 1, 1, "", cmd_lpop, "Remove and get the first elements in a list",
     "1.0.0", "O(N) where N is the number of elements returned", "key [count]"},
    {"rpop", -2, "write fast", 1, 1, 1, "", cmd_rpop, "Remove and get the last elements in a list",
     "1.0.0", "O(N) where N is the number of elements returned", "key [count]"},
    {"llen", 2, "readonly fast", 1, 1, 1, "", cmd_llen, "Get the length of a list", "1.0.0", "O(1)",
     "key"},
    {"lrange", 4, "readonly", 1, 1, 1, "", cmd_lrange, "Get a range of elements from a list",
     "1.0.0",
     "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end "
     "(HEAD or TAIL) for "
     "large lists; and N is the number of elements in the specified range.",
     "key start stop"},
    {"lindex", 3, "readonly", 1, 1, 1, "", cmd_lindex, "Get an element from a list by its index",
     "1.0.0",
     "O(N) where N is the number of elements to traverse to get to the element at index. This "
     "makes asking for the "
     "first or the last element of the list O(1).",
     "key index"},
    {"lset", 4, "write denyoom", 1, 1, 1, "", cmd_lset,
     "Set the value of an element in a list by its index", "1.0.0",
     "O(N) where N is the length of the list. Setting either the first or the last element of the "
     "list is O(1).",
     "key index element"},
    {"linsert", 5, "write denyoom", 1, 1, 1, "", cmd_linsert,
     "Insert an element before or after another element in a list", "2.2.0",
     "O(N) where N is the number of elements to traverse before seeing the value pivot. This means "
     "that inserting "
     "somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere "
     "on the right end "
     "(tail) is O(N).",
     "key BEFORE|AFTER pivot element"},
    {"lrem", 4, "write", 1, 1, 1, "", cmd_lrem, "Remove elements from a list", "1.0.0",
     "O(N+M) where N is the length of the list and M is the number of elements removed.",
     "key count element"},
    {"ltrim", 4, "write", 1, 1, 1, "", cmd_ltrim, "Trim a list to the specified range", "1.0.0",
     "O(N) where N is the number of elements to be removed by the operation.", "key start stop"},
    {"lpos", -3, "readonly", 1, 1, 1, "", cmd_lpos,
     "Return the index of matching elements on a list", "6.0.6",
     "O(N) where N is the number of elements in the list, for the average case. When searching for "
     "elements near the "
     "head or the tail of the list, or when the MAXLEN option is provided, the command may run in "
     "constant time.",
     "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"},
    {"lmove", 5, "write denyoom", 1, 2, 1, "", cmd_lmove,
     "Pop an element from a list, push it to another list and return it", "6.2.0", "O(1)",
     "source destination LEFT|RIGHT LEFT|RIGHT"},
    {"rpoplpush", 3, "write denyoom", 1, 2, 1, "", cmd_rpoplpush,
     "Remove the last element in a list, prepend it to another list and return it", "1.2.0", "O(1)",
     "source destination", nullptr, "deprecated", "`LMOVE` with the `RIGHT` and `LEFT` arguments"},
    {"lmpop", -4, "write", 0, 0, 0, "", cmd_lmpop, "Pop elements from a list", "7.0.0",
     "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
     "numkeys key [key ...] LEFT|RIGHT [COUNT count]", lmpop_keys},
};

}  // namespace

void register_list_family(command_table& t) {
  t.add_all("list", list_commands);
}

}  // namespace troupe
