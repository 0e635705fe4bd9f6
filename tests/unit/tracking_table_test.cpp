// The tracking table without sockets: who hears of which change, once.
#include <gtest/gtest.h>

#include "storage/keyspace/tracking_table.hpp"

using namespace troupe;

namespace {

tracking_options plain() {
  return {};
}

tracking_options bcast(std::vector<std::string> prefixes, bool noloop = false) {
  tracking_options o;
  o.bcast = true;
  o.noloop = noloop;
  o.prefixes = std::move(prefixes);
  return o;
}

}  // namespace

TEST(tracking_table, a_reader_hears_of_a_change_once) {
  tracking_table t;
  EXPECT_FALSE(t.active());
  t.enable(7, plain());
  EXPECT_TRUE(t.active());
  t.remember(7, "k");
  t.remember(7, "k");
  EXPECT_EQ(t.total_keys(), 1u);
  EXPECT_EQ(t.total_items(), 1u);
  std::vector<invalidation> out;
  t.key_modified("other", 0, out);
  EXPECT_TRUE(out.empty());
  t.key_modified("k", 3, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tracker, 7u);
  EXPECT_EQ(out[0].keys, (std::vector<std::string>{"k"}));
  EXPECT_FALSE(out[0].flush);
  out.clear();
  t.key_modified("k", 3, out);  // forgotten until read again
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(t.total_keys(), 0u);
}

TEST(tracking_table, noloop_skips_the_modifier_and_redirect_is_carried) {
  tracking_table t;
  tracking_options o;
  o.noloop = true;
  o.redirect = 42;
  t.enable(1, o);
  t.enable(2, plain());
  t.remember(1, "k");
  t.remember(2, "k");
  std::vector<invalidation> out;
  t.key_modified("k", 1, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].tracker, 2u);
  t.remember(1, "k");
  out.clear();
  t.key_modified("k", 2, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].redirect, 42u);
}

TEST(tracking_table, a_client_that_stopped_tracking_hears_nothing) {
  tracking_table t;
  t.enable(1, plain());
  t.remember(1, "k");
  t.disable(1);
  EXPECT_FALSE(t.active());
  std::vector<invalidation> out;
  t.key_modified("k", 0, out);
  EXPECT_TRUE(out.empty());
}

TEST(tracking_table, broadcasts_batch_per_prefix_and_client) {
  tracking_table t;
  t.enable(1, bcast({"user:", "cart:"}));
  t.enable(2, bcast({"user:"}, true));
  EXPECT_EQ(t.total_prefixes(), 2u);
  std::vector<invalidation> out;
  t.key_modified("user:1", 2, out);
  t.key_modified("user:2", 0, out);
  t.key_modified("cart:9", 0, out);
  t.key_modified("other", 0, out);
  EXPECT_TRUE(out.empty());  // until the pass ends
  t.take_broadcasts(out);
  std::vector<std::string> to1, to2;
  for (auto& inv : out)
    (inv.tracker == 1 ? to1 : to2)
        .insert((inv.tracker == 1 ? to1 : to2).end(), inv.keys.begin(), inv.keys.end());
  std::sort(to1.begin(), to1.end());
  EXPECT_EQ(to1, (std::vector<std::string>{"cart:9", "user:1", "user:2"}));
  EXPECT_EQ(to2, (std::vector<std::string>{"user:2"}));  // noloop: not its own user:1
  out.clear();
  t.take_broadcasts(out);
  EXPECT_TRUE(out.empty());
  t.disable(1);
  EXPECT_EQ(t.total_prefixes(), 1u);
}

TEST(tracking_table, a_flush_tells_everyone_and_empties_the_table) {
  tracking_table t;
  t.enable(1, plain());
  t.enable(2, bcast({""}));
  t.remember(1, "a");
  std::vector<invalidation> out;
  t.flushed(out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].flush && out[1].flush);
  EXPECT_EQ(t.total_keys(), 0u);
}

TEST(tracking_table, past_the_limit_keys_are_invalidated) {
  tracking_table t;
  t.enable(1, plain());
  for (int i = 0; i < 10; ++i) t.remember(1, "k" + std::to_string(i));
  std::vector<invalidation> out;
  t.enforce_max_keys(4, out);
  EXPECT_EQ(t.total_keys(), 4u);
  EXPECT_EQ(out.size(), 6u);
  out.clear();
  t.enforce_max_keys(0, out);  // 0: no limit
  EXPECT_EQ(t.total_keys(), 4u);
}
