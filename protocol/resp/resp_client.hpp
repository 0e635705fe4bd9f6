// A small blocking RESP client over TCP or a unix socket: tests, tools and
// one-off connections use it.
#pragma once
#include <string>
#include <vector>

#include "protocol/resp/resp_value.hpp"

namespace troupe {

class resp_client {
 public:
  resp_client() = default;
  ~resp_client();
  resp_client(const resp_client&) = delete;
  resp_client& operator=(const resp_client&) = delete;
  resp_client(resp_client&& o) noexcept;
  resp_client& operator=(resp_client&& o) noexcept;

  // Connects; false with error() set on failure. timeout_ms bounds connect and reads.
  bool connect(const std::string& host, int port, int timeout_ms = 5000);
  bool connect_unix(const std::string& path, int timeout_ms = 5000);
  bool connected() const { return fd_ >= 0; }
  void close();

  // Sends one command and reads its reply. On I/O failure the reply is an
  // error value whose text starts with "IO ".
  resp_value call(const std::vector<std::string>& args);
  // Pipelining: queue, then send everything and read n replies.
  void append(const std::vector<std::string>& args);
  bool send_raw(const std::string& bytes);
  bool flush();
  resp_value read_reply();
  // Reads whatever bytes arrive until the peer closes or the timeout passes.
  std::string read_raw(int timeout_ms);

  const std::string& error() const { return error_; }
  void set_timeout(int ms) { timeout_ms_ = ms; }
  int fd() const { return fd_; }

 private:
  bool fill();
  resp_value io_error(const std::string& what);

  int fd_ = -1;
  int timeout_ms_ = 5000;
  std::string out_;
  std::string in_;
  size_t in_pos_ = 0;
  reply_parser parser_;
  std::string error_;
};

}  // namespace troupe
