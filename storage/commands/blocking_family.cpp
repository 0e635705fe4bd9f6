// Blocking list and sorted set commands: BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP
// BZPOPMIN BZPOPMAX BZMPOP. Each first tries to serve at once with the
// non-blocking operation; otherwise it asks to block (blocking.hpp).
#include "storage/commands/list_family.hpp"
#include "storage/commands/zset_family.hpp"
#include "storage/keyspace/blocking.hpp"
#include "storage/types/type_support.hpp"

namespace troupe {

namespace {

// The first of `keys` holding a value of type t. A key of another type is an
// error (unless replayed for a waiter, who skips it).
struct found_key {
  bool error = false;
  size_t index = 0;
  kv_entry* entry = nullptr;
};
found_key first_of_type(exec_context& c, size_t from, size_t to, value_type t) {
  for (size_t i = from; i < to; ++i) {
    kv_entry* e = c.lookup(c.key_at(i));
    if (e == nullptr) continue;
    if (e->type() != t) {
      if (c.blocking == block_mode::retry) continue;
      c.wrongtype();
      return {true, i, nullptr};
    }
    return {false, i, e};
  }
  return {};
}

std::vector<std::string_view> args_range(exec_context& c, size_t from, size_t to) {
  return std::vector<std::string_view>(c.argv.begin() + long(from), c.argv.begin() + long(to));
}

void bpop_generic(exec_context& c, bool left) {
  auto timeout = parse_block_timeout(c, c.arg(c.argc() - 1));
  if (!timeout) return;
  found_key f = first_of_type(c, 1, c.argc() - 1, value_type::list);
  if (f.error) return;
  if (f.entry != nullptr) {
    c.propagate({left ? "LPOP" : "RPOP", std::string(c.arg(f.index))});
    return list_pop_one_reply(c, c.key_at(f.index), f.entry, left, true);
  }
  block_for_keys(c, args_range(c, 1, c.argc() - 1), *timeout, false);
}
void cmd_blpop(exec_context& c) {
  bpop_generic(c, true);
}
void cmd_brpop(exec_context& c) {
  bpop_generic(c, false);
}

bool parse_side(exec_context& c, size_t i, const char* a, const char* b, bool& first) {
  if (c.arg_is(i, a))
    first = true;
  else if (c.arg_is(i, b))
    first = false;
  else {
    c.syntax_error();
    return false;
  }
  return true;
}

void bmove_generic(exec_context& c, bool from_left, bool to_left, size_t timeout_idx) {
  auto timeout = parse_block_timeout(c, c.arg(timeout_idx));
  if (!timeout) return;
  found_key f = first_of_type(c, 1, 2, value_type::list);
  if (f.error) return;
  if (f.entry != nullptr) {
    if (list_move_reply(c, c.key_at(1), f.entry, c.key_at(2), from_left, to_left)) {
      // As Redis 7.0 propagates them: BRPOPLPUSH as RPOPLPUSH; BLMOVE as LMOVE
      // with the client's own direction words, or LEFT/RIGHT once it had blocked.
      std::string src(c.arg(1)), dst(c.arg(2));
      if (c.argc() == 4)
        c.propagate({"RPOPLPUSH", src, dst});
      else if (c.origin == command_origin::blocked_replay)
        c.propagate({"LMOVE", src, dst, from_left ? "LEFT" : "RIGHT", to_left ? "LEFT" : "RIGHT"});
      else
        c.propagate({"LMOVE", src, dst, std::string(c.arg(3)), std::string(c.arg(4))});
    }
    return;
  }
  block_for_keys(c, args_range(c, 1, 2), *timeout, true);
}
void cmd_blmove(exec_context& c) {
  bool from, to;
  if (!parse_side(c, 3, "left", "right", from) || !parse_side(c, 4, "left", "right", to)) return;
  bmove_generic(c, from, to, 5);
}
void cmd_brpoplpush(exec_context& c) {
  bmove_generic(c, false, true, 3);
}

// BLMPOP / BZMPOP: timeout numkeys key [key ...] <where> [COUNT count]
struct mpop_args {
  int64_t timeout, count = -1;
  size_t keys_end;
  bool first_side;
};
// As in Redis, the timeout is checked last, after the arguments LMPOP/ZMPOP share.
bool parse_mpop(exec_context& c, const char* a, const char* b, mpop_args& m) {
  int64_t numkeys;
  if (!long_arg_in(c, 2, 1, INT64_MAX, numkeys, "ERR numkeys should be greater than 0"))
    return false;
  if (uint64_t(numkeys) > c.argc() - 3) {
    c.syntax_error();
    return false;
  }
  m.keys_end = 3 + size_t(numkeys);
  if (m.keys_end >= c.argc()) {
    c.syntax_error();
    return false;
  }
  if (!parse_side(c, m.keys_end, a, b, m.first_side)) return false;
  for (size_t i = m.keys_end + 1; i < c.argc(); i += 2) {
    if (c.arg_is(i, "count") && i + 1 < c.argc() && m.count == -1) {
      if (!long_arg_in(c, i + 1, 1, INT64_MAX, m.count, "ERR count should be greater than 0"))
        return false;
    } else {
      c.syntax_error();
      return false;
    }
  }
  if (m.count == -1) m.count = 1;
  auto timeout = parse_block_timeout(c, c.arg(1));
  if (!timeout) return false;
  m.timeout = *timeout;
  return true;
}

void cmd_blmpop(exec_context& c) {
  mpop_args m;
  if (!parse_mpop(c, "left", "right", m)) return;
  found_key f = first_of_type(c, 3, m.keys_end, value_type::list);
  if (f.error) return;
  if (f.entry != nullptr) {
    c.propagate({"LMPOP", "1", std::string(c.arg(f.index)), m.first_side ? "LEFT" : "RIGHT",
                 "COUNT", std::to_string(m.count)});
    return list_pop_many_reply(c, c.key_at(f.index), f.entry, m.first_side, m.count, true);
  }
  block_for_keys(c, args_range(c, 3, m.keys_end), m.timeout, false);
}

void bzpop_generic(exec_context& c, bool max) {
  auto timeout = parse_block_timeout(c, c.arg(c.argc() - 1));
  if (!timeout) return;
  found_key f = first_of_type(c, 1, c.argc() - 1, value_type::zset);
  if (f.error) return;
  if (f.entry != nullptr) {
    c.propagate({max ? "ZPOPMAX" : "ZPOPMIN", std::string(c.arg(f.index))});
    return zset_pop_reply(c, c.key_at(f.index), f.entry, max, -1, true, false);
  }
  block_for_keys(c, args_range(c, 1, c.argc() - 1), *timeout, false);
}
void cmd_bzpopmin(exec_context& c) {
  bzpop_generic(c, false);
}
void cmd_bzpopmax(exec_context& c) {
  bzpop_generic(c, true);
}

void cmd_bzmpop(exec_context& c) {
  mpop_args m;
  if (!parse_mpop(c, "min", "max", m)) return;
  found_key f = first_of_type(c, 3, m.keys_end, value_type::zset);
  if (f.error) return;
  if (f.entry != nullptr) {
    c.propagate({"ZMPOP", "1", std::string(c.arg(f.index)), m.first_side ? "MIN" : "MAX", "COUNT",
                 std::to_string(m.count)});
    return zset_pop_reply(c, c.key_at(f.index), f.entry, !m.first_side, m.count, true, true);
  }
  block_for_keys(c, args_range(c, 3, m.keys_end), m.timeout, false);
}

bool numkeys_at_2(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  return numkeys_positions(args, 2, positions);
}

const command_def blocking_list_commands[] = {
    {"blpop", -3, "write noscript blocking", 1, -2, 1, "", cmd_blpop,
     "Remove and get the first element in a list, or block until one is available", "2.0.0",
     "O(N) where N is the number of provided keys.", "key [key ...] timeout"},
    {"brpop", -3, "write noscript blocking", 1, -2, 1, "", cmd_brpop,
     "Remove and get the last element in a list, or block until one is available", "2.0.0",
     "O(N) where N is the number of provided keys.", "key [key ...] timeout"},
    {"blmove", 6, "write denyoom noscript blocking", 1, 2, 1, "", cmd_blmove,
     "Pop an element from a list, push it to another list and return it; or block until one "
     "is available",
     "6.2.0", "O(1)", "source destination LEFT|RIGHT LEFT|RIGHT timeout"},
    {"brpoplpush", 4, "write denyoom noscript blocking", 1, 2, 1, "", cmd_brpoplpush,
     "Pop an element from a list, push it to another list and return it; or block until one "
     "is available",
     "2.2.0", "O(1)", "source destination timeout", nullptr, "deprecated",
     "`BLMOVE` with the `RIGHT` and `LEFT` arguments"},
    {"blmpop", -5, "write blocking", 0, 0, 0, "", cmd_blmpop,
     "Pop elements from a list, or block until one is available", "7.0.0",
     "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
     "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]", numkeys_at_2},
};

const command_def blocking_zset_commands[] = {
    {"bzpopmin", -3, "write noscript blocking fast", 1, -2, 1, "", cmd_bzpopmin,
     "Remove and return the member with the lowest score from one or more sorted sets, or "
     "block until one is available",
     "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.",
     "key [key ...] timeout"},
    {"bzpopmax", -3, "write noscript blocking fast", 1, -2, 1, "", cmd_bzpopmax,
     "Remove and return the member with the highest score from one or more sorted sets, or "
     "block until one is available",
     "5.0.0", "O(log(N)) with N being the number of elements in the sorted set.",
     "key [key ...] timeout"},
    {"bzmpop", -5, "write blocking", 0, 0, 0, "", cmd_bzmpop,
     "Remove and return members with scores in a sorted set or block until one is available",
     "7.0.0",
     "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
     "elements in the sorted set, and M being the number of elements popped.",
     "timeout numkeys key [key ...] MIN|MAX [COUNT count]", numkeys_at_2},
};

}  // namespace

void register_blocking_family(command_table& t) {
  t.add_all("list", blocking_list_commands);
  t.add_all("sorted-set", blocking_zset_commands);
}

}  // namespace troupe
