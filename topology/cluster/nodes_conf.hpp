// nodes.conf, Redis Cluster 7.0's format: one CLUSTER NODES line per node
// (nodes in handshake left out) and a last line
// `vars currentEpoch N lastVoteEpoch N`. A file written by redis-server loads
// here and ours loads in redis-server. Reading never trusts the file: any
// malformed line is an error, never a crash.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "topology/cluster/cluster_state.hpp"

namespace troupe::cluster {

// The file's content for this state.
std::string write_nodes_conf(const cluster_state& st);

// One node line as read.
struct nodes_conf_node {
  std::string id;
  std::string ip;
  int port = 0;
  int cport = 0;
  std::string hostname;
  uint16_t flags = 0;
  std::string master_id;  // "" for "-"
  int64_t ping_sent = 0;
  int64_t pong_received = 0;
  uint64_t config_epoch = 0;
  std::vector<std::pair<int, int>> slots;
  std::vector<std::pair<int, std::string>> migrating;  // slot -> node id
  std::vector<std::pair<int, std::string>> importing;  // slot -> node id
};

struct nodes_conf {
  std::vector<nodes_conf_node> nodes;
  uint64_t current_epoch = 0;
  uint64_t last_vote_epoch = 0;
};

struct nodes_conf_error {
  int line = 0;  // 1-based
  std::string message;
};

// Parses the file. An empty file (or only blank lines) gives a config with
// no nodes: the caller starts with a fresh identity, as Redis does.
std::variant<nodes_conf, nodes_conf_error> parse_nodes_conf(std::string_view text);

// Applies a parsed file to a state (made with the server's options): the
// identity, nodes, slots, migrations and epochs. Nodes other than myself are
// disconnected; non-zero ping/pong times become `now_ms`, as Redis loads them.
// An error (no "myself" line) leaves the state unchanged.
std::optional<std::string> apply_nodes_conf(const nodes_conf& conf, cluster_state& st,
                                            int64_t now_ms);

}  // namespace troupe::cluster
