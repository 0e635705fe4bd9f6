// Where a command's keys are served in a cluster: the routing snapshot the
// dispatcher reads on every keyed command, and Redis Cluster's decision
// (serve here, -MOVED, -ASK, -TRYAGAIN, -CROSSSLOT, -CLUSTERDOWN) as Redis
// 7.0's getNodeByQuery takes it.
//
// The cluster_node actor builds a new snapshot whenever its view changes and
// publishes it to the reactors; a snapshot is immutable, so readers need no
// lock. Standalone servers have none and skip routing entirely.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/commands/key_slot.hpp"

namespace troupe::cluster {

// How clients reach a node: host is its ip, hostname or "?" as
// cluster-preferred-endpoint-type says; port is the client port (TLS port when
// clients use TLS).
struct node_endpoint {
  std::string node_id;
  std::string host;
  uint16_t port = 0;
};

struct slot_routing {
  static constexpr int16_t none = -1;
  // Index into `nodes` of each slot's owner, or `none`.
  std::array<int16_t, cluster_slots> owner;
  // Slots this node is migrating away (to) or importing (from): node indexes.
  std::array<int16_t, cluster_slots> migrating_to;
  std::array<int16_t, cluster_slots> importing_from;
  std::vector<node_endpoint> nodes;
  int16_t self = none;
  // This node's master when it is a replica, else none.
  int16_t master_of_self = none;
  bool cluster_ok = false;
  bool allow_reads_when_down = false;
  bool allow_pubsubshard_when_down = true;

  slot_routing() {
    owner.fill(none);
    migrating_to.fill(none);
    importing_from.fill(none);
  }
  bool slot_open(uint16_t slot) const {
    return (owner[slot] == self && migrating_to[slot] != none) || importing_from[slot] != none;
  }
};

// The keys (or shard channels) of one request, gathered one by one: their
// common slot, whether they are several distinct keys, whether they span slots.
class key_summary {
 public:
  void add(std::string_view key);
  bool empty() const { return count_ == 0; }
  bool cross_slot() const { return cross_slot_; }
  bool multiple_keys() const { return multiple_keys_; }
  uint16_t slot() const { return slot_; }

 private:
  std::string_view first_;
  uint16_t slot_ = 0;
  size_t count_ = 0;
  bool cross_slot_ = false;
  bool multiple_keys_ = false;
};

struct request_traits {
  bool is_write = false;         // the command (or an EXEC's queue, a script) writes
  bool asking = false;           // the client sent ASKING (or the command is flagged asking)
  bool readonly_client = false;  // READONLY: reads may be served by a replica
  bool pubsub_shard = false;     // SPUBLISH / SSUBSCRIBE: routed by channel
  bool is_migrate = false;       // MIGRATE works on an open slot locally
};

enum class route_kind : uint8_t {
  serve_here,
  moved,
  ask,
  cross_slot,
  try_again,
  down_unbound,   // the slot has no owner
  down,           // the cluster is down
  down_readonly,  // down, and reads when down are allowed but this writes
};

struct route_decision {
  route_kind kind = route_kind::serve_here;
  uint16_t slot = 0;
  int16_t node = slot_routing::none;  // MOVED/ASK target
};

// `missing_keys` counts the request's keys absent from this node and
// `existing_keys` those present (each occurrence, as Redis counts); callers
// count only when the slot is open (slot_routing::slot_open), since only then
// does Redis look. A migrating slot with some keys here and some gone answers
// -TRYAGAIN (Redis 7.0.15), with none here -ASK.
route_decision route(const slot_routing& r, const key_summary& keys, const request_traits& t,
                     size_t missing_keys, size_t existing_keys = 0);

// The error reply, without the leading '-', exactly as Redis's; empty for
// serve_here.
std::string route_error(const slot_routing& r, const route_decision& d);

}  // namespace troupe::cluster
