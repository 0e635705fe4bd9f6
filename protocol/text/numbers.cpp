#include "protocol/text/numbers.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace troupe {

std::optional<int64_t> parse_int64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) return std::nullopt;
  }
  if (s[i] < '1' || s[i] > '9') return std::nullopt;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (UINT64_MAX - 9) / 10) return std::nullopt;
    v = v * 10 + uint64_t(c - '0');
  }
  if (neg) {
    if (v > uint64_t(INT64_MAX) + 1) return std::nullopt;
    return int64_t(0 - v);
  }
  if (v > uint64_t(INT64_MAX)) return std::nullopt;
  return int64_t(v);
}

std::optional<uint64_t> parse_uint64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;
  if (s[0] < '1' || s[0] > '9') return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = uint64_t(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

std::optional<uint64_t> parse_cursor(std::string_view s) {
  s = s.substr(0, s.find('\0'));
  if (s.empty()) return 0;
  if (isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  bool neg = s[0] == '-';
  if (s[0] == '-' || s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;  // a sign alone is not a number
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    uint64_t d = uint64_t(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;  // ERANGE
    v = v * 10 + d;
  }
  return neg ? 0 - v : v;
}

int redis_atoi(std::string_view s) {
  std::string buf(s.substr(0, s.find('\0')));
  long v = strtol(buf.c_str(), nullptr, 10);
  return int(int32_t(uint32_t(uint64_t(v))));
}

std::optional<long double> parse_long_double(std::string_view s) {
  if (s.empty() || s.size() > 5120) return std::nullopt;
  if (isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::string buf(s);
  errno = 0;
  char* end = nullptr;
  long double v = strtold(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0)) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  if (s.empty() || s.size() > 5120) return std::nullopt;
  if (isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  char buf[128];
  std::string big;
  const char* p;
  if (s.size() < sizeof(buf)) {
    memcpy(buf, s.data(), s.size());
    buf[s.size()] = 0;
    p = buf;
  } else {
    big.assign(s);
    p = big.c_str();
  }
  errno = 0;
  char* end = nullptr;
  double v = strtod(p, &end);
  if (end != p + s.size() || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && v == 0) return std::nullopt;
  return v;
}

size_t format_int64(int64_t v, char* out) {
  auto r = std::to_chars(out, out + 21, v);
  return size_t(r.ptr - out);
}

std::string int64_to_string(int64_t v) {
  char buf[24];
  return std::string(buf, format_int64(v, buf));
}

std::string long_double_to_string(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[5200];
  int len = snprintf(buf, sizeof(buf), "%.17Lf", v);
  if (len < 0) return "0";
  // Trim trailing zeros and a dangling point, as Redis's human-friendly mode does.
  if (memchr(buf, '.', size_t(len)) != nullptr) {
    while (len > 0 && buf[len - 1] == '0') --len;
    if (len > 0 && buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, size_t(len));
}

std::string double_to_string(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[128];
  int len = snprintf(buf, sizeof(buf), "%.17g", v);
  return std::string(buf, size_t(len));
}

// Redis's memtoull: no sign, digits (none means 0), an optional unit; an
// overflowing number saturates and the product wraps, as in Redis, so the
// caller's range check reports it.
std::optional<int64_t> parse_memory(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && isdigit(static_cast<unsigned char>(s[i]))) ++i;
  std::string_view num = s.substr(0, i), unit = s.substr(i);
  uint64_t mul = 1;
  std::string u;
  for (char c : unit) u.push_back(char(tolower(static_cast<unsigned char>(c))));
  if (u.empty() || u == "b")
    mul = 1;
  else if (u == "k")
    mul = 1000;
  else if (u == "kb")
    mul = 1024;
  else if (u == "m")
    mul = 1000 * 1000;
  else if (u == "mb")
    mul = 1024 * 1024;
  else if (u == "g")
    mul = 1000ULL * 1000 * 1000;
  else if (u == "gb")
    mul = 1024ULL * 1024 * 1024;
  else
    return std::nullopt;
  if (num.size() >= 128) return std::nullopt;
  uint64_t v = 0;
  for (char c : num) {
    uint64_t d = uint64_t(c - '0');
    if (v > (UINT64_MAX - d) / 10) {
      v = UINT64_MAX;
      break;
    }
    v = v * 10 + d;
  }
  return int64_t(v * mul);
}

}  // namespace troupe
