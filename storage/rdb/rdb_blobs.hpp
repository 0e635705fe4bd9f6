// The packed blobs of RDB files other than listpacks: ziplists (lists, hashes and
// sorted sets of RDB versions before 10), zipmaps (hashes of Redis 2.x) and
// intsets. Each walker checks untrusted bytes as it goes and never reads outside
// them; it reports the first problem as an error text.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace troupe::rdb {

// Every element of a ziplist, in order (integers formatted as text). Returns
// false with err set if the ziplist is malformed (f may have seen some elements).
bool walk_ziplist(const unsigned char* z, size_t n, const std::function<void(std::string_view)>& f,
                  std::string& err);

// Every field and value of a zipmap, in order.
bool walk_zipmap(const unsigned char* z, size_t n,
                 const std::function<void(std::string_view, std::string_view)>& f,
                 std::string& err);

// Checks an intset: known element width, size matching its length, elements
// strictly ascending. Sets `count`.
bool check_intset(const unsigned char* s, size_t n, size_t& count, std::string& err);

}  // namespace troupe::rdb
