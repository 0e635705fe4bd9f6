// MULTI / EXEC / DISCARD / WATCH against redis-server, plus atomicity of a
// transaction over keys of several shards on two reactors.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

class transactions : public differential_suite<transactions> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

TEST_F(transactions, queue_and_exec) {
  d->same({"MULTI"});
  d->same({"SET", "a", "1"});
  d->same({"INCR", "a"});
  d->same({"LPUSH", "a", "x"});  // runtime error, reported in its slot
  d->same({"GET", "a"});
  d->same({"EXEC"});
  d->same({"GET", "a"});
}

TEST_F(transactions, errors_and_nesting) {
  d->same({"EXEC"});
  d->same({"DISCARD"});
  d->same({"MULTI"});
  d->same({"MULTI"});
  d->same({"SET", "a"});  // arity error: EXEC will abort
  d->same({"NOSUCHCMD"});
  d->same({"SET", "a", "1"});
  d->same({"EXEC"});
  d->same({"GET", "a"});
  d->same({"MULTI"});
  d->same({"SET", "b", "1"});
  d->same({"DISCARD"});
  d->same({"GET", "b"});
  d->same({"MULTI"});
  d->same({"WATCH", "x"});
  d->same({"EXEC"});
}

TEST_F(transactions, empty_exec_and_resp3) {
  d->same({"MULTI"});
  d->same({"EXEC"});
  d->both({"HELLO", "3"});
  d->same({"MULTI"});
  d->same({"GET", "nope"});
  d->same({"EXEC"});
  d->both({"HELLO", "2"});
}

TEST_F(transactions, watch_aborts_when_key_changes) {
  resp_client other = d->troupe().client();
  resp_client& c = d->troupe_client();
  c.call({"SET", "w", "1"});
  EXPECT_EQ(c.call({"WATCH", "w"}).str, "OK");
  other.call({"SET", "w", "2"});
  c.call({"MULTI"});
  c.call({"SET", "w", "3"});
  EXPECT_TRUE(c.call({"EXEC"}).is_nil());
  EXPECT_EQ(c.call({"GET", "w"}).str, "2");
  // Unchanged watched key: EXEC runs.
  c.call({"WATCH", "w"});
  c.call({"MULTI"});
  c.call({"SET", "w", "4"});
  EXPECT_EQ(c.call({"EXEC"}).elements.size(), 1u);
  EXPECT_EQ(c.call({"GET", "w"}).str, "4");
  // UNWATCH forgets.
  c.call({"WATCH", "w"});
  other.call({"SET", "w", "5"});
  c.call({"UNWATCH"});
  c.call({"MULTI"});
  c.call({"GET", "w"});
  EXPECT_EQ(c.call({"EXEC"}).elements[0].str, "5");
}

TEST_F(transactions, watch_sees_expiry_flush_and_other_dbs) {
  resp_client other = d->troupe().client();
  resp_client& c = d->troupe_client();
  c.call({"SET", "e", "1", "PX", "50"});
  c.call({"WATCH", "e"});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  c.call({"MULTI"});
  c.call({"PING"});
  EXPECT_TRUE(c.call({"EXEC"}).is_nil());  // expired meanwhile
  c.call({"SET", "f", "1"});
  c.call({"WATCH", "f"});
  other.call({"SELECT", "9"});
  other.call({"FLUSHALL"});
  c.call({"MULTI"});
  c.call({"PING"});
  EXPECT_TRUE(c.call({"EXEC"}).is_nil());  // FLUSHALL from another db counts
  c.call({"SET", "g", "1"});
  c.call({"WATCH", "g"});
  other.call({"SET", "g", "changed-in-db9"});  // a different database: no effect
  c.call({"MULTI"});
  c.call({"PING"});
  EXPECT_EQ(c.call({"EXEC"}).elements.size(), 1u);
  // Missing key watched, then created.
  c.call({"WATCH", "created"});
  other.call({"SELECT", "0"});
  other.call({"SET", "created", "1"});
  c.call({"MULTI"});
  c.call({"PING"});
  EXPECT_TRUE(c.call({"EXEC"}).is_nil());
}

TEST_F(transactions, discard_unwatches) {
  resp_client other = d->troupe().client();
  resp_client& c = d->troupe_client();
  c.call({"WATCH", "dw"});
  c.call({"MULTI"});
  c.call({"DISCARD"});
  other.call({"SET", "dw", "x"});
  c.call({"MULTI"});
  c.call({"PING"});
  EXPECT_EQ(c.call({"EXEC"}).elements.size(), 1u);
}

// A transaction over keys of different shards on two reactors is atomic:
// readers never see part of it.
TEST(transactions_concurrent, exec_is_atomic_across_shards) {
  server_process s({"--threads", "2", "--shards", "8"});
  ASSERT_TRUE(s.start());
  std::vector<std::string> keys;
  for (int i = 0; i < 12; ++i) keys.push_back("tx:" + std::to_string(i));
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0}, execs{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w)
    threads.emplace_back([&, w] {
      resp_client c = s.client();
      for (int round = 0; !stop; ++round) {
        c.append({"MULTI"});
        for (auto& k : keys) c.append({"SET", k, std::to_string(w * 1000000 + round)});
        c.append({"EXEC"});
        c.flush();
        for (size_t i = 0; i < keys.size() + 2; ++i) c.read_reply();
        ++execs;
      }
    });
  for (int r = 0; r < 2; ++r)
    threads.emplace_back([&] {
      resp_client c = s.client();
      while (!stop) {
        c.append({"MULTI"});
        for (auto& k : keys) c.append({"GET", k});
        c.append({"EXEC"});
        c.flush();
        resp_value last;
        for (size_t i = 0; i < keys.size() + 2; ++i) last = c.read_reply();
        for (auto& e : last.elements)
          if (e.str != last.elements[0].str) {
            ++torn;
            break;
          }
      }
    });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_GT(execs.load(), 50);
  EXPECT_EQ(torn.load(), 0);
}

TEST_F(transactions, reset_ends_everything) {
  d->same({"SELECT", "3"});
  d->same({"WATCH", "x"});
  d->same({"MULTI"});
  d->same({"SET", "x", "1"});
  d->same({"RESET"});
  d->same({"EXEC"});
  d->same({"SUBSCRIBE", "c"});
  d->same({"RESET"});
  d->same({"GET", "x"});
}

// Found by the hostile-input tester: an EXEC refused for its arity discards
// the transaction (Troupe used to stay in MULTI, queueing what followed).
TEST_F(transactions, exec_with_arguments_aborts_the_transaction) {
  d->same({"EXEC", "foo"});
  d->same({"MULTI"});
  d->same({"SET", "a", "1"});
  d->same({"EXEC", "REV"});
  d->same({"GET", "a"});
  d->same({"EXEC"});
  d->same({"DISCARD"});
}
