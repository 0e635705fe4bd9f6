// One key and its value in a single heap block, so that a small string key costs
// one allocation and no separate key or value objects:
//
//   next (8) | meta (4: type, encoding, 24-bit LRU/LFU) | flags (1: 4 flags, 4 bits of
//   LRU fraction) | key length (varint)
//   | [expire ms (8) and index in the db's volatile list (4), if it has a TTL]
//   | key bytes | value
//
// A string value is its length (4) and bytes, with spare room up to the block's
// usable size so APPEND and SETRANGE can grow in place. Other types keep a pointer
// to their object. `next` chains entries of one dict bucket.
#pragma once
#include <malloc.h>

#include <cstdint>
#include <cstring>
#include <string_view>

namespace troupe {

enum class value_type : uint8_t { string = 0, list = 1, set = 2, zset = 3, hash = 4, stream = 6 };

// Encodings with Redis's names (OBJECT ENCODING).
enum class value_encoding : uint8_t {
  raw = 0,
  int_ = 1,
  embstr = 8,
  hashtable = 2,
  quicklist = 9,
  listpack = 11,
  intset = 6,
  skiplist = 7,
  stream = 10,
};

const char* type_name(value_type t);
const char* encoding_name(value_encoding e);

struct kv_entry {
  kv_entry* next;
  uint32_t meta;  // bits 0-3 type, 4-7 encoding, 8-31 LRU clock or LFU data
  uint8_t flags;
  // followed by the variable part

  static constexpr uint8_t flag_expire = 1;
  static constexpr uint8_t flag_raw = 2;  // string changed in place: Redis calls it "raw"
  // String written by INCRBYFLOAT: Redis stores it as text, never as an
  // integer, so OBJECT ENCODING says embstr (or raw) even for "10".
  static constexpr uint8_t flag_float_text = 8;
  // Bits 4-7: sixteenths of a second below the LRU clock in `meta`, so LRU
  // eviction orders keys touched within the same second (eviction/key_access.hpp).
  static constexpr uint8_t lru_fraction_mask = 0xf0;
  uint32_t lru_fraction() const { return uint32_t(flags) >> 4; }
  void set_lru_fraction(uint32_t f) {
    flags = uint8_t((flags & ~lru_fraction_mask) | ((f & 0xf) << 4));
  }
  // Snapshot mark: saved in the current snapshot iff it equals its slice's parity.
  static constexpr uint8_t flag_snapshot = 4;
  bool snapshot_mark() const { return flags & flag_snapshot; }
  void set_snapshot_mark(bool on) {
    flags = on ? uint8_t(flags | flag_snapshot) : uint8_t(flags & ~flag_snapshot);
  }

  value_type type() const { return value_type(meta & 0xf); }
  value_encoding encoding() const { return value_encoding((meta >> 4) & 0xf); }
  void set_encoding(value_encoding e) { meta = (meta & ~0xf0u) | (uint32_t(e) << 4); }
  uint32_t lru() const { return meta >> 8; }
  void set_lru(uint32_t v) { meta = (meta & 0xffu) | (v << 8); }
  bool has_expire() const { return flags & flag_expire; }

  // -- layout -------------------------------------------------------------
  unsigned char* var() { return reinterpret_cast<unsigned char*>(this) + header_size; }
  const unsigned char* var() const {
    return reinterpret_cast<const unsigned char*>(this) + header_size;
  }
  static constexpr size_t header_size = 13;  // next + meta + flags, unpadded

  size_t key_len_bytes() const { return varint_size(key_len()); }
  size_t key_len() const {
    const unsigned char* p = var();
    size_t v = 0;
    for (int shift = 0;; shift += 7) {
      v |= size_t(*p & 0x7f) << shift;
      if (!(*p++ & 0x80)) return v;
    }
  }
  size_t expire_offset() const { return header_size + key_len_bytes(); }
  size_t key_offset() const { return expire_offset() + (has_expire() ? 12 : 0); }
  size_t value_offset() const { return key_offset() + key_len(); }

  std::string_view key() const {
    return {reinterpret_cast<const char*>(this) + key_offset(), key_len()};
  }
  int64_t expire_at() const {
    int64_t v;
    memcpy(&v, reinterpret_cast<const char*>(this) + expire_offset(), 8);
    return v;
  }
  void set_expire_at(int64_t ms) {
    memcpy(reinterpret_cast<char*>(this) + expire_offset(), &ms, 8);
  }
  uint32_t volatile_index() const {
    uint32_t v;
    memcpy(&v, reinterpret_cast<const char*>(this) + expire_offset() + 8, 4);
    return v;
  }
  void set_volatile_index(uint32_t i) {
    memcpy(reinterpret_cast<char*>(this) + expire_offset() + 8, &i, 4);
  }

  // -- string values ------------------------------------------------------
  uint32_t str_len() const {
    uint32_t v;
    memcpy(&v, reinterpret_cast<const char*>(this) + value_offset(), 4);
    return v;
  }
  char* str_data() { return reinterpret_cast<char*>(this) + value_offset() + 4; }
  const char* str_data() const { return reinterpret_cast<const char*>(this) + value_offset() + 4; }
  std::string_view str() const { return {str_data(), str_len()}; }
  void set_str_len(uint32_t n) { memcpy(reinterpret_cast<char*>(this) + value_offset(), &n, 4); }
  // Bytes a string value may grow to without reallocating.
  size_t str_capacity() const {
    return malloc_usable_size(const_cast<kv_entry*>(this)) - value_offset() - 4;
  }

  // -- object values ------------------------------------------------------
  void* object() const {
    void* p;
    memcpy(&p, reinterpret_cast<const char*>(this) + value_offset(), sizeof(p));
    return p;
  }
  void set_object(void* p) {
    memcpy(reinterpret_cast<char*>(this) + value_offset(), &p, sizeof(p));
  }

  static size_t varint_size(size_t v) {
    size_t n = 1;
    while (v >= 0x80) {
      v >>= 7;
      ++n;
    }
    return n;
  }
};

// Allocation. All entries are malloc'ed blocks; free with destroy_entry.
kv_entry* make_string_entry(std::string_view key, std::string_view value, bool with_expire,
                            size_t reserve = 0);
kv_entry* make_object_entry(std::string_view key, value_type t, value_encoding e, void* obj,
                            bool with_expire);
// Resizes a string entry to hold a value of new_len bytes (keeping the current
// bytes); may move it. Grows geometrically when `greedy`, as APPEND wants.
kv_entry* resize_string_entry(kv_entry* e, size_t new_len, bool greedy);
// Adds or removes the expire slot; may move the entry. Returns the new pointer.
kv_entry* set_expire_slot(kv_entry* e, bool with_expire);
// Frees the entry and its value object.
void destroy_entry(kv_entry* e);
// Memory used by the entry and its value (for MEMORY USAGE and accounting).
size_t entry_memory(const kv_entry* e);

// Frees an object value of the given type (implemented by the type families).
using object_destroyer = void (*)(void* obj, value_encoding enc);
void register_object_destroyer(value_type t, object_destroyer fn);

// Deep-copies an object value (COPY); implemented by the type families.
using object_copier = void* (*)(const void* obj, value_encoding enc);
void register_object_copier(value_type t, object_copier fn);
// A new entry for `key` holding a copy of e's value (no TTL slot unless asked).
kv_entry* copy_entry(const kv_entry* e, std::string_view key, bool with_expire);
// A new entry for `key` that takes over e's value; e's block is freed.
kv_entry* rekey_entry(kv_entry* e, std::string_view key, bool with_expire);

// String encodings as Redis reports them: "int" for integer values, "embstr" for
// short ones never modified in place, "raw" otherwise.
value_encoding string_encoding_of(const kv_entry* e);

}  // namespace troupe
