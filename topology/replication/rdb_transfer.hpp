// Reads the RDB payload a master sends after +FULLRESYNC (or as the reply to
// SYNC), in either of Redis's framings:
//   "$<length>\r\n" then exactly <length> bytes (the master saved to disk), or
//   "$EOF:<40 random bytes>\r\n" then bytes until those 40 bytes appear again
//   (diskless: the length is not known in advance; the mark is not payload).
// Newlines before the header are the master's keep-alives while it prepares.
// Whatever follows the payload is the start of the command stream.
//
// Feed it bytes as they arrive; it hands out payload pieces as they become
// certain (in EOF mode the last 40 bytes are held back until more arrive).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace troupe {

class rdb_transfer {
 public:
  // Largest payload accepted when the master announces a length.
  explicit rdb_transfer(int64_t max_length = INT64_MAX) : max_length_(max_length) {}

  enum class status { need_more, done, error };
  struct result {
    status st = status::need_more;
    std::string_view payload;  // payload bytes from this feed (valid until the next feed)
    std::string_view rest;     // with `done`: bytes after the payload (the stream)
  };

  result feed(const char* data, size_t len);

  bool eof_framing() const { return !mark_.empty(); }
  // -1 until the header is read; the announced length (disk-based).
  int64_t announced_length() const { return length_; }
  int64_t payload_received() const { return received_; }
  const std::string& error() const { return error_; }

 private:
  enum class phase { header, body, done, error };
  result fail(std::string why);

  int64_t max_length_;
  phase phase_ = phase::header;
  std::string header_;    // the header line being read
  std::string mark_;      // EOF framing: the 40-byte end mark
  std::string held_;      // EOF framing: bytes that may be the start of the mark
  std::string out_;       // what payload views point into when bytes were held back
  int64_t length_ = -1;   // disk framing: bytes announced
  int64_t received_ = 0;  // payload bytes handed out so far
  std::string error_;
};

}  // namespace troupe
