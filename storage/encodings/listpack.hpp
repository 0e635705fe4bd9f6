// A listpack: a sequence of strings and integers packed in one heap block, in the
// byte layout of Redis's listpack (the public listpack specification), so that a
// small hash, sorted set or list node costs one allocation and RDB can write it
// as it is:
//
//   total bytes (u32 LE) | element count (u16 LE, 65535: unknown) | entries | 0xFF
//
// Each entry is an encoding byte (with the small length or value folded in), the
// data, and "backlen": the size of encoding + data written backwards in 7-bit
// groups, which lets iteration run from the end too. Strings that are canonical
// 64-bit integers are stored as integers of the smallest width.
//
// Functions work on the raw block. Mutations may move it: they take the block by
// reference and return the position of the entry they leave the caller at.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace troupe::lp {

// One entry as read: a string (str != nullptr) or an integer.
struct value {
  const unsigned char* str = nullptr;
  uint32_t len = 0;
  int64_t num = 0;

  bool is_int() const { return str == nullptr; }
  // The entry as text; integers are formatted into buf (at least 21 bytes).
  std::string_view view(char* buf) const;
  bool equals(std::string_view s) const;
  // Integer value if the entry is one or a string holding one.
  bool as_int(int64_t& out) const;
};

constexpr size_t header_size = 6;
constexpr unsigned char eof = 0xFF;

unsigned char* create(size_t capacity = 0);
void destroy(unsigned char* lp);
unsigned char* copy(const unsigned char* lp);

inline size_t bytes(const unsigned char* lp) {
  uint32_t v;
  memcpy(&v, lp, 4);
  return v;
}
// Number of entries (a scan when the header count overflowed).
size_t length(const unsigned char* lp);

// Iteration: positions are pointers to an entry's first byte; nullptr past the ends.
inline unsigned char* first(unsigned char* lp) {
  unsigned char* p = lp + header_size;
  return *p == eof ? nullptr : p;
}
unsigned char* last(unsigned char* lp);
unsigned char* next(unsigned char* lp, unsigned char* p);
unsigned char* prev(unsigned char* lp, unsigned char* p);
value get(const unsigned char* p);
// The entry at index i (negative from the end), or nullptr.
unsigned char* seek(unsigned char* lp, long i);
// Size of the encoding byte(s) and data of the entry at p, without its back
// length; 0 when p's first byte starts no entry (0xF5-0xFF). Reads only the
// entry's header, so it also serves to validate untrusted listpacks.
size_t encoded_len(const unsigned char* p);
// Size in bytes of the whole entry at p.
size_t entry_size(const unsigned char* p);

// Finds s among entries starting at p, looking only at every (skip+1)-th one.
unsigned char* find(unsigned char* lp, unsigned char* p, std::string_view s, unsigned skip);

// Inserts s before p (p == nullptr: at the end); returns the new entry.
unsigned char* insert(unsigned char*& lp, unsigned char* p, std::string_view s);
unsigned char* insert_int(unsigned char*& lp, unsigned char* p, int64_t v);
inline unsigned char* append(unsigned char*& lp, std::string_view s) {
  return insert(lp, nullptr, s);
}
inline unsigned char* append_int(unsigned char*& lp, int64_t v) {
  return insert_int(lp, nullptr, v);
}
inline unsigned char* prepend(unsigned char*& lp, std::string_view s) {
  return insert(lp, first(lp), s);
}
// Replaces the entry at p with s; returns its new position.
unsigned char* replace(unsigned char*& lp, unsigned char* p, std::string_view s);
// Removes n entries starting at p; returns the entry that followed them (or nullptr).
unsigned char* remove(unsigned char*& lp, unsigned char* p, size_t n = 1);
// Removes entries [index, index+n).
void remove_range(unsigned char*& lp, long index, size_t n);
// Releases spare capacity after removals.
void shrink_to_fit(unsigned char*& lp);

// Bytes an entry holding s would take (for size limits).
size_t encoded_size(std::string_view s);

// Whether s is a canonical integer as listpack and intset store them.
bool string_to_int(std::string_view s, int64_t& v);

}  // namespace troupe::lp
