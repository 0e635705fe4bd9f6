// The incremental reply scanner: reply boundaries and errors, however the
// bytes are split between reads.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/resp/reply_scanner.hpp"

using troupe::reply_scanner;

namespace {

struct seen {
  int replies = 0;
  std::vector<std::string> errors;
};

// Feeds `input` in chunks of `chunk` bytes, carrying unconsumed bytes over as
// the worker does.
seen scan_in_chunks(reply_scanner& s, const std::string& input, size_t chunk) {
  seen out;
  std::string pending;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    pending += input.substr(pos, chunk);
    size_t used = s.scan(pending.data(), pending.size(), [&](bool err, std::string_view text) {
      ++out.replies;
      if (err) out.errors.emplace_back(text);
    });
    pending.erase(0, used);
  }
  EXPECT_TRUE(pending.empty());
  return out;
}

}  // namespace

TEST(benchmark_reply_scanner, counts_each_kind_of_reply) {
  const std::string input =
      "+OK\r\n"
      ":42\r\n"
      "$5\r\nhello\r\n"
      "$-1\r\n"
      "*-1\r\n"
      "*0\r\n"
      "*3\r\n$3\r\nfoo\r\n:1\r\n*2\r\n+a\r\n$0\r\n\r\n"
      "-ERR unknown command 'FOO'\r\n"
      "$6\r\n\r\n\r\n\r\n\r\n";  // a bulk string that holds CRLFs
  for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
    reply_scanner s;
    seen r = scan_in_chunks(s, input, chunk);
    ASSERT_FALSE(s.failed()) << s.failure();
    EXPECT_EQ(r.replies, 9) << "chunk " << chunk;
    ASSERT_EQ(r.errors.size(), 1u) << "chunk " << chunk;
    EXPECT_EQ(r.errors[0], "ERR unknown command 'FOO'");
    EXPECT_TRUE(s.at_boundary());
  }
}

TEST(benchmark_reply_scanner, errors_inside_arrays_are_not_top_level_errors) {
  reply_scanner s;
  seen r = scan_in_chunks(s, "*2\r\n-ERR inner\r\n:1\r\n", 64);
  EXPECT_EQ(r.replies, 1);
  EXPECT_TRUE(r.errors.empty());
}

TEST(benchmark_reply_scanner, resp3_types) {
  const std::string input =
      "%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n"  // map
      "~1\r\n,3.14\r\n"                 // set with a double
      "_\r\n#t\r\n(12345678901234567890\r\n"
      "=15\r\ntxt:Some string\r\n"
      ">2\r\n+invalidate\r\n*1\r\n+k\r\n"  // push: out of band, not a reply
      "|1\r\n+ttl\r\n:3\r\n+value\r\n"     // attribute, then its reply
      "!9\r\nERR oops!\r\n";               // blob error
  for (size_t chunk = 1; chunk <= input.size(); ++chunk) {
    reply_scanner s;
    seen r = scan_in_chunks(s, input, chunk);
    ASSERT_FALSE(s.failed()) << s.failure();
    EXPECT_EQ(r.replies, 8) << "chunk " << chunk;
    EXPECT_EQ(r.errors.size(), 1u) << "chunk " << chunk;
  }
}

TEST(benchmark_reply_scanner, leaves_an_incomplete_header_unconsumed) {
  reply_scanner s;
  int replies = 0;
  const std::string part = "+OK\r\n$12";
  size_t used = s.scan(part.data(), part.size(), [&](bool, std::string_view) { ++replies; });
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(used, 5u);
  EXPECT_TRUE(s.at_boundary());
}

TEST(benchmark_reply_scanner, protocol_errors_stop_the_scan) {
  for (const std::string bad : {"?what\r\n", "+OK\n", "$abc\r\n", "*x\r\n"}) {
    reply_scanner s;
    s.scan(bad.data(), bad.size(), [](bool, std::string_view) {});
    EXPECT_TRUE(s.failed()) << bad;
    EXPECT_NE(s.failure().find("Protocol error"), std::string::npos);
  }
}

TEST(benchmark_reply_scanner, many_pipelined_replies_in_one_buffer) {
  std::string input;
  for (int i = 0; i < 1000; ++i) input += (i % 10 == 9) ? "-ERR x\r\n" : "$3\r\nVXK\r\n";
  reply_scanner s;
  seen r = scan_in_chunks(s, input, input.size());
  EXPECT_EQ(r.replies, 1000);
  EXPECT_EQ(r.errors.size(), 100u);
}
