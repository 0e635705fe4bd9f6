#include "storage/types/kv_entry.hpp"

#include <cstdlib>
#include <new>

#include "protocol/text/numbers.hpp"

namespace troupe {
namespace {
object_destroyer destroyers[16] = {};
object_copier copiers[16] = {};

void* checked_malloc(size_t n) {
  void* p = malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

size_t write_varint(unsigned char* p, size_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = static_cast<unsigned char>(v | 0x80);
    v >>= 7;
  }
  p[n++] = static_cast<unsigned char>(v);
  return n;
}

kv_entry* make_entry(std::string_view key, value_type t, value_encoding enc, bool with_expire,
                     size_t value_bytes) {
  size_t klb = kv_entry::varint_size(key.size());
  size_t size = kv_entry::header_size + klb + (with_expire ? 12 : 0) + key.size() + value_bytes;
  auto* e = static_cast<kv_entry*>(checked_malloc(size));
  e->next = nullptr;
  e->meta = uint32_t(t) | (uint32_t(enc) << 4);
  e->flags = with_expire ? kv_entry::flag_expire : 0;
  write_varint(e->var(), key.size());
  if (with_expire) {
    e->set_expire_at(0);
    e->set_volatile_index(0);
  }
  memcpy(reinterpret_cast<char*>(e) + e->key_offset(), key.data(), key.size());
  return e;
}
}  // namespace

const char* type_name(value_type t) {
  switch (t) {
    case value_type::string:
      return "string";
    case value_type::list:
      return "list";
    case value_type::set:
      return "set";
    case value_type::zset:
      return "zset";
    case value_type::hash:
      return "hash";
    case value_type::stream:
      return "stream";
  }
  return "none";
}

const char* encoding_name(value_encoding e) {
  switch (e) {
    case value_encoding::raw:
      return "raw";
    case value_encoding::int_:
      return "int";
    case value_encoding::embstr:
      return "embstr";
    case value_encoding::hashtable:
      return "hashtable";
    case value_encoding::quicklist:
      return "quicklist";
    case value_encoding::listpack:
      return "listpack";
    case value_encoding::intset:
      return "intset";
    case value_encoding::skiplist:
      return "skiplist";
    case value_encoding::stream:
      return "stream";
  }
  return "unknown";
}

kv_entry* make_string_entry(std::string_view key, std::string_view value, bool with_expire,
                            size_t reserve) {
  size_t cap = reserve > value.size() ? reserve : value.size();
  kv_entry* e = make_entry(key, value_type::string, value_encoding::raw, with_expire, 4 + cap);
  e->set_str_len(uint32_t(value.size()));
  if (!value.empty()) memcpy(e->str_data(), value.data(), value.size());
  return e;
}

kv_entry* make_object_entry(std::string_view key, value_type t, value_encoding enc, void* obj,
                            bool with_expire) {
  kv_entry* e = make_entry(key, t, enc, with_expire, sizeof(void*));
  e->set_object(obj);
  return e;
}

kv_entry* resize_string_entry(kv_entry* e, size_t new_len, bool greedy) {
  if (new_len <= e->str_capacity()) return e;
  size_t want = new_len;
  // Like sds: double small strings, add 1 MB to big ones.
  if (greedy) want = new_len < 1024 * 1024 ? new_len * 2 : new_len + 1024 * 1024;
  size_t size = e->value_offset() + 4 + want;
  auto* n = static_cast<kv_entry*>(realloc(e, size));
  if (n == nullptr) throw std::bad_alloc();
  return n;
}

kv_entry* set_expire_slot(kv_entry* e, bool with_expire) {
  if (e->has_expire() == with_expire) return e;
  size_t old_size = malloc_usable_size(e);
  size_t tail_from = e->key_offset();  // key and value move by 12 bytes
  size_t used_tail;
  if (e->type() == value_type::string)
    used_tail = e->value_offset() + 4 + e->str_len() - tail_from;
  else
    used_tail = e->value_offset() + sizeof(void*) - tail_from;
  if (with_expire) {
    size_t need = tail_from + 12 + used_tail;
    if (need > old_size) {
      e = static_cast<kv_entry*>(realloc(e, need));
      if (e == nullptr) throw std::bad_alloc();
    }
    char* base = reinterpret_cast<char*>(e);
    memmove(base + tail_from + 12, base + tail_from, used_tail);
    e->flags |= kv_entry::flag_expire;
    e->set_expire_at(0);
    e->set_volatile_index(0);
  } else {
    char* base = reinterpret_cast<char*>(e);
    memmove(base + tail_from - 12, base + tail_from, used_tail);
    e->flags &= uint8_t(~kv_entry::flag_expire);
  }
  return e;
}

void register_object_destroyer(value_type t, object_destroyer fn) {
  destroyers[int(t)] = fn;
}
void register_object_copier(value_type t, object_copier fn) {
  copiers[int(t)] = fn;
}

kv_entry* copy_entry(const kv_entry* e, std::string_view key, bool with_expire) {
  kv_entry* n;
  if (e->type() == value_type::string) {
    n = make_string_entry(key, e->str(), with_expire);
  } else {
    object_copier cp = copiers[int(e->type())];
    n = make_object_entry(key, e->type(), e->encoding(), cp(e->object(), e->encoding()),
                          with_expire);
  }
  n->meta = e->meta;
  n->flags =
      uint8_t((e->flags & ~kv_entry::flag_expire) | (with_expire ? kv_entry::flag_expire : 0));
  return n;
}

kv_entry* rekey_entry(kv_entry* e, std::string_view key, bool with_expire) {
  kv_entry* n;
  if (e->type() == value_type::string)
    n = make_string_entry(key, e->str(), with_expire);
  else
    n = make_object_entry(key, e->type(), e->encoding(), e->object(), with_expire);
  n->meta = e->meta;
  n->flags =
      uint8_t((e->flags & ~kv_entry::flag_expire) | (with_expire ? kv_entry::flag_expire : 0));
  free(e);  // the value now belongs to n
  return n;
}

void destroy_entry(kv_entry* e) {
  if (e->type() != value_type::string) {
    object_destroyer d = destroyers[int(e->type())];
    if (d != nullptr) d(e->object(), e->encoding());
  }
  free(e);
}

size_t entry_memory(const kv_entry* e) {
  return malloc_usable_size(const_cast<kv_entry*>(e)) + 8;
}

value_encoding string_encoding_of(const kv_entry* e) {
  std::string_view v = e->str();
  if (e->flags & kv_entry::flag_raw) return value_encoding::raw;
  if (!(e->flags & kv_entry::flag_float_text) && v.size() <= 20 && parse_int64(v))
    return value_encoding::int_;
  return v.size() <= 44 ? value_encoding::embstr : value_encoding::raw;
}

}  // namespace troupe
