// The request parser with whole, split, malformed and random input.
#include <gtest/gtest.h>

#include <random>

#include "protocol/resp/request_parser.hpp"

using troupe::request_parser;

namespace {
std::vector<std::vector<std::string>> parse_all(const std::string& input,
                                                std::string* error = nullptr, size_t chunk = 0) {
  request_parser p;
  request_parser::limits lim;
  std::vector<std::vector<std::string>> out;
  std::string buf;
  size_t fed = 0;
  while (true) {
    size_t n = chunk == 0 ? input.size() - fed : std::min(chunk, input.size() - fed);
    buf.append(input, fed, n);
    fed += n;
    for (;;) {
      auto r = p.parse(buf.data(), buf.size(), lim);
      if (r == request_parser::result::command) {
        std::vector<std::string> cmd;
        for (auto a : p.args()) cmd.emplace_back(a);
        out.push_back(cmd);
      } else if (r == request_parser::result::error) {
        if (error) *error = p.error();
        return out;
      } else {
        break;
      }
    }
    size_t c = p.consumed();
    buf.erase(0, c);
    p.shift(c);
    if (fed == input.size()) break;
  }
  return out;
}
}  // namespace

TEST(request_parser, multibulk) {
  auto cmds = parse_all("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[0], (std::vector<std::string>{"GET", "key"}));
  EXPECT_EQ(cmds[1], (std::vector<std::string>{"PING"}));
}

TEST(request_parser, inline_commands_with_quotes) {
  auto cmds = parse_all("SET k \"a b\\x41\\n\"\r\n\r\nGET 'it''s'\n");
  ASSERT_EQ(cmds.size(), 1u);  // the quote followed by a quote is an error for the 2nd
  EXPECT_EQ(cmds[0], (std::vector<std::string>{"SET", "k", "a bA\n"}));
}

TEST(request_parser, byte_at_a_time_gives_same_commands) {
  std::string input;
  for (int i = 0; i < 200; ++i)
    input += "*3\r\n$3\r\nSET\r\n$" + std::to_string(std::to_string(i).size() + 4) +
             "\r\nkey:" + std::to_string(i) + "\r\n$5\r\nvalue\r\n";
  input += "PING\r\n";
  auto whole = parse_all(input);
  auto bytes = parse_all(input, nullptr, 1);
  auto sevens = parse_all(input, nullptr, 7);
  ASSERT_EQ(whole.size(), 201u);
  EXPECT_EQ(whole, bytes);
  EXPECT_EQ(whole, sevens);
}

TEST(request_parser, errors_match_redis) {
  std::string err;
  parse_all("*abc\r\n", &err);
  EXPECT_EQ(err, "Protocol error: invalid multibulk length");
  parse_all("*1\r\n$x\r\n", &err);
  EXPECT_EQ(err, "Protocol error: invalid bulk length");
  parse_all("*1\r\n$-5\r\n", &err);
  EXPECT_EQ(err, "Protocol error: invalid bulk length");
  parse_all("*1\r\n+PING\r\n", &err);
  EXPECT_EQ(err, "Protocol error: expected '$', got '+'");
  parse_all("SET a \"b\r\n", &err);
  EXPECT_EQ(err, "Protocol error: unbalanced quotes in request");
  parse_all(std::string(70000, 'a'), &err);
  EXPECT_EQ(err, "Protocol error: too big inline request");
  parse_all("*" + std::string(70000, '1'), &err);
  EXPECT_EQ(err, "Protocol error: too big mbulk count string");
}

TEST(request_parser, empty_multibulk_is_skipped) {
  auto cmds = parse_all("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(cmds.size(), 1u);
}

TEST(request_parser, bulk_limit) {
  request_parser p;
  request_parser::limits lim;
  lim.max_bulk_len = 10;
  std::string in = "*1\r\n$11\r\n";
  EXPECT_EQ(p.parse(in.data(), in.size(), lim), request_parser::result::error);
}

TEST(request_parser, random_input_never_crashes) {
  std::mt19937 rng(42);
  const char alphabet[] = "*$\r\n0123456789-abc \"'\\x";
  for (int round = 0; round < 20000; ++round) {
    std::string in;
    size_t len = rng() % 64;
    for (size_t i = 0; i < len; ++i) in.push_back(alphabet[rng() % (sizeof(alphabet) - 1)]);
    std::string err;
    parse_all(in, &err, 1 + rng() % 5);
  }
  SUCCEED();
}
