// Listpacks as Redis writes them in RDB files: a checker that walks untrusted
// bytes with the rules of the public listpack specification (and Redis's exact
// back-length sizes), and a writer that produces exactly Redis's bytes.
//
// Troupe's in-memory listpack (storage/listpack.hpp) uses the same layout with
// one difference: Redis gives an entry whose encoding + data is exactly 16383,
// 2097151 or 268435455 bytes a back-length one byte longer than Troupe does.
// Such listpacks are re-encoded when they cross the boundary in either
// direction; all others are copied through as they are.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/encodings/listpack.hpp"

namespace troupe::rdb {

// What a successful check learned about a listpack.
struct listpack_info {
  size_t count = 0;    // entries
  size_t longest = 0;  // longest string entry (integers count as their digits)
  // Troupe's listpack code can walk it and find its entries as it is (else it
  // is rebuilt entry by entry on load).
  bool troupe_layout = true;
};

// Checks that bytes[0, n) is one well-formed listpack: header, every entry's
// encoding, lengths and back-length in range, the terminator last, the header's
// count. On failure returns false with a reason in err.
bool check_listpack(const unsigned char* bytes, size_t n, listpack_info& info, std::string& err);

// Calls f(lp::value) for every entry of a listpack that passed check_listpack.
template <class F>
void for_each_listpack_entry(const unsigned char* bytes, F&& f);

// A listpack blob that passed check_listpack as a malloc'ed Troupe listpack:
// copied as it is, or rebuilt entry by entry when its back-lengths differ
// from Troupe's. Throws std::bad_alloc.
unsigned char* adopt_listpack(std::string_view blob, const listpack_info& info);

// Whether a Troupe listpack is byte for byte what Redis would write.
bool is_redis_layout(const unsigned char* lp);

// Builds a listpack with Redis's exact encoding.
class listpack_writer {
 public:
  listpack_writer() { reset(); }
  void reset();
  // A string; canonical integers are stored as integers, as Redis does.
  void add(std::string_view s);
  void add(int64_t v);
  void add(const lp::value& v) {
    if (v.is_int())
      add(v.num);
    else
      add(std::string_view(reinterpret_cast<const char*>(v.str), v.len));
  }
  size_t count() const { return count_; }
  // The finished listpack (valid until the next add or reset).
  std::string_view finish();

 private:
  void add_entry(const unsigned char* head, size_t head_len, std::string_view data);
  std::string buf_;
  size_t count_ = 0;
  bool finished_ = false;
};

// Size of a back-length field for an entry of encoding + data length l, by
// Redis's rule.
size_t redis_backlen_size(size_t l);

template <class F>
void for_each_listpack_entry(const unsigned char* bytes, F&& f) {
  const unsigned char* p = bytes + lp::header_size;
  while (*p != lp::eof) {
    size_t l = lp::encoded_len(p);
    f(lp::get(p));
    p += l + redis_backlen_size(l);
  }
}

}  // namespace troupe::rdb
