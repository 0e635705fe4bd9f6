#include "protocol/resp/resp_value.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace troupe {
namespace {

bool read_line(const char* buf, size_t len, size_t& pos, std::string_view& line) {
  const char* start = buf + pos;
  const char* cr = static_cast<const char*>(memchr(start, '\r', len - pos));
  if (cr == nullptr || size_t(cr - buf) + 1 >= len) return false;
  line = std::string_view(start, size_t(cr - start));
  pos = size_t(cr - buf) + 2;
  return true;
}

bool to_int(std::string_view s, int64_t& v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

std::string resp_value::to_string() const {
  switch (type) {
    case kind::simple:
      return str;
    case kind::error:
      return "(error) " + str;
    case kind::integer:
      return std::to_string(integer);
    case kind::boolean:
      return integer ? "true" : "false";
    case kind::bulk:
    case kind::verbatim:
    case kind::bignum:
      return "\"" + str + "\"";
    case kind::dbl:
      return str;
    case kind::nil:
      return "nil";
    default: {
      std::string s = type == kind::map ? "{" : "[";
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i) s += type == kind::map && i % 2 == 1 ? ": " : ", ";
        s += elements[i].to_string();
      }
      return s + (type == kind::map ? "}" : "]");
    }
  }
}

reply_parser::result reply_parser::parse(const char* buf, size_t len, size_t& pos,
                                         resp_value& out) {
  size_t p = pos;
  out = resp_value{};
  result r = parse_one(buf, len, p, out, 0);
  if (r == result::value) pos = p;
  return r;
}

reply_parser::result reply_parser::parse_one(const char* buf, size_t len, size_t& pos,
                                             resp_value& out, int depth) {
  if (depth > 64) {
    error_ = "reply nesting too deep";
    return result::error;
  }
  if (pos >= len) return result::incomplete;
  char t = buf[pos++];
  std::string_view line;
  if (!read_line(buf, len, pos, line)) {
    // An unended line is read again at every read: bounded, as a request's.
    if (len - pos <= max_line) return result::incomplete;
    error_ = "reply line too long";
    return result::error;
  }
  if (line.size() > max_line) {
    error_ = "reply line too long";
    return result::error;
  }
  using k = resp_value::kind;
  switch (t) {
    case '+':
      out.type = k::simple;
      out.str = line;
      return result::value;
    case '-':
      out.type = k::error;
      out.str = line;
      return result::value;
    case ':':
      out.type = k::integer;
      if (!to_int(line, out.integer)) break;
      return result::value;
    case '_':
      out.type = k::nil;
      return result::value;
    case ',':
      out.type = k::dbl;
      out.str = line;
      return result::value;
    case '(':
      out.type = k::bignum;
      out.str = line;
      return result::value;
    case '#':
      out.type = k::boolean;
      out.integer = line == "t";
      return result::value;
    case '$':
    case '=':
    case '!': {
      int64_t n;
      if (!to_int(line, n)) break;
      if (n < 0) {
        out.type = k::nil;
        return result::value;
      }
      if (n > max_bulk) {
        error_ = "reply bulk length out of range";
        return result::error;
      }
      if (len - pos < size_t(n) + 2) return result::incomplete;
      out.type = t == '$' ? k::bulk : t == '=' ? k::verbatim : k::error;
      out.str.assign(buf + pos, size_t(n));
      if (t == '=' && out.str.size() >= 4) out.str.erase(0, 4);  // "txt:"
      pos += size_t(n) + 2;
      return result::value;
    }
    case '*':
    case '%':
    case '~':
    case '>': {
      int64_t n;
      if (!to_int(line, n)) break;
      if (n < 0) {
        out.type = k::nil;
        return result::value;
      }
      if (n > max_elements) {
        error_ = "reply element count out of range";
        return result::error;
      }
      out.type = t == '*' ? k::array : t == '%' ? k::map : t == '~' ? k::set : k::push;
      size_t count = size_t(n) * (t == '%' ? 2 : 1);
      // The count is the peer's word: room is made as elements arrive, with
      // a head start no larger than the bytes at hand can fill (3 bytes at
      // least an element) nor than 1024 (nesting multiplies it).
      out.elements.reserve(std::min({count, (len - pos) / 3, size_t(1024)}));
      for (size_t i = 0; i < count; ++i) {
        result r = parse_one(buf, len, pos, out.elements.emplace_back(), depth + 1);
        if (r != result::value) return r;
      }
      return result::value;
    }
    default:
      break;
  }
  error_ = std::string("bad reply type byte '") + t + "'";
  return result::error;
}

void append_command(std::string& out, const std::vector<std::string_view>& args) {
  char buf[32];
  out.push_back('*');
  auto r = std::to_chars(buf, buf + sizeof(buf), args.size());
  out.append(buf, size_t(r.ptr - buf));
  out.append("\r\n");
  for (auto a : args) {
    out.push_back('$');
    r = std::to_chars(buf, buf + sizeof(buf), a.size());
    out.append(buf, size_t(r.ptr - buf));
    out.append("\r\n");
    out.append(a);
    out.append("\r\n");
  }
}

std::string encode_command(const std::vector<std::string>& args) {
  std::string out;
  std::vector<std::string_view> views(args.begin(), args.end());
  append_command(out, views);
  return out;
}

}  // namespace troupe
