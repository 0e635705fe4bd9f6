// The hash tables: str_table (the index of big hashes, sets and sorted sets) and
// dict (the keyspace, a str_table of kv_entry), against std::unordered_map, with
// enough operations to cross many grows and shrinks. While a resize is under way
// two bucket arrays exist: inserts, deletes, lookups, random picks and scans must
// all behave meanwhile.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/encodings/bucket_array.hpp"
#include "storage/encodings/dict.hpp"
#include "storage/encodings/str_table.hpp"

using namespace troupe;

namespace {

// Keys built without std::string concatenation (GCC 12 misreports it at -O3).
std::string key_of(const char* prefix, uint64_t i) {
  char buf[48];
  int n = snprintf(buf, sizeof buf, "%s%llu", prefix, static_cast<unsigned long long>(i));
  return std::string(buf, size_t(n));
}

void free_all(blob_table& t) {
  t.clear([](blob_node* n) { free(n); });
}

// Every key of `model` is in the table with its value, and nothing else is.
void expect_same(blob_table& t, const std::unordered_map<std::string, std::string>& model) {
  ASSERT_EQ(t.size(), model.size());
  for (auto& [k, v] : model) {
    blob_node* n = t.find(k);
    ASSERT_NE(n, nullptr) << k;
    ASSERT_EQ(n->value(), v) << k;
  }
  size_t visited = 0;
  t.for_each([&](blob_node* n) {
    ++visited;
    EXPECT_EQ(model.count(std::string(n->key())), 1u);
  });
  EXPECT_EQ(visited, model.size());
}

// Inserts prefix0, prefix1, ... until the insert that starts a grow, once there are
// more than `min` elements; returns how many were inserted.
uint64_t fill_until_rehashing(blob_table& t, const char* prefix, size_t min) {
  uint64_t i = 0;
  for (;;) {
    bool was_rehashing = t.rehashing();
    std::string k = key_of(prefix, i++);
    t.insert(blob_node::make(k, k), blob_table::hash(k));
    if (t.rehashing() && !was_rehashing && t.size() > min) return i;
  }
}

}  // namespace

// Random inserts, updates and deletes over a key range that first grows to 40000
// keys and then shrinks to a few hundred: many grows and shrinks, each one rehashed
// by the operations that follow it.
TEST(hash_table, random_operations_match_model_across_resizes) {
  std::mt19937_64 rng(13);
  blob_table t;
  std::unordered_map<std::string, std::string> model;
  size_t rehashing_ops = 0, grows = 0, shrinks = 0, last_buckets = 0;
  for (int op = 0; op < 400000; ++op) {
    bool growing = op < 200000;
    std::string k = key_of("k", rng() % (growing ? 40000 : 400));
    uint64_t h = blob_table::hash(k);
    blob_node** link = t.locate(k, h);
    ASSERT_EQ(link != nullptr, model.count(k) == 1) << "op " << op;
    bool remove = growing ? rng() % 4 == 0 : true;
    if (!growing) {
      // Empty the tail of the range so the table must shrink.
      std::string gone = key_of("k", 400 + rng() % 39600);
      if (blob_node** l = t.locate(gone, blob_table::hash(gone))) {
        free(t.unlink(l));
        model.erase(gone);
      }
      remove = rng() % 2 == 0;
      link = t.locate(k, h);
    }
    if (remove) {
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
    if (t.rehashing()) ++rehashing_ops;
    size_t b = t.rehashing() ? 0 : t.buckets();
    if (b != 0 && last_buckets != 0 && b != last_buckets) ++(b > last_buckets ? grows : shrinks);
    if (b != 0) last_buckets = b;
  }
  EXPECT_GE(grows, 10u);
  EXPECT_GE(shrinks, 2u);
  EXPECT_GT(rehashing_ops, 1000u) << "resizes should be spread over many operations";
  expect_same(t, model);
  // After most keys went away the table shrank to fit what is left.
  while (t.rehash(100)) {
  }
  EXPECT_LE(t.buckets(), std::max<size_t>(8, model.size() * 16));
  free_all(t);
  EXPECT_EQ(t.size(), 0u);
}

// In the middle of a grow: elements are found in either array, deletes from either
// array work, new elements go to the new array, and the old array empties as
// operations go on.
TEST(hash_table, lookups_inserts_and_deletes_while_two_arrays_exist) {
  blob_table t;
  std::unordered_map<std::string, std::string> model;
  // Fill until a grow of a table of thousands starts.
  uint64_t count = fill_until_rehashing(t, "a", 5000);
  for (uint64_t i = 0; i < count; ++i) model[key_of("a", i)] = key_of("a", i);
  size_t both = t.buckets();
  ASSERT_TRUE(t.rehashing());
  ASSERT_GT(both, 3 * t.size() / 2) << "two arrays while rehashing";
  // Every element is found while buckets are split between the arrays.
  expect_same(t, model);
  // Delete every fifth element, insert as many new ones, checking as we go.
  std::vector<std::string> keys;
  for (auto& [k, v] : model) keys.push_back(k);
  for (size_t j = 0; j < keys.size(); j += 5) {
    blob_node** l = t.locate(keys[j], blob_table::hash(keys[j]));
    ASSERT_NE(l, nullptr);
    free(t.unlink(l));
    model.erase(keys[j]);
    std::string k = key_of("b", j);
    t.insert(blob_node::make(k, "x"), blob_table::hash(k));
    model[k] = std::string(1, 'x');  // (not = "x": GCC 12 -Wrestrict false positive)
  }
  ASSERT_TRUE(t.rehashing());
  expect_same(t, model);
  // Lookups alone finish the rehash: one bucket per operation.
  size_t ops = 0;
  while (t.rehashing()) {
    t.locate("absent", blob_table::hash("absent"));
    ++ops;
  }
  EXPECT_GT(ops, 1u);
  EXPECT_LE(ops, both);
  expect_same(t, model);
  free_all(t);
}

// A scan returns every element present for its whole duration at least once, while
// other elements come and go between its steps and the table grows and shrinks
// several times, some steps landing in the middle of a rehash.
TEST(hash_table, scan_guarantee_across_grows_and_shrinks) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 4; ++round) {
    blob_table t;
    for (uint64_t i = 0; i < 500; ++i) t.insert(blob_node::make(key_of("stay", i)));
    std::set<std::string> seen;
    uint64_t cursor = 0;
    int steps = 0;
    size_t mid_rehash_steps = 0;
    uint64_t churn = 0;
    do {
      if (t.rehashing()) ++mid_rehash_steps;
      cursor = t.scan(cursor, [&](blob_node* n) { seen.insert(std::string(n->key())); });
      ++steps;
      // Grow by thousands, then remove them again: several grows and shrinks.
      if (steps % 40 < 20) {
        for (int j = 0; j < 300; ++j) t.insert(blob_node::make(key_of("tmp", churn++)));
      } else {
        std::vector<blob_node*> drop;
        t.for_each([&](blob_node* n) {
          if (n->key().substr(0, 3) == "tmp" && rng() % 2 == 0) drop.push_back(n);
        });
        for (blob_node* n : drop) {
          std::string k(n->key());
          free(t.unlink(t.locate(k, blob_table::hash(k))));
        }
      }
    } while (cursor != 0 && steps < 200000);
    ASSERT_EQ(cursor, 0u);
    for (uint64_t i = 0; i < 500; ++i) EXPECT_EQ(seen.count(key_of("stay", i)), 1u) << i;
    EXPECT_GT(mid_rehash_steps, 0u) << "round " << round;
    free_all(t);
  }
}

// A scan whose visitor deletes the element it is given (HSCAN-like expiry, SPOP by
// scan) still returns every other element, also when the deletes start a shrink.
TEST(hash_table, scan_visitor_may_unlink_the_visited_node) {
  blob_table t;
  for (uint64_t i = 0; i < 20000; ++i) t.insert(blob_node::make(key_of("m", i)));
  std::set<std::string> kept;
  uint64_t cursor = 0;
  do {
    cursor = t.scan(cursor, [&](blob_node* n) {
      std::string k(n->key());
      if (k.back() == '7') {
        kept.insert(k);
        return;
      }
      free(t.unlink(t.find_link(k, blob_table::hash(k))));
    });
  } while (cursor != 0);
  EXPECT_EQ(kept.size(), 2000u);
  EXPECT_EQ(t.size(), 2000u);
  EXPECT_TRUE(t.rehashing()) << "the deletes started a shrink";
  free_all(t);
}

// A for_each visitor may look elements up in the table it walks (SINTER s s): the
// lookups make no rehash step then, so the walk sees every element exactly once.
TEST(hash_table, lookups_during_for_each_do_not_move_buckets) {
  blob_table t;
  fill_until_rehashing(t, "s", 5000);
  std::multiset<std::string> seen;
  t.for_each([&](blob_node* n) {
    std::string k(n->key());
    EXPECT_NE(t.locate(k, blob_table::hash(k)), nullptr);
    seen.insert(k);
  });
  EXPECT_EQ(seen.size(), t.size());
  for (auto& k : seen) EXPECT_EQ(seen.count(k), 1u);
  EXPECT_TRUE(t.rehashing());
  free_all(t);
}

TEST(hash_table, random_picks_members_while_rehashing) {
  std::mt19937_64 rng(3);
  blob_table t;
  std::set<std::string> members;
  uint64_t count = fill_until_rehashing(t, "r", 5000);
  for (uint64_t i = 0; i < count; ++i) members.insert(key_of("r", i));
  // Advance the rehash part way so both arrays hold elements.
  t.rehash(t.size() / 4);
  ASSERT_TRUE(t.rehashing());
  std::set<std::string> picked;
  for (int j = 0; j < 20000; ++j) {
    blob_node* n = t.random(rng);
    ASSERT_NE(n, nullptr);
    std::string k(n->key());
    ASSERT_EQ(members.count(k), 1u);
    picked.insert(k);
  }
  EXPECT_GT(picked.size(), members.size() / 2) << "picks come from both arrays";
  free_all(t);
}

// Big bucket arrays are mapped; the rehash hands the emptied part of the old array
// back to the kernel as it goes, and frees the rest when done.
TEST(hash_table, old_array_is_given_back_while_rehashing) {
  size_t before = buckets::mapped_bytes();
  blob_table t;
  t.reserve(100000);  // 131072 buckets: 1 MB, mapped
  EXPECT_EQ(buckets::mapped_bytes() - before, 131072 * sizeof(void*));
  uint64_t i = 0;
  while (!t.rehashing()) t.insert(blob_node::make(key_of("g", i++)));
  size_t both = buckets::mapped_bytes() - before;
  EXPECT_EQ(both, (131072 + 262144) * sizeof(void*));
  t.rehash(40000);
  ASSERT_TRUE(t.rehashing());
  size_t part = buckets::mapped_bytes() - before;
  EXPECT_LT(part, both - 128 * 1024) << "some of the old array went back";
  while (t.rehash(1000)) {
  }
  EXPECT_EQ(buckets::mapped_bytes() - before, 262144 * sizeof(void*));
  EXPECT_EQ(t.size(), i);
  for (uint64_t j = 0; j < i; ++j) ASSERT_NE(t.find(key_of("g", j)), nullptr) << j;
  free_all(t);
  EXPECT_EQ(buckets::mapped_bytes(), before);
}

// --- The keyspace dict --------------------------------------------------------

namespace {
kv_entry* entry(const std::string& k) {
  return make_string_entry(k, "value", false);
}
}  // namespace

TEST(keyspace_dict, model_across_resizes_with_cron_rehash_and_shrink) {
  std::mt19937_64 rng(5);
  dict d;
  std::set<std::string> model;
  size_t rehashing_ops = 0;
  for (int op = 0; op < 300000; ++op) {
    bool growing = op < 150000;
    std::string k = key_of("key:", rng() % 50000);
    uint64_t h = hash_key(k);
    dict::location loc = d.locate(k, h);
    ASSERT_EQ(bool(loc), model.count(k) == 1) << op;
    if (loc) {
      ASSERT_EQ(loc.entry()->key(), k);
    }
    if (growing ? rng() % 4 != 0 : false) {
      if (!loc) {
        d.insert(entry(k), h);
        model.insert(k);
      }
    } else if (loc) {
      destroy_entry(d.unlink(loc));
      model.erase(k);
    }
    if (d.rehashing()) ++rehashing_ops;
    if (op % 1000 == 0) {
      // The cron: start shrinking when sparse, move buckets for a bounded time.
      d.shrink_if_sparse();
      d.rehash_until(dict::clock::now() + std::chrono::microseconds(50));
    }
  }
  EXPECT_GT(rehashing_ops, 1000u);
  for (auto& k : model) {
    dict::location loc = d.locate(k, hash_key(k));
    ASSERT_TRUE(loc) << k;
    destroy_entry(d.unlink(loc));
  }
  EXPECT_EQ(d.size(), 0u);
  for (int tick = 0; tick < 10; ++tick) {
    d.shrink_if_sparse();
    while (d.rehash(100)) {
    }
  }
  EXPECT_LE(d.buckets(), 8u) << "the cron shrank the emptied table";
}

// The snapshot walks the keyspace with scan(); keys inserted and deleted meanwhile
// must not make it miss a key present throughout.
TEST(keyspace_dict, scan_while_growing_and_release_all) {
  dict d;
  for (uint64_t i = 0; i < 1000; ++i) {
    std::string k = key_of("old:", i);
    d.insert(entry(k), hash_key(k));
  }
  std::set<std::string> seen;
  uint64_t cursor = 0, added = 0;
  bool saw_rehash = false;
  // (A scan only ends if the table grows slower than it advances: a few keys a step.)
  do {
    cursor = d.scan(cursor, [&](kv_entry* e) { seen.insert(std::string(e->key())); });
    for (int j = 0; j < 3; ++j) {
      std::string k = key_of("new:", added++);
      d.insert(entry(k), hash_key(k));
    }
    saw_rehash = saw_rehash || d.rehashing();
  } while (cursor != 0 && added < 100000);
  ASSERT_EQ(cursor, 0u);
  EXPECT_TRUE(saw_rehash);
  for (uint64_t i = 0; i < 1000; ++i) EXPECT_EQ(seen.count(key_of("old:", i)), 1u) << i;
  // release_all hands over every entry as one chain, mid-rehash too.
  kv_entry* chain = d.release_all();
  size_t n = 0;
  while (chain != nullptr) {
    kv_entry* next = chain->next;
    destroy_entry(chain);
    chain = next;
    ++n;
  }
  EXPECT_EQ(n, 1000 + added);
  EXPECT_EQ(d.size(), 0u);
}

TEST(keyspace_dict, random_entry_and_move) {
  std::mt19937_64 rng(11);
  dict d;
  uint64_t i = 0;
  while (!(d.rehashing() && d.size() > 1000)) {
    std::string k = key_of("x", i++);
    d.insert(entry(k), hash_key(k));
  }
  for (int j = 0; j < 1000; ++j) {
    kv_entry* e = d.random_entry(rng);
    ASSERT_NE(e, nullptr);
    ASSERT_NE(d.find(e->key(), hash_key(e->key())), nullptr);
  }
  dict moved(std::move(d));
  EXPECT_EQ(moved.size(), i);
  EXPECT_EQ(d.size(), 0u);
  for (uint64_t j = 0; j < i; ++j) {
    std::string k = key_of("x", j);
    ASSERT_NE(moved.find(k, hash_key(k)), nullptr);
  }
}
