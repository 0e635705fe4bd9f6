// Directives of Redis Cluster mode: whether this node is a cluster node, its
// nodes.conf, the bus, what it announces, failure detection and failover,
// replica migration, and what a node serves while the cluster is down.
// Names, aliases, defaults and bounds are Redis 7.0's.
#pragma once
#include <cctype>
#include <climits>
#include <cstdint>

#include "protocol/config/config_rows.hpp"

namespace troupe {

// How MOVED/ASK, CLUSTER SLOTS and CLUSTER SHARDS name a node to clients.
enum class endpoint_type { ip, hostname, unknown_endpoint };

struct cluster_rows {
  explicit cluster_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  bool_row cluster_enabled{t_, "cluster-enabled", false,
                           "Run as a Redis Cluster node (the bus on cluster-port, nodes.conf).",
                           row_immutable()};
  string_row cluster_config_file{
      t_, "cluster-config-file", "nodes.conf",
      "This node's view of the cluster (Redis's nodes.conf format), written atomically by the "
      "node itself; relative to dir.",
      row_immutable()};
  int_row cluster_node_timeout{
      t_,        "cluster-node-timeout",
      15000,     0,
      INT64_MAX, "Milliseconds without an answer before a node is suspected (PFAIL)."};
  int_row cluster_port{t_,
                       "cluster-port",
                       0,
                       0,
                       65535,
                       "The cluster bus port (0: the client port + 10000).",
                       row_immutable()};
  string_row cluster_announce_ip{t_, "cluster-announce-ip", "",
                                 "Address announced to the other nodes (NAT, containers)."};
  int_row cluster_announce_port{t_,    "cluster-announce-port",
                                0,     0,
                                65535, "Client port announced to the other nodes (0: the port)."};
  int_row cluster_announce_tls_port{
      t_,    "cluster-announce-tls-port",
      0,     0,
      65535, "TLS client port announced to the other nodes (0: tls-port)."};
  int_row cluster_announce_bus_port{
      t_,    "cluster-announce-bus-port",
      0,     0,
      65535, "Bus port announced to the other nodes (0: the bus port)."};
  string_row cluster_announce_hostname{
      t_,
      "cluster-announce-hostname",
      "",
      "Hostname announced to the other nodes and, with cluster-preferred-endpoint-type "
      "hostname, to clients.",
      {},
      [](const std::string& v) -> config_error {
        if (v.size() >= 256) return "Hostnames must be less than 256 characters";
        for (char ch : v)
          if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '.')
            return "Hostnames may only contain alphanumeric characters, hyphens or dots";
        return std::nullopt;
      }};
  enum_row<endpoint_type> cluster_preferred_endpoint_type{
      t_,
      "cluster-preferred-endpoint-type",
      endpoint_type::ip,
      {{"ip", endpoint_type::ip},
       {"hostname", endpoint_type::hostname},
       {"unknown-endpoint", endpoint_type::unknown_endpoint}},
      "How redirections and CLUSTER SLOTS/SHARDS name a node: its ip, its hostname, or '?'."};
  int_row cluster_replica_validity_factor{
      t_,
      "cluster-replica-validity-factor",
      10,
      0,
      INT_MAX,
      "A replica whose link to its master is down for longer than node-timeout x this factor "
      "(plus the ping period) does not fail over (0: always may).",
      row_alias("cluster-slave-validity-factor")};
  int_row cluster_migration_barrier{
      t_,      "cluster-migration-barrier",
      1,       0,
      INT_MAX, "Replicas a master keeps before one may migrate to an orphaned master."};
  bool_row cluster_allow_replica_migration{
      t_, "cluster-allow-replica-migration", true,
      "Replicas may move to orphaned masters, and to the new owner of their master's slots."};
  bool_row cluster_require_full_coverage{
      t_, "cluster-require-full-coverage", true,
      "The cluster stops serving when some hash slot has no reachable owner."};
  bool_row cluster_replica_no_failover{t_, "cluster-replica-no-failover", false,
                                       "This replica never fails over on its own (manual only).",
                                       row_alias("cluster-slave-no-failover")};
  bool_row cluster_allow_reads_when_down{
      t_, "cluster-allow-reads-when-down", false,
      "Serve reads of this node's slots while the cluster is down."};
  bool_row cluster_allow_pubsubshard_when_down{
      t_, "cluster-allow-pubsubshard-when-down", true,
      "Serve sharded pub/sub of this node's slots while the cluster is down."};
  // Troupe: a cluster that forms itself, without redis-cli --cluster create.
  string_row cluster_bootstrap{
      t_, "cluster-bootstrap", "",
      "(Troupe) Every node of a new cluster as host:port[@busport], the same list on each node: "
      "fresh nodes meet each other and share the slots among the first N/(R+1) of the list (R: "
      "cluster-bootstrap-replicas); the others become their replicas in turn.",
      row_immutable()};
  int_row cluster_bootstrap_replicas{t_,
                                     "cluster-bootstrap-replicas",
                                     0,
                                     0,
                                     100,
                                     "(Troupe) Replicas per master in cluster-bootstrap.",
                                     row_immutable()};
  memory_row cluster_link_sendbuf_limit{
      t_,        "cluster-link-sendbuf-limit",
      0,         0,
      INT64_MAX, "A bus link whose send buffer grows past this is dropped (0: no limit)."};
};

}  // namespace troupe
