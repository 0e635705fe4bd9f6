#include "protocol/config/config_rows.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "protocol/resp/split_args.hpp"
#include "protocol/text/numbers.hpp"

namespace troupe {

std::optional<bool> parse_yes_no(std::string_view s) {
  std::string l(s);
  for (auto& c : l) c = char(tolower(static_cast<unsigned char>(c)));
  if (l == "yes") return true;
  if (l == "no") return false;
  return std::nullopt;
}

std::string format_memory(int64_t bytes) {
  constexpr int64_t kb = 1024, mb = kb * 1024, gb = mb * 1024;
  if (bytes != 0 && bytes % gb == 0) return std::to_string(bytes / gb) + "gb";
  if (bytes != 0 && bytes % mb == 0) return std::to_string(bytes / mb) + "mb";
  if (bytes != 0 && bytes % kb == 0) return std::to_string(bytes / kb) + "kb";
  return std::to_string(bytes);
}

std::string enum_choices_error(const std::vector<std::string>& names) {
  std::string o = "argument(s) must be one of the following: ";
  for (size_t i = 0; i < names.size(); ++i) o += (i ? ", " : "") + names[i];
  return o;
}

std::string join_quoted(const std::vector<std::string>& args) {
  std::string o;
  for (size_t i = 0; i < args.size(); ++i) o += (i ? " " : "") + quote_arg(args[i]);
  return o;
}

// -- integers -----------------------------------------------------------------------

std::optional<int64_t> int_row::parse(const std::string& s, std::string& why) const {
  auto v = parse_int64(s);
  if (!v) why = "argument couldn't be parsed into an integer";
  return v;
}

config_error int_row::stage(const std::vector<std::string>& args, bool) {
  if (args.size() != 1) return "wrong number of arguments";
  std::string why;
  auto v = parse(args[0], why);
  if (!v) return why;
  // Bounds first, then the clamp: Redis refuses `hz -1` but takes `hz 0` as 1.
  if (*v < min_ || *v > max_)
    return "argument must be between " + std::to_string(min_) + " and " + std::to_string(max_) +
           " inclusive";
  staged_ = std::clamp(*v, clamp_lo_, clamp_hi_);
  return std::nullopt;
}

std::optional<int64_t> memory_row::parse(const std::string& s, std::string& why) const {
  // Memory amounts are unsigned in Redis: "-1" is no memory value.
  auto v = !s.empty() && s[0] == '-' ? std::nullopt : parse_memory(s);
  if (!v) why = "argument must be a memory value";
  return v;
}

std::vector<std::string> memory_row::lines() const {
  return {name() + " " + format_memory(get())};
}

std::optional<int64_t> memory_or_percent_row::parse(const std::string& s, std::string& why) const {
  if (s.size() > 1 && s.back() == '%') {
    auto pct = parse_int64(std::string_view(s).substr(0, s.size() - 1));
    if (pct && *pct >= 0) return -*pct;
  }
  auto v = !s.empty() && s[0] == '-' ? std::nullopt : parse_memory(s);
  if (!v) why = "argument must be a memory or percent value";
  return v;
}

config_error memory_or_percent_row::stage(const std::vector<std::string>& args, bool add) {
  if (args.size() == 1 && !args[0].empty() && args[0].back() == '%') {
    std::string why;
    auto v = parse(args[0], why);
    if (v && *v < -100) return "percentage argument must be less or equal to 100";
  }
  return int_row::stage(args, add);
}

std::string memory_or_percent_row::text() const {
  int64_t v = get();
  return v < 0 ? std::to_string(-v) + "%" : std::to_string(v);
}

std::vector<std::string> memory_or_percent_row::lines() const {
  int64_t v = get();
  return {name() + " " + (v < 0 ? std::to_string(-v) + "%" : format_memory(v))};
}

config_error octal_row::stage(const std::vector<std::string>& args, bool) {
  if (args.size() != 1) return "wrong number of arguments";
  const std::string& a = args[0];
  char* end = nullptr;
  errno = 0;
  long long v = strtoll(a.c_str(), &end, 8);
  if (a.empty() || *end != 0 || errno != 0 || v < 0 || v > max_)
    return "argument must be an octal number between 0 and " + [this] {
      char buf[32];
      snprintf(buf, sizeof(buf), "0%llo", static_cast<unsigned long long>(max_));
      return std::string(buf);
    }();
  staged_ = v;
  return std::nullopt;
}

std::string octal_row::text() const {
  char buf[32];
  snprintf(buf, sizeof(buf), "%llo", static_cast<unsigned long long>(get()));
  return buf;
}

// -- yes/no -------------------------------------------------------------------------

config_error bool_row::stage(const std::vector<std::string>& args, bool) {
  if (args.size() != 1) return "wrong number of arguments";
  auto b = parse_yes_no(args[0]);
  if (!b) return "argument must be 'yes' or 'no'";
  staged_ = *b;
  return std::nullopt;
}

// -- strings ------------------------------------------------------------------------

config_error string_row::stage(const std::vector<std::string>& args, bool) {
  if (args.size() != 1) return "wrong number of arguments";
  if (check_)
    if (auto e = check_(args[0])) return e;
  stage_value(args[0]);
  return std::nullopt;
}

std::vector<std::string> string_row::lines() const {
  auto v = get();
  return {name() + " " + (v->empty() ? std::string("\"\"") : quote_arg(*v))};
}

config_error args_row::stage(const std::vector<std::string>& args, bool) {
  if (check_)
    if (auto e = check_(args)) return e;
  stage_value(args);
  return std::nullopt;
}

std::string args_row::text() const {
  return join_quoted(*get());
}

std::vector<std::string> args_row::lines() const {
  auto v = get();
  if (v->empty()) return {name() + " \"\""};
  return {name() + " " + join_quoted(*v)};
}

}  // namespace troupe
