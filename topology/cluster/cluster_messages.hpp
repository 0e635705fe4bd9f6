// The messages of the cluster bus as plain structs: what one cluster node
// tells another (Redis Cluster 7.0's message types and header fields), without
// any wire encoding. The actor layer carries them between nodes as typed
// messages; the state machine (cluster_state) produces and consumes them.
#pragma once
#include <bitset>
#include <cstdint>
#include <string>
#include <vector>

namespace troupe::cluster {

constexpr int slot_count = 16384;
using slot_bitmap = std::bitset<slot_count>;

// Node flags with Redis's bit values (they travel in headers and gossip).
namespace node_flag {
constexpr uint16_t master = 1;
constexpr uint16_t replica = 2;
constexpr uint16_t pfail = 4;
constexpr uint16_t fail = 8;
constexpr uint16_t myself = 16;
constexpr uint16_t handshake = 32;
constexpr uint16_t noaddr = 64;
constexpr uint16_t meet = 128;        // send MEET, not PING, on the first link
constexpr uint16_t migrate_to = 256;  // a master that had replicas: may get one by migration
constexpr uint16_t nofailover = 512;
}  // namespace node_flag

// Header mflags (Redis's CLUSTERMSG_FLAG0_*).
namespace message_flag {
constexpr uint8_t paused = 1;     // the master is paused for a manual failover
constexpr uint8_t force_ack = 2;  // vote even though the master is up (manual failover)
}  // namespace message_flag

// The type numbers are Redis's, so the per-type counters of CLUSTER INFO come
// out in its order.
enum class message_type : uint8_t {
  ping = 0,
  pong = 1,
  meet = 2,
  fail = 3,
  publish = 4,
  failover_auth_request = 5,
  failover_auth_ack = 6,
  update = 7,
  mfstart = 8,
  module = 9,
  publishshard = 10,
};
constexpr int message_type_count = 11;
// CLUSTER INFO's name of a type ("ping", "auth-req", ...).
const char* message_type_name(message_type t);

// What a ping/pong/meet says about a third node.
struct gossip_entry {
  std::string node_id;
  uint32_t ping_sent_s = 0;      // seconds
  uint32_t pong_received_s = 0;  // seconds
  std::string ip;
  int port = 0;
  int cport = 0;
  uint16_t flags = 0;
};

struct cluster_message {
  message_type type = message_type::ping;
  // Header: every message carries the sender's view of itself.
  std::string sender;  // 40-hex node id
  uint64_t current_epoch = 0;
  uint64_t config_epoch = 0;  // of the sender's master if the sender is a replica
  int64_t repl_offset = 0;
  std::string ip;  // announced ip, "" to let the receiver use the socket's peer
  int port = 0;
  int cport = 0;
  uint16_t flags = 0;
  uint8_t mflags = 0;
  bool state_ok = false;
  slot_bitmap slots;      // the sender's (or its master's) slots
  std::string master_id;  // "" when the sender is a master
  std::string hostname;   // the hostname extension

  std::vector<gossip_entry> gossip;  // ping, pong, meet
  std::string about;                 // fail: the failing node; update: the node
  uint64_t update_config_epoch = 0;  // update
  slot_bitmap update_slots;          // update
  std::string channel;               // publish, publishshard
  std::string payload;               // publish, publishshard
};

}  // namespace troupe::cluster
