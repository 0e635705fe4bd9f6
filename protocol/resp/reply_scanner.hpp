// An incremental RESP2/RESP3 reply scanner: it builds no values, it only finds
// where each top-level reply ends and whether it is an error, resuming exactly
// where the previous chunk stopped (inside a bulk string or a nested array) so
// no byte is looked at twice. troupe-benchmark counts replies with it; the
// proxy finds the ends of its backends' replies with it, to pass them on as
// bytes.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace troupe {

class reply_scanner {
 public:
  // Scans buf[0, len). For each completed top-level reply calls
  // on_reply(bool is_error, std::string_view error_text), or, when the
  // callback takes a third argument, on_reply(is_error, error_text, end) with
  // `end` the offset in buf just past that reply. Returns the number of bytes
  // consumed; the rest (an incomplete header line) must be passed again,
  // followed by more data. On a protocol violation failed() becomes true and
  // scanning stops.
  template <class OnReply>
  size_t scan(const char* buf, size_t len, OnReply&& on_reply);

  bool failed() const { return failed_; }
  // Nesting deeper than this is a protocol error, not a stack without bound.
  static constexpr size_t max_depth = 128;
  const std::string& failure() const { return failure_; }
  // True between replies (nothing partially read).
  bool at_boundary() const { return skip_ == 0 && stack_.empty(); }
  void reset() {
    skip_ = 0;
    stack_.clear();
    in_push_ = blob_error_ = false;
    failed_ = false;
    failure_.clear();
  }

 private:
  // A line's integer: digits with an optional '-'. False if malformed.
  static bool parse_int(const char* p, const char* end, int64_t& out);
  void fail(std::string why) {
    failed_ = true;
    failure_ = std::move(why);
  }
  // Marks one element done; true when that completed a top-level reply.
  bool element_done() {
    while (!stack_.empty()) {
      if (--stack_.back() > 0) return false;
      stack_.pop_back();
    }
    if (in_push_) {
      in_push_ = false;  // out-of-band push message: not a reply
      return false;
    }
    return true;
  }

  uint64_t skip_ = 0;           // bytes of a bulk payload (with its CRLF) still to skip
  std::vector<int64_t> stack_;  // elements left in each open aggregate
  bool in_push_ = false;        // the top-level value being read is a RESP3 push
  bool blob_error_ = false;     // the bulk being skipped is a top-level blob error
  bool failed_ = false;
  std::string failure_;
};

template <class OnReply>
size_t reply_scanner::scan(const char* buf, size_t len, OnReply&& on_reply) {
  size_t pos = 0;
  auto emit = [&](bool is_error, std::string_view text) {
    if constexpr (std::is_invocable_v<OnReply&, bool, std::string_view, size_t>)
      on_reply(is_error, text, pos);
    else
      on_reply(is_error, text);
  };
  while (pos < len && !failed_) {
    if (skip_ > 0) {
      const size_t take = size_t(std::min<uint64_t>(skip_, len - pos));
      pos += take;
      skip_ -= take;
      if (skip_ > 0) break;
      // A RESP3 blob error's text is not kept: it is counted all the same.
      if (element_done()) emit(blob_error_, std::string_view(blob_error_ ? "(blob error)" : ""));
      blob_error_ = false;
      continue;
    }
    const char* line = buf + pos;
    const auto* nl = static_cast<const char*>(std::memchr(line, '\n', len - pos));
    if (nl == nullptr) break;  // header line incomplete: wait for more
    const char* end = nl;      // points at '\n'; the '\r' before it is not content
    if (end == line || end[-1] != '\r') {
      fail("Protocol error: line not terminated by CRLF");
      break;
    }
    --end;
    const size_t next = size_t(nl - buf) + 1;
    const char type = line[0];
    switch (type) {
      case '+':
      case ':':
      case ',':
      case '#':
      case '(':
      case '_':
        pos = next;
        if (element_done()) emit(false, std::string_view());
        break;
      case '-':
        pos = next;
        if (stack_.empty() && !in_push_) {
          emit(true, std::string_view(line + 1, size_t(end - line - 1)));
        } else {
          element_done();
        }
        break;
      case '$':
      case '=':
      case '!': {
        int64_t n = 0;
        if (!parse_int(line + 1, end, n)) {
          fail("Protocol error: bad bulk length");
          break;
        }
        pos = next;
        if (n < 0) {
          if (element_done()) emit(false, std::string_view());
        } else {
          skip_ = uint64_t(n) + 2;
          blob_error_ = type == '!' && stack_.empty() && !in_push_;
        }
        break;
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        int64_t n = 0;
        if (!parse_int(line + 1, end, n)) {
          fail("Protocol error: bad aggregate length");
          break;
        }
        pos = next;
        if (type == '%') n *= 2;
        if (type == '>' && stack_.empty()) in_push_ = true;
        if (type == '|') {
          // An attribute map precedes the reply it annotates: read its
          // 2n elements, then the reply itself, as one unit.
          if (stack_.size() >= max_depth) {
            fail("Protocol error: replies nested too deeply");
            break;
          }
          stack_.push_back(n * 2 + 1);
          break;
        }
        if (n <= 0) {
          if (element_done()) emit(false, std::string_view());
        } else {
          if (stack_.size() >= max_depth) {
            fail("Protocol error: replies nested too deeply");
            break;
          }
          stack_.push_back(n);
        }
        break;
      }
      default:
        fail(std::string("Protocol error: unexpected byte '") + type + "' in reply");
        break;
    }
  }
  return pos;
}

inline bool reply_scanner::parse_int(const char* p, const char* end, int64_t& out) {
  bool neg = false;
  if (p < end && *p == '-') {
    neg = true;
    ++p;
  }
  // 18 digits at most: no int64 overflow (a peer may send any length).
  if (p == end || end - p > 18) return false;
  int64_t v = 0;
  for (; p < end; ++p) {
    if (*p < '0' || *p > '9') return false;
    v = v * 10 + (*p - '0');
    if (v > (int64_t(1) << 40)) return false;  // no sane reply is a terabyte
  }
  out = neg ? -v : v;
  return true;
}

}  // namespace troupe
