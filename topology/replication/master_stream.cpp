#include "topology/replication/master_stream.hpp"

#include <cstdint>

namespace troupe {

master_stream::master_stream(int64_t offset) : applied_offset_(offset), read_offset_(offset) {
  // A master's commands are not bound by proto-max-bulk-len (Redis exempts its
  // master client too): the master already accepted them.
  limits_.max_bulk_len = INT64_MAX;
}

master_stream::result master_stream::next(const char* buf, size_t len) {
  switch (parser_.parse(buf, len, limits_)) {
    case request_parser::result::command:
      return result::command;
    case request_parser::result::incomplete:
      return result::incomplete;
    case request_parser::result::error:
      break;
  }
  return result::error;
}

void master_stream::commit() {
  size_t end = parser_.consumed();
  applied_offset_ += int64_t(end - applied_pos_);
  applied_pos_ = end;
}

void master_stream::discarded(size_t n) {
  applied_pos_ -= n;
  parser_.shift(n);
}

}  // namespace troupe
