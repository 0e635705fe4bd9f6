// The cluster bus's wire form: every field survives a round trip, and no
// byte string a peer could send makes decoding crash or accept garbage.
#include <gtest/gtest.h>

#include <random>

#include "topology/cluster/bus_codec.hpp"

using namespace troupe::cluster;

namespace {

std::string id(char c) {
  return std::string(40, c);
}

cluster_message sample(message_type t) {
  cluster_message m;
  m.type = t;
  m.sender = id('a');
  m.current_epoch = 0xfedcba9876543210ull;
  m.config_epoch = 7;
  m.repl_offset = -5;
  m.ip = "10.0.0.1";
  m.port = 7000;
  m.cport = 17000;
  m.flags = node_flag::master | node_flag::pfail;
  m.mflags = message_flag::paused;
  m.state_ok = true;
  m.slots.set(0);
  m.slots.set(16383);
  m.slots.set(5461);
  m.master_id = id('b');
  m.hostname = "host-1";
  m.gossip.push_back({id('c'), 11, 12, "10.0.0.3", 7002, 17002, node_flag::replica});
  m.about = id('d');
  m.update_config_epoch = 99;
  m.update_slots.set(42);
  m.channel = "news";
  m.payload = std::string("a\0b", 3);
  return m;
}

}  // namespace

TEST(ClusterBusCodec, EveryTypeRoundTrips) {
  for (int t = 0; t < message_type_count; t++) {
    cluster_message m = sample(message_type(t));
    auto d = decode_message(encode_message(m));
    ASSERT_TRUE(d.has_value()) << t;
    EXPECT_EQ(d->type, m.type);
    EXPECT_EQ(d->sender, m.sender);
    EXPECT_EQ(d->current_epoch, m.current_epoch);
    EXPECT_EQ(d->config_epoch, m.config_epoch);
    EXPECT_EQ(d->repl_offset, m.repl_offset);
    EXPECT_EQ(d->ip, m.ip);
    EXPECT_EQ(d->port, m.port);
    EXPECT_EQ(d->cport, m.cport);
    EXPECT_EQ(d->flags, m.flags);
    EXPECT_EQ(d->mflags, m.mflags);
    EXPECT_EQ(d->state_ok, m.state_ok);
    EXPECT_EQ(d->slots, m.slots);
    EXPECT_EQ(d->master_id, m.master_id);
    EXPECT_EQ(d->hostname, m.hostname);
    bool gossip = t <= 2;
    EXPECT_EQ(d->gossip.size(), gossip ? 1u : 0u);
    if (gossip) {
      EXPECT_EQ(d->gossip[0].node_id, id('c'));
      EXPECT_EQ(d->gossip[0].pong_received_s, 12u);
      EXPECT_EQ(d->gossip[0].cport, 17002);
    }
    if (m.type == message_type::fail || m.type == message_type::update) {
      EXPECT_EQ(d->about, id('d'));
    }
    if (m.type == message_type::update) {
      EXPECT_EQ(d->update_config_epoch, 99u);
      EXPECT_EQ(d->update_slots, m.update_slots);
    }
    if (m.type == message_type::publish || m.type == message_type::publishshard) {
      EXPECT_EQ(d->channel, "news");
      EXPECT_EQ(d->payload, m.payload);
    }
  }
}

TEST(ClusterBusCodec, EveryTruncationIsRefused) {
  std::string b = encode_message(sample(message_type::ping));
  for (size_t n = 0; n < b.size(); n++) EXPECT_FALSE(decode_message(b.substr(0, n))) << n;
  EXPECT_FALSE(decode_message(b + "x"));
}

TEST(ClusterBusCodec, HostileHeadersAreRefused) {
  cluster_message m = sample(message_type::ping);
  std::string b = encode_message(m);
  std::string bad = b;
  bad[0] = 9;  // unknown version
  EXPECT_FALSE(decode_message(bad));
  bad = b;
  bad[1] = char(200);  // unknown type
  EXPECT_FALSE(decode_message(bad));
  bad = b;
  bad[2] = bad[3] = bad[4] = bad[5] = char(0xff);  // a 4 GB sender id
  EXPECT_FALSE(decode_message(bad));
  m.sender = "short";
  EXPECT_FALSE(decode_message(encode_message(m)));
}

TEST(ClusterBusCodec, RandomBytesNeverCrash) {
  std::mt19937_64 rng(7);
  std::string b = encode_message(sample(message_type::pong));
  for (int i = 0; i < 20000; i++) {
    std::string x = b;
    int flips = 1 + int(rng() % 8);
    for (int f = 0; f < flips; f++) x[rng() % x.size()] = char(rng());
    (void)decode_message(x);
  }
  for (int i = 0; i < 2000; i++) {
    std::string x(rng() % 300, '\0');
    for (auto& ch : x) ch = char(rng());
    (void)decode_message(x);
  }
  SUCCEED();
}
