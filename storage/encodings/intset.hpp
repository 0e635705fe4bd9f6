// An intset: a sorted array of distinct integers in one heap block, in Redis's
// intset layout so RDB can write it as it is:
//
//   encoding (u32 LE: 2, 4 or 8 bytes per element) | length (u32 LE) | elements (LE)
//
// The encoding widens when a value needs more bytes and never narrows.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace troupe::is {

unsigned char* create();
void destroy(unsigned char* s);
unsigned char* copy(const unsigned char* s);

inline uint32_t encoding(const unsigned char* s) {
  uint32_t v;
  memcpy(&v, s, 4);
  return v;
}
inline size_t length(const unsigned char* s) {
  uint32_t v;
  memcpy(&v, s + 4, 4);
  return v;
}
inline size_t bytes(const unsigned char* s) {
  return 8 + length(s) * encoding(s);
}

// The i-th smallest element.
int64_t get(const unsigned char* s, size_t i);
// Whether v is present; *pos receives its index or where it would go.
bool find(const unsigned char* s, int64_t v, size_t* pos = nullptr);
// Adds v; false when it was present.
bool add(unsigned char*& s, int64_t v);
// Removes v; false when it was absent.
bool remove(unsigned char*& s, int64_t v);
// Removes the element at index i.
void remove_at(unsigned char*& s, size_t i);

}  // namespace troupe::is
