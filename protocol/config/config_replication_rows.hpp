// Directives of replication, both sides: what a master keeps for its replicas
// (backlog, diskless sync, pings, the good-replica rule) and how a replica
// follows its master (credentials, stale reads, read-only, what it announces).
// Names, aliases, defaults and bounds are Redis 7.0's.
#pragma once
#include <climits>
#include <cstdint>

#include "protocol/config/config_rows.hpp"
#include "protocol/config/config_special_rows.hpp"

namespace troupe {

enum class diskless_load_mode { disabled, on_empty_db, swapdb };

struct replication_rows {
  explicit replication_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  // -- as a replica ----------------------------------------------------------------
  replicaof_row replicaof{t_, "replicaof", "Replicate the master at <host> <port>.",
                          row_alias("slaveof") | row_immutable()};
  string_row masterauth{t_, "masterauth", "",
                        "Password sent (AUTH) to the master before replicating."};
  string_row masteruser{t_, "masteruser", "",
                        "User name sent with masterauth (AUTH user password)."};
  bool_row replica_serve_stale_data{
      t_, "replica-serve-stale-data", true,
      "Answer reads while the link to the master is down or the first sync runs (no: "
      "-MASTERDOWN).",
      row_alias("slave-serve-stale-data")};
  bool_row replica_read_only{t_, "replica-read-only", true,
                             "Refuse writes from clients while a replica (-READONLY).",
                             row_alias("slave-read-only")};
  bool_row replica_ignore_maxmemory{t_, "replica-ignore-maxmemory", true,
                                    "A replica does not evict; its master's DELs do.",
                                    row_alias("slave-ignore-maxmemory")};
  bool_row replica_lazy_flush{t_, "replica-lazy-flush", false,
                              "Free the old dataset in the background before a full sync.",
                              row_alias("slave-lazy-flush")};
  bool_row replica_ignore_disk_write_errors{
      t_, "replica-ignore-disk-write-errors", false,
      "Keep applying the master's writes while the last background save failed."};
  enum_row<diskless_load_mode> repl_diskless_load{
      t_,
      "repl-diskless-load",
      diskless_load_mode::disabled,
      {{"disabled", diskless_load_mode::disabled},
       {"on-empty-db", diskless_load_mode::on_empty_db},
       {"swapdb", diskless_load_mode::swapdb}},
      "disabled: a full sync's RDB goes to disk first; on-empty-db: loaded from the socket "
      "when the dataset is empty; swapdb: loaded from the socket beside the old data."};
  int_row replica_priority{t_,
                           "replica-priority",
                           100,
                           0,
                           INT_MAX,
                           "Sentinel promotes the replica with the lowest priority (0: never).",
                           row_alias("slave-priority")};
  bool_row replica_announced{t_, "replica-announced", true,
                             "Sentinel lists this replica (no: hidden from SENTINEL REPLICAS)."};
  string_row replica_announce_ip{t_, "replica-announce-ip", "",
                                 "Address announced to the master (REPLCONF ip-address).",
                                 row_alias("slave-announce-ip")};
  int_row replica_announce_port{t_,
                                "replica-announce-port",
                                0,
                                0,
                                65535,
                                "Port announced to the master (0: the listening port).",
                                row_alias("slave-announce-port")};

  // -- as a master -----------------------------------------------------------------
  memory_row repl_backlog_size{
      t_,
      "repl-backlog-size",
      1 << 20,
      1,
      INT64_MAX,
      "Bytes of the write stream kept for replicas that reconnect (partial resync); at least "
      "16kb."};
  int_row repl_backlog_ttl{
      t_,      "repl-backlog-ttl",
      3600,    0,
      INT_MAX, "Seconds without replicas after which the backlog is freed (0: never)."};
  bool_row repl_diskless_sync{t_, "repl-diskless-sync", true,
                              "Stream a full sync's RDB to the replicas' sockets instead of "
                              "writing it to disk first."};
  int_row repl_diskless_sync_delay{
      t_,      "repl-diskless-sync-delay",
      5,       0,
      INT_MAX, "Seconds to wait for more replicas before a diskless full sync starts."};
  int_row repl_diskless_sync_max_replicas{
      t_,
      "repl-diskless-sync-max-replicas",
      0,
      0,
      INT_MAX,
      "Start a diskless full sync at once when this many replicas wait (0: always wait the "
      "delay)."};
  bool_row repl_disable_tcp_nodelay{t_, "repl-disable-tcp-nodelay", false,
                                    "Let the kernel batch small writes to replicas (Nagle)."};
  int_row repl_timeout{t_,      "repl-timeout",
                       60,      1,
                       INT_MAX, "Seconds of silence after which a replication link is dropped."};
  int_row repl_ping_replica_period{t_,
                                   "repl-ping-replica-period",
                                   10,
                                   1,
                                   INT_MAX,
                                   "Seconds between the master's PINGs to its replicas.",
                                   row_alias("repl-ping-slave-period")};
  int_row min_replicas_to_write{t_,
                                "min-replicas-to-write",
                                0,
                                0,
                                INT_MAX,
                                "Refuse writes (-NOREPLICAS) unless this many replicas lag at most "
                                "min-replicas-max-lag seconds (0: off).",
                                row_alias("min-slaves-to-write")};
  int_row min_replicas_max_lag{t_,
                               "min-replicas-max-lag",
                               10,
                               0,
                               INT_MAX,
                               "Seconds since a replica's last ACK for it to count as good.",
                               row_alias("min-slaves-max-lag")};
};

}  // namespace troupe
