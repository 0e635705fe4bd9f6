// The RESP reply parser against what a hostile or broken peer sends: counts
// and lengths claimed before the bytes arrive. A master that answered PING
// with "*4611686018427387904" once killed its replica (resize threw).
#include <gtest/gtest.h>

#include <string>

#include "protocol/resp/resp_value.hpp"

using namespace troupe;

namespace {

reply_parser::result parse(const std::string& bytes, resp_value& v, std::string* error = nullptr) {
  reply_parser p;
  size_t pos = 0;
  auto r = p.parse(bytes.data(), bytes.size(), pos, v);
  if (error) *error = p.error();
  return r;
}

}  // namespace

TEST(reply_parser, parses_nested_resp2_and_resp3_replies) {
  resp_value v;
  ASSERT_EQ(parse("*3\r\n$3\r\nfoo\r\n%1\r\n+k\r\n:7\r\n*-1\r\n", v), reply_parser::result::value);
  ASSERT_EQ(v.elements.size(), 3u);
  EXPECT_EQ(v.elements[0].str, "foo");
  EXPECT_EQ(v.elements[1].type, resp_value::kind::map);
  ASSERT_EQ(v.elements[1].elements.size(), 2u);
  EXPECT_EQ(v.elements[1].elements[1].integer, 7);
  EXPECT_EQ(v.elements[2].type, resp_value::kind::nil);
  EXPECT_EQ(parse("*2\r\n$3\r\nfoo\r\n", v), reply_parser::result::incomplete);
}

TEST(reply_parser, refuses_counts_no_peer_could_send) {
  resp_value v;
  std::string err;
  EXPECT_EQ(parse("*4611686018427387904\r\n", v, &err), reply_parser::result::error);
  EXPECT_EQ(err, "reply element count out of range");
  // The map's count doubled would wrap.
  EXPECT_EQ(parse("%9223372036854775807\r\n", v), reply_parser::result::error);
  EXPECT_EQ(parse("$1099511627776\r\n", v, &err), reply_parser::result::error);
  EXPECT_EQ(err, "reply bulk length out of range");
}

TEST(reply_parser, a_large_claimed_count_allocates_only_what_arrives) {
  resp_value v;
  // 2^31-1 elements claimed, 2 sent: incomplete, with room for a few only.
  EXPECT_EQ(parse("*2147483647\r\n:1\r\n:2\r\n", v), reply_parser::result::incomplete);
  EXPECT_LT(v.elements.capacity(), 16u);
  // Nested claims: each level's head start is bounded by the bytes at hand.
  std::string nested;
  for (int i = 0; i < 60; ++i) nested += "*1000000\r\n";
  EXPECT_EQ(parse(nested, v), reply_parser::result::incomplete);
  size_t room = 0;
  for (const resp_value* p = &v; p != nullptr && !p->elements.empty(); p = &p->elements.back())
    room += p->elements.capacity();
  EXPECT_LT(room, 60u * 1024);
}

TEST(reply_parser, an_unended_line_is_bounded) {
  resp_value v;
  std::string err;
  EXPECT_EQ(parse("+" + std::string(1000, 'x'), v), reply_parser::result::incomplete);
  EXPECT_EQ(parse("+" + std::string(reply_parser::max_line + 10, 'x'), v, &err),
            reply_parser::result::error);
  EXPECT_EQ(err, "reply line too long");
  EXPECT_EQ(parse("-" + std::string(reply_parser::max_line + 10, 'x') + "\r\n", v),
            reply_parser::result::error);
}
