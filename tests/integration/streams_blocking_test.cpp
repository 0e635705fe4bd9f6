// XREAD BLOCK and XREADGROUP BLOCK, played the same way on redis-server 7.0
// and on Troupe: woken by XADD (with "$" meaning the last ID when it blocked),
// timeouts, NOACK, a group destroyed or the key deleted under a waiting
// XREADGROUP, RESP3 shapes; the replies must match.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// Waits until the server reports n blocked clients.
bool wait_blocked(server_process& s, int n) {
  for (int i = 0; i < 2000; ++i) {
    std::string info = s.call({"INFO", "clients"}).str;
    auto p = info.find("blocked_clients:");
    if (p != std::string::npos && std::stoi(info.substr(p + 16)) == n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// Runs `scenario` on both servers and compares what it returns.
template <class F>
void both_ways(differential& d, F&& scenario) {
  std::string r = scenario(d.redis());
  std::string t = scenario(d.troupe());
  EXPECT_EQ(r, t);
}

}  // namespace

class stream_blocking : public differential_suite<stream_blocking> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

TEST_F(stream_blocking, xread_woken_by_xadd_with_dollar) {
  both_ways(*d, [](server_process& s) {
    s.call({"XADD", "s", "1-0", "a", "1"});
    resp_client w = s.client();
    w.append({"XREAD", "BLOCK", "0", "STREAMS", "s", "other", "$", "$"});
    w.flush();
    EXPECT_TRUE(wait_blocked(s, 1));
    s.call({"XADD", "other", "5-0", "b", "2"});
    std::string out = w.read_reply().to_string();
    EXPECT_EQ(out, "[[\"other\", [[\"5-0\", [\"b\", \"2\"]]]]]");
    EXPECT_TRUE(wait_blocked(s, 0));
    return out;
  });
}

TEST_F(stream_blocking, xread_timeout_and_new_key) {
  both_ways(*d, [](server_process& s) {
    resp_client w = s.client();
    std::string out = w.call({"XREAD", "BLOCK", "20", "STREAMS", "nokey", "$"}).to_string();
    w.append({"XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "nokey", "0"});
    w.flush();
    EXPECT_TRUE(wait_blocked(s, 1));
    s.call({"SET", "unrelated", "x"});
    s.call({"XADD", "nokey", "1-0", "a", "1", "b", "2"});
    out += w.read_reply().to_string();
    // Still answered in order: the connection works on.
    out += w.call({"XLEN", "nokey"}).to_string();
    return out;
  });
}

TEST_F(stream_blocking, xreadgroup_woken_by_xadd_updates_the_pel) {
  both_ways(*d, [](server_process& s) {
    s.call({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
    resp_client w1 = s.client(), w2 = s.client();
    w1.append({"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"});
    w1.flush();
    EXPECT_TRUE(wait_blocked(s, 1));
    w2.append({"XREADGROUP", "GROUP", "g", "bob", "NOACK", "BLOCK", "0", "STREAMS", "s", ">"});
    w2.flush();
    EXPECT_TRUE(wait_blocked(s, 2));
    s.call({"XADD", "s", "1-0", "a", "1"});
    std::string out = w1.read_reply().to_string();
    s.call({"XADD", "s", "2-0", "a", "2"});
    out += w2.read_reply().to_string();
    out += s.call({"XPENDING", "s", "g"}).to_string();
    out += s.call({"XINFO", "GROUPS", "s"}).to_string();
    return out;
  });
}

TEST_F(stream_blocking, xreadgroup_unblocked_when_group_or_key_goes) {
  both_ways(*d, [](server_process& s) {
    s.call({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
    resp_client w = s.client();
    w.append({"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"});
    w.flush();
    EXPECT_TRUE(wait_blocked(s, 1));
    s.call({"XGROUP", "DESTROY", "s", "g"});
    std::string out = w.read_reply().to_string();
    s.call({"XGROUP", "CREATE", "s", "g", "$"});
    w.append({"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"});
    w.flush();
    EXPECT_TRUE(wait_blocked(s, 1));
    s.call({"DEL", "s"});
    out += w.read_reply().to_string();
    EXPECT_NE(out.find("NOGROUP"), std::string::npos) << out;
    EXPECT_NE(out.find("UNBLOCKED"), std::string::npos) << out;
    return out;
  });
}

// Redis 7.0 tells a blocked group reader its stream is gone however it went:
// FLUSHALL, FLUSHDB, SWAPDB, expiry (lazy, on access, and the active cycle).
// Plain XREAD readers and list waiters of the same keys keep waiting.
TEST_F(stream_blocking, xreadgroup_unblocked_by_flush_swapdb_and_expiry) {
  const std::vector<std::vector<std::string>> removals = {
      {"FLUSHALL"}, {"FLUSHDB"}, {"SWAPDB", "0", "1"}, {"PEXPIRE", "s", "1"}};
  for (const auto& removal : removals) {
    both_ways(*d, [&](server_process& s) {
      s.call({"FLUSHALL"});
      s.call({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
      resp_client group = s.client(), plain = s.client(), list = s.client();
      group.append({"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"});
      group.flush();
      plain.append({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
      plain.flush();
      list.append({"BLPOP", "l", "0"});
      list.flush();
      EXPECT_TRUE(wait_blocked(s, 3));
      s.call(removal);
      // Expiry: the active cycle deletes the key (no command touches it).
      std::string out = group.read_reply().to_string();
      EXPECT_TRUE(wait_blocked(s, 2)) << removal[0];
      s.call({"XADD", "s", "5-0", "f", "v"});
      s.call({"RPUSH", "l", "x"});
      out += " | " + plain.read_reply().to_string() + " | " + list.read_reply().to_string();
      return removal[0] + ": " + out;
    });
  }
}

TEST_F(stream_blocking, xread_keeps_waiting_when_key_deleted) {
  both_ways(*d, [](server_process& s) {
    s.call({"XADD", "s", "1-0", "a", "1"});
    resp_client w = s.client();
    w.append({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
    w.flush();
    EXPECT_TRUE(wait_blocked(s, 1));
    s.call({"DEL", "s"});
    s.call({"SET", "s", "string now"});
    s.call({"DEL", "s"});
    EXPECT_TRUE(wait_blocked(s, 1));
    s.call({"XADD", "s", "2-0", "a", "2"});
    std::string out = w.read_reply().to_string();
    EXPECT_EQ(out, "[[\"s\", [[\"2-0\", [\"a\", \"2\"]]]]]");
    return out;
  });
}

TEST_F(stream_blocking, resp3_reply_is_a_map) {
  both_ways(*d, [](server_process& s) {
    resp_client w = s.client();
    w.call({"HELLO", "3"});
    w.append({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
    w.flush();
    EXPECT_TRUE(wait_blocked(s, 1));
    s.call({"XADD", "s", "1-0", "a", "1"});
    resp_value v = w.read_reply();
    std::string out = std::to_string(int(v.type)) + v.to_string();
    resp_value t = w.call({"XREAD", "BLOCK", "10", "STREAMS", "s", "$"});
    out += std::to_string(int(t.type)) + t.to_string();
    return out;
  });
}
