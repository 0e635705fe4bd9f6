// Directives of the network and of clients: where Troupe listens, how long a
// client may idle, how much it may send and be sent, and its password.
#pragma once
#include <climits>
#include <cstdint>

#include "protocol/config/config_rows.hpp"
#include "protocol/config/config_special_rows.hpp"

namespace troupe {

config_error check_bind(const std::vector<std::string>& addrs);

struct network_rows {
  explicit network_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  args_row bind{t_,
                "bind",
                {"*", "-::*"},
                "Addresses to listen on; '*' is every IPv4 address, a leading '-' means the "
                "address may be unavailable. Without this line Troupe listens on every interface.",
                row_sample("127.0.0.1 -::1"),
                check_bind};
  int_row port{t_, "port", 6379, 0, 65535, "TCP port to accept connections on (0: no TCP)."};
  int_row tcp_backlog{
      t_, "tcp-backlog", 511, 0, INT_MAX, "Backlog of the listening sockets.", row_immutable()};
  string_row unixsocket{t_, "unixsocket", "", "Path of a unix socket to accept connections on too.",
                        row_immutable()};
  octal_row unixsocketperm{t_,
                           "unixsocketperm",
                           0,
                           0777,
                           "Permissions of the unix socket, in octal (0: leave as created).",
                           row_immutable()};
  int_row timeout{t_, "timeout", 0,
                  0,  INT_MAX,   "Close a client after it is idle this many seconds (0: never)."};
  int_row tcp_keepalive{t_,      "tcp-keepalive",
                        300,     0,
                        INT_MAX, "Send TCP keepalives every this many seconds (0: off)."};
  int_row maxclients{t_, "maxclients", 10000,
                     1,  UINT32_MAX,   "Maximum number of connected clients."};
  output_limits_row client_output_buffer_limit{
      t_,
      "client-output-buffer-limit",
      {output_limit{0, 0, 0}, output_limit{256LL << 20, 64LL << 20, 60},
       output_limit{32LL << 20, 8LL << 20, 60}},
      "Per client class (normal, replica, pubsub): hard limit, soft limit and soft seconds of "
      "unsent output before the client is closed (0: no limit)."};
  notify_events_row notify_keyspace_events{
      t_, "notify-keyspace-events",
      "Keyspace events published to __keyspace@<db>__ (K) and __keyevent@<db>__ (E) channels: "
      "g$lshzxetdmn, A for all."};
  memory_row proto_max_bulk_len{t_,        "proto-max-bulk-len",
                                512 << 20, 1 << 20,
                                INT64_MAX, "Largest bulk string a client may send."};
  memory_row client_query_buffer_limit{
      t_,        "client-query-buffer-limit",
      1LL << 30, 1 << 20,
      INT64_MAX, "Largest unparsed input buffered for one client before it is closed."};
  string_row requirepass{t_, "requirepass", "",
                         "Password clients must give with AUTH (empty: none)."};
};

}  // namespace troupe
