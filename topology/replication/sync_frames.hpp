// A diskless full sync between Troupe nodes, in frames: the master sends the
// RDB and the write stream that follows the cut side by side, each piece as a
// frame, so the stream is never held on the master for the whole transfer (and
// cannot get the replica dropped by its output limit: the full-resync loop).
// The replica loads the RDB and keeps the stream until the data is in.
//
// Used only when the replica announced `REPLCONF capa stream-while-loading`
// and the master answered `+FULLRESYNC <replid> <offset> frames`. The RDB
// frames carry the payload exactly as Redis's diskless framing has it
// (`$EOF:<mark>\r\n`, the RDB, the mark):
//   R<length>\r\n<length bytes of the RDB payload>
//   S<length>\r\n<length bytes of the write stream>
//   E0\r\n            the RDB is complete; raw stream bytes follow
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

enum class sync_frame : char { rdb = 'R', stream = 'S', end = 'E' };

std::string sync_frame_header(sync_frame kind, size_t length);

class sync_frame_reader {
 public:
  struct piece {
    sync_frame kind;
    std::string_view bytes;  // into the data given to parse()
  };
  // Parses data[0, len) from where the last call stopped; appends whole or
  // partial frame contents to `out` and returns the bytes used. Stops after
  // the end frame (the rest is raw stream) or at an error.
  size_t parse(const char* data, size_t len, std::vector<piece>& out);
  bool ended() const { return ended_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  std::string header_;  // a frame header being read
  sync_frame kind_ = sync_frame::rdb;
  uint64_t left_ = 0;  // bytes of the current frame still to come
  bool in_body_ = false;
  bool ended_ = false;
  std::string error_;
};

}  // namespace troupe
