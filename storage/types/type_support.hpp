// Helpers shared by the list, hash, set and sorted set command families: the
// live encoding limits, deleting a key a command emptied, numeric arguments with
// Redis's error texts, and the cursor/MATCH/COUNT part of HSCAN, SSCAN and ZSCAN.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/text/glob.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe {

inline hash_limits hash_limits_of(const exec_context& c) {
  const server_config& s = c.srv.config();
  return {size_t(s.hash_max_listpack_entries.get()), size_t(s.hash_max_listpack_value.get())};
}
inline zset_limits zset_limits_of(const exec_context& c) {
  const server_config& s = c.srv.config();
  return {size_t(s.zset_max_listpack_entries.get()), size_t(s.zset_max_listpack_value.get())};
}
inline size_t intset_limit_of(const exec_context& c) {
  int64_t v = c.srv.config().set_max_intset_entries.get();
  return v > (1 << 30) ? size_t(1) << 30 : size_t(v);
}

// Deletes a key whose value a command just emptied, with the "del" event.
inline void delete_emptied(exec_context& c, const key_ref& k) {
  dict::location loc = k.db->keys.locate(k.name, k.hash);
  if (loc) k.db->remove(loc);
  c.notify(notify_generic, "del", k);
}

// A value being built by a STORE command (SINTERSTORE, ZUNIONSTORE...): freed
// unless installed.
struct entry_holder {
  kv_entry* e = nullptr;
  entry_holder() = default;
  entry_holder(const entry_holder&) = delete;
  entry_holder& operator=(const entry_holder&) = delete;
  ~entry_holder() {
    if (e) destroy_entry(e);
  }
  kv_entry* release() { return std::exchange(e, nullptr); }
};

// Installs a built value at dst (replacing anything there, dropping its TTL) with
// `event` of class `cls`, or deletes dst ("del") when the result is empty;
// replies with the size, as Redis's *STORE commands do.
inline void store_built_value(exec_context& c, const key_ref& dst, entry_holder& result,
                              size_t size, uint32_t cls, const char* event) {
  dict::location loc = c.locate(dst);
  if (size > 0) {
    kv_entry* e = result.release();
    if (loc)
      dst.db->replace(loc, e);
    else
      c.add(dst, e);
    c.notify(cls, event, dst);
    c.changed(dst);
  } else if (loc) {
    dst.db->remove(loc);
    c.notify(notify_generic, "del", dst);
    c.changed(dst);
  }
  c.out.integer(int64_t(size));
}

// The live entry of k for a write, or nullptr; replies WRONGTYPE (and sets
// `bad`) when it holds another type.
inline kv_entry* lookup_write_typed(exec_context& c, const key_ref& k, value_type t, bool& bad) {
  kv_entry* e = c.lookup(k);
  bad = e != nullptr && e->type() != t;
  if (bad) c.wrongtype();
  return bad ? nullptr : e;
}
inline kv_entry* lookup_read_typed(exec_context& c, const key_ref& k, value_type t, bool& bad) {
  kv_entry* e = c.lookup_read(k);
  bad = e != nullptr && e->type() != t;
  if (bad) c.wrongtype();
  return bad ? nullptr : e;
}

// Redis's getPositiveLongFromObjectOrReply / getRangeLongFromObjectOrReply with a
// custom message: the message answers both a non-number and an out-of-range one.
inline bool long_arg_in(exec_context& c, size_t i, int64_t min, int64_t max, int64_t& v,
                        std::string_view msg) {
  auto r = parse_int64(c.arg(i));
  if (!r || *r < min || *r > max) {
    if (!msg.empty()) {
      c.out.error(msg);
    } else if (!r) {
      c.out.error(errors::not_integer);
    } else {
      c.out.error("ERR value is out of range, value must between " + std::to_string(min) + " and " +
                  std::to_string(max));
    }
    return false;
  }
  v = *r;
  return true;
}

// The keys after a numkeys argument at position i, found as Redis's key
// finders do for COMMAND GETKEYS and routing: numkeys read with atoi (the
// command itself then rejects a numkeys that is not a proper integer).
inline bool numkeys_positions(const std::vector<std::string_view>& args, size_t i,
                              std::vector<int>& positions, size_t extra_after = 0) {
  if (args.size() <= i) return false;
  int n = redis_atoi(args[i]);
  if (n < 1 || size_t(n) > args.size() - i - 1 - extra_after) return false;
  for (int k = 0; k < n; ++k) positions.push_back(int(i + 1 + size_t(k)));
  return true;
}

// The options of a *SCAN on a value: cursor, MATCH, COUNT.
struct scan_options {
  uint64_t cursor = 0;
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  bool matches(std::string_view s) const { return !use_pattern || glob_match(pattern, s); }
};
// How many table buckets a SCAN call may visit looking for `count` elements
// (Redis's count * 10), without overflowing for a huge COUNT.
inline int64_t scan_iterations(int64_t count) {
  return count > INT64_MAX / 10 ? INT64_MAX : count * 10;
}
// Parses the cursor (argument 2) as Redis does; replies and returns false on error.
inline bool parse_scan_cursor(exec_context& c, scan_options& o) {
  auto cur = parse_cursor(c.arg(2));
  if (!cur) {
    c.out.error("ERR invalid cursor");
    return false;
  }
  o.cursor = *cur;
  return true;
}
// Parses MATCH / COUNT from argument 3 on.
inline bool parse_scan_options(exec_context& c, scan_options& o) {
  for (size_t i = 3; i < c.argc(); i += 2) {
    if (i + 1 >= c.argc()) {
      c.syntax_error();
      return false;
    }
    if (c.arg_is(i, "count")) {
      if (!c.int_arg(i + 1, o.count)) return false;
      if (o.count < 1) {
        c.syntax_error();
        return false;
      }
    } else if (c.arg_is(i, "match")) {
      o.pattern = c.arg(i + 1);
      o.use_pattern = !(o.pattern.size() == 1 && o.pattern[0] == '*');
    } else {
      c.syntax_error();
      return false;
    }
  }
  return true;
}
// `count` distinct indexes out of [0, size) in random order (count <= size).
template <class Rng>
std::vector<size_t> pick_distinct(size_t size, size_t count, Rng& rng) {
  std::vector<size_t> idx(size);
  for (size_t i = 0; i < size; ++i) idx[i] = i;
  for (size_t i = 0; i < count; ++i) std::swap(idx[i], idx[i + size_t(rng() % (size - i))]);
  idx.resize(count);
  return idx;
}

// SRANDMEMBER, HRANDFIELD and ZRANDMEMBER with a negative count repeat
// elements, so their reply is not bounded by the value's size: asked for
// -9223372036854775807 members, Redis 7.0 builds the reply until the kernel
// kills it. Troupe answers "ERR value is out of range" instead when the reply
// would pass proto-max-bulk-len: at once when even the smallest possible
// elements could not fit, else as soon as the reply being built passes it
// (the partial reply is withdrawn).
class repeated_reply_bound {
 public:
  explicit repeated_reply_bound(exec_context& c)
      : c_(c),
        mark_(c.out.buffer().size()),
        limit_(uint64_t(std::max<int64_t>(0, c.srv.config().proto_max_bulk_len.get()))) {}
  // count elements of at least min_bytes each (a bulk reply is at least 6 bytes).
  bool admits(uint64_t count, uint64_t min_bytes) {
    if (count <= limit_ / min_bytes) return true;
    c_.out.error(too_big);
    return false;
  }
  // Call after each element.
  bool within() {
    if (c_.out.buffer().size() - mark_ <= limit_) return true;
    c_.out.buffer().resize(mark_);
    c_.out.error(too_big);
    return false;
  }

 private:
  static constexpr std::string_view too_big = "ERR value is out of range";
  exec_context& c_;
  size_t mark_;
  uint64_t limit_;
};

inline void empty_scan_reply(exec_context& c) {
  c.out.array(2);
  c.out.bulk("0");
  c.out.empty_array();
}

}  // namespace troupe
