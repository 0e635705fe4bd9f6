// The stream value type on its own: node splitting by entries and bytes,
// same-field compression, range walks both ways, deletion (a node freed when
// its last live entry goes), exact and approximate trimming, IDs at the edges
// of the 128-bit space, groups and their PELs through clone(), and RDB
// round trips of nodes and groups with hostile node contents refused.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "storage/rdb/rdb_encoder.hpp"
#include "storage/rdb/rdb_source.hpp"
#include "storage/rdb/rdb_stream.hpp"
#include "storage/types/stream_type.hpp"

using namespace troupe;

namespace {

using fields_t = std::vector<std::pair<std::string_view, std::string_view>>;

// What a walk sees: "id:f=v,f=v".
std::vector<std::string> walk(const stream& s, stream_id a, stream_id b, bool rev) {
  std::vector<std::string> out;
  s.range(a, b, rev, [&](const stream_entry& e) {
    std::string line = e.id.str() + ":";
    e.for_each_field([&](std::string_view f, std::string_view v) {
      line.append(f).append("=").append(v).append(",");
    });
    out.push_back(line);
    return true;
  });
  return out;
}

}  // namespace

TEST(stream_type, nodes_split_by_entries_and_bytes) {
  stream s;
  stream_node_limits lim{4096, 3};
  for (uint64_t i = 1; i <= 10; ++i) s.append({i, 0}, {{"f", "v"}}, lim);
  EXPECT_EQ(s.length, 10u);
  EXPECT_EQ(s.nodes.size(), 4u);  // 3 + 3 + 3 + 1
  stream t;
  stream_node_limits bytes{60, 0};
  std::string big(40, 'x');
  for (uint64_t i = 1; i <= 5; ++i) t.append({i, 0}, {{"f", big}}, bytes);
  EXPECT_EQ(t.nodes.size(), 5u);
}

TEST(stream_type, same_fields_and_different_fields_read_back) {
  stream s;
  stream_node_limits lim;
  s.append({1, 0}, {{"a", "1"}, {"b", "2"}}, lim);
  s.append({1, 1}, {{"a", "3"}, {"b", "4"}}, lim);  // master's fields
  s.append({2, 0}, {{"b", "5"}, {"a", "6"}}, lim);  // same names, other order
  s.append({3, 0}, {{"only", "-9223372036854775808"}}, lim);
  std::vector<std::string> want = {"1-0:a=1,b=2,", "1-1:a=3,b=4,", "2-0:b=5,a=6,",
                                   "3-0:only=-9223372036854775808,"};
  EXPECT_EQ(walk(s, {}, stream_id::max(), false), want);
  std::vector<std::string> rev(want.rbegin(), want.rend());
  EXPECT_EQ(walk(s, {}, stream_id::max(), true), rev);
  EXPECT_EQ(walk(s, {1, 1}, {2, 0}, false), (std::vector<std::string>{want[1], want[2]}));
  EXPECT_EQ(walk(s, {1, 1}, {2, 0}, true), (std::vector<std::string>{want[2], want[1]}));
}

TEST(stream_type, remove_marks_then_frees_a_node) {
  stream s;
  stream_node_limits lim{4096, 2};
  for (uint64_t i = 1; i <= 4; ++i) s.append({i, 0}, {{"f", "v"}}, lim);
  ASSERT_EQ(s.nodes.size(), 2u);
  EXPECT_TRUE(s.remove({1, 0}));
  EXPECT_FALSE(s.remove({1, 0}));
  EXPECT_FALSE(s.remove({9, 0}));
  EXPECT_EQ(s.nodes.size(), 2u);
  EXPECT_TRUE(s.remove({2, 0}));
  EXPECT_EQ(s.nodes.size(), 1u);  // its last live entry went: the node too
  EXPECT_EQ(s.length, 2u);
  stream_id first;
  ASSERT_TRUE(s.edge_id(true, first));
  EXPECT_EQ(first, (stream_id{3, 0}));
  EXPECT_TRUE(s.exists({4, 0}));
  EXPECT_FALSE(s.exists({2, 0}));
}

TEST(stream_type, trimming_exact_and_approximate) {
  stream_node_limits lim{4096, 10};
  stream s;
  for (uint64_t i = 1; i <= 95; ++i) s.append({i, 0}, {{"f", "v"}}, lim);
  trim_spec approx{trim_strategy::maxlen, true, 0, 42, {}};
  EXPECT_EQ(s.trim(approx), 50);  // whole nodes only: 45 left
  EXPECT_EQ(s.length, 45u);
  trim_spec exact{trim_strategy::maxlen, false, 0, 42, {}};
  EXPECT_EQ(s.trim(exact), 3);
  EXPECT_EQ(s.length, 42u);
  trim_spec minid{trim_strategy::minid, false, 0, 0, {70, 0}};
  EXPECT_EQ(s.trim(minid), 16);
  EXPECT_EQ(walk(s, {}, stream_id::max(), false).front().substr(0, 5), "70-0:");
  trim_spec limited{trim_strategy::maxlen, true, 5, 0, {}};
  EXPECT_EQ(s.trim(limited), 1);  // one node of 1 live entry; the next is past the limit
  trim_spec all{trim_strategy::maxlen, false, 0, 0, {}};
  EXPECT_EQ(s.trim(all), 25);
  EXPECT_TRUE(s.nodes.empty());
}

TEST(stream_type, ids_at_the_edges) {
  stream_id max = stream_id::max();
  EXPECT_FALSE(max.increment());
  stream_id zero;
  EXPECT_FALSE(zero.decrement());
  stream_id carry{5, UINT64_MAX};
  ASSERT_TRUE(carry.increment());
  EXPECT_EQ(carry, (stream_id{6, 0}));
  stream s;
  stream_node_limits lim;
  s.append({0, 1}, {{"a", "b"}}, lim);
  s.append({UINT64_MAX, UINT64_MAX - 1}, {{"a", "b"}}, lim);  // seq-diff wraps
  s.append(max, {{"a", "b"}}, lim);
  EXPECT_EQ(walk(s, {}, max, false),
            (std::vector<std::string>{"0-1:a=b,", "18446744073709551615-18446744073709551614:a=b,",
                                      "18446744073709551615-18446744073709551615:a=b,"}));
  unsigned char raw[16];
  max.encode(raw);
  EXPECT_EQ(stream_id::decode(raw), max);
}

TEST(stream_type, clone_keeps_groups_and_pels) {
  stream s;
  stream_node_limits lim;
  s.append({1, 0}, {{"a", "b"}}, lim);
  stream_group* g = s.create_group("g", {1, 0}, 1);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(s.create_group("g", {}, 0), nullptr);
  stream_consumer* c = g->create_consumer("alice", 7);
  stream_nack& n = g->pel[{1, 0}];
  n.consumer = c;
  n.delivery_count = 3;
  c->pel[{1, 0}] = &n;
  auto copy = s.clone();
  stream_group* cg = copy->find_group("g");
  ASSERT_NE(cg, nullptr);
  ASSERT_EQ(cg->pel.size(), 1u);
  stream_consumer* cc = cg->find_consumer("alice");
  ASSERT_NE(cc, nullptr);
  EXPECT_EQ(cg->pel.begin()->second.consumer, cc);
  EXPECT_EQ(cc->pel.begin()->second, &cg->pel.begin()->second);
  EXPECT_EQ(cg->pel.begin()->second.delivery_count, 3u);
  EXPECT_EQ(cg->delete_consumer("alice"), 1u);
  EXPECT_TRUE(cg->pel.empty());
  EXPECT_EQ(g->pel.size(), 1u);  // the original is untouched
}

TEST(stream_type, random_operations_match_a_model) {
  std::mt19937 rng(16);
  stream s;
  std::map<stream_id, std::string> model;
  stream_node_limits lim{200, 7};
  uint64_t ms = 1;
  for (int i = 0; i < 5000; ++i) {
    int op = int(rng() % 10);
    if (op < 6) {
      ms += rng() % 2;
      stream_id id{ms, uint64_t(i)};
      std::string v = std::string(rng() % 30, char('a' + rng() % 26));
      s.append(id, {{"k", v}}, lim);
      model[id] = v;
    } else if (op < 9 && !model.empty()) {
      auto it = model.begin();
      std::advance(it, long(rng() % model.size()));
      EXPECT_TRUE(s.remove(it->first));
      model.erase(it);
    } else {
      uint64_t keep = rng() % 100;
      trim_spec t{trim_strategy::maxlen, false, 0, keep, {}};
      s.trim(t);
      while (model.size() > keep) model.erase(model.begin());
    }
    ASSERT_EQ(s.length, model.size());
  }
  std::vector<std::string> want;
  for (auto& [id, v] : model) want.push_back(id.str() + ":k=" + v + ",");
  EXPECT_EQ(walk(s, {}, stream_id::max(), false), want);
}

namespace {

kv_entry* round_trip(const kv_entry* e, std::string& body) {
  body.clear();
  rdb_encoder enc(body, false);
  enc.value(e);
  std::string payload = body.substr(1);  // without the type byte
  rdb_memory_source src(payload);
  rdb_reader r(src);
  return read_rdb_stream(r, uint8_t(body[0]), "k", false);
}

}  // namespace

TEST(stream_type, rdb_round_trip_and_hostile_nodes) {
  kv_entry* e = make_stream_entry("k", false);
  stream& s = stream_of(e);
  stream_node_limits lim{4096, 5};
  for (uint64_t i = 1; i <= 12; ++i) s.append({i, i}, {{"f", std::to_string(i)}}, lim);
  s.remove({3, 3});
  s.length = 11;
  s.last_id = {12, 12};
  s.first_id = {1, 1};
  s.entries_added = 12;
  stream_group* g = s.create_group("g", {4, 4}, -1);
  stream_consumer* c = g->create_consumer("c", 99);
  stream_nack& n = g->pel[{2, 2}];
  n.consumer = c;
  n.delivery_time = 1234;
  c->pel[{2, 2}] = &n;
  std::string body;
  kv_entry* back = round_trip(e, body);
  ASSERT_NE(back, nullptr);
  std::string again;
  kv_entry* back2 = round_trip(back, again);
  EXPECT_EQ(body, again);
  EXPECT_EQ(stream_of(back).find_group("g")->entries_read, -1);
  EXPECT_EQ(stream_of(back).find_group("g")->pel.begin()->second.delivery_time, 1234);
  destroy_entry(back2);
  destroy_entry(back);
  // Every single-byte change either loads or is refused: never a crash.
  std::mt19937 rng(3);
  for (int i = 0; i < 4000; ++i) {
    std::string bad = body.substr(1);
    bad[rng() % bad.size()] = char(rng());
    if (rng() % 5 == 0) bad.resize(rng() % bad.size());
    rdb_memory_source src(bad);
    rdb_reader r(src);
    try {
      kv_entry* x = read_rdb_stream(r, uint8_t(body[0]), "k", false);
      stream& xs = stream_of(x);
      walk(xs, {}, stream_id::max(), true);
      xs.trim({trim_strategy::maxlen, false, 0, 2, {}});
      destroy_entry(x);
    } catch (const rdb_format_error&) {
    }
  }
  destroy_entry(e);
}
