#include "storage/types/zset_type.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <type_traits>

namespace troupe {

std::string score_to_string(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  // Integers within the exact range of a double are written without a fraction
  // (so -0 becomes "0", as in Redis 7.0).
  if (v > -4503599627370495.0 && v < 4503599627370496.0 && v == double(int64_t(v))) {
    auto r = std::to_chars(buf, buf + sizeof(buf), int64_t(v));
    return std::string(buf, size_t(r.ptr - buf));
  }
  int n = snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, size_t(n));
}

namespace {

double lp_score(const unsigned char* p) {
  lp::value v = lp::get(p);
  if (v.is_int()) return double(v.num);
  char buf[128];
  size_t n = v.len < sizeof(buf) - 1 ? v.len : sizeof(buf) - 1;
  memcpy(buf, v.str, n);
  buf[n] = 0;
  return strtod(buf, nullptr);
}

unsigned char* lp_find_member(unsigned char* l, std::string_view m) {
  unsigned char* p = lp::first(l);
  return p ? lp::find(l, p, m, 1) : nullptr;
}

// Inserts (member, score) at its place in (score, member) order.
void lp_insert_sorted(unsigned char*& l, std::string_view m, double score) {
  char buf[24];
  unsigned char* p = lp::first(l);
  while (p != nullptr) {
    unsigned char* sp = lp::next(l, p);
    double s = lp_score(sp);
    if (s > score || (s == score && compare_members(lp::get(p).view(buf), m) > 0)) break;
    p = lp::next(l, sp);
  }
  std::string sc = score_to_string(score);
  unsigned char* at = lp::insert(l, p, m);
  lp::insert(l, lp::next(l, at), sc);
}

}  // namespace

kv_entry* make_zset_entry(std::string_view key, size_t size_hint, size_t len_hint,
                          const zset_limits& lim, bool with_expire) {
  if (lim.max_entries >= size_hint && lim.max_value >= len_hint)
    return make_object_entry(key, value_type::zset, value_encoding::listpack, lp::create(),
                             with_expire);
  return make_object_entry(key, value_type::zset, value_encoding::skiplist, new zset_big,
                           with_expire);
}

void destroy_zset(void* obj, value_encoding enc) {
  if (enc == value_encoding::listpack)
    lp::destroy(static_cast<unsigned char*>(obj));
  else
    delete static_cast<zset_big*>(obj);
}

void* copy_zset(const void* obj, value_encoding enc) {
  if (enc == value_encoding::listpack) return lp::copy(static_cast<const unsigned char*>(obj));
  return static_cast<const zset_big*>(obj)->clone();
}

bool zset_ref::score(std::string_view m, double& s) const {
  if (is_listpack()) {
    unsigned char* l = lp();
    unsigned char* p = lp_find_member(l, m);
    if (p == nullptr) return false;
    s = lp_score(lp::next(l, p));
    return true;
  }
  zs_node* n = big()->find(m);
  if (n == nullptr) return false;
  s = n->score;
  return true;
}

void zset_ref::convert_to_skiplist() {
  if (!is_listpack()) return;
  unsigned char* l = lp();
  auto* z = new zset_big;
  z->dict.reserve(lp::length(l) / 2);
  char buf[24];
  for (unsigned char* p = lp::first(l); p != nullptr;) {
    unsigned char* sp = lp::next(l, p);
    z->insert(lp_score(sp), lp::get(p).view(buf));
    p = lp::next(l, sp);
  }
  lp::destroy(l);
  e_->set_object(z);
  e_->set_encoding(value_encoding::skiplist);
}

void zset_ref::convert_to_listpack_if_fits(const zset_limits& lim) {
  if (is_listpack()) return;
  zset_big* z = big();
  if (z->size() > lim.max_entries) return;
  for (zs_node* n = z->list.first(); n; n = zskiplist::next(n))
    if (n->member().size() > lim.max_value) return;
  unsigned char* l = lp::create();
  for (zs_node* n = z->list.first(); n; n = zskiplist::next(n)) {
    lp::append(l, n->member());
    lp::append(l, score_to_string(n->score));
  }
  delete z;
  e_->set_object(l);
  e_->set_encoding(value_encoding::listpack);
}

bool zset_ref::add(double score, std::string_view m, int flags, int& out, double* newscore,
                   const zset_limits& lim) {
  bool incr = flags & zadd_incr, nx = flags & zadd_nx, xx = flags & zadd_xx;
  bool gt = flags & zadd_gt, lt = flags & zadd_lt;
  out = 0;
  if (std::isnan(score)) {
    out = zadd_nan;
    return false;
  }
  double cur;
  if (this->score(m, cur)) {
    if (nx) {
      out = zadd_nop;
      return true;
    }
    if (incr) {
      score += cur;
      if (std::isnan(score)) {
        out = zadd_nan;
        return false;
      }
    }
    if ((lt && score >= cur) || (gt && score <= cur)) {
      out = zadd_nop;
      return true;
    }
    if (newscore) *newscore = score;
    if (score != cur) {
      if (is_listpack()) {
        unsigned char* l = lp();
        lp::remove(l, lp_find_member(l, m), 2);
        lp_insert_sorted(l, m, score);
        e_->set_object(l);
      } else {
        zset_big* z = big();
        z->list.rescore(z->find(m), score);
      }
      out = zadd_updated;
    }
    return true;
  }
  if (xx) {
    out = zadd_nop;
    return true;
  }
  if (is_listpack()) {
    if (size() + 1 > lim.max_entries || m.size() > lim.max_value) {
      convert_to_skiplist();
    } else {
      unsigned char* l = lp();
      lp_insert_sorted(l, m, score);
      e_->set_object(l);
    }
  }
  if (!is_listpack()) big()->insert(score, m);
  if (newscore) *newscore = score;
  out = zadd_added;
  return true;
}

bool zset_ref::remove(std::string_view m) {
  if (is_listpack()) {
    unsigned char* l = lp();
    unsigned char* p = lp_find_member(l, m);
    if (p == nullptr) return false;
    lp::remove(l, p, 2);
    e_->set_object(l);
    return true;
  }
  return big()->erase(m);
}

bool zset_ref::rank(std::string_view m, bool rev, size_t& r) const {
  size_t n = size();
  if (is_listpack()) {
    unsigned char* l = lp();
    size_t i = 0;
    for (unsigned char* p = lp::first(l); p != nullptr; p = lp::next(l, lp::next(l, p)), ++i) {
      if (lp::get(p).equals(m)) {
        r = rev ? n - 1 - i : i;
        return true;
      }
    }
    return false;
  }
  zs_node* x = big()->find(m);
  if (x == nullptr) return false;
  size_t rk = big()->list.rank_of(x) - 1;
  r = rev ? n - 1 - rk : rk;
  return true;
}

zpos zset_ref::first() const {
  if (is_listpack()) return {lp::first(lp()), nullptr};
  return {nullptr, big()->list.first()};
}

zpos zset_ref::last() const {
  if (is_listpack()) {
    unsigned char* l = lp();
    unsigned char* s = lp::last(l);
    return {s ? lp::prev(l, s) : nullptr, nullptr};
  }
  return {nullptr, big()->list.last()};
}

zpos zset_ref::at_rank(size_t r) const {
  if (is_listpack()) return {lp::seek(lp(), long(r * 2)), nullptr};
  return {nullptr, big()->list.at_rank(r + 1)};
}

void zset_ref::next(zpos& z) const {
  if (z.p) {
    unsigned char* l = lp();
    z.p = lp::next(l, lp::next(l, z.p));
  } else {
    z.n = zskiplist::next(z.n);
  }
}

void zset_ref::prev(zpos& z) const {
  if (z.p) {
    unsigned char* l = lp();
    unsigned char* s = lp::prev(l, z.p);
    z.p = s ? lp::prev(l, s) : nullptr;
  } else {
    z.n = zskiplist::prev(z.n);
  }
}

std::string_view zset_ref::member(const zpos& z, char* buf) const {
  if (z.p) return lp::get(z.p).view(buf);
  return z.n->member();
}

double zset_ref::score_at(const zpos& z) const {
  if (z.p) return lp_score(lp::next(lp(), z.p));
  return z.n->score;
}

zpos zset_ref::first_in(const score_range& r) const {
  if (!is_listpack()) return {nullptr, big()->list.first_in(r)};
  if (r.empty()) return {};
  for (zpos z = first(); z; next(z)) {
    double s = score_at(z);
    if (r.above_min(s)) return r.below_max(s) ? z : zpos{};
  }
  return {};
}

zpos zset_ref::last_in(const score_range& r) const {
  if (!is_listpack()) return {nullptr, big()->list.last_in(r)};
  if (r.empty()) return {};
  for (zpos z = last(); z; prev(z)) {
    double s = score_at(z);
    if (r.below_max(s)) return r.above_min(s) ? z : zpos{};
  }
  return {};
}

// Whether a lex range can hold anything, judged as Redis does from the two
// ends of the set only (see zskiplist::first_in).
bool zset_ref::lex_ends_overlap(const lex_range& r) const {
  if (r.empty() || size() == 0) return false;
  char a[24], b[24];
  return r.above_min(member(last(), a)) && r.below_max(member(first(), b));
}

zpos zset_ref::first_in(const lex_range& r) const {
  if (!is_listpack()) return {nullptr, big()->list.first_in(r)};
  if (!lex_ends_overlap(r)) return {};
  char buf[24];
  for (zpos z = first(); z; next(z)) {
    std::string_view m = member(z, buf);
    if (r.above_min(m)) return r.below_max(m) ? z : zpos{};
  }
  return {};
}

zpos zset_ref::last_in(const lex_range& r) const {
  if (!is_listpack()) return {nullptr, big()->list.last_in(r)};
  if (!lex_ends_overlap(r)) return {};
  char buf[24];
  for (zpos z = last(); z; prev(z)) {
    std::string_view m = member(z, buf);
    if (r.below_max(m)) return r.above_min(m) ? z : zpos{};
  }
  return {};
}

size_t zset_ref::count_in(const score_range& r) const {
  zpos a = first_in(r);
  if (!a) return 0;
  if (!is_listpack()) {
    zpos b = last_in(r);
    return big()->list.rank_of(b.n) - big()->list.rank_of(a.n) + 1;
  }
  size_t n = 0;
  for (; a && r.below_max(score_at(a)); next(a)) ++n;
  return n;
}

size_t zset_ref::count_in(const lex_range& r) const {
  zpos a = first_in(r);
  if (!a) return 0;
  if (!is_listpack()) {
    zpos b = last_in(r);
    return big()->list.rank_of(b.n) - big()->list.rank_of(a.n) + 1;
  }
  size_t n = 0;
  char buf[24];
  for (; a && r.below_max(member(a, buf)); next(a)) ++n;
  return n;
}

size_t zset_ref::remove_ranks(size_t start, size_t end) {
  if (start > end || start >= size()) return 0;
  if (end >= size()) end = size() - 1;
  size_t n = end - start + 1;
  if (is_listpack()) {
    unsigned char* l = lp();
    lp::remove_range(l, long(start * 2), n * 2);
    e_->set_object(l);
    return n;
  }
  zset_big* z = big();
  zs_node* x = z->list.at_rank(start + 1);
  for (size_t i = 0; i < n; ++i) {
    zs_node* nx = zskiplist::next(x);
    z->erase_node(x);
    x = nx;
  }
  return n;
}

template <class Range>
size_t zset_ref::remove_range(const Range& r) {
  zpos a = first_in(r);
  if (!a) return 0;
  if (is_listpack()) {
    size_t n = count_in(r);
    unsigned char* l = lp();
    lp::remove(l, a.p, n * 2);
    e_->set_object(l);
    return n;
  }
  zset_big* z = big();
  size_t n = 0;
  zs_node* x = a.n;
  char buf[24];
  while (x != nullptr) {
    zpos here{nullptr, x};
    bool in;
    if constexpr (std::is_same_v<Range, score_range>)
      in = r.below_max(x->score);
    else
      in = r.below_max(member(here, buf));
    if (!in) break;
    zs_node* nx = zskiplist::next(x);
    z->erase_node(x);
    x = nx;
    ++n;
  }
  return n;
}

size_t zset_ref::remove_in(const score_range& r) {
  return remove_range(r);
}
size_t zset_ref::remove_in(const lex_range& r) {
  return remove_range(r);
}

bool zset_ref::pop(bool max, std::string& m, double& s) {
  zpos z = max ? last() : first();
  if (!z) return false;
  char buf[24];
  m.assign(member(z, buf));
  s = score_at(z);
  if (is_listpack()) {
    unsigned char* l = lp();
    lp::remove(l, z.p, 2);
    e_->set_object(l);
  } else {
    big()->erase_node(z.n);
  }
  return true;
}

}  // namespace troupe
