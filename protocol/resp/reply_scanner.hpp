// Finds where one RESP reply ends without building it: a proxy passes a
// backend's replies to its clients as bytes, and only needs their boundaries.
//
// It is resumable: a reply that arrives in pieces (a large MGET array) is not
// re-scanned from its start on every read; the scanner remembers how far it
// got and how many elements each open aggregate still owes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace troupe {

class reply_scanner {
 public:
  enum class result { complete, incomplete, error };

  // Scans the reply that starts at buf[0] (len bytes are available). After
  // `complete`, length() is its size in bytes and the scanner is ready for the
  // next reply (which starts at buf[length()]). After `incomplete`, call again
  // with the same start and more bytes.
  result scan(const char* buf, size_t len);
  size_t length() const { return length_; }
  void reset();

  // Nesting deeper than this is an error, not a stack to grow without bound.
  static constexpr size_t max_depth = 64;

 private:
  size_t pos_ = 0;                // where the next element of this reply starts
  size_t length_ = 0;             // the last complete reply's size
  std::vector<int64_t> pending_;  // elements still owed by each open aggregate
};

}  // namespace troupe
