// Sorted set commands with Redis 7.0's replies and errors. The value is a
// listpack while small, then a skiplist + hash table (storage/zset_type.hpp).
#include "storage/commands/zset_family.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>

#include "storage/types/set_type.hpp"
#include "storage/types/type_support.hpp"

namespace troupe {

namespace {

struct zset_type_registrar {
  zset_type_registrar() {
    register_object_destroyer(value_type::zset, destroy_zset);
    register_object_copier(value_type::zset, copy_zset);
  }
} zset_registrar;

}  // namespace

bool parse_score(std::string_view s, double& v) {
  if (s.empty() || isspace(static_cast<unsigned char>(s[0])) || s.size() > 5000) return false;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  v = strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO))
    return false;
  return true;
}

namespace {

bool score_arg(exec_context& c, size_t i, double& v,
               std::string_view msg = "ERR value is not a valid float") {
  if (parse_score(c.arg(i), v)) return true;
  c.out.error(msg);
  return false;
}

// zslParseRange: "(" makes an end open; plain strtod otherwise.
bool parse_range_item(std::string_view s, double& v, bool& ex) {
  ex = !s.empty() && s[0] == '(';
  std::string buf(ex ? s.substr(1) : s);
  char* end = nullptr;
  v = strtod(buf.c_str(), &end);
  return *end == '\0' && !std::isnan(v);
}
bool parse_score_range(std::string_view min, std::string_view max, score_range& r) {
  return parse_range_item(min, r.min, r.minex) && parse_range_item(max, r.max, r.maxex);
}

bool parse_lex_item(std::string_view s, std::string_view& v, bool& ex, bool& inf, bool& sup) {
  if (s.empty()) return false;
  inf = sup = ex = false;
  if (s.size() == 1 && s[0] == '+') {
    sup = true;
    return true;
  }
  if (s.size() == 1 && s[0] == '-') {
    inf = true;
    return true;
  }
  if (s[0] == '(')
    ex = true;
  else if (s[0] != '[')
    return false;
  v = s.substr(1);
  return true;
}
bool parse_lex_range(std::string_view min, std::string_view max, lex_range& r) {
  return parse_lex_item(min, r.min, r.minex, r.min_inf, r.min_sup) &&
         parse_lex_item(max, r.max, r.maxex, r.max_inf, r.max_sup);
}

constexpr std::string_view err_range_float = "ERR min or max is not a float";
constexpr std::string_view err_range_lex = "ERR min or max not valid string range item";

// -- ZADD / ZINCRBY ----------------------------------------------------------------

void zadd_generic(exec_context& c, int flags) {
  bool ch = false;
  size_t idx = 2;
  for (; idx < c.argc(); ++idx) {
    if (c.arg_is(idx, "nx"))
      flags |= zadd_nx;
    else if (c.arg_is(idx, "xx"))
      flags |= zadd_xx;
    else if (c.arg_is(idx, "ch"))
      ch = true;
    else if (c.arg_is(idx, "incr"))
      flags |= zadd_incr;
    else if (c.arg_is(idx, "gt"))
      flags |= zadd_gt;
    else if (c.arg_is(idx, "lt"))
      flags |= zadd_lt;
    else
      break;
  }
  bool incr = flags & zadd_incr, nx = flags & zadd_nx, xx = flags & zadd_xx;
  bool gt = flags & zadd_gt, lt = flags & zadd_lt;
  size_t elements = c.argc() - idx;
  if (elements % 2 != 0 || elements == 0) return c.syntax_error();
  elements /= 2;
  if (nx && xx) return c.out.error("ERR XX and NX options at the same time are not compatible");
  if ((gt && nx) || (lt && nx) || (gt && lt))
    return c.out.error("ERR GT, LT, and/or NX options at the same time are not compatible");
  if (incr && elements > 1)
    return c.out.error("ERR INCR option supports a single increment-element pair");
  std::vector<double> scores(elements);
  std::vector<std::string_view> members(elements);
  for (size_t j = 0; j < elements; ++j) {
    if (!score_arg(c, idx + j * 2, scores[j])) return;
    members[j] = c.arg(idx + 1 + j * 2);
  }
  zadd_apply(c, c.key_at(1), flags, ch, scores, members);
}

}  // namespace

void zadd_apply(exec_context& c, const key_ref& k, int flags, bool ch,
                const std::vector<double>& scores, const std::vector<std::string_view>& members) {
  bool incr = flags & zadd_incr, xx = flags & zadd_xx;
  size_t elements = scores.size();
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::zset, bad);
  if (bad) return;
  int64_t added = 0, updated = 0, processed = 0;
  double score = 0;
  zset_limits lim = zset_limits_of(c);
  if (e == nullptr) {
    if (xx) {
      if (incr) return c.out.null();
      return c.out.integer(0);
    }
    e = make_zset_entry(k.name, 1, members[0].size(), lim, false);
    c.add(k, e);
  }
  zset_ref z(e);
  bool nan_error = false;
  for (size_t j = 0; j < elements; ++j) {
    double newscore = 0;
    int out = 0;
    if (!z.add(scores[j], members[j], flags, out, &newscore, lim)) {
      nan_error = true;
      break;
    }
    if (out & zadd_added) ++added;
    if (out & zadd_updated) ++updated;
    if (!(out & zadd_nop)) ++processed;
    score = newscore;
  }
  if (nan_error) {
    c.out.error("ERR resulting score is not a number (NaN)");
  } else if (incr) {
    if (processed)
      c.out.dbl(score);
    else
      c.out.null();
  } else {
    c.out.integer(ch ? added + updated : added);
  }
  if (added || updated) {
    c.changed(k);
    c.notify(notify_zset, incr ? "zincr" : "zadd", k);
  }
  if (z.size() == 0) {
    // A new key whose only addition failed (NaN) must not stay empty.
    dict::location loc = k.db->keys.locate(k.name, k.hash);
    if (loc) k.db->remove(loc);
  }
}

namespace {

void cmd_zadd(exec_context& c) {
  zadd_generic(c, 0);
}

// ZINCRBY key increment member is ZADD key INCR increment member, options included.
void cmd_zincrby(exec_context& c) {
  zadd_generic(c, zadd_incr);
}

// -- simple reads and ZREM --------------------------------------------------------

void cmd_zrem(exec_context& c) {
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::zset, bad);
  if (bad) return;
  if (e == nullptr) return c.out.integer(0);
  zset_ref z(e);
  int64_t deleted = 0;
  bool key_removed = false;
  for (size_t i = 2; i < c.argc(); ++i) {
    if (z.remove(c.arg(i))) {
      ++deleted;
      if (z.size() == 0) {
        key_removed = true;
        break;
      }
    }
  }
  if (deleted) {
    c.notify(notify_zset, "zrem", k);
    if (key_removed) delete_emptied(c, k);
    c.changed(k);
  }
  c.out.integer(deleted);
}

void cmd_zcard(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::zset, bad);
  if (bad) return;
  c.out.integer(e ? int64_t(zset_ref(e).size()) : 0);
}

void cmd_zscore(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::zset, bad);
  if (bad) return;
  double s;
  if (e == nullptr || !zset_ref(e).score(c.arg(2), s)) return c.out.null();
  c.out.dbl(s);
}

void cmd_zmscore(exec_context& c) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::zset, bad);
  if (bad) return;
  c.out.array(c.argc() - 2);
  for (size_t i = 2; i < c.argc(); ++i) {
    double s;
    if (e != nullptr && zset_ref(e).score(c.arg(i), s))
      c.out.dbl(s);
    else
      c.out.null();
  }
}

void rank_generic(exec_context& c, bool rev) {
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::zset, bad);
  if (bad) return;
  size_t r;
  if (e == nullptr || !zset_ref(e).rank(c.arg(2), rev, r)) return c.out.null();
  c.out.integer(int64_t(r));
}
void cmd_zrank(exec_context& c) {
  rank_generic(c, false);
}
void cmd_zrevrank(exec_context& c) {
  rank_generic(c, true);
}

void cmd_zcount(exec_context& c) {
  score_range r;
  if (!parse_score_range(c.arg(2), c.arg(3), r)) return c.out.error(err_range_float);
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::zset, bad);
  if (bad) return;
  c.out.integer(e ? int64_t(zset_ref(e).count_in(r)) : 0);
}

void cmd_zlexcount(exec_context& c) {
  lex_range r;
  if (!parse_lex_range(c.arg(2), c.arg(3), r)) return c.out.error(err_range_lex);
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::zset, bad);
  if (bad) return;
  c.out.integer(e ? int64_t(zset_ref(e).count_in(r)) : 0);
}

// -- ZRANGE and friends -------------------------------------------------------------

enum class range_kind { automatic, rank, score, lex };
enum class range_dir { automatic, forward, reverse };

// Where a range's elements go: the client (with or without scores) or a new
// sorted set (ZRANGESTORE).
class range_sink {
 public:
  range_sink(exec_context& c, bool store, bool withscores)
      : c_(c), store_(store), withscores_(withscores) {}

  void begin(long known_length, std::string_view dst_name) {
    if (store_) {
      result_.e = make_zset_entry(dst_name, known_length < 0 ? 0 : size_t(known_length), 0,
                                  zset_limits_of(c_), false);
      return;
    }
    if (known_length >= 0) {
      header_done_ = true;
      c_.out.array(size_t(known_length) * (withscores_ && c_.out.resp() == 2 ? 2 : 1));
    } else {
      mark_ = c_.out.begin_deferred();
    }
  }
  void emit(std::string_view m, double s) {
    ++n_;
    if (store_) {
      int out;
      zset_ref(result_.e).add(s, m, 0, out, nullptr, zset_limits_of(c_));
      return;
    }
    if (withscores_ && c_.out.resp() > 2) c_.out.array(2);
    c_.out.bulk(m);
    if (withscores_) c_.out.dbl(s);
  }
  void finish(const key_ref* dst) {
    if (store_) return store_built_value(c_, *dst, result_, n_, notify_zset, "zrangestore");
    if (!header_done_)
      c_.out.end_deferred_array(mark_, n_ * (withscores_ && c_.out.resp() == 2 ? 2 : 1));
  }

 private:
  exec_context& c_;
  bool store_, withscores_;
  bool header_done_ = false;
  size_t mark_ = 0;
  size_t n_ = 0;
  entry_holder result_;
};

void range_by_rank(const zset_ref& z, range_sink& sink, int64_t start, int64_t end, bool rev,
                   std::string_view dst_name) {
  int64_t len = int64_t(z.size());
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) {
    sink.begin(0, dst_name);
    return;
  }
  if (end >= len) end = len - 1;
  int64_t n = end - start + 1;
  sink.begin(long(n), dst_name);
  zpos p = z.at_rank(size_t(rev ? len - 1 - start : start));
  char buf[24];
  for (int64_t i = 0; i < n && p; ++i) {
    sink.emit(z.member(p, buf), z.score_at(p));
    if (rev)
      z.prev(p);
    else
      z.next(p);
  }
}

template <class Range, class InRange>
void range_by(const zset_ref& z, range_sink& sink, const Range& r, int64_t offset, int64_t limit,
              bool rev, std::string_view dst_name, InRange in_range) {
  sink.begin(-1, dst_name);
  if (offset > 0 && uint64_t(offset) >= z.size()) return;
  zpos p = rev ? z.last_in(r) : z.first_in(r);
  // A negative offset skips everything, as in Redis.
  while (p && offset != 0) {
    --offset;
    rev ? z.prev(p) : z.next(p);
  }
  char buf[24];
  while (p && limit != 0) {
    if (limit > 0) --limit;
    std::string_view m = z.member(p, buf);
    double s = z.score_at(p);
    if (!in_range(m, s)) break;
    sink.emit(m, s);
    rev ? z.prev(p) : z.next(p);
  }
}

void zrange_generic(exec_context& c, size_t key_idx, bool store, range_kind kind, range_dir dir) {
  size_t minidx = key_idx + 1, maxidx = key_idx + 2;
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = key_idx + 3; j < c.argc(); ++j) {
    size_t left = c.argc() - j - 1;
    if (!store && c.arg_is(j, "withscores")) {
      withscores = true;
    } else if (c.arg_is(j, "limit") && left >= 2) {
      if (!c.int_arg(j + 1, offset) || !c.int_arg(j + 2, limit)) return;
      j += 2;
    } else if (dir == range_dir::automatic && c.arg_is(j, "rev")) {
      dir = range_dir::reverse;
    } else if (kind == range_kind::automatic && c.arg_is(j, "bylex")) {
      kind = range_kind::lex;
    } else if (kind == range_kind::automatic && c.arg_is(j, "byscore")) {
      kind = range_kind::score;
    } else {
      return c.syntax_error();
    }
  }
  if (dir == range_dir::automatic) dir = range_dir::forward;
  if (kind == range_kind::automatic) kind = range_kind::rank;
  if (limit != -1 && kind == range_kind::rank)
    return c.out.error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  if (withscores && kind == range_kind::lex)
    return c.out.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  bool rev = dir == range_dir::reverse;
  if (rev && kind != range_kind::rank) std::swap(minidx, maxidx);
  int64_t start = 0, end = 0;
  score_range sr;
  lex_range lr;
  switch (kind) {
    case range_kind::automatic:
    case range_kind::rank:
      if (!c.int_arg(minidx, start) || !c.int_arg(maxidx, end)) return;
      break;
    case range_kind::score:
      if (!parse_score_range(c.arg(minidx), c.arg(maxidx), sr)) return c.out.error(err_range_float);
      break;
    case range_kind::lex:
      if (!parse_lex_range(c.arg(minidx), c.arg(maxidx), lr)) return c.out.error(err_range_lex);
      break;
  }
  key_ref src = c.key_at(key_idx);
  std::optional<key_ref> dst;
  if (store) dst = c.key_at(1);
  std::string_view dst_name = store ? c.arg(1) : std::string_view();
  kv_entry* e = c.lookup_read(src);
  range_sink sink(c, store, withscores);
  if (e == nullptr) {
    if (!store) return c.out.empty_array();
    sink.begin(0, dst_name);
    return sink.finish(&*dst);
  }
  if (e->type() != value_type::zset) return c.wrongtype();
  zset_ref z(e);
  switch (kind) {
    case range_kind::automatic:
    case range_kind::rank:
      range_by_rank(z, sink, start, end, rev, dst_name);
      break;
    case range_kind::score:
      range_by(z, sink, sr, offset, limit, rev, dst_name,
               [&](std::string_view, double s) { return rev ? sr.above_min(s) : sr.below_max(s); });
      break;
    case range_kind::lex:
      range_by(z, sink, lr, offset, limit, rev, dst_name,
               [&](std::string_view m, double) { return rev ? lr.above_min(m) : lr.below_max(m); });
      break;
  }
  sink.finish(store ? &*dst : nullptr);
}

void cmd_zrange(exec_context& c) {
  zrange_generic(c, 1, false, range_kind::automatic, range_dir::automatic);
}
void cmd_zrangestore(exec_context& c) {
  zrange_generic(c, 2, true, range_kind::automatic, range_dir::automatic);
}
void cmd_zrevrange(exec_context& c) {
  zrange_generic(c, 1, false, range_kind::rank, range_dir::reverse);
}
void cmd_zrangebyscore(exec_context& c) {
  zrange_generic(c, 1, false, range_kind::score, range_dir::forward);
}
void cmd_zrevrangebyscore(exec_context& c) {
  zrange_generic(c, 1, false, range_kind::score, range_dir::reverse);
}
void cmd_zrangebylex(exec_context& c) {
  zrange_generic(c, 1, false, range_kind::lex, range_dir::forward);
}
void cmd_zrevrangebylex(exec_context& c) {
  zrange_generic(c, 1, false, range_kind::lex, range_dir::reverse);
}

// -- ZREMRANGEBY* --------------------------------------------------------------------

void zremrange_generic(exec_context& c, range_kind kind) {
  int64_t start = 0, end = 0;
  score_range sr;
  lex_range lr;
  if (kind == range_kind::rank) {
    if (!c.int_arg(2, start) || !c.int_arg(3, end)) return;
  } else if (kind == range_kind::score) {
    if (!parse_score_range(c.arg(2), c.arg(3), sr)) return c.out.error(err_range_float);
  } else {
    if (!parse_lex_range(c.arg(2), c.arg(3), lr)) return c.out.error(err_range_lex);
  }
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::zset, bad);
  if (bad) return;
  if (e == nullptr) return c.out.integer(0);
  zset_ref z(e);
  size_t deleted = 0;
  const char* event;
  if (kind == range_kind::rank) {
    int64_t len = int64_t(z.size());
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (start > end || start >= len) return c.out.integer(0);
    if (end >= len) end = len - 1;
    deleted = z.remove_ranks(size_t(start), size_t(end));
    event = "zremrangebyrank";
  } else if (kind == range_kind::score) {
    deleted = z.remove_in(sr);
    event = "zremrangebyscore";
  } else {
    deleted = z.remove_in(lr);
    event = "zremrangebylex";
  }
  if (deleted) {
    c.notify(notify_zset, event, k);
    if (z.size() == 0) delete_emptied(c, k);
    c.changed(k);
  }
  c.out.integer(int64_t(deleted));
}
void cmd_zremrangebyrank(exec_context& c) {
  zremrange_generic(c, range_kind::rank);
}
void cmd_zremrangebyscore(exec_context& c) {
  zremrange_generic(c, range_kind::score);
}
void cmd_zremrangebylex(exec_context& c) {
  zremrange_generic(c, range_kind::lex);
}

}  // namespace

// -- pops ---------------------------------------------------------------------------

void zset_pop_reply(exec_context& c, const key_ref& k, kv_entry* e, bool max, int64_t count,
                    bool emit_key, bool nested) {
  zset_ref z(e);
  if (count < 0) count = 1;
  size_t n = std::min<size_t>(size_t(count), z.size());
  if (!nested && !emit_key) {
    c.out.array(n * 2);
  } else if (nested && !emit_key) {
    c.out.array(n);
  } else if (!nested && emit_key) {
    c.out.array(n * 2 + 1);
    c.out.bulk(k.name);
  } else {
    c.out.array(2);
    c.out.bulk(k.name);
    c.out.array(n);
  }
  std::string m;
  double s;
  for (size_t i = 0; i < n; ++i) {
    z.pop(max, m, s);
    if (nested) c.out.array(2);
    c.out.bulk(m);
    c.out.dbl(s);
  }
  c.notify(notify_zset, max ? "zpopmax" : "zpopmin", k);
  if (z.size() == 0) delete_emptied(c, k);
  c.changed(k);
}

namespace {

void zpop_generic(exec_context& c, bool max) {
  if (c.argc() > 3) return c.syntax_error();
  int64_t count = -1;
  if (c.argc() == 3 &&
      !long_arg_in(c, 2, 0, INT64_MAX, count, "ERR value is out of range, must be positive"))
    return;
  key_ref k = c.key_at(1);
  bool bad;
  kv_entry* e = lookup_write_typed(c, k, value_type::zset, bad);
  if (bad) return;
  if (e == nullptr || count == 0) return c.out.empty_array();
  zset_pop_reply(c, k, e, max, count, false, c.out.resp() > 2 && count != -1);
}
void cmd_zpopmin(exec_context& c) {
  zpop_generic(c, false);
}
void cmd_zpopmax(exec_context& c) {
  zpop_generic(c, true);
}

void cmd_zmpop(exec_context& c) {
  int64_t numkeys;
  if (!long_arg_in(c, 1, 1, INT64_MAX, numkeys, "ERR numkeys should be greater than 0")) return;
  if (uint64_t(numkeys) > c.argc() - 2) return c.syntax_error();
  size_t where_idx = 2 + size_t(numkeys);
  if (where_idx >= c.argc()) return c.syntax_error();
  bool max;
  if (c.arg_is(where_idx, "min"))
    max = false;
  else if (c.arg_is(where_idx, "max"))
    max = true;
  else
    return c.syntax_error();
  int64_t count = -1;
  for (size_t j = where_idx + 1; j < c.argc(); ++j) {
    if (count == -1 && c.arg_is(j, "count") && j + 1 < c.argc()) {
      ++j;
      if (!long_arg_in(c, j, 1, INT64_MAX, count, "ERR count should be greater than 0")) return;
    } else {
      return c.syntax_error();
    }
  }
  if (count == -1) count = 1;
  for (size_t i = 2; i < where_idx; ++i) {
    key_ref k = c.key_at(i);
    bool bad;
    kv_entry* e = lookup_write_typed(c, k, value_type::zset, bad);
    if (bad) return;
    if (e != nullptr) return zset_pop_reply(c, k, e, max, count, true, true);
  }
  c.out.null_array();
}

// -- ZRANDMEMBER ----------------------------------------------------------------------

void cmd_zrandmember(exec_context& c) {
  key_ref k = c.key_at(1);
  auto& rng = k.shard->rng();
  char buf[24];
  if (c.argc() == 2) {
    bool bad;
    kv_entry* e = lookup_read_typed(c, k, value_type::zset, bad);
    if (bad) return;
    if (e == nullptr) return c.out.null();
    zset_ref z(e);
    zpos p = z.at_rank(rng() % z.size());
    return c.out.bulk(z.member(p, buf));
  }
  int64_t l;
  if (!long_arg_in(c, 2, -INT64_MAX, INT64_MAX, l, "")) return;
  if (c.argc() > 4 || (c.argc() == 4 && !c.arg_is(3, "withscores"))) return c.syntax_error();
  bool withscores = c.argc() == 4;
  if (withscores && (l < -INT64_MAX / 2 || l > INT64_MAX / 2))
    return c.out.error("ERR value is out of range");
  bool bad;
  kv_entry* e = lookup_read_typed(c, k, value_type::zset, bad);
  if (bad) return;
  if (e == nullptr) return c.out.empty_array();
  zset_ref z(e);
  size_t size = z.size();
  bool uniq = l >= 0;
  uint64_t count = l >= 0 ? uint64_t(l) : 0 - uint64_t(l);
  if (count == 0) return c.out.empty_array();
  auto header = [&](size_t n) { c.out.array(withscores && c.out.resp() == 2 ? n * 2 : n); };
  auto emit = [&](const zpos& p) {
    if (withscores && c.out.resp() > 2) c.out.array(2);
    c.out.bulk(z.member(p, buf));
    if (withscores) c.out.dbl(z.score_at(p));
  };
  if (!uniq || count == 1) {
    repeated_reply_bound bound(c);
    if (!bound.admits(count, withscores ? 12 : 6)) return;
    // Each listpack entry located once, so a pick costs O(1), not a walk.
    std::vector<zpos> all;
    if (z.is_listpack())
      for (zpos p = z.first(); p; z.next(p)) all.push_back(p);
    header(size_t(count));
    for (uint64_t i = 0; i < count; ++i) {
      if (z.is_listpack()) {
        emit(all[rng() % size]);
      } else {
        emit(zpos{nullptr, z.big()->dict.random(rng)});
      }
      if (!bound.within()) return;
    }
    return;
  }
  if (count >= size) {
    // Redis walks a sorted set from its highest member here.
    header(size);
    for (zpos p = z.last(); p; z.prev(p)) emit(p);
    return;
  }
  header(size_t(count));
  if (z.is_listpack() || count * 3 > size) {
    std::vector<zpos> all;
    all.reserve(size);
    for (zpos p = z.first(); p; z.next(p)) all.push_back(p);
    for (size_t i : pick_distinct(size, size_t(count), rng)) emit(all[i]);
    return;
  }
  std::unordered_set<zs_node*> seen;
  while (seen.size() < count) {
    zs_node* n = z.big()->dict.random(rng);
    if (seen.insert(n).second) emit(zpos{nullptr, n});
  }
}

// -- ZSCAN ------------------------------------------------------------------------------

void cmd_zscan(exec_context& c) {
  scan_options o;
  if (!parse_scan_cursor(c, o)) return;
  bool bad;
  kv_entry* e = lookup_read_typed(c, c.key_at(1), value_type::zset, bad);
  if (bad) return;
  if (e == nullptr) return empty_scan_reply(c);
  if (!parse_scan_options(c, o)) return;
  zset_ref z(e);
  std::vector<std::string> out;
  uint64_t next = 0;
  if (z.is_listpack()) {
    z.for_each([&](std::string_view m, double s) {
      if (!o.matches(m)) return;
      out.emplace_back(m);
      out.push_back(score_to_string(s));
    });
  } else {
    int64_t iterations = scan_iterations(o.count);
    next = o.cursor;
    do {
      next = z.big()->dict.scan(next, [&](const zs_node* n) {
        if (!o.matches(n->member())) return;
        out.emplace_back(n->member());
        out.push_back(score_to_string(n->score));
      });
    } while (next != 0 && --iterations > 0 && int64_t(out.size() / 2) < o.count);
  }
  c.out.array(2);
  c.out.bulk(std::to_string(next));
  c.out.array(out.size());
  for (auto& s : out) c.out.bulk(s);
}

// -- ZUNION, ZINTER, ZDIFF and their STORE forms, ZINTERCARD ------------------------------

enum class set_op { unite, inter, diff };
enum class aggregate { sum, min, max };

// One input: a sorted set, a plain set (scores 1) or a missing key.
struct zsource {
  kv_entry* e = nullptr;
  double weight = 1.0;
  size_t size() const {
    if (e == nullptr) return 0;
    return e->type() == value_type::zset ? zset_ref(e).size() : set_ref(e).size();
  }
  bool find(std::string_view m, double& s) const {
    if (e == nullptr) return false;
    if (e->type() == value_type::zset) return zset_ref(e).score(m, s);
    if (!set_ref(e).contains(m)) return false;
    s = 1.0;
    return true;
  }
  template <class F>
  void for_each(F&& f) const {
    if (e == nullptr) return;
    if (e->type() == value_type::zset)
      zset_ref(e).for_each(f);
    else
      set_ref(e).for_each([&](std::string_view m) { f(m, 1.0); });
  }
};

void aggregate_into(double& target, double v, aggregate a) {
  if (a == aggregate::sum) {
    target += v;
    if (std::isnan(target)) target = 0.0;
  } else if (a == aggregate::min) {
    target = v < target ? v : target;
  } else {
    target = v > target ? v : target;
  }
}

// An accumulator for unions: member -> score in a blob_table-like table.
struct acc_node {
  acc_node* next;
  double score;
  uint32_t len;
  char* data() { return reinterpret_cast<char*>(this + 1); }
  const char* data() const { return reinterpret_cast<const char*>(this + 1); }
  std::string_view member() const { return {data(), len}; }
};
struct acc_traits {
  using node = acc_node;
  static std::string_view key(const node* n) { return n->member(); }
  static node*& next(node* n) { return n->next; }
};

void zsetop_generic(exec_context& c, const key_ref* dst, size_t numkeys_idx, set_op op,
                    bool card_only) {
  int64_t setnum;
  if (!c.int_arg(numkeys_idx, setnum)) return;
  if (setnum < 1)
    return c.out.error("ERR at least 1 input key is needed for '" + c.cmd.name + "' command");
  if (uint64_t(setnum) > c.argc() - (numkeys_idx + 1)) return c.syntax_error();
  std::vector<zsource> src;
  src.resize(size_t(setnum));
  size_t j = numkeys_idx + 1;
  for (size_t i = 0; i < src.size(); ++i, ++j) {
    key_ref k = c.key_at(j);
    kv_entry* e = dst ? c.lookup(k) : c.lookup_read(k);
    if (e != nullptr && e->type() != value_type::zset && e->type() != value_type::set)
      return c.wrongtype();
    src[i].e = e;
  }
  aggregate agg = aggregate::sum;
  bool withscores = false;
  int64_t limit = 0;
  while (j < c.argc()) {
    size_t remaining = c.argc() - j;
    if (op != set_op::diff && !card_only && remaining >= src.size() + 1 && c.arg_is(j, "weights")) {
      ++j;
      for (size_t i = 0; i < src.size(); ++i, ++j)
        if (!score_arg(c, j, src[i].weight, "ERR weight value is not a float")) return;
    } else if (op != set_op::diff && !card_only && remaining >= 2 && c.arg_is(j, "aggregate")) {
      ++j;
      if (c.arg_is(j, "sum"))
        agg = aggregate::sum;
      else if (c.arg_is(j, "min"))
        agg = aggregate::min;
      else if (c.arg_is(j, "max"))
        agg = aggregate::max;
      else
        return c.syntax_error();
      ++j;
    } else if (remaining >= 1 && !dst && !card_only && c.arg_is(j, "withscores")) {
      ++j;
      withscores = true;
    } else if (card_only && remaining >= 2 && c.arg_is(j, "limit")) {
      ++j;
      if (!long_arg_in(c, j, 0, INT64_MAX, limit, "ERR LIMIT can't be negative")) return;
      ++j;
    } else {
      return c.syntax_error();
    }
  }
  if (op != set_op::diff)
    std::stable_sort(src.begin(), src.end(),
                     [](const zsource& a, const zsource& b) { return a.size() < b.size(); });

  zset_big result;
  size_t maxelelen = 0;
  int64_t cardinality = 0;
  auto add_result = [&](std::string_view m, double s) {
    result.insert(s, m);
    maxelelen = std::max(maxelelen, m.size());
  };
  if (op == set_op::inter) {
    if (src[0].size() > 0) {
      bool stop = false;
      src[0].for_each([&](std::string_view m, double s0) {
        if (stop) return;
        double score = src[0].weight * s0;
        if (std::isnan(score)) score = 0;
        size_t i = 1;
        for (; i < src.size(); ++i) {
          double v;
          if (src[i].e == src[0].e) {
            v = s0 * src[i].weight;
          } else if (src[i].find(m, v)) {
            v *= src[i].weight;
          } else {
            break;
          }
          aggregate_into(score, v, agg);
        }
        if (i != src.size()) return;
        if (card_only) {
          ++cardinality;
          if (limit && cardinality >= limit) stop = true;
        } else {
          add_result(m, score);
        }
      });
    }
  } else if (op == set_op::unite) {
    str_table<acc_traits> acc;
    if (!src.empty()) acc.reserve(src.back().size());
    for (auto& s : src) {
      s.for_each([&](std::string_view m, double sc) {
        double score = s.weight * sc;
        if (std::isnan(score)) score = 0;
        uint64_t h = acc.hash(m);
        acc_node** link = acc.locate(m, h);
        if (link != nullptr) {
          aggregate_into((*link)->score, score, agg);
          return;
        }
        auto* n = static_cast<acc_node*>(malloc(sizeof(acc_node) + m.size()));
        if (n == nullptr) throw std::bad_alloc();
        n->score = score;
        n->len = uint32_t(m.size());
        memcpy(n->data(), m.data(), m.size());
        acc.insert(n, h);
      });
    }
    acc.clear([&](acc_node* n) {
      add_result(n->member(), n->score);
      free(n);
    });
  } else {
    src[0].for_each([&](std::string_view m, double s) {
      for (size_t i = 1; i < src.size(); ++i) {
        if (src[i].e == nullptr) continue;
        double v;
        if (src[i].e == src[0].e || src[i].find(m, v)) return;
      }
      add_result(m, s);
    });
  }

  if (card_only) return c.out.integer(cardinality);
  if (dst) {
    entry_holder holder;
    zset_limits lim = zset_limits_of(c);
    size_t n = result.size();
    if (n > 0) {
      if (n <= lim.max_entries && maxelelen <= lim.max_value) {
        holder.e = make_zset_entry(dst->name, 0, 0, lim, false);
        unsigned char* l = zset_ref(holder.e).lp();
        for (zs_node* x = result.list.first(); x; x = zskiplist::next(x)) {
          lp::append(l, x->member());
          lp::append(l, score_to_string(x->score));
        }
        holder.e->set_object(l);
      } else {
        auto* big = new zset_big;
        big->dict.reserve(n);
        for (zs_node* x = result.list.first(); x; x = zskiplist::next(x))
          big->insert(x->score, x->member());
        holder.e =
            make_object_entry(dst->name, value_type::zset, value_encoding::skiplist, big, false);
      }
    }
    const char* event = op == set_op::unite   ? "zunionstore"
                        : op == set_op::inter ? "zinterstore"
                                              : "zdiffstore";
    return store_built_value(c, *dst, holder, n, notify_zset, event);
  }
  size_t n = result.size();
  c.out.array(withscores && c.out.resp() == 2 ? n * 2 : n);
  for (zs_node* x = result.list.first(); x; x = zskiplist::next(x)) {
    if (withscores && c.out.resp() > 2) c.out.array(2);
    c.out.bulk(x->member());
    if (withscores) c.out.dbl(x->score);
  }
}

void cmd_zunion(exec_context& c) {
  zsetop_generic(c, nullptr, 1, set_op::unite, false);
}
void cmd_zinter(exec_context& c) {
  zsetop_generic(c, nullptr, 1, set_op::inter, false);
}
void cmd_zdiff(exec_context& c) {
  zsetop_generic(c, nullptr, 1, set_op::diff, false);
}
void cmd_zintercard(exec_context& c) {
  zsetop_generic(c, nullptr, 1, set_op::inter, true);
}
void cmd_zunionstore(exec_context& c) {
  key_ref dst = c.key_at(1);
  zsetop_generic(c, &dst, 2, set_op::unite, false);
}
void cmd_zinterstore(exec_context& c) {
  key_ref dst = c.key_at(1);
  zsetop_generic(c, &dst, 2, set_op::inter, false);
}
void cmd_zdiffstore(exec_context& c) {
  key_ref dst = c.key_at(1);
  zsetop_generic(c, &dst, 2, set_op::diff, false);
}

bool numkeys_at_1(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  return numkeys_positions(args, 1, positions);
}
// Redis finds these keys with its key specs when numkeys is a proper integer
// (the destination first), otherwise with its older finder, which reads
// numkeys with atoi and lists the destination last (COMMAND GETKEYS shows it).
bool store_numkeys_at_2(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  bool strict = args.size() > 2 && parse_int64(args[2]).has_value();
  if (strict) positions.push_back(1);
  if (!numkeys_positions(args, 2, positions)) return false;
  if (!strict) positions.push_back(1);
  return true;
}

const char* union_syntax =
    "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]";

const command_def zset_commands[] = {
    {"zadd", -4, "write denyoom fast", 1, 1, 1, "", cmd_zadd,
     "Add one or more members to a sorted set, or update its score if it already exists", "1.2.0",
     "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
     "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"},
    {"zincrby", 4, "write denyoom fast", 1, 1, 1, "", cmd_zincrby,
     "Increment the score of a member in a sorted set", "1.2.0",
     "O(log(N)) where N is the number of elements in the sorted set.", "key increment member"},
    {"zrem", -3, "write fast", 1, 1, 1, "", cmd_zrem,
     "Remove one or more members from a sorted set", "1.2.0",
     "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
     "elements to be "
     "removed.",
     "key member [member ...]"},
    {"zcard", 2, "readonly fast", 1, 1, 1, "", cmd_zcard,
     "Get the number of members in a sorted set", "1.2.0", "O(1)", "key"},
    {"zcount", 4, "readonly fast", 1, 1, 1, "", cmd_zcount,
     "Count the members in a sorted set with scores within the given values", "2.0.0",
     "O(log(N)) with N being the number of elements in the sorted set.", "key min max"},
    {"zlexcount", 4, "readonly fast", 1, 1, 1, "", cmd_zlexcount,
     "Count the number of members in a sorted set between a given lexicographical range", "2.8.9",
     "O(log(N)) with N being the number of elements in the sorted set.", "key min max"},
    {"zscore", 3, "readonly fast", 1, 1, 1, "", cmd_zscore,
     "Get the score associated with the given member in a sorted set", "1.2.0", "O(1)",
     "key member"},
    {"zmscore", -3, "readonly fast", 1, 1, 1, "", cmd_zmscore,
     "Get the score associated with the given members in a sorted set", "6.2.0",
     "O(N) where N is the number of members being requested.", "key member [member ...]"},
    {"zrank", 3, "readonly fast", 1, 1, 1, "", cmd_zrank,
     "Determine the index of a member in a sorted set", "2.0.0", "O(log(N))", "key member"},
    {"zrevrank", 3, "readonly fast", 1, 1, 1, "", cmd_zrevrank,
     "Determine the index of a member in a sorted set, with scores ordered from high to low",
     "2.0.0", "O(log(N))", "key member"},
    {"zrange", -4, "readonly", 1, 1, 1, "", cmd_zrange, "Return a range of members in a sorted set",
     "1.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements returned.",
     "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"},
    {"zrangestore", -5, "write denyoom", 1, 2, 1, "", cmd_zrangestore,
     "Store a range of members from sorted set into another key", "6.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements stored "
     "into the destination key.",
     "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]"},
    {"zrevrange", -4, "readonly", 1, 1, 1, "", cmd_zrevrange,
     "Return a range of members in a sorted set, by index, with scores ordered from high to low",
     "1.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements returned.",
     "key start stop [WITHSCORES]", nullptr, "deprecated", "`ZRANGE` with the `REV` argument"},
    {"zrangebyscore", -4, "readonly", 1, 1, 1, "", cmd_zrangebyscore,
     "Return a range of members in a sorted set, by score", "1.0.5",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being "
     "returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you "
     "can consider it "
     "O(log(N)).",
     "key min max [WITHSCORES] [LIMIT offset count]", nullptr, "deprecated",
     "`ZRANGE` with the `BYSCORE` argument"},
    {"zrevrangebyscore", -4, "readonly", 1, 1, 1, "", cmd_zrevrangebyscore,
     "Return a range of members in a sorted set, by score, with scores ordered from high to low",
     "2.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being "
     "returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you "
     "can consider it "
     "O(log(N)).",
     "key max min [WITHSCORES] [LIMIT offset count]", nullptr, "deprecated",
     "`ZRANGE` with the `REV` and `BYSCORE` arguments"},
    {"zrangebylex", -4, "readonly", 1, 1, 1, "", cmd_zrangebylex,
     "Return a range of members in a sorted set, by lexicographical range", "2.8.9",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being "
     "returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you "
     "can consider it "
     "O(log(N)).",
     "key min max [LIMIT offset count]", nullptr, "deprecated",
     "`ZRANGE` with the `BYLEX` argument"},
    {"zrevrangebylex", -4, "readonly", 1, 1, 1, "", cmd_zrevrangebylex,
     "Return a range of members in a sorted set, by lexicographical range, ordered from higher to "
     "lower strings.",
     "2.8.9",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements being "
     "returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you "
     "can consider it "
     "O(log(N)).",
     "key max min [LIMIT offset count]", nullptr, "deprecated",
     "`ZRANGE` with the `REV` and `BYLEX` arguments"},
    {"zremrangebyrank", 4, "write", 1, 1, 1, "", cmd_zremrangebyrank,
     "Remove all members in a sorted set within the given indexes", "2.0.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements removed by "
     "the operation.",
     "key start stop"},
    {"zremrangebyscore", 4, "write", 1, 1, 1, "", cmd_zremrangebyscore,
     "Remove all members in a sorted set within the given scores", "1.2.0",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements removed by "
     "the operation.",
     "key min max"},
    {"zremrangebylex", 4, "write", 1, 1, 1, "", cmd_zremrangebylex,
     "Remove all members in a sorted set between the given lexicographical range", "2.8.9",
     "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
     "elements removed by "
     "the operation.",
     "key min max"},
    {"zpopmin", -2, "write fast", 1, 1, 1, "", cmd_zpopmin,
     "Remove and return members with the lowest scores in a sorted set", "5.0.0",
     "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of "
     "elements "
     "popped.",
     "key [count]"},
    {"zpopmax", -2, "write fast", 1, 1, 1, "", cmd_zpopmax,
     "Remove and return members with the highest scores in a sorted set", "5.0.0",
     "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of "
     "elements "
     "popped.",
     "key [count]"},
    {"zmpop", -4, "write", 0, 0, 0, "", cmd_zmpop,
     "Remove and return members with scores in a sorted set", "7.0.0",
     "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in "
     "the sorted "
     "set, and M being the number of elements popped.",
     "numkeys key [key ...] MIN|MAX [COUNT count]", numkeys_at_1},
    {"zrandmember", -2, "readonly", 1, 1, 1, "", cmd_zrandmember,
     "Get one or multiple random elements from a sorted set", "6.2.0",
     "O(N) where N is the number of elements returned", "key [count [WITHSCORES]]"},
    {"zscan", -3, "readonly", 1, 1, 1, "", cmd_zscan,
     "Incrementally iterate sorted sets elements and associated scores", "2.8.0",
     "O(1) for every call. O(N) for a complete iteration, including enough command calls for the "
     "cursor to "
     "return back to 0. N is the number of elements inside the collection..",
     "key cursor [MATCH pattern] [COUNT count]"},
    {"zunion", -3, "readonly", 0, 0, 0, "", cmd_zunion, "Add multiple sorted sets", "6.2.0",
     "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the "
     "number of "
     "elements in the resulting sorted set.",
     union_syntax, numkeys_at_1},
    {"zinter", -3, "readonly", 0, 0, 0, "", cmd_zinter, "Intersect multiple sorted sets", "6.2.0",
     "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number "
     "of input "
     "sorted sets and M being the number of elements in the resulting sorted set.",
     union_syntax, numkeys_at_1},
    {"zdiff", -3, "readonly", 0, 0, 0, "", cmd_zdiff, "Subtract multiple sorted sets", "6.2.0",
     "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is "
     "the size of "
     "the first set, and K is the size of the result set.",
     "numkeys key [key ...] [WITHSCORES]", numkeys_at_1},
    {"zintercard", -3, "readonly", 0, 0, 0, "", cmd_zintercard,
     "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0",
     "O(N*K) worst case with N being the smallest input sorted set, K being the number of input "
     "sorted sets.",
     "numkeys key [key ...] [LIMIT limit]", numkeys_at_1},
    {"zunionstore", -4, "write denyoom", 0, 0, 0, "", cmd_zunionstore,
     "Add multiple sorted sets and store the resulting sorted set in a new key", "2.0.0",
     "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the "
     "number of "
     "elements in the resulting sorted set.",
     "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]",
     store_numkeys_at_2},
    {"zinterstore", -4, "write denyoom", 0, 0, 0, "", cmd_zinterstore,
     "Intersect multiple sorted sets and store the resulting sorted set in a new key", "2.0.0",
     "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number "
     "of input "
     "sorted sets and M being the number of elements in the resulting sorted set.",
     "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]",
     store_numkeys_at_2},
    {"zdiffstore", -4, "write denyoom", 0, 0, 0, "", cmd_zdiffstore,
     "Subtract multiple sorted sets and store the resulting sorted set in a new key", "6.2.0",
     "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is "
     "the size of "
     "the first set, and K is the size of the result set.",
     "destination numkeys key [key ...]", store_numkeys_at_2},
};

}  // namespace

void register_zset_family(command_table& t) {
  t.add_all("sorted-set", zset_commands);
}

}  // namespace troupe
