// The sorted set skiplist (with its member table) against a std::set model of
// (score, member): ranks, ranges by score and by member, rescoring, removal.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "storage/encodings/skiplist.hpp"

using namespace troupe;

namespace {
using model_t = std::set<std::pair<double, std::string>>;

void check(const zset_big& z, const model_t& model) {
  ASSERT_EQ(z.size(), model.size());
  ASSERT_EQ(z.dict.size(), model.size());
  size_t rank = 1;
  zs_node* n = z.list.first();
  for (auto& [s, m] : model) {
    ASSERT_NE(n, nullptr);
    ASSERT_EQ(n->score, s);
    ASSERT_EQ(n->member(), m);
    ASSERT_EQ(z.list.rank_of(n), rank);
    ASSERT_EQ(z.list.at_rank(rank), n);
    ASSERT_EQ(z.find(m), n);
    n = zskiplist::next(n);
    ++rank;
  }
  ASSERT_EQ(n, nullptr);
  n = z.list.last();
  for (auto it = model.rbegin(); it != model.rend(); ++it) {
    ASSERT_EQ(n->member(), it->second);
    n = zskiplist::prev(n);
  }
}
}  // namespace

TEST(zset_skiplist, random_operations_match_model) {
  std::mt19937 rng(5);
  zset_big z;
  model_t model;
  std::map<std::string, double> scores;
  for (int op = 0; op < 20000; ++op) {
    std::string m = "m" + std::to_string(rng() % 3000);
    double s = double(rng() % 100) / 4;
    auto it = scores.find(m);
    if (rng() % 4 == 0) {
      bool present = it != scores.end();
      ASSERT_EQ(z.erase(m), present);
      if (present) {
        model.erase({it->second, m});
        scores.erase(it);
      }
    } else if (it != scores.end()) {
      model.erase({it->second, m});
      z.list.rescore(z.find(m), s);
      it->second = s;
      model.insert({s, m});
    } else {
      z.insert(s, m);
      scores[m] = s;
      model.insert({s, m});
    }
    if (op % 2000 == 0) check(z, model);
  }
  check(z, model);

  // Score ranges, open and closed.
  for (int i = 0; i < 200; ++i) {
    score_range r;
    r.min = double(rng() % 100) / 4;
    r.max = double(rng() % 100) / 4;
    r.minex = rng() % 2;
    r.maxex = rng() % 2;
    std::vector<std::string> want;
    for (auto& [s, m] : model)
      if (r.contains(s)) want.push_back(m);
    zs_node* a = z.list.first_in(r);
    zs_node* b = z.list.last_in(r);
    if (want.empty()) {
      ASSERT_EQ(a, nullptr);
      ASSERT_EQ(b, nullptr);
      continue;
    }
    ASSERT_EQ(a->member(), want.front());
    ASSERT_EQ(b->member(), want.back());
    ASSERT_EQ(z.list.rank_of(b) - z.list.rank_of(a) + 1, want.size());
  }

  zset_big* c = z.clone();
  check(*c, model);
  delete c;
}

TEST(zset_skiplist, lex_ranges_on_equal_scores) {
  zset_big z;
  std::set<std::string> model;
  std::mt19937 rng(9);
  for (int i = 0; i < 500; ++i) {
    std::string m(1 + rng() % 4, 'a');
    for (auto& ch : m) ch = char('a' + rng() % 5);
    if (model.insert(m).second) z.insert(0, m);
  }
  for (int i = 0; i < 300; ++i) {
    lex_range r;
    std::string lo(1, char('a' + rng() % 6)), hi(1 + rng() % 2, char('a' + rng() % 6));
    r.min = lo;
    r.max = hi;
    r.minex = rng() % 2;
    r.maxex = rng() % 2;
    r.min_inf = rng() % 8 == 0;
    r.max_sup = rng() % 8 == 0;
    std::vector<std::string> want;
    for (auto& m : model)
      if (r.contains(m)) want.push_back(m);
    zs_node* a = z.list.first_in(r);
    zs_node* b = z.list.last_in(r);
    if (want.empty()) {
      ASSERT_EQ(a, nullptr);
      continue;
    }
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(a->member(), want.front());
    ASSERT_EQ(b->member(), want.back());
  }
}
