// With several reactors, multi-key commands over keys of different shards are
// atomic and isolated: concurrent readers never see half of an MSET.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {
// Keys chosen to fall in different hash slots, hence different shards.
std::vector<std::string> spread_keys(int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) keys.push_back("iso:" + std::to_string(i));
  return keys;
}
}  // namespace

TEST(isolation, mset_is_never_seen_half_done) {
  server_process s({"--threads", "2", "--shards", "8"});
  ASSERT_TRUE(s.start());
  auto keys = spread_keys(16);
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, reads{0}, writes{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w) {
    threads.emplace_back([&, w] {
      resp_client c = s.client();
      for (int round = 0; !stop; ++round) {
        std::vector<std::string> args = {"MSET"};
        std::string value = std::to_string(w) + ":" + std::to_string(round);
        for (auto& k : keys) {
          args.push_back(k);
          args.push_back(value);
        }
        if (c.call(args).str != "OK") return;
        ++writes;
      }
    });
  }
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&] {
      resp_client c = s.client();
      while (!stop) {
        std::vector<std::string> args = {"MGET"};
        args.insert(args.end(), keys.begin(), keys.end());
        auto v = c.call(args);
        if (v.elements.size() != keys.size()) return;
        for (auto& e : v.elements)
          if (e.str != v.elements[0].str) {
            ++torn;
            break;
          }
        ++reads;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_GT(writes.load(), 100);
  EXPECT_GT(reads.load(), 100);
  EXPECT_EQ(torn.load(), 0);
  // Both reactors served clients.
  auto info = s.call({"INFO", "server"}).str;
  EXPECT_NE(info.find("reactors:2"), std::string::npos);
}

TEST(isolation, rename_across_shards_under_load_loses_nothing) {
  server_process s({"--threads", "2", "--shards", "4"});
  ASSERT_TRUE(s.start());
  // A token moves between two keys of different shards; counters on both
  // reactors move it concurrently with RENAME. Exactly one key holds it.
  s.call({"SET", "tokA", "token"});
  std::atomic<bool> stop{false};
  std::atomic<int> missing{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      resp_client c = s.client();
      while (!stop) {
        if (i % 2 == 0) {
          c.call({"RENAME", "tokA", "tokB"});
          c.call({"RENAME", "tokB", "tokA"});
        } else {
          auto n = c.call({"EXISTS", "tokA", "tokB"});
          if (n.integer != 1) ++missing;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(missing.load(), 0);
  EXPECT_EQ(s.call({"EXISTS", "tokA", "tokB"}).integer, 1);
}

TEST(isolation, incr_from_many_clients_on_two_reactors) {
  server_process s({"--threads", "2", "--shards", "2"});
  ASSERT_TRUE(s.start());
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      resp_client c = s.client();
      for (int j = 0; j < 1000; ++j) c.append({"INCR", "counter"});
      c.flush();
      for (int j = 0; j < 1000; ++j) c.read_reply();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(s.call({"GET", "counter"}).str, "8000");
}
