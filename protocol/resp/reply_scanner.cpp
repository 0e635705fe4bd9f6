#include "protocol/resp/reply_scanner.hpp"

#include <cstring>

namespace troupe {
namespace {

// Parses the decimal between p and the CR at `end`; false if it is not one.
bool parse_length(const char* p, const char* end, int64_t& out) {
  bool neg = false;
  if (p < end && *p == '-') {
    neg = true;
    ++p;
  }
  if (p == end || end - p > 18) return false;
  int64_t v = 0;
  for (; p < end; ++p) {
    if (*p < '0' || *p > '9') return false;
    v = v * 10 + (*p - '0');
  }
  out = neg ? -v : v;
  return true;
}

}  // namespace

void reply_scanner::reset() {
  pos_ = 0;
  pending_.clear();
}

reply_scanner::result reply_scanner::scan(const char* buf, size_t len) {
  for (;;) {
    if (pos_ >= len) return result::incomplete;
    const char* line = buf + pos_;
    const char* cr = static_cast<const char*>(memchr(line, '\r', len - pos_));
    if (cr == nullptr || size_t(cr - buf) + 1 >= len) return result::incomplete;
    if (cr[1] != '\n') return result::error;
    size_t after_line = size_t(cr - buf) + 2;
    int64_t n = 0;
    switch (*line) {
      case '+':
      case '-':
      case ':':
      case '_':
      case ',':
      case '#':
      case '(':
        pos_ = after_line;
        break;
      case '$':
      case '!':
      case '=': {
        if (!parse_length(line + 1, cr, n) || n < -1) return result::error;
        if (n == -1) {
          pos_ = after_line;
          break;
        }
        size_t end = after_line + size_t(n) + 2;
        if (end > len) return result::incomplete;
        if (buf[end - 2] != '\r' || buf[end - 1] != '\n') return result::error;
        pos_ = end;
        break;
      }
      case '*':
      case '~':
      case '>':
      case '%':
      case '|': {
        if (!parse_length(line + 1, cr, n) || n < -1) return result::error;
        pos_ = after_line;
        if (n <= 0) break;  // empty or null: a complete element
        if (*line == '%') n *= 2;
        if (*line == '|') n = n * 2 + 1;  // an attribute, then the reply it annotates
        if (pending_.size() >= max_depth) return result::error;
        pending_.push_back(n);
        continue;  // its first element follows
      }
      default:
        return result::error;
    }
    // One element done: it may close the aggregates around it.
    while (!pending_.empty() && --pending_.back() == 0) pending_.pop_back();
    if (pending_.empty()) {
      length_ = pos_;
      pos_ = 0;
      return result::complete;
    }
  }
}

}  // namespace troupe
