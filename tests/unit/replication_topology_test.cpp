// topology/replication: replication ids, the PSYNC decision, the replica's
// handshake and the RDB payload framing, without sockets.
#include <gtest/gtest.h>

#include <random>

#include "protocol/resp/resp_value.hpp"
#include "topology/replication/psync_decision.hpp"
#include "topology/replication/rdb_transfer.hpp"
#include "topology/replication/replica_handshake.hpp"
#include "topology/replication/replication_ids.hpp"

using namespace troupe;

namespace {
resp_value simple(std::string s) {
  resp_value v;
  v.type = resp_value::kind::simple;
  v.str = std::move(s);
  return v;
}
resp_value error(std::string s) {
  resp_value v;
  v.type = resp_value::kind::error;
  v.str = std::move(s);
  return v;
}
std::string joined(const std::vector<std::string>& cmd) {
  std::string out;
  for (auto& a : cmd) out += (out.empty() ? "" : " ") + a;
  return out;
}
}  // namespace

TEST(replication_ids, shift_keeps_the_old_history_resumable) {
  replication_ids ids;
  EXPECT_EQ(ids.replid.size(), 40u);
  EXPECT_EQ(ids.replid2, std::string(40, '0'));
  std::string old = ids.replid;
  ids.shift(1000);
  EXPECT_EQ(ids.replid2, old);
  EXPECT_EQ(ids.second_offset, 1001);
  EXPECT_NE(ids.replid, old);
  ids.clear_secondary();
  EXPECT_EQ(ids.second_offset, -1);
}

TEST(psync_decision, follows_redis_rules) {
  replication_ids ids;
  backlog_window none;
  backlog_window held{true, 101, 900};  // bytes 101..1000
  EXPECT_FALSE(decide_psync("?", -1, ids, held).partial);
  EXPECT_FALSE(decide_psync(ids.replid, 500, ids, none).partial);
  EXPECT_TRUE(decide_psync(ids.replid, 101, ids, held).partial);
  EXPECT_TRUE(decide_psync(ids.replid, 1001, ids, held).partial);   // has everything
  EXPECT_FALSE(decide_psync(ids.replid, 100, ids, held).partial);   // too old
  EXPECT_FALSE(decide_psync(ids.replid, 1002, ids, held).partial);  // from the future
  EXPECT_FALSE(decide_psync(std::string(40, 'f'), 500, ids, held).partial);
  // After a promotion, the old master's replicas resume up to the switch.
  std::string old = ids.replid;
  ids.shift(1000);
  EXPECT_TRUE(decide_psync(old, 1001, ids, held).partial);
  auto late = decide_psync(old, 1002, ids, held);
  EXPECT_FALSE(late.partial);
  EXPECT_EQ(late.reason, "Requested offset for second ID was 1002, but I can reply up to 1001");
}

TEST(replica_handshake, full_conversation_with_auth_and_announce_ip) {
  replica_handshake::settings s;
  s.masteruser = "repl";
  s.masterauth = "secret";
  s.listening_port = 6380;
  s.announce_ip = "10.0.0.7";
  replica_handshake h(s);
  EXPECT_EQ(joined(h.start().command), "PING");
  EXPECT_EQ(joined(h.on_reply(error("NOAUTH Authentication required.")).command),
            "AUTH repl secret");
  EXPECT_EQ(joined(h.on_reply(simple("OK")).command), "REPLCONF listening-port 6380");
  EXPECT_EQ(joined(h.on_reply(simple("OK")).command), "REPLCONF ip-address 10.0.0.7");
  EXPECT_EQ(joined(h.on_reply(simple("OK")).command),
            "REPLCONF capa eof capa psync2 capa stream-while-loading");
  EXPECT_EQ(joined(h.on_reply(simple("OK")).command), "PSYNC ? -1");
  auto full = h.on_reply(simple("FULLRESYNC " + std::string(40, 'a') + " 4242"));
  EXPECT_EQ(full.what, replica_handshake::outcome::full_sync);
  EXPECT_EQ(full.replid, std::string(40, 'a'));
  EXPECT_EQ(full.offset, 4242);
}

TEST(replica_handshake, refuses_a_fullresync_offset_that_would_wrap_its_count) {
  // The master's answer to PSYNC, after PONG and two REPLCONF OKs.
  auto psync_reply = [](const std::string& offset) {
    replica_handshake::settings s;
    s.listening_port = 6380;
    replica_handshake h(s);
    h.start();
    for (const char* r : {"PONG", "OK", "OK"}) h.on_reply(simple(r));
    return h.on_reply(simple("FULLRESYNC " + std::string(40, 'a') + " " + offset));
  };
  for (std::string offset : {"-5", "9223372036854775807", "12x", "", "4242 extra", "0x10"}) {
    auto r = psync_reply(offset);
    EXPECT_NE(r.what, replica_handshake::outcome::full_sync) << offset;
    EXPECT_EQ(r.message.rfind("Master replied with wrong +FULLRESYNC syntax", 0), 0u) << offset;
  }
  auto framed = psync_reply("0 frames");
  EXPECT_EQ(framed.what, replica_handshake::outcome::full_sync);
  EXPECT_EQ(framed.offset, 0);
  EXPECT_TRUE(framed.framed);
}

TEST(replica_handshake, resumes_a_cached_history_and_handles_refusals) {
  replica_handshake::settings s;
  s.listening_port = 7001;
  s.cached_replid = std::string(40, 'b');
  s.cached_offset = 99;
  replica_handshake h(s);
  h.start();
  h.on_reply(simple("PONG"));
  // A master without REPLCONF is tolerated.
  auto capa = h.on_reply(error("ERR unknown command 'REPLCONF'"));
  EXPECT_EQ(joined(capa.command), "REPLCONF capa eof capa psync2 capa stream-while-loading");
  EXPECT_FALSE(capa.message.empty());
  EXPECT_EQ(joined(h.on_reply(simple("OK")).command), "PSYNC " + std::string(40, 'b') + " 100");
  auto cont = h.on_reply(simple("CONTINUE " + std::string(40, 'c')));
  EXPECT_EQ(cont.what, replica_handshake::outcome::partial_sync);
  EXPECT_EQ(cont.replid, std::string(40, 'c'));

  replica_handshake wrong_auth({"", "bad", 1, "", "", -1});
  wrong_auth.start();
  wrong_auth.on_reply(simple("PONG"));
  EXPECT_EQ(wrong_auth.on_reply(error("WRONGPASS invalid username-password pair")).what,
            replica_handshake::outcome::failed);

  replica_handshake loading({"", "", 1, "", "", -1});
  loading.start();
  EXPECT_EQ(loading.on_reply(error("ERR something else")).what, replica_handshake::outcome::failed);
}

TEST(replica_handshake, falls_back_to_sync) {
  replica_handshake h({"", "", 1, "", "", -1});
  h.start();
  h.on_reply(simple("PONG"));
  h.on_reply(simple("OK"));
  h.on_reply(simple("OK"));
  auto sync = h.on_reply(error("ERR unknown command 'PSYNC'"));
  EXPECT_EQ(joined(sync.command), "SYNC");
  EXPECT_TRUE(h.sent_sync());
  replica_handshake busy({"", "", 1, "", "", -1});
  busy.start();
  busy.on_reply(simple("PONG"));
  busy.on_reply(simple("OK"));
  busy.on_reply(simple("OK"));
  EXPECT_EQ(busy.on_reply(error("LOADING Redis is loading the dataset in memory")).what,
            replica_handshake::outcome::retry_later);
}

TEST(rdb_transfer, disk_framing_in_pieces_with_the_stream_after) {
  std::string payload(100000, '\0');
  std::mt19937 rng(1);
  for (auto& c : payload) c = char(rng());
  std::string wire =
      "\n\n$" + std::to_string(payload.size()) + "\r\n" + payload + "*1\r\n$4\r\nPING\r\n";
  rdb_transfer t;
  std::string got, rest;
  for (size_t i = 0; i < wire.size();) {
    size_t n = std::min<size_t>(1 + rng() % 5000, wire.size() - i);
    auto r = t.feed(wire.data() + i, n);
    ASSERT_NE(r.st, rdb_transfer::status::error) << t.error();
    got.append(r.payload);
    i += n;
    if (r.st == rdb_transfer::status::done) {
      rest.append(r.rest);
      rest.append(wire.substr(i));
      break;
    }
  }
  EXPECT_EQ(got, payload);
  EXPECT_EQ(rest, "*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(t.announced_length(), int64_t(payload.size()));
}

TEST(rdb_transfer, eof_framing_holds_back_what_may_be_the_mark) {
  std::string mark(40, 'm');
  mark[7] = 'x';
  std::string payload = std::string(5000, 'p') + "mmmmmmm" + std::string(3000, 'q');
  std::string wire = "$EOF:" + mark + "\r\n" + payload + mark + "+rest";
  for (size_t piece : {1u, 3u, 39u, 40u, 41u, 4096u}) {
    rdb_transfer t;
    std::string got, rest;
    bool done = false;
    for (size_t i = 0; i < wire.size() && !done; i += piece) {
      auto r = t.feed(wire.data() + i, std::min(piece, wire.size() - i));
      ASSERT_NE(r.st, rdb_transfer::status::error);
      got.append(r.payload);
      if (r.st == rdb_transfer::status::done) {
        done = true;
        rest = std::string(r.rest) + wire.substr(std::min(wire.size(), i + piece));
      }
    }
    EXPECT_TRUE(done) << piece;
    EXPECT_EQ(got, payload) << piece;
    EXPECT_EQ(rest, "+rest") << piece;
    EXPECT_TRUE(t.eof_framing());
  }
}

TEST(rdb_transfer, garbage_from_a_master_is_an_error) {
  const std::vector<std::string> garbage = {"+OK\r\n", "$abc\r\n", "$-5\r\n", "$EOF:short\r\n",
                                            std::string(300, 'x')};
  for (const std::string& bad : garbage) {
    rdb_transfer t(1 << 20);
    auto r = t.feed(bad.data(), bad.size());
    EXPECT_EQ(r.st == rdb_transfer::status::error || (bad.size() > 256 && t.error().size() > 0),
              true)
        << bad;
  }
  rdb_transfer limited(1000);
  std::string big = "$1001\r\n";
  EXPECT_EQ(limited.feed(big.data(), big.size()).st, rdb_transfer::status::error);
}
