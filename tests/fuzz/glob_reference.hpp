// A reference glob matcher for the fuzzer's oracle: obviously polynomial
// (dynamic programming over pattern tokens x text positions), written from
// Redis 7.0's observable rules rather than from its code:
//
// - '*' any run of bytes, '?' one byte, '\x' the byte x ('\' last: itself);
// - '[...]' one byte from a class; '^' first negates it; inside, '\x' is x
//   (compared case-sensitively, even without case), 'a-z' a range (its ends
//   compared as *signed* chars, as Redis compares them, and swapped if
//   reversed; without case, the ends and the byte then go through C's tolower,
//   which in glibc's C locale turns a negative char c into c + 256, except
//   '\xff', which is -1, EOF, and stays -1), ']' closes the class and so does
//   the pattern's end;
// - without case, letters compare through ASCII tolower;
// - an empty text matches only an empty pattern ("*" does not match "");
// - Redis gives up (no match) once its recursion passes 1000 nested '*': a
//   pattern with more than 1000 '*' runs before its last non-'*' token never
//   matches.
//
// tests/integration/glob_reference_test.cpp checks it against redis-server
// (SCAN MATCH for case-sensitive matching, CONFIG GET without case).
#pragma once
#include <array>
#include <bitset>
#include <string_view>
#include <vector>

namespace troupe::fuzz {

inline int ascii_lower(int c) {
  return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

// tolower() of a (possibly negative) char value, as glibc answers it in the C
// locale: ASCII letters fold, -128..-2 become 128..254, -1 (EOF) stays -1.
inline int c_tolower(int c) {
  return c < -1 ? c + 256 : ascii_lower(c);
}

struct glob_token {
  bool star = false;
  std::bitset<256> accepts;  // bytes one non-star token matches
};

inline std::vector<glob_token> glob_tokens(std::string_view p, bool nocase) {
  std::vector<glob_token> out;
  auto same = [nocase](int a, int b) { return nocase ? ascii_lower(a) == ascii_lower(b) : a == b; };
  auto literal = [&](unsigned char lit) {
    glob_token t;
    for (int c = 0; c < 256; ++c) t.accepts[size_t(c)] = same(c, lit);
    return t;
  };
  size_t i = 0, n = p.size();
  while (i < n) {
    char c = p[i];
    if (c == '*') {
      glob_token t;
      t.star = true;
      out.push_back(t);
      ++i;
    } else if (c == '?') {
      glob_token t;
      t.accepts.set();
      out.push_back(t);
      ++i;
    } else if (c == '\\') {
      if (i + 1 < n) ++i;
      out.push_back(literal(static_cast<unsigned char>(p[i])));
      ++i;
    } else if (c == '[') {
      ++i;
      bool negate = i < n && p[i] == '^';
      if (negate) ++i;
      glob_token t;
      while (i < n && p[i] != ']') {
        if (p[i] == '\\' && i + 1 < n) {
          t.accepts[static_cast<unsigned char>(p[i + 1])] = true;
          i += 2;
        } else if (i + 2 < n && p[i + 1] == '-') {
          int lo = static_cast<signed char>(p[i]), hi = static_cast<signed char>(p[i + 2]);
          if (lo > hi) std::swap(lo, hi);
          if (nocase) {
            lo = c_tolower(lo);
            hi = c_tolower(hi);
          }
          for (int b = 0; b < 256; ++b) {
            int sc = static_cast<signed char>(b);
            if (nocase) sc = c_tolower(sc);
            if (sc >= lo && sc <= hi) t.accepts[size_t(b)] = true;
          }
          i += 3;
        } else {
          t.accepts |= literal(static_cast<unsigned char>(p[i])).accepts;
          ++i;
        }
      }
      if (i < n) ++i;  // the ']'
      if (negate) t.accepts.flip();
      out.push_back(t);
    } else {
      out.push_back(literal(static_cast<unsigned char>(c)));
      ++i;
    }
  }
  return out;
}

inline bool glob_reference(std::string_view pattern, std::string_view text, bool nocase) {
  if (text.empty()) return pattern.empty();
  std::vector<glob_token> toks = glob_tokens(pattern, nocase);
  // Redis's nesting limit: every '*' run but a trailing one costs a level.
  size_t runs = 0, last_non_star = 0;
  bool any_non_star = false;
  for (size_t k = 0; k < toks.size(); ++k)
    if (!toks[k].star) {
      any_non_star = true;
      last_non_star = k;
    }
  for (size_t k = 0; any_non_star && k < last_non_star; ++k)
    if (toks[k].star && (k == 0 || !toks[k - 1].star)) ++runs;
  if (runs > 1000) return false;
  // row[j]: tokens[i..] match text[j..]; computed from the last token back.
  size_t n = text.size();
  std::vector<char> row(n + 1, 0), next(n + 1, 0);
  next[n] = 1;  // no tokens left: only the empty rest of the text
  for (size_t i = toks.size(); i-- > 0;) {
    const glob_token& t = toks[i];
    if (t.star) {
      row[n] = next[n];
      for (size_t j = n; j-- > 0;) row[j] = next[j] || row[j + 1];
    } else {
      row[n] = 0;
      for (size_t j = 0; j < n; ++j)
        row[j] = t.accepts[static_cast<unsigned char>(text[j])] && next[j + 1];
    }
    row.swap(next);
  }
  return next[0] != 0;
}

}  // namespace troupe::fuzz
