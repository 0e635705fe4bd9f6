// The sorted set value: a listpack of member, score, member, score... in
// (score, member) order while small (zset-max-listpack-entries / -value), then a
// zset_big (skiplist + hash table). zset_ref works on one kv_entry's value
// whatever its encoding: positions (zpos) walk either encoding in order, so
// range commands are written once. RDB and AOF code use the same API.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/encodings/listpack.hpp"
#include "storage/encodings/skiplist.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

struct zset_limits {
  size_t max_entries = 128;
  size_t max_value = 64;
};

// A new empty sorted set entry, listpack or skiplist as Redis's zsetTypeCreate
// picks from the expected size and longest member.
kv_entry* make_zset_entry(std::string_view key, size_t size_hint, size_t len_hint,
                          const zset_limits& lim, bool with_expire);
void* copy_zset(const void* obj, value_encoding enc);
void destroy_zset(void* obj, value_encoding enc);

// Redis's text form of a score inside a listpack (integers without a fraction).
std::string score_to_string(double v);

// A position in a sorted set: a member entry of the listpack or a skiplist node.
struct zpos {
  unsigned char* p = nullptr;
  zs_node* n = nullptr;
  explicit operator bool() const { return p != nullptr || n != nullptr; }
};

enum zadd_flags : int {
  zadd_nx = 1,
  zadd_xx = 2,
  zadd_gt = 4,
  zadd_lt = 8,
  zadd_incr = 16,
};
enum zadd_result : int {
  zadd_added = 1,
  zadd_updated = 2,
  zadd_nop = 4,
  zadd_nan = 8,
};

class zset_ref {
 public:
  explicit zset_ref(kv_entry* e) : e_(e) {}

  bool is_listpack() const { return e_->encoding() == value_encoding::listpack; }
  unsigned char* lp() const { return static_cast<unsigned char*>(e_->object()); }
  zset_big* big() const { return static_cast<zset_big*>(e_->object()); }

  size_t size() const { return is_listpack() ? lp::length(lp()) / 2 : big()->size(); }
  bool score(std::string_view m, double& s) const;
  // Redis's zsetAdd: returns false only for a NaN result (zadd_nan in out).
  bool add(double score, std::string_view m, int flags, int& out, double* newscore,
           const zset_limits& lim);
  bool remove(std::string_view m);
  // 0-based rank of a member (from the top when rev).
  bool rank(std::string_view m, bool rev, size_t& r) const;

  // -- ordered positions ------------------------------------------------------
  zpos first() const;
  zpos last() const;
  zpos at_rank(size_t r) const;  // 0-based from the lowest
  void next(zpos& z) const;
  void prev(zpos& z) const;
  std::string_view member(const zpos& z, char* buf) const;
  double score_at(const zpos& z) const;
  zpos first_in(const score_range& r) const;
  zpos last_in(const score_range& r) const;
  zpos first_in(const lex_range& r) const;
  bool lex_ends_overlap(const lex_range& r) const;
  zpos last_in(const lex_range& r) const;

  size_t count_in(const score_range& r) const;
  size_t count_in(const lex_range& r) const;
  // Removes ranks [start, end] (0-based, inclusive); returns how many.
  size_t remove_ranks(size_t start, size_t end);
  size_t remove_in(const score_range& r);
  size_t remove_in(const lex_range& r);
  // Removes the lowest (or highest) member into member/score; false if empty.
  bool pop(bool max, std::string& member, double& score);

  void convert_to_skiplist();
  // Back to a listpack if within the limits (store commands).
  void convert_to_listpack_if_fits(const zset_limits& lim);

  // f(member, score) for every member, lowest first.
  template <class F>
  void for_each(F&& f) const {
    char buf[24];
    for (zpos z = first(); z; next(z)) f(member(z, buf), score_at(z));
  }

 private:
  template <class Range>
  size_t remove_range(const Range& r);
  kv_entry* e_;
};

}  // namespace troupe
