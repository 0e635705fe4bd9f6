#include "storage/types/set_type.hpp"

#include <cstdlib>

namespace troupe {

kv_entry* make_intset_entry(std::string_view key, bool with_expire) {
  return make_object_entry(key, value_type::set, value_encoding::intset, is::create(), with_expire);
}

kv_entry* make_set_entry(std::string_view key, std::string_view first, bool with_expire) {
  int64_t v;
  if (lp::string_to_int(first, v)) return make_intset_entry(key, with_expire);
  return make_object_entry(key, value_type::set, value_encoding::hashtable, new blob_table,
                           with_expire);
}

void destroy_set(void* obj, value_encoding enc) {
  if (enc == value_encoding::intset) {
    is::destroy(static_cast<unsigned char*>(obj));
  } else {
    auto* t = static_cast<blob_table*>(obj);
    t->clear([](blob_node* n) { free(n); });
    delete t;
  }
}

void* copy_set(const void* obj, value_encoding enc) {
  if (enc == value_encoding::intset) return is::copy(static_cast<const unsigned char*>(obj));
  auto* src = static_cast<const blob_table*>(obj);
  auto* t = new blob_table;
  t->reserve(src->size());
  src->for_each([&](blob_node* n) { t->insert(blob_node::make(n->key())); });
  return t;
}

bool set_ref::contains(std::string_view m) const {
  if (is_intset()) {
    int64_t v;
    return lp::string_to_int(m, v) && is::find(ints(), v);
  }
  return table()->find(m) != nullptr;
}

void set_ref::convert_to_table(size_t hint) {
  if (!is_intset()) return;
  unsigned char* s = ints();
  auto* t = new blob_table;
  t->reserve(hint > is::length(s) ? hint : is::length(s));
  for_each([&](std::string_view m) { t->insert(blob_node::make(m)); });
  is::destroy(s);
  e_->set_object(t);
  e_->set_encoding(value_encoding::hashtable);
}

bool set_ref::add(std::string_view m, size_t max_intset) {
  if (is_intset()) {
    int64_t v;
    if (lp::string_to_int(m, v)) {
      unsigned char* s = ints();
      if (!is::add(s, v)) return false;
      e_->set_object(s);
      if (is::length(s) > max_intset) convert_to_table();
      return true;
    }
    convert_to_table();
  }
  blob_table* t = table();
  uint64_t h = blob_table::hash(m);
  if (t->locate(m, h) != nullptr) return false;
  t->insert(blob_node::make(m), h);
  return true;
}

bool set_ref::remove(std::string_view m) {
  if (is_intset()) {
    int64_t v;
    unsigned char* s = ints();
    if (!lp::string_to_int(m, v) || !is::remove(s, v)) return false;
    e_->set_object(s);
    return true;
  }
  blob_table* t = table();
  blob_node** link = t->locate(m, blob_table::hash(m));
  if (link == nullptr) return false;
  free(t->unlink(link));
  return true;
}

}  // namespace troupe
