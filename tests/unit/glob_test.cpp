// glob_match: Redis's answers for every pattern, without exponential backtracking.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "protocol/text/glob.hpp"

using troupe::glob_match;

namespace {

// A direct transcription of the rules Redis documents for KEYS patterns, with
// naive recursion on '*': exponential, so only for short random inputs. It is
// the oracle the bounded matcher must agree with.
bool reference(const char* p, const char* pe, const char* s, const char* se, bool nocase) {
  auto fold = [&](int c) { return nocase ? tolower(c) : c; };
  while (p < pe && s < se) {
    switch (*p) {
      case '*':
        while (p + 1 < pe && p[1] == '*') ++p;
        if (p + 1 == pe) return true;
        for (const char* t = s; t < se; ++t)
          if (reference(p + 1, pe, t, se, nocase)) return true;
        return false;
      case '?':
        ++s;
        break;
      case '[': {
        ++p;
        bool negate = p < pe && *p == '^';
        if (negate) ++p;
        bool found = false;
        for (;;) {
          if (p < pe && *p == '\\' && pe - p >= 2) {
            ++p;
            if (*p == *s) found = true;
          } else if (p < pe && *p == ']') {
            break;
          } else if (p == pe) {
            --p;
            break;
          } else if (pe - p >= 3 && p[1] == '-') {
            int lo = p[0], hi = p[2], c = *s;
            if (lo > hi) std::swap(lo, hi);
            if (nocase) lo = tolower(lo), hi = tolower(hi), c = tolower(c);
            if (c >= lo && c <= hi) found = true;
            p += 2;
          } else if (fold(*p) == fold(*s)) {
            found = true;
          }
          ++p;
        }
        if (found == negate) return false;
        ++s;
        break;
      }
      case '\\':
        if (pe - p >= 2) ++p;
        [[fallthrough]];
      default:
        if (fold(*p) != fold(*s)) return false;
        ++s;
    }
    ++p;
    if (s == se) {
      while (p < pe && *p == '*') ++p;
      break;
    }
  }
  return p == pe && s == se;
}

bool oracle(std::string_view p, std::string_view s, bool nocase = false) {
  return reference(p.data(), p.data() + p.size(), s.data(), s.data() + s.size(), nocase);
}

}  // namespace

TEST(glob, redis_rules) {
  EXPECT_TRUE(glob_match("h?llo", "hello"));
  EXPECT_TRUE(glob_match("h*llo", "heeeello"));
  EXPECT_TRUE(glob_match("h*llo", "hllo"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-b]llo", "hbllo"));
  EXPECT_TRUE(glob_match("h[b-a]llo", "hallo"));
  EXPECT_TRUE(glob_match("h\\*llo", "h*llo"));
  EXPECT_FALSE(glob_match("h\\*llo", "hello"));
  EXPECT_TRUE(glob_match("HELLO", "hello", true));
  EXPECT_TRUE(glob_match("a**", "a"));
  EXPECT_TRUE(glob_match("[abc", "b"));  // unterminated class
  EXPECT_TRUE(glob_match("", ""));
  // Redis matches an empty string only with an empty pattern.
  EXPECT_FALSE(glob_match("*", ""));
}

TEST(glob, pathological_patterns_are_linear) {
  // Exponential for a backtracking matcher: these must return at once.
  std::string text(40, 'a');
  std::string pattern;
  for (int i = 0; i < 20; ++i) pattern += "a*";
  pattern += "b";
  EXPECT_FALSE(glob_match(pattern, text));
  std::string long_text(100000, 'a');
  std::string stars;
  for (int i = 0; i < 1000; ++i) stars += "*a";
  stars += "*b";
  EXPECT_FALSE(glob_match(stars, long_text));
  EXPECT_TRUE(glob_match(stars.substr(0, stars.size() - 2), long_text));
  std::string classes;
  for (int i = 0; i < 200; ++i) classes += "*[a-c]?";
  classes += "[^a]";
  EXPECT_FALSE(glob_match(classes, long_text));
}

TEST(glob, agrees_with_the_reference_on_random_inputs) {
  std::mt19937 rng(20261201);
  const char pattern_chars[] = "ab*?[]^-\\A";
  const char text_chars[] = "abAB-]\\^*";
  for (int i = 0; i < 200000; ++i) {
    std::string p, s;
    int pl = int(rng() % 9), sl = int(rng() % 9);
    for (int j = 0; j < pl; ++j) p += pattern_chars[rng() % (sizeof pattern_chars - 1)];
    for (int j = 0; j < sl; ++j) s += text_chars[rng() % (sizeof text_chars - 1)];
    bool nocase = rng() % 4 == 0;
    ASSERT_EQ(glob_match(p, s, nocase), oracle(p, s, nocase))
        << "pattern '" << p << "' text '" << s << "' nocase " << nocase;
  }
}
