// SLOWLOG: the commands that ran longer than slowlog-log-slower-than
// microseconds, newest first, at most slowlog-max-len of them, as Redis 7.0
// keeps them (at most 32 arguments, each cut at 128 bytes, the client's
// address and name). The dispatcher adds to it; any reactor may, so it has a
// mutex, taken only for a slow command or a SLOWLOG command.
#pragma once
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

struct slowlog_entry {
  uint64_t id = 0;
  int64_t unix_time = 0;    // seconds
  int64_t duration_us = 0;  // the command's own run
  std::vector<std::string> args;
  std::string peer, client_name;
};

class slowlog {
 public:
  // Keeps the arguments as Redis does (see above); `max_len` trims the oldest.
  void add(const std::vector<std::string_view>& args, int64_t duration_us, int64_t unix_time,
           std::string peer, std::string client_name, size_t max_len);
  // The newest `count` entries (all for a negative count), newest first.
  std::vector<slowlog_entry> newest(int64_t count) const;
  size_t length() const;
  void reset();
  // CONFIG SET slowlog-max-len: trims at once.
  void trim(size_t max_len);

 private:
  mutable std::mutex mutex_;
  std::deque<slowlog_entry> entries_;  // newest at the front
  uint64_t next_id_ = 0;
};

}  // namespace troupe
