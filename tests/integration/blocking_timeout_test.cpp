// Timeouts of the blocking commands against redis-server: a positive timeout
// below a millisecond still times out, out-of-range and malformed ones get
// Redis's errors, and the values Redis treats as "for ever" (0, -0, tiny
// negatives that round to 0, deadlines too far to represent) wait until served.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// Every blocking command, waiting on "nokey" with timeout t.
std::vector<std::vector<std::string>> blocking_commands(const std::string& t) {
  return {
      {"BLPOP", "nokey", t},
      {"BRPOP", "nokey", t},
      {"BLMOVE", "nokey", "dst", "LEFT", "RIGHT", t},
      {"BRPOPLPUSH", "nokey", "dst", t},
      {"BLMPOP", t, "1", "nokey", "LEFT"},
      {"BZPOPMIN", "nokey", t},
      {"BZPOPMAX", "nokey", t},
      {"BZMPOP", t, "1", "nokey", "MIN"},
  };
}

bool is_zset_command(const std::vector<std::string>& cmd) {
  return cmd[0][1] == 'Z';
}

// Waits until the server counts n blocked clients (false after 5 s).
bool wait_blocked(const server_process& s, int n) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::string want = "blocked_clients:" + std::to_string(n) + "\r\n";
  while (std::chrono::steady_clock::now() < until) {
    if (s.call({"INFO", "clients"}).str.find(want) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

}  // namespace

class blocking_timeout : public differential_suite<blocking_timeout> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

TEST_F(blocking_timeout, sub_millisecond_timeouts_time_out) {
  for (const char* t : {"0.001", "0.0001", "0.0009", "0.00000001", "1e-300", "1e-4940", "1e-3",
                        "0.001e0", "0x0.001p0"}) {
    for (auto& cmd : blocking_commands(t)) {
      auto start = std::chrono::steady_clock::now();
      auto reply = d->same(cmd);
      EXPECT_TRUE(reply.is_nil()) << cmd[0] << " " << t << ": " << reply.to_string();
      EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1))
          << cmd[0] << " " << t;
    }
  }
  // The client is usable at once afterwards.
  d->same({"PING"});
}

TEST_F(blocking_timeout, bad_timeouts_get_redis_errors) {
  for (const char* t : {"1e300",
                        "1e400",
                        "-1e400",
                        "inf",
                        "+inf",
                        "-inf",
                        "nan",
                        "-nan",
                        "NaN",
                        "1e-5000",
                        "-1",
                        "-0.5",
                        "-0.0011",
                        "abc",
                        "",
                        " 1",
                        "1 ",
                        "9.3e15",
                        "9223372036854776",
                        "1e19",
                        "0x",
                        "1.5.5",
                        "--1"}) {
    for (auto& cmd : blocking_commands(t)) d->same(cmd);
  }
}

TEST_F(blocking_timeout, timeouts_that_mean_for_ever_wait_until_served) {
  for (const char* t : {"0", "-0", "-0.0001", "-0.001", "0.0000", "9223372036854775", "9.2e15"}) {
    for (auto& cmd : blocking_commands(t)) {
      for (server_process* s : {&d->redis(), &d->troupe()}) {
        resp_client w = s->client();
        w.append(cmd);
        w.flush();
        ASSERT_TRUE(wait_blocked(*s, 1)) << cmd[0] << " " << t;
        // Still waiting a while later: no timer fired.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        EXPECT_TRUE(wait_blocked(*s, 1)) << cmd[0] << " " << t;
        if (is_zset_command(cmd))
          s->call({"ZADD", "nokey", "1", "m"});
        else
          s->call({"RPUSH", "nokey", "e"});
        auto reply = w.read_reply();
        EXPECT_FALSE(reply.is_nil() || reply.is_error())
            << cmd[0] << " " << t << " " << reply.to_string();
        s->call({"DEL", "nokey", "dst"});
      }
    }
  }
}

TEST_F(blocking_timeout, short_timeouts_in_pipelines_and_many_clients) {
  // Many clients with sub-millisecond timeouts at once, each followed by a PING.
  std::vector<resp_client> clients;
  for (int i = 0; i < 50; ++i) {
    clients.push_back(d->troupe().client());
    for (auto& cmd : blocking_commands(i % 2 ? "0.0001" : "0.001")) clients.back().append(cmd);
    clients.back().append({"PING"});
    clients.back().flush();
  }
  for (auto& c : clients) {
    for (int i = 0; i < 8; ++i) EXPECT_TRUE(c.read_reply().is_nil());
    EXPECT_EQ(c.read_reply().str, "PONG");
  }
  EXPECT_TRUE(wait_blocked(d->troupe(), 0));
}
