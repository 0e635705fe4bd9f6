#include "protocol/glob.hpp"

#include <cctype>

namespace troupe {
namespace {

inline char fold(char c, bool nocase) {
  return nocase ? char(tolower(static_cast<unsigned char>(c))) : c;
}

// Recursion depth is bounded by the number of '*' in the pattern; consecutive
// stars collapse so "a*****b" costs one level.
bool match(const char* p, const char* pe, const char* s, const char* se, bool nocase, int depth) {
  if (depth > 1000) return false;
  while (p < pe) {
    switch (*p) {
      case '*':
        while (p + 1 < pe && p[1] == '*') ++p;
        if (p + 1 == pe) return true;
        for (const char* t = s; t <= se; ++t)
          if (match(p + 1, pe, t, se, nocase, depth + 1)) return true;
        return false;
      case '?':
        if (s == se) return false;
        ++s;
        break;
      case '[': {
        if (s == se) return false;
        ++p;
        bool negate = false;
        if (p < pe && *p == '^') {
          negate = true;
          ++p;
        }
        bool found = false;
        while (p < pe && *p != ']') {
          if (*p == '\\' && p + 1 < pe) {
            ++p;
            if (fold(*p, nocase) == fold(*s, nocase)) found = true;
          } else if (p + 2 < pe && p[1] == '-') {
            char lo = fold(p[0], nocase), hi = fold(p[2], nocase), c = fold(*s, nocase);
            if (lo > hi) std::swap(lo, hi);
            if (c >= lo && c <= hi) found = true;
            p += 2;
          } else if (fold(*p, nocase) == fold(*s, nocase)) {
            found = true;
          }
          ++p;
        }
        if (p == pe) --p;  // unterminated class: Redis treats the end as ']'
        if (negate) found = !found;
        if (!found) return false;
        ++s;
        break;
      }
      case '\\':
        if (p + 1 < pe) ++p;
        [[fallthrough]];
      default:
        if (s == se || fold(*p, nocase) != fold(*s, nocase)) return false;
        ++s;
        break;
    }
    ++p;
  }
  return s == se;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool nocase) {
  return match(pattern.data(), pattern.data() + pattern.size(), text.data(),
               text.data() + text.size(), nocase, 0);
}

}  // namespace troupe
