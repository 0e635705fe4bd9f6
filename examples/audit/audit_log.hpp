// The audit extension's record: the last `capacity` writes the server
// journaled, decoded from the journal's RESP stream. Plain C++ (no CAF), so a
// unit test drives it with bytes. Written by the audit actor, read by AUDIT
// commands on any reactor: one mutex, held for a copy, never for I/O.
#pragma once
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp/request_parser.hpp"

namespace troupe::audit {

struct entry {
  uint64_t id = 0;      // 1, 2, 3, ... in journal order
  int64_t unix_ms = 0;  // when the audit actor read it
  int db = 0;
  std::vector<std::string> args;
};

class audit_log {
 public:
  explicit audit_log(size_t capacity = 1000) : capacity_(capacity) {}

  // Bytes of the journal, in order, cut anywhere. SELECT changes the database
  // of what follows and is not an entry itself.
  void feed(std::string_view bytes, int64_t now_ms);
  // The journal dropped the reader (it fell too far behind): what was half
  // read is gone, and the next bytes start with a SELECT.
  void gap();

  // The newest `n` entries, newest first (AUDIT TAIL n).
  std::vector<entry> tail(size_t n) const;
  size_t size() const;
  void reset();  // forgets the entries, keeps counting ids

  struct counters {
    uint64_t recorded = 0;  // entries ever recorded
    uint64_t bytes = 0;     // journal bytes read
    uint64_t gaps = 0;
    size_t held = 0;
  };
  counters stats() const;

 private:
  void record(const std::vector<std::string_view>& args, int64_t now_ms);

  mutable std::mutex mutex_;
  size_t capacity_;
  std::deque<entry> entries_;
  uint64_t next_id_ = 1;
  uint64_t bytes_ = 0, gaps_ = 0;
  int db_ = 0;
  // Decoding state: only the actor's thread touches these.
  std::string pending_;
  request_parser parser_;
};

}  // namespace troupe::audit
