// The blob_table (index of big hashes and sets) against std::unordered_map:
// inserts, updates, removals with shrinking, random picks and full scans.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <unordered_map>

#include "storage/str_table.hpp"

using namespace troupe;

TEST(hash_table, random_operations_match_model) {
  std::mt19937_64 rng(13);
  blob_table t;
  std::unordered_map<std::string, std::string> model;
  for (int op = 0; op < 50000; ++op) {
    std::string k = "k" + std::to_string(rng() % (op < 30000 ? 5000 : 200));
    uint64_t h = blob_table::hash(k);
    blob_node** link = t.locate(k, h);
    ASSERT_EQ(link != nullptr, model.count(k) == 1);
    if (rng() % 3 == 0 || op >= 30000) {
      if (link) {
        free(t.unlink(link));
        model.erase(k);
      }
    } else if (!link) {
      std::string v(rng() % 20, 'v');
      t.insert(blob_node::make(k, v), h);
      model[k] = v;
    } else {
      ASSERT_EQ((*link)->value(), model[k]);
    }
  }
  ASSERT_EQ(t.size(), model.size());
  // The table shrank after most keys went away.
  EXPECT_LE(t.buckets(), std::max<size_t>(8, model.size() * 8));
  for (auto& [k, v] : model) {
    blob_node* n = t.find(k);
    ASSERT_NE(n, nullptr);
    ASSERT_EQ(n->value(), v);
  }
  // A full scan visits every key.
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [&](blob_node* n) { seen.insert(std::string(n->key())); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), model.size());
  // Random picks are members.
  for (int i = 0; i < 100 && t.size(); ++i)
    EXPECT_EQ(model.count(std::string(t.random(rng)->key())), 1u);
  t.clear([](blob_node* n) { free(n); });
  EXPECT_EQ(t.size(), 0u);
}

TEST(hash_table, scan_survives_growth) {
  blob_table t;
  for (int i = 0; i < 100; ++i) t.insert(blob_node::make("a" + std::to_string(i)));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int steps = 0;
  do {
    cursor = t.scan(cursor, [&](blob_node* n) { seen.insert(std::string(n->key())); });
    if (++steps == 5)
      for (int i = 0; i < 1000; ++i) t.insert(blob_node::make("b" + std::to_string(i)));
  } while (cursor != 0);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen.count("a" + std::to_string(i)), 1u) << i;
  t.clear([](blob_node* n) { free(n); });
}
