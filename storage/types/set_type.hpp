// The set value: an intset while every member is an integer and there are at
// most set-max-intset-entries of them, else a blob_table of member nodes
// ("hashtable"), as in Redis 7.0. set_ref works on one kv_entry's value whatever
// its encoding; RDB and AOF code use the same API.
#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "storage/encodings/intset.hpp"
#include "storage/encodings/listpack.hpp"
#include "storage/encodings/str_table.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

// A new, empty set entry: an intset if `first` is an integer, else a table.
kv_entry* make_set_entry(std::string_view key, std::string_view first, bool with_expire);
// A new empty set entry with an intset (what SINTERSTORE and friends start from).
kv_entry* make_intset_entry(std::string_view key, bool with_expire);
void* copy_set(const void* obj, value_encoding enc);
void destroy_set(void* obj, value_encoding enc);

class set_ref {
 public:
  explicit set_ref(kv_entry* e) : e_(e) {}

  bool is_intset() const { return e_->encoding() == value_encoding::intset; }
  unsigned char* ints() const { return static_cast<unsigned char*>(e_->object()); }
  blob_table* table() const { return static_cast<blob_table*>(e_->object()); }

  size_t size() const { return is_intset() ? is::length(ints()) : table()->size(); }
  bool contains(std::string_view m) const;
  // Adds a member; true when new. Converts past max_intset or for a non-integer.
  bool add(std::string_view m, size_t max_intset);
  bool remove(std::string_view m);
  void convert_to_table(size_t hint = 0);

  // A random member (copied to out); the set must not be empty.
  template <class Rng>
  void random(Rng& rng, std::string& out) const {
    if (is_intset()) {
      out = std::to_string(is::get(ints(), rng() % is::length(ints())));
    } else {
      out.assign(table()->random(rng)->key());
    }
  }

  // f(member) for every member (ascending for an intset).
  template <class F>
  void for_each(F&& f) const {
    if (is_intset()) {
      unsigned char* s = ints();
      size_t n = is::length(s);
      char buf[24];
      for (size_t i = 0; i < n; ++i) {
        lp::value v;
        v.num = is::get(s, i);
        f(v.view(buf));
      }
    } else {
      table()->for_each([&](blob_node* n) { f(n->key()); });
    }
  }

 private:
  kv_entry* e_;
};

}  // namespace troupe
