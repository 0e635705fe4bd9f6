// The master's half of rdb_transfer.hpp: how an RDB payload is framed on the
// wire after +FULLRESYNC (or as the answer to SYNC).
//   disk-backed: "$<length>\r\n" then the file's bytes;
//   diskless:    "$EOF:<40-byte mark>\r\n" then the RDB, then the mark again.
#pragma once
#include <cstdint>
#include <string>

namespace troupe {

std::string disk_payload_header(int64_t length);

class eof_payload_framing {
 public:
  // A fresh random mark (40 hex characters, as Redis's).
  eof_payload_framing();
  explicit eof_payload_framing(std::string mark) : mark_(std::move(mark)) {}
  std::string opening() const { return "$EOF:" + mark_ + "\r\n"; }
  const std::string& closing() const { return mark_; }

 private:
  std::string mark_;
};

}  // namespace troupe
