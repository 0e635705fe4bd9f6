// A chained hash table of caller-allocated nodes keyed by a string, the index of
// big sets, hashes and sorted sets. Nodes carry their own chain link, so the
// table costs one pointer per bucket and nothing per element beyond the node.
// Power-of-two sizes; it doubles when full and halves below 1/8 full. scan() uses
// the reverse-binary cursor, so a scan across resizes returns every element that
// was present for its whole duration at least once.
//
// Traits: `using node = ...;`, `static std::string_view key(const node*)`,
// `static node*& next(node*)`.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string_view>
#include <utility>

#include "storage/hash.hpp"

namespace troupe {

template <class Traits>
class str_table {
 public:
  using node = typename Traits::node;

  str_table() = default;
  ~str_table() { free(table_); }
  str_table(const str_table&) = delete;
  str_table& operator=(const str_table&) = delete;

  size_t size() const { return used_; }
  size_t buckets() const { return mask_ + (table_ ? 1 : 0); }
  size_t memory() const { return table_ ? (mask_ + 1) * sizeof(node*) : 0; }

  static uint64_t hash(std::string_view k) { return hash_bytes(k.data(), k.size()); }

  // The link pointing at the node with key k (nullptr if absent).
  node** locate(std::string_view k, uint64_t h) const {
    if (table_ == nullptr) return nullptr;
    node** link = &table_[h & mask_];
    while (*link != nullptr) {
      std::string_view nk = Traits::key(*link);
      if (nk.size() == k.size() && memcmp(nk.data(), k.data(), k.size()) == 0) return link;
      link = &Traits::next(*link);
    }
    return nullptr;
  }
  node* find(std::string_view k) const {
    node** l = locate(k, hash(k));
    return l ? *l : nullptr;
  }

  // Inserts a node whose key is absent.
  void insert(node* n, uint64_t h) {
    if (table_ == nullptr || used_ > mask_) resize(table_ == nullptr ? 4 : (mask_ + 1) * 2);
    node*& slot = table_[h & mask_];
    Traits::next(n) = slot;
    slot = n;
    ++used_;
  }
  void insert(node* n) { insert(n, hash(Traits::key(n))); }

  // Unlinks the node at link and returns it; the table may shrink, so links
  // obtained before are invalid afterwards.
  node* unlink(node** link) {
    node* n = *link;
    *link = Traits::next(n);
    --used_;
    maybe_shrink();
    return n;
  }
  // Replaces the node at link with m (same key), e.g. after a realloc.
  static void relink(node** link, node* m) { *link = m; }

  // A random node (nullptr if empty): a random non-empty bucket, then a random
  // node of its chain.
  template <class Rng>
  node* random(Rng& rng) const {
    if (used_ == 0) return nullptr;
    node* n;
    do {
      n = table_[rng() & mask_];
    } while (n == nullptr);
    size_t len = 0;
    for (node* m = n; m != nullptr; m = Traits::next(m)) ++len;
    size_t pick = len > 1 ? rng() % len : 0;
    while (pick-- > 0) n = Traits::next(n);
    return n;
  }

  // Visits the nodes of one bucket step; returns the next cursor (0: done).
  template <class F>
  uint64_t scan(uint64_t cursor, F&& visit) const {
    if (table_ == nullptr) return 0;
    for (node* n = table_[cursor & mask_]; n != nullptr; n = Traits::next(n)) visit(n);
    cursor |= ~uint64_t(mask_);
    cursor = reverse(cursor);
    ++cursor;
    return reverse(cursor);
  }

  template <class F>
  void for_each(F&& visit) const {
    if (table_ == nullptr) return;
    for (size_t i = 0; i <= mask_; ++i) {
      node* n = table_[i];
      while (n != nullptr) {
        node* nx = Traits::next(n);
        visit(n);
        n = nx;
      }
    }
  }

  // Unlinks every node, calling dispose(node) on each, and frees the buckets.
  template <class F>
  void clear(F&& dispose) {
    for_each(dispose);
    free(table_);
    table_ = nullptr;
    mask_ = 0;
    used_ = 0;
  }

  void reserve(size_t n) {
    size_t want = 4;
    while (want < n) want *= 2;
    if (table_ == nullptr || want > mask_ + 1) resize(want);
  }

 private:
  static uint64_t reverse(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
    v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
    return (v >> 32) | (v << 32);
  }

  void maybe_shrink() {
    if (mask_ + 1 > 4 && used_ * 8 < mask_ + 1) {
      size_t want = 4;
      while (want < used_ * 2) want *= 2;
      resize(want);
    }
  }

  void resize(size_t n) {
    auto** t = static_cast<node**>(calloc(n, sizeof(node*)));
    if (t == nullptr) throw std::bad_alloc();
    size_t m = n - 1;
    if (table_ != nullptr) {
      for (size_t i = 0; i <= mask_; ++i) {
        node* x = table_[i];
        while (x != nullptr) {
          node* nx = Traits::next(x);
          node*& slot = t[hash(Traits::key(x)) & m];
          Traits::next(x) = slot;
          slot = x;
          x = nx;
        }
      }
      free(table_);
    }
    table_ = t;
    mask_ = m;
  }

  node** table_ = nullptr;
  size_t mask_ = 0;
  size_t used_ = 0;
};

// A node holding a key and, for maps, a value, in one allocation:
//   next | key length (varint) | key | [value length (varint) | value]
struct blob_node {
  blob_node* next;

  static size_t varint_size(size_t v) {
    size_t n = 1;
    while (v >= 0x80) {
      v >>= 7;
      ++n;
    }
    return n;
  }
  static size_t write_varint(unsigned char* p, size_t v) {
    size_t n = 0;
    while (v >= 0x80) {
      p[n++] = static_cast<unsigned char>(v | 0x80);
      v >>= 7;
    }
    p[n++] = static_cast<unsigned char>(v);
    return n;
  }
  static size_t read_varint(const unsigned char* p, size_t& v) {
    v = 0;
    size_t n = 0;
    for (int shift = 0;; shift += 7) {
      v |= size_t(p[n] & 0x7f) << shift;
      if (!(p[n++] & 0x80)) return n;
    }
  }

  const unsigned char* body() const { return reinterpret_cast<const unsigned char*>(this + 1); }
  unsigned char* body() { return reinterpret_cast<unsigned char*>(this + 1); }

  std::string_view key() const {
    size_t len;
    size_t h = read_varint(body(), len);
    return {reinterpret_cast<const char*>(body() + h), len};
  }
  std::string_view value() const {
    std::string_view k = key();
    const unsigned char* p = reinterpret_cast<const unsigned char*>(k.data() + k.size());
    size_t len;
    size_t h = read_varint(p, len);
    return {reinterpret_cast<const char*>(p + h), len};
  }

  static blob_node* make(std::string_view k) {
    size_t n = sizeof(blob_node) + varint_size(k.size()) + k.size();
    auto* b = static_cast<blob_node*>(malloc(n));
    if (b == nullptr) throw std::bad_alloc();
    b->next = nullptr;
    unsigned char* p = b->body();
    p += write_varint(p, k.size());
    memcpy(p, k.data(), k.size());
    return b;
  }
  static blob_node* make(std::string_view k, std::string_view v) {
    size_t n =
        sizeof(blob_node) + varint_size(k.size()) + k.size() + varint_size(v.size()) + v.size();
    auto* b = static_cast<blob_node*>(malloc(n));
    if (b == nullptr) throw std::bad_alloc();
    b->next = nullptr;
    unsigned char* p = b->body();
    p += write_varint(p, k.size());
    memcpy(p, k.data(), k.size());
    p += k.size();
    p += write_varint(p, v.size());
    memcpy(p, v.data(), v.size());
    return b;
  }
};

struct blob_traits {
  using node = blob_node;
  static std::string_view key(const node* n) { return n->key(); }
  static node*& next(node* n) { return n->next; }
};

using blob_table = str_table<blob_traits>;

}  // namespace troupe
