// Connecting to the server: TCP or unix socket, with the optional handshake
// (AUTH, CLIENT TRACKING, SELECT, HELLO 3) done before any timing starts.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/resp/resp_value.hpp"
#include "tools/benchmark/options.hpp"

namespace troupe::bench {

struct endpoint {
  std::string host;
  int port = 0;
  std::string unix_path;  // non-empty: use it instead of host and port
  // "127.0.0.1:6379" or the socket path, as in redis-benchmark's messages.
  std::string describe() const;
};

// The requests sent on every new connection before the benchmark's own.
struct handshake {
  std::string bytes;
  size_t replies = 0;
  bool has_auth = false;  // the first reply answers AUTH
};

endpoint endpoint_of(const options& o);
handshake handshake_of(const options& o);

// Connects within timeout_ms; returns a non-blocking socket with TCP_NODELAY,
// or -1 with `error` set to the reason ("Connection refused", ...).
int connect_to(const endpoint& ep, std::string& error, int timeout_ms = 5000);

// Sends bytes on a non-blocking socket and reads `count` replies, waiting at
// most timeout_ms for each step. Returns false with `error` set on I/O failure.
bool exchange(int fd, const std::string& bytes, size_t count, std::vector<resp_value>& replies,
              std::string& error, int timeout_ms = 10000);

// Connects and runs the handshake. On failure returns -1 and sets `error` to
// the complete message to print, e.g. "Could not connect to Redis at
// 127.0.0.1:1234: Connection refused".
int open_connection(const endpoint& ep, const handshake& hs, std::string& error);

// What the full report shows of the server's persistence settings.
struct server_config {
  std::string save;
  std::string appendonly;
};

// Connects once before the run, as redis-benchmark does: reports an
// unreachable server or a refused AUTH (fatal, in `error`), and reads CONFIG
// GET save / appendonly (nullopt if the server does not answer them).
std::optional<server_config> probe_server(const endpoint& ep, const handshake& hs,
                                          std::string& error);

}  // namespace troupe::bench
