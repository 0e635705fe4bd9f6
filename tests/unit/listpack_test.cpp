// The listpack against a std::deque model: random inserts, replaces, removals
// and seeks, checked in both directions, plus the exact byte layout of Redis's
// listpack for a few known entries.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>

#include "storage/encodings/listpack.hpp"

namespace lp = troupe::lp;

namespace {

std::string at(unsigned char* p) {
  char buf[24];
  return std::string(lp::get(p).view(buf));
}

void check(unsigned char* l, const std::deque<std::string>& model) {
  ASSERT_EQ(lp::length(l), model.size());
  size_t i = 0;
  for (unsigned char* p = lp::first(l); p != nullptr; p = lp::next(l, p), ++i)
    ASSERT_EQ(at(p), model[i]) << "forward at " << i;
  ASSERT_EQ(i, model.size());
  i = model.size();
  for (unsigned char* p = lp::last(l); p != nullptr; p = lp::prev(l, p)) {
    --i;
    ASSERT_EQ(at(p), model[i]) << "backward at " << i;
  }
  ASSERT_EQ(i, 0u);
  ASSERT_EQ(l[lp::bytes(l) - 1], lp::eof);
}

std::string random_value(std::mt19937& rng) {
  switch (rng() % 8) {
    case 0:
      return std::to_string(int64_t(rng() % 128));
    case 1:
      return std::to_string(int64_t(rng() % 8192) - 4096);
    case 2:
      return std::to_string(int64_t(rng()) - int64_t(1u << 31));
    case 3:
      return std::to_string((int64_t(rng()) << 32) | rng());
    case 4:
      return std::string(rng() % 70, char('a' + rng() % 26));
    case 5:
      return std::string(rng() % 5000, 'x');
    case 6:
      return "0" + std::to_string(rng() % 100);  // not canonical: stays a string
    default:
      return std::string(rng() % 10, char('A' + rng() % 26));
  }
}

}  // namespace

TEST(listpack, layout_matches_redis) {
  unsigned char* l = lp::create();
  EXPECT_EQ(lp::bytes(l), 7u);
  lp::append(l, "a");   // 6-bit string: 0x81 'a', backlen 2
  lp::append(l, "5");   // 7-bit uint: 0x05, backlen 1
  lp::append(l, "-1");  // 13-bit int: 0xDF 0xFF, backlen 2
  const unsigned char expected[] = {0x81, 'a', 0x02, 0x05, 0x01, 0xDF, 0xFF, 0x02, 0xFF};
  ASSERT_EQ(lp::bytes(l), 6 + sizeof(expected));
  EXPECT_EQ(memcmp(l + 6, expected, sizeof(expected)), 0);
  EXPECT_EQ(l[4], 3);
  EXPECT_EQ(l[5], 0);
  // A 500-byte string: 12-bit length header, backlen 502 in two bytes.
  std::string big(500, 'z');
  unsigned char* p = lp::append(l, big);
  EXPECT_EQ(p[0], 0xE0 | (500 >> 8));
  EXPECT_EQ(p[1], 500 & 0xFF);
  EXPECT_EQ(p[502], 502 >> 7);
  EXPECT_EQ(p[503], (502 & 127) | 128);
  EXPECT_EQ(at(lp::last(l)), big);
  lp::destroy(l);
}

TEST(listpack, integers_round_trip) {
  unsigned char* l = lp::create();
  std::deque<std::string> model;
  for (int64_t v :
       {int64_t(0), int64_t(127), int64_t(128), int64_t(-4096), int64_t(4095), int64_t(-4097),
        int64_t(32767), int64_t(-32768), int64_t(8388607), int64_t(-8388608), int64_t(INT32_MAX),
        int64_t(INT32_MIN), INT64_MAX, INT64_MIN}) {
    lp::append(l, std::to_string(v));
    model.push_back(std::to_string(v));
    lp::value x = lp::get(lp::last(l));
    EXPECT_TRUE(x.is_int());
    EXPECT_EQ(x.num, v);
  }
  check(l, model);
  lp::destroy(l);
}

TEST(listpack, random_operations_match_model) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    unsigned char* l = lp::create();
    std::deque<std::string> model;
    for (int op = 0; op < 400; ++op) {
      int kind = int(rng() % 6);
      if (kind <= 1 || model.empty()) {
        std::string v = random_value(rng);
        size_t pos = model.empty() ? 0 : rng() % (model.size() + 1);
        unsigned char* p = pos == model.size() ? nullptr : lp::seek(l, long(pos));
        unsigned char* q = lp::insert(l, p, v);
        ASSERT_EQ(at(q), v);
        model.insert(model.begin() + long(pos), v);
      } else if (kind == 2) {
        size_t pos = rng() % model.size();
        size_t n = 1 + rng() % 3;
        lp::remove(l, lp::seek(l, long(pos)), n);
        model.erase(model.begin() + long(pos),
                    model.begin() + long(std::min(model.size(), pos + n)));
      } else if (kind == 3) {
        size_t pos = rng() % model.size();
        std::string v = random_value(rng);
        lp::replace(l, lp::seek(l, long(pos)), v);
        model[pos] = v;
      } else if (kind == 4) {
        long i = long(rng() % model.size()) - long(model.size() / 2);
        unsigned char* p = lp::seek(l, i);
        size_t idx = i < 0 ? size_t(long(model.size()) + i) : size_t(i);
        ASSERT_EQ(at(p), model[idx]);
      } else {
        const std::string& want = model[rng() % model.size()];
        unsigned char* p = lp::find(l, lp::first(l), want, 0);
        ASSERT_NE(p, nullptr);
        ASSERT_EQ(at(p), want);
      }
      if (op % 50 == 0) check(l, model);
    }
    check(l, model);
    unsigned char* c = lp::copy(l);
    check(c, model);
    lp::destroy(c);
    lp::destroy(l);
  }
}

TEST(listpack, find_with_skip_looks_at_keys_only) {
  unsigned char* l = lp::create();
  for (auto s : {"k1", "v", "v", "k2", "k3", "x"}) lp::append(l, s);
  unsigned char* p = lp::find(l, lp::first(l), "v", 1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(at(p), "v");
  EXPECT_EQ(at(lp::next(l, p)), "k2");
  EXPECT_EQ(lp::find(l, lp::first(l), "x", 1), nullptr);
  EXPECT_NE(lp::find(l, lp::first(l), "k3", 1), nullptr);
  lp::destroy(l);
}
