#include "protocol/text/glob.hpp"

#include <cctype>
#include <utility>

namespace troupe {
namespace {

inline int lower(int c) {
  return tolower(c);
}

// Matches the single-character token at p (a literal, '\x', '?' or a '[...]'
// class) against c. Sets `next` to the token after it. Bytes compare as plain
// (signed) chars, and a class's range bounds are swapped before folding, as
// Redis's stringmatchlen does, so every pattern gives Redis's answer.
bool token_matches(const char* p, const char* pe, char c, bool nocase, const char*& next) {
  switch (*p) {
    case '?':
      next = p + 1;
      return true;
    case '[': {
      ++p;
      bool negate = p < pe && *p == '^';
      if (negate) ++p;
      bool found = false;
      for (;;) {
        if (p < pe && *p == '\\' && pe - p >= 2) {
          ++p;
          if (*p == c) found = true;  // escapes inside a class are case-sensitive
        } else if (p < pe && *p == ']') {
          break;
        } else if (p == pe) {
          --p;  // an unterminated class ends at the pattern's end
          break;
        } else if (pe - p >= 3 && p[1] == '-') {
          int lo = p[0], hi = p[2], ch = c;
          if (lo > hi) std::swap(lo, hi);
          if (nocase) lo = lower(lo), hi = lower(hi), ch = lower(ch);
          if (ch >= lo && ch <= hi) found = true;
          p += 2;
        } else if (nocase ? lower(*p) == lower(c) : *p == c) {
          found = true;
        }
        ++p;
      }
      next = p + 1;
      return found != negate;
    }
    case '\\':
      if (pe - p >= 2) ++p;
      [[fallthrough]];
    default:
      next = p + 1;
      return nocase ? lower(*p) == lower(c) : *p == c;
  }
}

}  // namespace

// Only '*' matches a variable number of characters, so when a later token fails
// it is enough to let the most recent '*' swallow one more character and retry
// from there: an earlier '*' can never do better than the later one. That makes
// the match O(pattern x text) at worst, where naive backtracking over every
// star is exponential ("a*a*a*...b" against "aaaa...").
bool glob_match(std::string_view pattern, std::string_view text, bool nocase) {
  const char *p = pattern.data(), *pe = p + pattern.size();
  const char *s = text.data(), *se = s + text.size();
  // Redis never matches an empty string, except with an empty pattern.
  if (s == se) return p == pe;
  const char* star_p = nullptr;  // the token after the latest '*'
  const char* star_s = nullptr;  // where that star's match currently ends
  while (s < se) {
    if (p < pe && *p == '*') {
      while (p < pe && *p == '*') ++p;
      if (p == pe) return true;
      star_p = p;
      star_s = s;
      continue;
    }
    const char* next;
    if (p < pe && token_matches(p, pe, *s, nocase, next)) {
      p = next;
      ++s;
      continue;
    }
    if (star_p == nullptr) return false;
    p = star_p;
    s = ++star_s;
  }
  while (p < pe && *p == '*') ++p;
  return p == pe;
}

}  // namespace troupe
