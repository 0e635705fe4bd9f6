// The intset against a std::set model, across encoding upgrades.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "storage/encodings/intset.hpp"

namespace is = troupe::is;

TEST(intset, random_operations_match_model) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 10; ++round) {
    unsigned char* s = is::create();
    std::set<int64_t> model;
    for (int op = 0; op < 2000; ++op) {
      int64_t v;
      switch (rng() % 3) {
        case 0:
          v = int64_t(rng() % 200) - 100;
          break;
        case 1:
          v = int64_t(rng() % 200000) - 100000;
          break;
        default:
          v = round > 5 ? int64_t(rng()) : int64_t(rng() % 1000);
          break;
      }
      if (rng() % 3 == 0) {
        EXPECT_EQ(is::remove(s, v), model.erase(v) == 1);
      } else {
        EXPECT_EQ(is::add(s, v), model.insert(v).second);
      }
      EXPECT_EQ(is::find(s, v), model.count(v) == 1);
    }
    ASSERT_EQ(is::length(s), model.size());
    size_t i = 0;
    for (int64_t v : model) ASSERT_EQ(is::get(s, i++), v);
    EXPECT_EQ(is::bytes(s), 8 + model.size() * is::encoding(s));
    unsigned char* c = is::copy(s);
    EXPECT_EQ(memcmp(c, s, is::bytes(s)), 0);
    is::destroy(c);
    is::destroy(s);
  }
}

TEST(intset, encoding_widens_and_keeps_order) {
  unsigned char* s = is::create();
  EXPECT_EQ(is::encoding(s), 2u);
  is::add(s, 5);
  is::add(s, -3);
  EXPECT_EQ(is::encoding(s), 2u);
  is::add(s, 70000);
  EXPECT_EQ(is::encoding(s), 4u);
  is::add(s, -5000000000LL);
  EXPECT_EQ(is::encoding(s), 8u);
  EXPECT_EQ(is::get(s, 0), -5000000000LL);
  EXPECT_EQ(is::get(s, 1), -3);
  EXPECT_EQ(is::get(s, 2), 5);
  EXPECT_EQ(is::get(s, 3), 70000);
  is::remove(s, -5000000000LL);
  EXPECT_EQ(is::encoding(s), 8u);  // never narrows
  is::destroy(s);
}
