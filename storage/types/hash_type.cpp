#include "storage/types/hash_type.hpp"

#include <cstdlib>

namespace troupe {

kv_entry* make_hash_entry(std::string_view key, bool with_expire) {
  return make_object_entry(key, value_type::hash, value_encoding::listpack, lp::create(),
                           with_expire);
}

void destroy_hash(void* obj, value_encoding enc) {
  if (enc == value_encoding::listpack) {
    lp::destroy(static_cast<unsigned char*>(obj));
  } else {
    auto* t = static_cast<blob_table*>(obj);
    t->clear([](blob_node* n) { free(n); });
    delete t;
  }
}

void* copy_hash(const void* obj, value_encoding enc) {
  if (enc == value_encoding::listpack) return lp::copy(static_cast<const unsigned char*>(obj));
  auto* src = static_cast<const blob_table*>(obj);
  auto* t = new blob_table;
  t->reserve(src->size());
  src->for_each([&](blob_node* n) { t->insert(blob_node::make(n->key(), n->value())); });
  return t;
}

namespace {
// Finds a field's entry in a listpack hash (fields at even positions).
unsigned char* lp_find_field(unsigned char* l, std::string_view field) {
  unsigned char* p = lp::first(l);
  return p ? lp::find(l, p, field, 1) : nullptr;
}
}  // namespace

size_t hash_ref::size() const {
  return is_listpack() ? lp::length(lp()) / 2 : table()->size();
}

bool hash_ref::get(std::string_view field, std::string_view& value, char* buf) const {
  if (is_listpack()) {
    unsigned char* l = lp();
    unsigned char* p = lp_find_field(l, field);
    if (p == nullptr) return false;
    value = lp::get(lp::next(l, p)).view(buf);
    return true;
  }
  blob_node* n = table()->find(field);
  if (n == nullptr) return false;
  value = n->value();
  return true;
}

bool hash_ref::exists(std::string_view field) const {
  if (is_listpack()) return lp_find_field(lp(), field) != nullptr;
  return table()->find(field) != nullptr;
}

void hash_ref::convert_if_long(std::string_view s, const hash_limits& lim) {
  if (is_listpack() && s.size() > lim.max_value) convert_to_table();
}

void hash_ref::convert_to_table() {
  if (!is_listpack()) return;
  unsigned char* l = lp();
  auto* t = new blob_table;
  t->reserve(lp::length(l) / 2);
  for_each([&](std::string_view f, std::string_view v) {
    // A listpack never holds a field twice, but be safe.
    if (t->find(f) == nullptr) t->insert(blob_node::make(f, v));
  });
  lp::destroy(l);
  e_->set_object(t);
  e_->set_encoding(value_encoding::hashtable);
}

bool hash_ref::set(std::string_view field, std::string_view value, const hash_limits& lim) {
  if (is_listpack()) {
    if (field.size() > lim.max_value || value.size() > lim.max_value) {
      convert_to_table();
    } else {
      unsigned char* l = lp();
      unsigned char* p = lp_find_field(l, field);
      if (p != nullptr) {
        lp::replace(l, lp::next(l, p), value);
        e_->set_object(l);
        return false;
      }
      lp::append(l, field);
      lp::append(l, value);
      e_->set_object(l);
      if (lp::length(l) / 2 > lim.max_entries) convert_to_table();
      return true;
    }
  }
  blob_table* t = table();
  uint64_t h = blob_table::hash(field);
  blob_node** link = t->locate(field, h);
  if (link != nullptr) {
    blob_node* old = *link;
    std::string_view ov = old->value();
    if (ov.size() == value.size()) {
      memcpy(const_cast<char*>(ov.data()), value.data(), value.size());
    } else {
      blob_node* n = blob_node::make(field, value);
      n->next = old->next;
      blob_table::relink(link, n);
      free(old);
    }
    return false;
  }
  t->insert(blob_node::make(field, value), h);
  return true;
}

bool hash_ref::remove(std::string_view field) {
  if (is_listpack()) {
    unsigned char* l = lp();
    unsigned char* p = lp_find_field(l, field);
    if (p == nullptr) return false;
    lp::remove(l, p, 2);
    e_->set_object(l);
    return true;
  }
  blob_table* t = table();
  blob_node** link = t->locate(field, blob_table::hash(field));
  if (link == nullptr) return false;
  free(t->unlink(link));
  return true;
}

}  // namespace troupe
