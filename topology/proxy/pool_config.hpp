// A twemproxy (nutcracker 0.5.0) server pool as its YAML file defines it:
// every pool directive with nutcracker's defaults, and the reading of a whole
// nutcracker configuration file with nutcracker's validation (the same files
// are accepted and refused, with nutcracker's messages where it has one).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "topology/proxy/proxy_hash.hpp"

namespace troupe::proxy {

enum class distribution_kind { ketama, modula, random };

std::string_view distribution_name(distribution_kind d);
std::optional<distribution_kind> parse_distribution(std::string_view name);

// One `servers:` entry: "host:port:weight [name]" or "/unix/path:weight [name]".
struct server_config {
  std::string pname;  // the entry without its " name" part, e.g. "127.0.0.1:6379:1"
  std::string host;   // host name or address, or the unix socket path
  int port = 0;       // 0 for a unix socket
  uint32_t weight = 1;
  bool has_name = false;
  // What the ring hashes and what must be unique in the pool: the explicit
  // name, else "host:port" ("host" alone when the port is 11211, libmemcached's
  // default; "path:" for a unix socket, nutcracker keeps the colon).
  std::string name;
  bool is_unix() const { return !host.empty() && host[0] == '/'; }
};

struct pool_config {
  std::string name;  // the pool's key in the file

  // listen: "host:port", or "/unix/path [octal permissions]".
  std::string listen;       // as written
  std::string listen_host;  // host, or the unix socket path
  int listen_port = 0;      // 0 for a unix socket
  int listen_perm = -1;     // unix socket permissions; -1 when not given
  bool listen_is_unix() const { return !listen_host.empty() && listen_host[0] == '/'; }

  hash_kind hash = hash_kind::fnv1a_64;
  std::string hash_tag;  // "" or exactly two characters, e.g. "{}"
  distribution_kind distribution = distribution_kind::ketama;
  int timeout = -1;  // ms to wait for a server's reply; -1: forever
  int backlog = 512;
  // Written into the struct as read; nutcracker 0.5.0 itself ignores the
  // directive (it always resets it to 0, "no limit").
  int client_connections = 0;
  bool tcpkeepalive = false;
  bool redis = false;      // false: memcached protocol
  std::string redis_auth;  // only allowed with redis: true
  int redis_db = 0;
  bool preconnect = false;
  int server_connections = 1;  // never 0
  bool auto_eject_hosts = false;
  int server_retry_timeout = 30000;  // ms
  int server_failure_limit = 2;
  std::vector<server_config> servers;  // in the file's order
};

// Reads one `servers:` entry as nutcracker does (split from the end: the name
// after the last space, the weight after the last colon, then the port).
// "" or nutcracker's error message.
std::string parse_server_line(std::string_view line, server_config& out);

// Reads a nutcracker YAML configuration file: its pools, in the file's order
// (nutcracker sorts them internally; pick a pool by name). Returns "" on success
// or an error message, never throws, whatever the input. `out` is cleared first
// and is left empty on error. Unlike nutcracker, listen addresses are not
// resolved here, and a pool may have at most 10000 servers.
std::string parse_nutcracker_yaml(std::string_view text, std::vector<pool_config>& out);

}  // namespace troupe::proxy
