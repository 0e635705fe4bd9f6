// A chained hash table of caller-allocated nodes keyed by a string: the index of
// big sets, hashes and sorted sets, and (storage/dict.hpp) the keyspace. Nodes carry
// their own chain link, so the table costs one pointer per bucket and nothing per
// element beyond the node.
//
// Power-of-two sizes, grown and shrunk incrementally as Redis does: a resize only
// allocates the new bucket array (storage/bucket_array.hpp: no page of it is
// touched yet); from then on two arrays exist, lookups search both, inserts go to
// the new one, and every locate() and insert() moves one bucket across (rehash(),
// rehash_until() let a cron move more). The old array's emptied pages go back to
// the kernel as the rehash advances. So no operation ever moves more than a bucket
// or two, however big the table.
//
// scan() uses the reverse-binary cursor over the smaller and the larger array, so a
// full scan across any number of resizes returns every element that was present
// for its whole duration at least once.
//
// Traits: `using node = ...;`, `static std::string_view key(const node*)`,
// `static node*& next(node*)`.
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string_view>
#include <utility>

#include "storage/encodings/bucket_array.hpp"
#include "storage/encodings/hash.hpp"

namespace troupe {

template <class Traits>
class str_table {
 public:
  using node = typename Traits::node;
  using clock = std::chrono::steady_clock;

  // The table grows when it holds this many nodes per bucket.
  static constexpr size_t max_load = 1;
  // And shrinks when fewer than one bucket in `min_fill_divisor` would be used.
  static constexpr size_t min_fill_divisor = 10;
  static constexpr size_t initial_size = 4;

  str_table() = default;
  // Nodes belong to the caller: clear() or drain() them first.
  ~str_table() = default;
  str_table(const str_table&) = delete;
  str_table& operator=(const str_table&) = delete;
  str_table(str_table&& o) noexcept { swap(o); }
  str_table& operator=(str_table&& o) noexcept {
    str_table(std::move(o)).swap(*this);
    return *this;
  }
  void swap(str_table& o) noexcept {
    t_[0].swap(o.t_[0]);
    t_[1].swap(o.t_[1]);
    std::swap(used_, o.used_);
    std::swap(idx_, o.idx_);
    std::swap(pause_, o.pause_);
  }

  size_t size() const { return used_; }
  size_t buckets() const { return t_[0].size() + t_[1].size(); }
  size_t memory() const { return buckets() * sizeof(node*); }
  bool rehashing() const { return !t_[1].empty(); }

  static uint64_t hash(std::string_view k) { return hash_bytes(k.data(), k.size()); }

  // The link pointing at the node with key k (nullptr if absent), after one rehash
  // step. Valid until the next locate() or insert(); unlink() of another node
  // leaves it valid.
  node** locate(std::string_view k, uint64_t h) {
    step();
    return find_link(k, h);
  }
  // The same without the rehash step, for const users.
  node** find_link(std::string_view k, uint64_t h) const {
    for (int t = 0; t < 2 && !t_[t].empty(); ++t) {
      node** link = bucket(t, h);
      while (*link != nullptr) {
        std::string_view nk = Traits::key(*link);
        if (nk.size() == k.size() && memcmp(nk.data(), k.data(), k.size()) == 0) return link;
        link = &Traits::next(*link);
      }
    }
    return nullptr;
  }
  node* find(std::string_view k) const {
    node** l = find_link(k, hash(k));
    return l ? *l : nullptr;
  }

  // Inserts a node whose key is absent (after one rehash step; it may start a grow).
  void insert(node* n, uint64_t h) {
    step();
    if (t_[0].empty())
      t_[0] = bucket_array<node*>(initial_size);
    else if (!rehashing() && used_ >= t_[0].size() * max_load)
      start_rehash(size_for(used_ + 1));
    node** slot = bucket(rehashing() ? 1 : 0, h);
    Traits::next(n) = *slot;
    *slot = n;
    ++used_;
  }
  void insert(node* n) { insert(n, hash(Traits::key(n))); }

  // Unlinks the node at link and returns it. No node moves, so other links stay
  // valid; with may_shrink a shrink may start (it moves nodes only in later steps).
  node* unlink(node** link, bool may_shrink = true) {
    node* n = *link;
    *link = Traits::next(n);
    Traits::next(n) = nullptr;
    --used_;
    if (may_shrink) shrink_if_sparse();
    return n;
  }
  // Replaces the node at link with m (same key), e.g. after a realloc.
  static void relink(node** link, node* m) { *link = m; }

  // Starts shrinking when fewer than 1 in min_fill_divisor buckets would be used.
  void shrink_if_sparse() {
    if (rehashing() || t_[0].size() <= initial_size) return;
    if (used_ * min_fill_divisor < t_[0].size()) start_rehash(size_for(used_));
  }
  // Makes room for n nodes without growing (starts a rehash if there are nodes).
  void reserve(size_t n) {
    if (rehashing() || size_for(n) <= t_[0].size()) return;
    if (used_ == 0)
      t_[0] = bucket_array<node*>(size_for(n));
    else
      start_rehash(size_for(n));
  }

  // Moves up to n buckets (visiting at most 10n empty ones); true while more remains.
  bool rehash(size_t n) {
    if (!rehashing()) return false;
    size_t empty_visits = n * 10;
    const size_t old_size = t_[0].size();
    while (n > 0 && idx_ < old_size) {
      node* x = t_[0][idx_];
      if (x == nullptr) {
        ++idx_;
        if (--empty_visits == 0) break;
        continue;
      }
      t_[0][idx_++] = nullptr;
      while (x != nullptr) {
        node* nx = Traits::next(x);
        node** slot = bucket(1, hash(Traits::key(x)));
        Traits::next(x) = *slot;
        *slot = x;
        x = nx;
      }
      --n;
    }
    if (idx_ < old_size) {
      t_[0].discard_below(idx_);
      return true;
    }
    t_[0] = std::move(t_[1]);
    idx_ = 0;
    return false;
  }
  // The rehash step of an operation: one bucket, unless a scan or for_each is
  // walking the chains.
  void step() {
    if (pause_ == 0 && rehashing()) rehash(1);
  }
  // Rehashes until done or `deadline`; true while more remains.
  bool rehash_until(clock::time_point deadline) {
    while (rehash(64))
      if (clock::now() >= deadline) return true;
    return false;
  }

  // A random node (nullptr if empty): a random non-empty bucket, then a random
  // node of its chain.
  template <class Rng>
  node* random(Rng& rng) const {
    if (used_ == 0) return nullptr;
    node* n = nullptr;
    if (rehashing()) {
      // Buckets below idx_ in the old array are empty: draw from the rest of it
      // and the whole new one.
      size_t old_size = t_[0].size(), span = old_size - idx_ + t_[1].size();
      while (n == nullptr) {
        size_t i = idx_ + size_t(rng() % span);
        n = i < old_size ? t_[0][i] : t_[1][i - old_size];
      }
    } else {
      while (n == nullptr) n = t_[0][size_t(rng()) & (t_[0].size() - 1)];
    }
    size_t len = 0;
    for (node* m = n; m != nullptr; m = Traits::next(m)) ++len;
    size_t pick = len > 1 ? size_t(rng() % len) : 0;
    while (pick-- > 0) n = Traits::next(n);
    return n;
  }

  // Visits up to `count` nodes found in consecutive buckets from a random one
  // (Redis's dictGetSomeKeys: cheap, and random enough for eviction sampling);
  // gives up after count * 10 buckets. Returns how many were visited.
  template <class Rng, class F>
  size_t sample(size_t count, Rng& rng, F&& visit) const {
    if (used_ == 0 || count == 0) return 0;
    size_t found = 0;
    size_t old_size = rehashing() ? t_[0].size() - idx_ : t_[0].size();
    size_t span = old_size + t_[1].size();
    size_t i = size_t(rng() % span);
    for (size_t steps = 0; steps < span && steps < count * 10 && found < count; ++steps) {
      size_t b = (i + steps) % span;
      node* n = b < old_size ? t_[0][(rehashing() ? idx_ : 0) + b] : t_[1][b - old_size];
      for (; n != nullptr && found < count; n = Traits::next(n)) {
        visit(n);
        ++found;
      }
    }
    return found;
  }

  // Visits the nodes of one cursor step; returns the next cursor (0: done). The
  // visitor may unlink the node it is given, nothing else; no rehash step runs
  // meanwhile.
  template <class F>
  uint64_t scan(uint64_t cursor, F&& visit) const {
    if (used_ == 0) return 0;
    pause_guard guard(*this);
    if (!rehashing()) {
      emit(t_[0][cursor & mask(0)], visit);
      return next_cursor(cursor, mask(0));
    }
    int small = t_[0].size() <= t_[1].size() ? 0 : 1, big = 1 - small;
    uint64_t m0 = mask(small), m1 = mask(big);
    emit(t_[small][cursor & m0], visit);
    // Then every bucket of the larger array that the small one's bucket expands to.
    do {
      emit(t_[big][cursor & m1], visit);
      cursor = next_cursor(cursor, m1);
    } while (cursor & (m0 ^ m1));
    return cursor;
  }

  // Visits every node; the visitor may unlink or free the node it is given but must
  // not otherwise change the table.
  template <class F>
  void for_each(F&& visit) const {
    pause_guard guard(*this);
    for (int t = 0; t < 2; ++t)
      for (size_t i = t == 0 && rehashing() ? idx_ : 0; i < t_[t].size(); ++i)
        emit(t_[t][i], visit);
  }

  // Hands every node to take(node) (which may reuse its link) and frees the buckets.
  template <class F>
  void drain(F&& take) {
    for_each(take);
    t_[0] = bucket_array<node*>();
    t_[1] = bucket_array<node*>();
    used_ = 0;
    idx_ = 0;
  }
  // Unlinks every node, calling dispose(node) on each, and frees the buckets.
  template <class F>
  void clear(F&& dispose) {
    drain(dispose);
  }

 private:
  // While a scan or for_each walks the chains, locate() makes no rehash step
  // (a visitor may look keys up in the table it walks).
  struct pause_guard {
    const str_table& t;
    explicit pause_guard(const str_table& tb) : t(tb) { ++t.pause_; }
    ~pause_guard() { --t.pause_; }
  };

  uint64_t mask(int t) const { return t_[t].size() - 1; }
  node** bucket(int t, uint64_t h) const { return const_cast<node**>(&t_[t][size_t(h & mask(t))]); }
  static size_t size_for(size_t n) {
    size_t s = initial_size;
    while (s * max_load < n) s *= 2;
    return s;
  }
  void start_rehash(size_t n) {
    if (n == t_[0].size()) return;
    t_[1] = bucket_array<node*>(n);
    idx_ = 0;
  }
  template <class F>
  static void emit(node* n, F& visit) {
    while (n != nullptr) {
      node* nx = Traits::next(n);
      visit(n);
      n = nx;
    }
  }
  static uint64_t next_cursor(uint64_t v, uint64_t m) {
    v |= ~m;
    v = reverse(v);
    ++v;
    return reverse(v);
  }
  static uint64_t reverse(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
    v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
    v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
    return (v >> 32) | (v << 32);
  }

  // t_[0] is the table; while rehashing, buckets [0, idx_) of t_[0] have moved to t_[1].
  bucket_array<node*> t_[2];
  size_t used_ = 0;
  size_t idx_ = 0;
  mutable int pause_ = 0;
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
