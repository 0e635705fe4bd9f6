#include "storage/rdb/rdb_encoder.hpp"

#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "storage/encodings/intset.hpp"
#include "storage/encodings/listpack.hpp"
#include "storage/encodings/lzf.hpp"
#include "storage/encodings/quicklist.hpp"
#include "storage/encodings/skiplist.hpp"
#include "storage/encodings/str_table.hpp"
#include "storage/eviction/key_access.hpp"
#include "storage/rdb/rdb_listpack.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/set_type.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe {
namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  char b[8];
  for (int i = 0; i < bytes; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out.append(b, size_t(bytes));
}

}  // namespace

void rdb_encoder::header(int version) {
  char buf[16];
  int n = snprintf(buf, sizeof(buf), "REDIS%04d", version);
  out_.append(buf, size_t(n));
}

void rdb_encoder::aux(std::string_view key, std::string_view value) {
  byte(rdb::op_aux);
  string(key);
  string(value);
}

void rdb_encoder::aux(std::string_view key, int64_t value) {
  aux(key, std::string_view(std::to_string(value)));
}

void rdb_encoder::select_db(int db) {
  byte(rdb::op_selectdb);
  length(uint64_t(db));
}

void rdb_encoder::resize_db(uint64_t keys, uint64_t expires) {
  byte(rdb::op_resizedb);
  length(keys);
  length(expires);
}

void rdb_encoder::function(std::string_view code) {
  byte(rdb::op_function2);
  string(code);
}

void rdb_encoder::eof() {
  byte(rdb::op_eof);
}

void rdb_encoder::trailer(uint64_t crc) {
  put_le(out_, crc, 8);
}

void rdb_encoder::length(uint64_t n) {
  if (n < (1 << 6)) {
    byte(uint8_t(n));
  } else if (n < (1 << 14)) {
    byte(uint8_t((rdb::len_14bit << 6) | (n >> 8)));
    byte(uint8_t(n & 0xff));
  } else if (n <= UINT32_MAX) {
    byte(rdb::len_32bit);
    for (int i = 3; i >= 0; --i) byte(uint8_t(n >> (8 * i)));
  } else {
    byte(rdb::len_64bit);
    for (int i = 7; i >= 0; --i) byte(uint8_t(n >> (8 * i)));
  }
}

bool rdb_encoder::try_int(std::string_view s) {
  int64_t v;
  if (s.empty() || s.size() > 11 || !lp::string_to_int(s, v)) return false;
  if (v >= INT8_MIN && v <= INT8_MAX) {
    byte((rdb::len_encval << 6) | rdb::enc_int8);
    put_le(out_, uint64_t(v), 1);
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    byte((rdb::len_encval << 6) | rdb::enc_int16);
    put_le(out_, uint64_t(v), 2);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    byte((rdb::len_encval << 6) | rdb::enc_int32);
    put_le(out_, uint64_t(v), 4);
  } else {
    return false;
  }
  return true;
}

bool rdb_encoder::try_lzf(std::string_view s) {
  // Redis compresses strings over 20 bytes and keeps the result only if it is
  // at least 4 bytes shorter.
  if (!compression_ || s.size() <= 20) return false;
  scratch_.resize(s.size() - 4);
  size_t n = lzf_compress(s.data(), s.size(), scratch_.data(), scratch_.size());
  if (n == 0) return false;
  byte((rdb::len_encval << 6) | rdb::enc_lzf);
  length(n);
  length(s.size());
  out_.append(scratch_.data(), n);
  return true;
}

void rdb_encoder::string(std::string_view s) {
  if (s.size() <= 11 && try_int(s)) return;
  if (try_lzf(s)) return;
  length(s.size());
  out_.append(s.data(), s.size());
}

void rdb_encoder::binary_double(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  put_le(out_, u, 8);
}

uint8_t rdb_encoder::type_of(const kv_entry* e) {
  switch (e->type()) {
    case value_type::string:
      return rdb::type_string;
    case value_type::list:
      return rdb::type_list_quicklist_2;
    case value_type::set:
      return e->encoding() == value_encoding::intset ? rdb::type_set_intset : rdb::type_set;
    case value_type::zset:
      return e->encoding() == value_encoding::listpack ? rdb::type_zset_listpack : rdb::type_zset_2;
    case value_type::hash:
      return e->encoding() == value_encoding::listpack ? rdb::type_hash_listpack : rdb::type_hash;
    case value_type::stream:
      return rdb::type_stream_listpacks_2;
  }
  throw std::logic_error("rdb_encoder: value type without an RDB encoding");
}

void rdb_encoder::entry(const kv_entry* e, rdb::lru_mode mode, uint32_t lru_clock) {
  if (e->has_expire()) {
    byte(rdb::op_expiretime_ms);
    put_le(out_, uint64_t(e->expire_at()), 8);
  }
  if (mode == rdb::lru_mode::lru) {
    // Idle seconds from the 24-bit clock, wrapping as Redis's estimate does.
    uint32_t lru = e->lru() & lru_clock_max;
    uint32_t clock = lru_clock & lru_clock_max;
    uint64_t idle = clock >= lru ? clock - lru : uint64_t(clock) + (lru_clock_max - lru);
    byte(rdb::op_idle);
    length(idle);
  } else if (mode == rdb::lru_mode::lfu) {
    byte(rdb::op_freq);
    byte(uint8_t(e->lru() & 0xff));  // the counter; the upper 16 bits are minutes
  }
  byte(type_of(e));
  string(e->key());
  value_body(e);
}

void rdb_encoder::value(const kv_entry* e) {
  byte(type_of(e));
  value_body(e);
}

void rdb_encoder::value_body(const kv_entry* e) {
  switch (e->type()) {
    case value_type::string:
      return string(e->str());
    case value_type::list:
      return list(e);
    case value_type::set:
      return set(e);
    case value_type::zset:
      return zset(e);
    case value_type::hash:
      return hash(e);
    case value_type::stream:
      return stream(e);
  }
  throw std::logic_error("rdb_encoder: value type without an RDB encoding");
}

void rdb_encoder::listpack_blob(const unsigned char* l) {
  if (rdb::is_redis_layout(l)) {
    string(std::string_view(reinterpret_cast<const char*>(l), lp::bytes(l)));
    return;
  }
  rdb::listpack_writer w;
  auto* m = const_cast<unsigned char*>(l);
  for (unsigned char* p = lp::first(m); p != nullptr; p = lp::next(m, p)) w.add(lp::get(p));
  string(w.finish());
}

void rdb_encoder::list(const kv_entry* e) {
  const auto* q = static_cast<const quicklist*>(e->object());
  uint64_t nodes = 0;
  for (ql_node* n = q->head(); n != nullptr; n = n->next)
    if (lp::first(n->lp) != nullptr) ++nodes;
  length(nodes);
  for (ql_node* n = q->head(); n != nullptr; n = n->next) {
    if (lp::first(n->lp) == nullptr) continue;  // Redis never writes empty nodes
    length(rdb::node_packed);
    listpack_blob(n->lp);
  }
}

void rdb_encoder::set(const kv_entry* e) {
  if (e->encoding() == value_encoding::intset) {
    const auto* s = static_cast<const unsigned char*>(e->object());
    string(std::string_view(reinterpret_cast<const char*>(s), is::bytes(s)));
    return;
  }
  const auto* t = static_cast<const blob_table*>(e->object());
  length(t->size());
  t->for_each([&](blob_node* n) { string(n->key()); });
}

void rdb_encoder::zset(const kv_entry* e) {
  if (e->encoding() == value_encoding::listpack) {
    listpack_blob(static_cast<const unsigned char*>(e->object()));
    return;
  }
  const auto* z = static_cast<const zset_big*>(e->object());
  length(z->size());
  // Highest first, as Redis writes it: loading then inserts at the head.
  for (zs_node* n = z->list.last(); n != nullptr; n = zskiplist::prev(n)) {
    string(n->member());
    binary_double(n->score);
  }
}

void rdb_encoder::hash(const kv_entry* e) {
  if (e->encoding() == value_encoding::listpack) {
    listpack_blob(static_cast<const unsigned char*>(e->object()));
    return;
  }
  const auto* t = static_cast<const blob_table*>(e->object());
  length(t->size());
  t->for_each([&](blob_node* n) {
    string(n->key());
    string(n->value());
  });
}

}  // namespace troupe
