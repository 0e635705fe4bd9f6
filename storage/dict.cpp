#include "storage/dict.hpp"

#include <chrono>
#include <cstdlib>
#include <new>
#include <utility>

#include "storage/hash.hpp"

namespace troupe {
namespace {
constexpr size_t initial_size = 4;

uint64_t reverse_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  v = ((v >> 8) & 0x00FF00FF00FF00FFULL) | ((v & 0x00FF00FF00FF00FFULL) << 8);
  v = ((v >> 16) & 0x0000FFFF0000FFFFULL) | ((v & 0x0000FFFF0000FFFFULL) << 16);
  return (v >> 32) | (v << 32);
}

kv_entry** alloc_table(size_t n) {
  auto** t = static_cast<kv_entry**>(calloc(n, sizeof(kv_entry*)));
  if (t == nullptr) throw std::bad_alloc();
  return t;
}

bool key_equals(const kv_entry* e, std::string_view key) {
  return e->key_len() == key.size() &&
         memcmp(reinterpret_cast<const char*>(e) + e->key_offset(), key.data(), key.size()) == 0;
}
}  // namespace

dict::~dict() {
  clear();
}

dict::dict(dict&& o) noexcept {
  *this = std::move(o);
}

dict& dict::operator=(dict&& o) noexcept {
  if (this != &o) {
    clear();
    for (int i = 0; i < 2; ++i) {
      table_[i] = std::exchange(o.table_[i], nullptr);
      size_[i] = std::exchange(o.size_[i], 0);
      used_[i] = std::exchange(o.used_[i], 0);
    }
    rehash_idx_ = std::exchange(o.rehash_idx_, -1);
  }
  return *this;
}

uint64_t dict::hash_of(const kv_entry* e) {
  return hash_key(e->key());
}

kv_entry* dict::find(std::string_view key, uint64_t hash) {
  location loc = locate(key, hash);
  return loc ? *loc.link : nullptr;
}

dict::location dict::locate(std::string_view key, uint64_t hash) {
  if (size() == 0) return {};
  step();
  for (int t = 0; t < 2; ++t) {
    if (size_[t] == 0) break;
    kv_entry** link = &table_[t][hash & (size_[t] - 1)];
    for (; *link != nullptr; link = &(*link)->next)
      if (key_equals(*link, key)) return {link, t};
    if (rehash_idx_ < 0) break;
  }
  return {};
}

void dict::insert(kv_entry* e, uint64_t hash) {
  step();
  expand_if_needed();
  int t = rehash_idx_ >= 0 ? 1 : 0;
  kv_entry** slot = &table_[t][hash & (size_[t] - 1)];
  e->next = *slot;
  *slot = e;
  ++used_[t];
}

kv_entry* dict::unlink(location loc) {
  kv_entry* e = *loc.link;
  *loc.link = e->next;
  e->next = nullptr;
  --used_[loc.table];
  return e;
}

void dict::expand_if_needed() {
  if (rehash_idx_ >= 0) return;
  if (size_[0] == 0) {
    resize(initial_size);
    return;
  }
  if (used_[0] >= size_[0]) resize(used_[0] + 1);
}

void dict::reserve(size_t n) {
  if (rehash_idx_ >= 0 || n <= size_[0]) return;
  resize(n);
}

// Starts a rehash into a table of the smallest power of two >= n (or, for the
// very first table, just creates it).
void dict::resize(size_t n) {
  size_t real = initial_size;
  while (real < n) real *= 2;
  if (size_[0] == 0) {
    table_[0] = alloc_table(real);
    size_[0] = real;
    return;
  }
  if (real == size_[0]) return;
  table_[1] = alloc_table(real);
  size_[1] = real;
  used_[1] = 0;
  rehash_idx_ = 0;
}

bool dict::rehash(int n) {
  if (rehash_idx_ < 0) return false;
  int empty_visits = n * 10;
  while (n-- > 0 && used_[0] != 0) {
    while (table_[0][rehash_idx_] == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) return true;
    }
    kv_entry* e = table_[0][rehash_idx_];
    while (e != nullptr) {
      kv_entry* next = e->next;
      size_t idx = hash_of(e) & (size_[1] - 1);
      e->next = table_[1][idx];
      table_[1][idx] = e;
      --used_[0];
      ++used_[1];
      e = next;
    }
    table_[0][rehash_idx_] = nullptr;
    ++rehash_idx_;
  }
  if (used_[0] == 0) {
    free(table_[0]);
    table_[0] = table_[1];
    size_[0] = size_[1];
    used_[0] = used_[1];
    table_[1] = nullptr;
    size_[1] = used_[1] = 0;
    rehash_idx_ = -1;
    return false;
  }
  return true;
}

void dict::rehash_for(int ms) {
  auto start = std::chrono::steady_clock::now();
  while (rehash(100)) {
    if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(ms)) break;
  }
}

void dict::shrink_if_sparse() {
  if (rehash_idx_ >= 0 || size_[0] <= initial_size) return;
  if (used_[0] * 10 < size_[0]) resize(used_[0] < initial_size ? initial_size : used_[0]);
}

kv_entry* dict::random_entry(std::mt19937_64& rng) {
  if (size() == 0) return nullptr;
  step();
  kv_entry* bucket = nullptr;
  if (rehash_idx_ >= 0) {
    // Buckets below rehash_idx_ in table 0 are empty; skip them.
    size_t span = size_[0] + size_[1] - size_t(rehash_idx_);
    while (bucket == nullptr) {
      size_t i = size_t(rehash_idx_) + rng() % span;
      bucket = i >= size_[0] ? table_[1][i - size_[0]] : table_[0][i];
    }
  } else {
    while (bucket == nullptr) bucket = table_[0][rng() & (size_[0] - 1)];
  }
  size_t len = 0;
  for (kv_entry* e = bucket; e != nullptr; e = e->next) ++len;
  size_t pick = rng() % len;
  while (pick-- > 0) bucket = bucket->next;
  return bucket;
}

uint64_t dict::scan(uint64_t v, const std::function<void(kv_entry*)>& visit) {
  if (size() == 0) return 0;
  ++pause_;  // no rehash steps while we walk buckets
  auto emit = [&](kv_entry* e) {
    while (e != nullptr) {
      kv_entry* next = e->next;
      visit(e);
      e = next;
    }
  };
  if (rehash_idx_ < 0) {
    uint64_t m0 = size_[0] - 1;
    emit(table_[0][v & m0]);
    v |= ~m0;
    v = reverse_bits(v);
    ++v;
    v = reverse_bits(v);
  } else {
    int small = size_[0] <= size_[1] ? 0 : 1, big = 1 - small;
    uint64_t m0 = size_[small] - 1, m1 = size_[big] - 1;
    emit(table_[small][v & m0]);
    // Then every bucket of the larger table that expands the small one's bucket.
    do {
      emit(table_[big][v & m1]);
      v |= ~m1;
      v = reverse_bits(v);
      ++v;
      v = reverse_bits(v);
    } while (v & (m0 ^ m1));
  }
  --pause_;
  return v;
}

void dict::for_each(const std::function<void(kv_entry*)>& visit) const {
  for (int t = 0; t < 2; ++t)
    for (size_t i = 0; i < size_[t]; ++i)
      for (kv_entry* e = table_[t][i]; e != nullptr;) {
        kv_entry* next = e->next;
        visit(e);
        e = next;
      }
}

kv_entry* dict::release_all() {
  kv_entry* chain = nullptr;
  for (int t = 0; t < 2; ++t) {
    for (size_t i = 0; i < size_[t]; ++i)
      for (kv_entry* e = table_[t][i]; e != nullptr;) {
        kv_entry* next = e->next;
        e->next = chain;
        chain = e;
        e = next;
      }
    free(table_[t]);
    table_[t] = nullptr;
    size_[t] = used_[t] = 0;
  }
  rehash_idx_ = -1;
  return chain;
}

void dict::clear() {
  kv_entry* chain = release_all();
  while (chain != nullptr) {
    kv_entry* next = chain->next;
    destroy_entry(chain);
    chain = next;
  }
}

}  // namespace troupe
