// notify-keyspace-events letters <-> flags, in Redis's order and spelling.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/config/config_special_rows.hpp"

namespace troupe {

// Bits as notify_class (protocol/config_special_rows.hpp).
namespace {
constexpr uint32_t K = 1u << 0, E = 1u << 1, g = 1u << 2, S = 1u << 3, l = 1u << 4, s = 1u << 5,
                   h = 1u << 6, z = 1u << 7, x = 1u << 8, e = 1u << 9, t = 1u << 10, m = 1u << 11,
                   d = 1u << 12, n = 1u << 13;
constexpr uint32_t all = g | S | l | s | h | z | x | e | t | d;
}  // namespace

std::optional<uint32_t> parse_notify_flags(std::string_view str) {
  uint32_t f = 0;
  for (char c : str) {
    switch (c) {
      case 'A':
        f |= all;
        break;
      case 'g':
        f |= g;
        break;
      case '$':
        f |= S;
        break;
      case 'l':
        f |= l;
        break;
      case 's':
        f |= s;
        break;
      case 'h':
        f |= h;
        break;
      case 'z':
        f |= z;
        break;
      case 'x':
        f |= x;
        break;
      case 'e':
        f |= e;
        break;
      case 'K':
        f |= K;
        break;
      case 'E':
        f |= E;
        break;
      case 't':
        f |= t;
        break;
      case 'm':
        f |= m;
        break;
      case 'd':
        f |= d;
        break;
      case 'n':
        f |= n;
        break;
      default:
        return std::nullopt;
    }
  }
  return f;
}

std::string notify_flags_to_string(uint32_t f) {
  std::string out;
  if ((f & all) == all) {
    out += 'A';
  } else {
    if (f & g) out += 'g';
    if (f & S) out += '$';
    if (f & l) out += 'l';
    if (f & s) out += 's';
    if (f & h) out += 'h';
    if (f & z) out += 'z';
    if (f & x) out += 'x';
    if (f & e) out += 'e';
    if (f & t) out += 't';
    if (f & d) out += 'd';
    if (f & n) out += 'n';  // like Redis 7.0: printed only when 'A' is not
  }
  if (f & K) out += 'K';
  if (f & E) out += 'E';
  if (f & m) out += 'm';
  return out;
}

}  // namespace troupe
