#include "storage/encodings/intset.hpp"

#include <cstdlib>
#include <new>

namespace troupe::is {
namespace {

uint32_t width_for(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t read_at(const unsigned char* s, uint32_t enc, size_t i) {
  const unsigned char* p = s + 8 + i * enc;
  if (enc == 2) {
    int16_t v;
    memcpy(&v, p, 2);
    return v;
  }
  if (enc == 4) {
    int32_t v;
    memcpy(&v, p, 4);
    return v;
  }
  int64_t v;
  memcpy(&v, p, 8);
  return v;
}

void write_at(unsigned char* s, uint32_t enc, size_t i, int64_t v) {
  unsigned char* p = s + 8 + i * enc;
  if (enc == 2) {
    int16_t x = int16_t(v);
    memcpy(p, &x, 2);
  } else if (enc == 4) {
    int32_t x = int32_t(v);
    memcpy(p, &x, 4);
  } else {
    memcpy(p, &v, 8);
  }
}

void set_length(unsigned char* s, size_t n) {
  uint32_t v = uint32_t(n);
  memcpy(s + 4, &v, 4);
}

unsigned char* resize(unsigned char* s, uint32_t enc, size_t n) {
  auto* r = static_cast<unsigned char*>(realloc(s, 8 + enc * n));
  if (r == nullptr) throw std::bad_alloc();
  return r;
}

}  // namespace

unsigned char* create() {
  auto* s = static_cast<unsigned char*>(malloc(8));
  if (s == nullptr) throw std::bad_alloc();
  uint32_t enc = 2;
  memcpy(s, &enc, 4);
  set_length(s, 0);
  return s;
}

void destroy(unsigned char* s) {
  free(s);
}

unsigned char* copy(const unsigned char* s) {
  size_t n = bytes(s);
  auto* c = static_cast<unsigned char*>(malloc(n));
  if (c == nullptr) throw std::bad_alloc();
  memcpy(c, s, n);
  return c;
}

int64_t get(const unsigned char* s, size_t i) {
  return read_at(s, encoding(s), i);
}

bool find(const unsigned char* s, int64_t v, size_t* pos) {
  uint32_t enc = encoding(s);
  size_t n = length(s);
  if (width_for(v) > enc) {
    if (pos != nullptr) *pos = v < 0 ? 0 : n;
    return false;
  }
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int64_t m = read_at(s, enc, mid);
    if (m < v)
      lo = mid + 1;
    else if (m > v)
      hi = mid;
    else {
      if (pos != nullptr) *pos = mid;
      return true;
    }
  }
  if (pos != nullptr) *pos = lo;
  return false;
}

bool add(unsigned char*& s, int64_t v) {
  uint32_t enc = encoding(s);
  size_t n = length(s);
  uint32_t need = width_for(v);
  if (need > enc) {
    // Widen every element; the new value is smaller or larger than all of them.
    s = resize(s, need, n + 1);
    for (size_t i = n; i-- > 0;) write_at(s, need, i + (v < 0 ? 1 : 0), read_at(s, enc, i));
    write_at(s, need, v < 0 ? 0 : n, v);
    memcpy(s, &need, 4);
    set_length(s, n + 1);
    return true;
  }
  size_t pos;
  if (find(s, v, &pos)) return false;
  s = resize(s, enc, n + 1);
  memmove(s + 8 + (pos + 1) * enc, s + 8 + pos * enc, (n - pos) * enc);
  write_at(s, enc, pos, v);
  set_length(s, n + 1);
  return true;
}

void remove_at(unsigned char*& s, size_t i) {
  uint32_t enc = encoding(s);
  size_t n = length(s);
  memmove(s + 8 + i * enc, s + 8 + (i + 1) * enc, (n - i - 1) * enc);
  set_length(s, n - 1);
  s = resize(s, enc, n - 1);
}

bool remove(unsigned char*& s, int64_t v) {
  size_t pos;
  if (!find(s, v, &pos)) return false;
  remove_at(s, pos);
  return true;
}

}  // namespace troupe::is
