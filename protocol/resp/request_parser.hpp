// Incremental parser for client requests: RESP multi-bulk ("*2\r\n$3\r\nGET...")
// and inline commands ("GET key\r\n"). It is resumable: a command that arrives in
// pieces is not re-scanned from its start on every read, so huge pipelines and
// huge multi-bulk commands parse in linear time.
//
// The caller owns the buffer. Arguments of multi-bulk commands are views into it
// (zero copy); inline arguments, which may carry escapes, live in the parser.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

class request_parser {
 public:
  enum class result { command, incomplete, error };

  struct limits {
    int64_t max_bulk_len = 512LL * 1024 * 1024;  // proto-max-bulk-len
    // Before AUTH succeeds (when a password is required) Redis caps requests.
    bool unauthenticated = false;
  };

  // Parses the next command from buf[0, len), starting where the last call stopped.
  // On `command`, args() holds it and consumed() says where the next one starts.
  result parse(const char* buf, size_t len, const limits& lim);

  const std::vector<std::string_view>& args() const { return args_; }
  // The error text after `error` (without the "-ERR " prefix).
  const std::string& error() const { return error_; }
  // Offset of the first byte not yet part of a complete command.
  size_t consumed() const { return cmd_start_; }
  // While `incomplete`, at least this many bytes in total must be buffered before
  // the command can complete (used to size the read buffer for large bulks).
  size_t bytes_needed() const { return needed_; }
  // The caller moved buf[consumed(), len) to the front of its buffer.
  void shift(size_t n);
  // Forget everything (a new connection state, e.g. after an error).
  void reset();

 private:
  result parse_inline(const char* buf, size_t len);
  result fail(std::string msg);

  size_t cmd_start_ = 0;                            // where the current command begins
  size_t scan_ = 0;                                 // where scanning resumes inside it
  int64_t multibulk_left_ = -1;                     // -1: not inside a multi-bulk command
  std::vector<std::pair<size_t, size_t>> offsets_;  // (offset from cmd_start_, length)
  std::vector<std::string_view> args_;
  std::vector<std::string> inline_args_;
  std::string error_;
  size_t needed_ = 0;
};

}  // namespace troupe
