// The wire protocol: malformed input is answered as Redis does and only that
// client is closed; inline commands; deep pipelines; big bulks; limits.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

class protocol : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s = new server_process({"--proto-max-bulk-len", "2mb", "--client-query-buffer-limit", "4mb"});
    ASSERT_TRUE(s->start());
    r = new server_process({"--proto-max-bulk-len", "2mb", "--client-query-buffer-limit", "4mb"},
                           server_process::kind::redis);
    ASSERT_TRUE(r->start());
  }
  static void TearDownTestSuite() {
    delete s;
    delete r;
  }
  // Raw bytes in, raw bytes out (until the server closes or goes quiet).
  static std::string raw(server_process& p, const std::string& in, int quiet_ms = 300) {
    resp_client c = p.client();
    c.send_raw(in);
    return c.read_raw(quiet_ms);
  }
  static server_process* s;
  static server_process* r;
};
server_process* protocol::s = nullptr;
server_process* protocol::r = nullptr;

TEST_F(protocol, malformed_requests_match_redis_and_close) {
  for (std::string in : std::vector<std::string>{
           "*1\r\n$x\r\n", "*abc\r\n", "*1\r\n$-5\r\n", "set a \"b\r\n", "*1\r\n+PING\r\n",
           "*2\r\n$3\r\nGET\r\n:1\r\n", "*3000000000\r\n", "*1\r\n$3000000\r\n",
           std::string(70000, 'x'), "*" + std::string(70000, '1'),
           "*1\r\n$" + std::string(70000, '1')}) {
    std::string redis_out = raw(*r, in);
    std::string troupe_out = raw(*s, in);
    EXPECT_EQ(redis_out, troupe_out) << "input starts " << in.substr(0, 20);
  }
  // The server is fine afterwards.
  EXPECT_EQ(s->call({"PING"}).str, "PONG");
}

TEST_F(protocol, inline_commands_like_telnet) {
  std::string in = "PING\r\nSET greeting \"hello world\"\r\nGET greeting\r\n\r\n  ECHO   'a b'  \n";
  EXPECT_EQ(raw(*s, in), raw(*r, in));
  EXPECT_EQ(raw(*s, "PING\r\n"), "+PONG\r\n");
}

TEST_F(protocol, skips_empty_multibulk) {
  std::string in = "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n";
  EXPECT_EQ(raw(*s, in), "+PONG\r\n");
}

TEST_F(protocol, deep_pipeline_answered_in_order) {
  resp_client c = s->client();
  const int n = 50000;
  std::string batch;
  for (int i = 0; i < n; ++i) {
    std::string key = "p:" + std::to_string(i % 1000), value = std::to_string(i);
    std::vector<std::string_view> set = {"SET", key, value};
    append_command(batch, set);
    std::vector<std::string_view> get = {"GET", key};
    append_command(batch, get);
  }
  ASSERT_TRUE(c.send_raw(batch));  // one write of ~3 MB
  for (int i = 0; i < n; ++i) {
    auto ok = c.read_reply();
    ASSERT_EQ(ok.str, "OK") << i;
    auto v = c.read_reply();
    ASSERT_EQ(v.str, std::to_string(i)) << i;
  }
}

TEST_F(protocol, big_bulk_values) {
  resp_client c = s->client();
  std::string big(1900 * 1024, 'z');
  big[12345] = 'A';
  EXPECT_EQ(c.call({"SET", "big", big}).str, "OK");
  auto v = c.call({"GET", "big"});
  EXPECT_EQ(v.str.size(), big.size());
  EXPECT_EQ(v.str, big);
  // Over proto-max-bulk-len (2mb here): a protocol error, then close.
  // Only the header is sent: the length alone is refused, and the reply cannot be
  // lost to a reset caused by unread body bytes when the server closes.
  ASSERT_TRUE(c.send_raw("*3\r\n$3\r\nSET\r\n$4\r\nbig2\r\n$2097153\r\n"));
  auto e = c.read_reply();
  EXPECT_EQ(e.str, "ERR Protocol error: invalid bulk length");
  EXPECT_TRUE(c.call({"PING"}).is_error());
  // Values that arrive in many small pieces are assembled.
  resp_client slow = s->client();
  std::string req =
      "*3\r\n$3\r\nSET\r\n$4\r\nslow\r\n$100000\r\n" + std::string(100000, 'q') + "\r\n";
  for (size_t off = 0; off < req.size(); off += 997) {
    slow.send_raw(req.substr(off, 997));
  }
  EXPECT_EQ(slow.read_reply().str, "OK");
  EXPECT_EQ(s->call({"STRLEN", "slow"}).integer, 100000);
}

TEST_F(protocol, query_buffer_limit_closes_client) {
  resp_client c = s->client();
  // An inline request never ends: the server closes at the inline limit.
  std::string junk(100 * 1024, 'a');
  c.send_raw(junk);
  auto out = c.read_raw(500);
  EXPECT_EQ(out, "-ERR Protocol error: too big inline request\r\n");
  // Many incomplete multibulk args beyond client-query-buffer-limit (4mb).
  resp_client d = s->client();
  std::string head = "*2\r\n$3\r\nSET\r\n$1900000\r\n";
  d.send_raw(head + std::string(1000000, 'b'));
  EXPECT_EQ(s->call({"PING"}).str, "PONG");
}

TEST_F(protocol, random_garbage_never_hurts_the_server) {
  std::mt19937 rng(7);
  const char alphabet[] = "*$\r\n0123456789-+:abcSETGET \"'\\x";
  resp_client healthy = s->client();
  for (int round = 0; round < 300; ++round) {
    std::string in;
    size_t len = 1 + rng() % 200;
    for (size_t i = 0; i < len; ++i) in.push_back(alphabet[rng() % (sizeof(alphabet) - 1)]);
    resp_client c = s->client();
    c.send_raw(in);
    c.read_raw(5);
    if (round % 50 == 0) {
      ASSERT_EQ(healthy.call({"PING"}).str, "PONG");
    }
  }
  EXPECT_EQ(healthy.call({"PING"}).str, "PONG");
}

TEST_F(protocol, client_disconnecting_mid_command) {
  for (int i = 0; i < 50; ++i) {
    resp_client c = s->client();
    c.send_raw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\nabc");
  }
  EXPECT_EQ(s->call({"PING"}).str, "PONG");
}
