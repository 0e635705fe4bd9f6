#include "protocol/resp/request_parser.hpp"

#include <cstring>

#include "protocol/resp/split_args.hpp"

namespace troupe {
namespace {
constexpr size_t inline_max = 64 * 1024;  // Redis's PROTO_INLINE_MAX_SIZE

// Parses the integer of a "*N" / "$N" header line [p, e); false on junk.
bool parse_header_int(const char* p, const char* e, int64_t& out) {
  if (p == e || e - p > 20) return false;
  bool neg = false;
  if (*p == '-') {
    neg = true;
    ++p;
    if (p == e) return false;
  }
  int64_t v = 0;
  for (; p < e; ++p) {
    if (*p < '0' || *p > '9') return false;
    if (v > (INT64_MAX - 9) / 10) return false;
    v = v * 10 + (*p - '0');
  }
  out = neg ? -v : v;
  return true;
}
}  // namespace

void request_parser::reset() {
  cmd_start_ = scan_ = 0;
  multibulk_left_ = -1;
  offsets_.clear();
  args_.clear();
  needed_ = 0;
}

void request_parser::shift(size_t n) {
  cmd_start_ -= n;
  scan_ -= n;
}

request_parser::result request_parser::fail(std::string msg) {
  error_ = std::move(msg);
  return result::error;
}

request_parser::result request_parser::parse(const char* buf, size_t len, const limits& lim) {
  needed_ = 0;
  for (;;) {
    if (multibulk_left_ < 0) {
      // Start of a new command; skip nothing but decide its kind.
      if (cmd_start_ >= len) return result::incomplete;
      if (buf[cmd_start_] != '*') {
        result r = parse_inline(buf, len);
        if (r == result::command && args_.empty()) continue;  // empty line
        return r;
      }
      const char* start = buf + cmd_start_;
      const char* cr = static_cast<const char*>(memchr(start, '\r', len - cmd_start_));
      if (cr == nullptr || size_t(cr - buf) + 1 >= len) {
        if (len - cmd_start_ > inline_max)
          return fail("Protocol error: too big mbulk count string");
        return result::incomplete;
      }
      int64_t n;
      if (!parse_header_int(start + 1, cr, n) || n > INT32_MAX)
        return fail("Protocol error: invalid multibulk length");
      if (lim.unauthenticated && n > 10)
        return fail("Protocol error: unauthenticated multibulk length");
      scan_ = size_t(cr - buf) + 2;
      if (n <= 0) {  // "*0" and "*-1" are empty commands, silently skipped
        cmd_start_ = scan_;
        continue;
      }
      multibulk_left_ = n;
      offsets_.clear();
      if (n < 1024) offsets_.reserve(size_t(n));
    }
    while (multibulk_left_ > 0) {
      if (scan_ >= len) return result::incomplete;
      if (buf[scan_] != '$') {
        std::string msg = "Protocol error: expected '$', got '";
        msg.push_back(buf[scan_]);
        msg.push_back('\'');
        return fail(std::move(msg));
      }
      const char* cr = static_cast<const char*>(memchr(buf + scan_, '\r', len - scan_));
      if (cr == nullptr || size_t(cr - buf) + 1 >= len) {
        if (len - scan_ > inline_max) return fail("Protocol error: too big bulk count string");
        return result::incomplete;
      }
      int64_t blen;
      if (!parse_header_int(buf + scan_ + 1, cr, blen) || blen < 0 || blen > lim.max_bulk_len)
        return fail("Protocol error: invalid bulk length");
      if (lim.unauthenticated && blen > 16384)
        return fail("Protocol error: unauthenticated bulk length");
      size_t data = size_t(cr - buf) + 2;
      // Like Redis, the two bytes after the payload are skipped, not checked.
      if (len < data + size_t(blen) + 2) {
        needed_ = data + size_t(blen) + 2;
        return result::incomplete;
      }
      offsets_.emplace_back(data - cmd_start_, size_t(blen));
      scan_ = data + size_t(blen) + 2;
      --multibulk_left_;
    }
    args_.clear();
    for (auto& [off, l] : offsets_) args_.emplace_back(buf + cmd_start_ + off, l);
    multibulk_left_ = -1;
    cmd_start_ = scan_;
    return result::command;
  }
}

request_parser::result request_parser::parse_inline(const char* buf, size_t len) {
  const char* start = buf + cmd_start_;
  const char* nl = static_cast<const char*>(memchr(start, '\n', len - cmd_start_));
  if (nl == nullptr) {
    if (len - cmd_start_ > inline_max) return fail("Protocol error: too big inline request");
    return result::incomplete;
  }
  const char* end = nl;
  if (end > start && end[-1] == '\r') --end;
  auto parts = split_args(std::string_view(start, size_t(end - start)));
  if (!parts) return fail("Protocol error: unbalanced quotes in request");
  inline_args_ = std::move(*parts);
  args_.clear();
  for (auto& a : inline_args_) args_.emplace_back(a);
  cmd_start_ = scan_ = size_t(nl - buf) + 1;
  return result::command;
}

}  // namespace troupe
