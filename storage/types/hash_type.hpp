// The hash value: a listpack of field, value, field, value... while small
// (hash-max-listpack-entries / -value), then a blob_table of (field, value) nodes
// ("hashtable"). hash_ref works on the value of one kv_entry whatever its encoding;
// RDB and AOF code use the same API: size, for_each, set on a new entry
// (make_hash_entry), and copy_hash for COPY.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/encodings/listpack.hpp"
#include "storage/encodings/str_table.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

struct hash_limits {
  size_t max_entries = 512;
  size_t max_value = 64;
};

// A new hash entry (empty listpack); fill it with hash_ref::set.
kv_entry* make_hash_entry(std::string_view key, bool with_expire);
void* copy_hash(const void* obj, value_encoding enc);
void destroy_hash(void* obj, value_encoding enc);

class hash_ref {
 public:
  explicit hash_ref(kv_entry* e) : e_(e) {}

  bool is_listpack() const { return e_->encoding() == value_encoding::listpack; }
  unsigned char* lp() const { return static_cast<unsigned char*>(e_->object()); }
  blob_table* table() const { return static_cast<blob_table*>(e_->object()); }

  size_t size() const;
  // The value of a field; the view stays valid until the hash changes (numbers
  // stored as integers are formatted into buf, 21 bytes).
  bool get(std::string_view field, std::string_view& value, char* buf) const;
  bool exists(std::string_view field) const;
  // Sets a field; true when it is new. Converts to a table past the limits.
  bool set(std::string_view field, std::string_view value, const hash_limits& lim);
  bool remove(std::string_view field);
  // Converts to the table encoding when any of these strings is too long for a
  // listpack (Redis checks a command's arguments before it changes anything).
  void convert_if_long(std::string_view s, const hash_limits& lim);
  void convert_to_table();

  // f(field, value) for every field, in storage order.
  template <class F>
  void for_each(F&& f) const {
    if (is_listpack()) {
      unsigned char* l = lp();
      char kb[24], vb[24];
      for (unsigned char* p = lp::first(l); p != nullptr;) {
        unsigned char* v = lp::next(l, p);
        f(lp::get(p).view(kb), lp::get(v).view(vb));
        p = lp::next(l, v);
      }
    } else {
      table()->for_each([&](blob_node* n) { f(n->key(), n->value()); });
    }
  }

 private:
  kv_entry* e_;
};

}  // namespace troupe
