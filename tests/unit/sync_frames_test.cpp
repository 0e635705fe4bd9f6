// The frames of a full sync between Troupe nodes (topology/replication/
// sync_frames.hpp): contents come out whole whatever the pieces the bytes
// arrive in, the end frame hands over to the raw stream, and bad headers are
// errors, never crashes.
#include <gtest/gtest.h>

#include "topology/replication/sync_frames.hpp"

using namespace troupe;

namespace {

struct collected {
  std::string rdb, stream;
  size_t used = 0;
};

collected feed_in_pieces(const std::string& bytes, size_t piece, sync_frame_reader& r) {
  collected c;
  std::vector<sync_frame_reader::piece> out;
  for (size_t at = 0; at < bytes.size() && !r.ended() && !r.failed();) {
    size_t n = std::min(piece, bytes.size() - at);
    out.clear();
    size_t used = r.parse(bytes.data() + at, n, out);
    for (auto& p : out) (p.kind == sync_frame::rdb ? c.rdb : c.stream).append(p.bytes);
    at += used;
    c.used = at;
    if (used < n) break;
  }
  return c;
}

}  // namespace

TEST(sync_frames, contents_come_out_whole_in_any_pieces) {
  std::string bytes =
      sync_frame_header(sync_frame::rdb, 5) + "REDIS" + sync_frame_header(sync_frame::stream, 4) +
      "*1\r\n" + sync_frame_header(sync_frame::rdb, 0) + sync_frame_header(sync_frame::rdb, 3) +
      "001" + sync_frame_header(sync_frame::end, 0) + "$4\r\nPING\r\n";
  for (size_t piece : {1, 2, 3, 7, 1000}) {
    sync_frame_reader r;
    collected c = feed_in_pieces(bytes, piece, r);
    EXPECT_TRUE(r.ended()) << piece;
    EXPECT_FALSE(r.failed());
    EXPECT_EQ(c.rdb, "REDIS001");
    EXPECT_EQ(c.stream, "*1\r\n");
    EXPECT_EQ(bytes.substr(c.used), "$4\r\nPING\r\n");  // raw stream after the end frame
  }
}

TEST(sync_frames, bad_headers_are_errors) {
  for (std::string bad :
       std::vector<std::string>{"X5\r\nhello", "R\r\n", "R12a\r\n", "R5\n",
                                "R99999999999999999999999\r\n", std::string(40, 'R')}) {
    sync_frame_reader r;
    feed_in_pieces(bad, 1000, r);
    EXPECT_TRUE(r.failed()) << bad;
  }
}
