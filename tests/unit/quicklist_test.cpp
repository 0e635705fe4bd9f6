// The quicklist against a std::deque model with small nodes, so splits, node
// removal and iteration across node boundaries are exercised.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>

#include "storage/encodings/quicklist.hpp"

using troupe::quicklist;

namespace {
std::string value_at(const quicklist::iter& it) {
  char buf[24];
  return std::string(quicklist::get(it).view(buf));
}

void check(const quicklist& q, const std::deque<std::string>& model) {
  ASSERT_EQ(q.size(), model.size());
  size_t i = 0;
  for (auto it = q.begin(); it; q.next(it)) ASSERT_EQ(value_at(it), model[i++]);
  ASSERT_EQ(i, model.size());
  for (auto it = q.rbegin(); it; q.prev(it)) ASSERT_EQ(value_at(it), model[--i]);
  size_t counted = 0;
  for (auto* n = q.head(); n; n = n->next) {
    ASSERT_GT(n->count, 0u);
    counted += n->count;
  }
  ASSERT_EQ(counted, model.size());
}
}  // namespace

class quicklist_fill : public ::testing::TestWithParam<int> {};

TEST_P(quicklist_fill, random_operations_match_model) {
  std::mt19937 rng(uint32_t(3 + GetParam()));
  quicklist q(GetParam());
  std::deque<std::string> model;
  for (int op = 0; op < 5000; ++op) {
    std::string v =
        rng() % 2 ? std::to_string(rng() % 1000) : std::string(rng() % 300, 'a' + char(rng() % 26));
    switch (rng() % 10) {
      case 0:
      case 1:
        q.push_front(v);
        model.push_front(v);
        break;
      case 2:
      case 3:
        q.push_back(v);
        model.push_back(v);
        break;
      case 4: {
        std::string out;
        ASSERT_EQ(q.pop_front(out), !model.empty());
        if (!model.empty()) {
          ASSERT_EQ(out, model.front());
          model.pop_front();
        }
        break;
      }
      case 5: {
        std::string out;
        ASSERT_EQ(q.pop_back(out), !model.empty());
        if (!model.empty()) {
          ASSERT_EQ(out, model.back());
          model.pop_back();
        }
        break;
      }
      case 6:
        if (!model.empty()) {
          size_t i = rng() % model.size();
          bool after = rng() % 2;
          auto it = q.at(long(i));
          q.insert(it, v, after);
          model.insert(model.begin() + long(i + (after ? 1 : 0)), v);
        }
        break;
      case 7:
        if (!model.empty()) {
          size_t i = rng() % model.size();
          auto it = q.at(long(i));
          q.replace(it, v);
          ASSERT_EQ(value_at(it), v);
          model[i] = v;
        }
        break;
      case 8:
        if (!model.empty()) {
          size_t i = rng() % model.size();
          bool forward = rng() % 2;
          auto it = q.at(long(i));
          q.erase(it, forward);
          model.erase(model.begin() + long(i));
          size_t next = forward ? i : i - 1;
          if (forward ? i < model.size() : i > 0) {
            ASSERT_TRUE(it);
            ASSERT_EQ(value_at(it), model[next]);
          } else {
            ASSERT_FALSE(it);
          }
        }
        break;
      default:
        if (!model.empty()) {
          size_t start = rng() % model.size();
          size_t n = rng() % 40;
          q.erase_range(start, n);
          model.erase(model.begin() + long(start),
                      model.begin() + long(std::min(model.size(), start + n)));
        }
        break;
    }
    if (op % 100 == 0) check(q, model);
    if (!model.empty()) {
      long i = long(rng() % model.size());
      ASSERT_EQ(value_at(q.at(i)), model[size_t(i)]);
      ASSERT_EQ(value_at(q.at(i - long(model.size()))), model[size_t(i)]);
    }
  }
  check(q, model);
  quicklist* c = q.clone();
  check(*c, model);
  delete c;
}

INSTANTIATE_TEST_SUITE_P(fills, quicklist_fill, ::testing::Values(-2, -1, 1, 4, 100));
