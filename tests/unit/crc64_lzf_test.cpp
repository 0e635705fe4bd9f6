// CRC64 (Redis's Jones variant) and LZF (liblzf's format).
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "storage/encodings/crc64.hpp"
#include "storage/encodings/lzf.hpp"

using namespace troupe;

TEST(crc64, check_value) {
  EXPECT_EQ(crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(crc64(0, "", 0), 0u);
}

TEST(crc64, incremental_equals_whole) {
  std::mt19937_64 rng(1);
  std::string data(10000, '\0');
  for (auto& ch : data) ch = char(rng());
  uint64_t whole = crc64(0, data.data(), data.size());
  for (size_t cut : {0, 1, 7, 8, 9, 63, 64, 65, 5000, 9999, 10000}) {
    uint64_t c = crc64(0, data.data(), cut);
    c = crc64(c, data.data() + cut, data.size() - cut);
    EXPECT_EQ(c, whole) << cut;
  }
  // Against a bitwise reference implementation.
  auto slow = [](const std::string& s) {
    uint64_t crc = 0;
    for (unsigned char ch : s) {
      crc ^= ch;
      for (int b = 0; b < 8; ++b) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
  };
  EXPECT_EQ(whole, slow(data));
}

namespace {
std::string round_trip(const std::string& in, bool& compressed) {
  std::string out(in.size() + in.size() / 16 + 64, '\0');
  size_t n = lzf_compress(in.data(), in.size(), out.data(), out.size());
  compressed = n > 0;
  if (n == 0) return in;
  std::string back(in.size(), '\0');
  size_t m = lzf_decompress(out.data(), n, back.data(), back.size());
  EXPECT_EQ(m, in.size());
  back.resize(m);
  return back;
}
}  // namespace

TEST(lzf, round_trips_random_and_repetitive_data) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 300; ++i) {
    size_t len = rng() % (i < 100 ? 64 : 70000);
    std::string s(len, '\0');
    int alphabet = 1 + int(rng() % 256);
    int mode = int(rng() % 3);
    for (size_t k = 0; k < len; ++k) {
      if (mode == 0)
        s[k] = char(rng() % unsigned(alphabet));
      else if (mode == 1)
        s[k] = char("abcabcabd"[k % 9]);
      else
        s[k] = k > 300 && rng() % 4 ? s[k - 1 - rng() % 300] : char(rng());
    }
    bool compressed;
    EXPECT_EQ(round_trip(s, compressed), s) << "case " << i;
  }
}

TEST(lzf, compresses_repetitive_data_and_refuses_small_room) {
  std::string s(1000, 'x');
  std::string out(100, '\0');
  size_t n = lzf_compress(s.data(), s.size(), out.data(), out.size());
  ASSERT_GT(n, 0u);
  EXPECT_LT(n, 30u);
  std::string back(1000, '\0');
  EXPECT_EQ(lzf_decompress(out.data(), n, back.data(), back.size()), 1000u);
  EXPECT_EQ(back, s);
  // Random bytes do not fit in fewer bytes.
  std::mt19937_64 rng(3);
  std::string r(200, '\0');
  for (auto& ch : r) ch = char(rng());
  EXPECT_EQ(lzf_compress(r.data(), r.size(), out.data(), out.size()), 0u);
}

TEST(lzf, decompress_rejects_corrupt_input_without_overrun) {
  std::string s;
  for (int i = 0; i < 2000; ++i) s += "hello world " + std::to_string(i % 37);
  std::string packed(s.size(), '\0');
  size_t n = lzf_compress(s.data(), s.size(), packed.data(), packed.size());
  ASSERT_GT(n, 0u);
  packed.resize(n);
  std::string out(s.size(), '\0');
  // Output too small, truncated input, back references before the start.
  EXPECT_EQ(lzf_decompress(packed.data(), n, out.data(), s.size() - 1), 0u);
  std::mt19937_64 rng(5);
  for (int i = 0; i < 2000; ++i) {
    std::string bad = packed.substr(0, rng() % n);
    for (int k = 0; k < 3 && !bad.empty(); ++k) bad[rng() % bad.size()] = char(rng());
    size_t m = lzf_decompress(bad.data(), bad.size(), out.data(), out.size());
    EXPECT_LE(m, out.size());
  }
  const char backref_first[] = {char(0x20), char(0x00)};
  EXPECT_EQ(lzf_decompress(backref_first, 2, out.data(), out.size()), 0u);
}
