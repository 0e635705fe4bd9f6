// What CLUSTER NODES, INFO, SLOTS, SHARDS and LINKS show, from a
// cluster_state, in Redis 7.0's text formats (NODES, INFO) or as plain
// structures the command layer turns into RESP (SLOTS, SHARDS, LINKS).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "topology/cluster/cluster_state.hpp"

namespace troupe::cluster {

// Calls f(slot, migrating_to, importing_from) for every slot this node is
// migrating or importing, in slot order. Looks at 64 slots at a time (most
// have neither): nodes.conf and the routing snapshot are remade on every
// SETSLOT of a reshard.
template <class F>
void for_each_open_slot(const cluster_state& st, F&& f) {
  constexpr int block = 64;
  static_assert(slot_count % block == 0);
  for (int base = 0; base < slot_count; base += block) {
    uintptr_t any = 0;
    for (int s = base; s < base + block; ++s)
      any |= reinterpret_cast<uintptr_t>(st.migrating_to(s)) |
             reinterpret_cast<uintptr_t>(st.importing_from(s));
    if (any == 0) continue;
    for (int s = base; s < base + block; ++s) {
      const cluster_node* to = st.migrating_to(s);
      const cluster_node* from = st.importing_from(s);
      if (to || from) f(s, to, from);
    }
  }
}

// Contiguous runs of a node's slots, [first, last] each, in order.
std::vector<std::pair<int, int>> slot_ranges(const slot_bitmap& slots);

// "myself,master", "slave", "master,fail?", ... ("noflags" when none).
std::string node_flags_text(uint16_t flags);

// One CLUSTER NODES line (without the newline):
// id ip:port@cport[,hostname] flags master ping_sent pong_received epoch link slots...
// Migrating/importing slots ([slot->-id], [slot-<-id]) appear on myself's line.
std::string node_line(const cluster_state& st, const cluster_node& n);
// CLUSTER NODES: every node's line, each ending with "\n". `skip_handshake`
// for nodes.conf, which leaves nodes in handshake out.
std::string nodes_text(const cluster_state& st, bool skip_handshake = false);

// CLUSTER INFO, lines ending with "\r\n", fields in Redis 7.0's order.
std::string info_text(const cluster_state& st);

enum class endpoint_type { ip, hostname, unknown_endpoint };  // cluster-preferred-endpoint-type

// How clients are told to reach a node (MOVED, ASK, SLOTS, SHARDS): its ip,
// its hostname ("?" when it has none) or "" for unknown-endpoint.
std::string preferred_endpoint(const cluster_node& n, endpoint_type t);

// A node in CLUSTER SLOTS: [endpoint, port, id, {metadata}].
struct slots_node {
  std::optional<std::string> endpoint;  // nullopt: RESP null (unknown-endpoint)
  int port = 0;
  std::string id;
  std::vector<std::pair<std::string, std::string>> metadata;  // "ip", "hostname"
};
struct slots_range {
  int start = 0;
  int end = 0;
  std::vector<slots_node> nodes;  // the master, then its replicas not in FAIL
};
// CLUSTER SLOTS, ordered by first slot.
std::vector<slots_range> cluster_slots_reply(const cluster_state& st, endpoint_type preferred);

// A node in CLUSTER SHARDS, fields in Redis's order: id, port, ip, endpoint,
// hostname (only when set), role, replication-offset, health.
struct shard_node {
  std::string id;
  int port = 0;
  std::string ip;
  std::string endpoint;
  std::string hostname;
  std::string role;  // "master" or "replica"
  int64_t replication_offset = 0;
  std::string health;  // "online", "failed" or "loading"
};
struct shard {
  std::vector<std::pair<int, int>> slots;  // ranges
  std::vector<shard_node> nodes;           // the master first
};
// CLUSTER SHARDS: one shard per master (with or without slots).
std::vector<shard> cluster_shards_reply(const cluster_state& st, endpoint_type preferred,
                                        bool myself_loading = false);

// CLUSTER LINKS: the actor knows its links; this is the reply's shape.
struct link_info {
  bool outbound = true;  // "to" / "from"
  std::string node_id;
  int64_t create_time_ms = 0;
  bool readable = true;
  bool writable = false;
  int64_t send_buffer_allocated = 0;
  int64_t send_buffer_used = 0;
};
// The map of one link: direction, node, create-time, events, send-buffer-allocated,
// send-buffer-used (values as text or integer, in that order).
struct link_field {
  std::string name;
  std::optional<std::string> text;  // set for text fields
  int64_t number = 0;               // else this integer
};
std::vector<link_field> link_fields(const link_info& link);

}  // namespace troupe::cluster
