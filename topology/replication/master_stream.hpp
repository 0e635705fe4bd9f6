// The command stream a replica reads from its master after a sync: commands
// parsed out of the link's input buffer, and the two offsets Redis reports
// for it (INFO slave_read_repl_offset and slave_repl_offset):
//   - the read offset counts every byte received;
//   - the applied offset counts the bytes of commands that are complete, where
//     a MULTI ... EXEC block is complete only at its EXEC. A replica that
//     loses its link resumes (PSYNC) right after the applied offset, so a
//     transaction cut by the drop is received again whole.
// The bytes between the applied offset and the end of the last command parsed
// are "pending": the link hands them, verbatim, to the journal when they
// become applied, so the replica's own replicas, backlog and AOF receive
// exactly its master's stream.
//
// The buffer belongs to the caller (the link's input buffer); this class keeps
// positions in it. A pure state machine: no sockets, no dispatcher.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp/request_parser.hpp"

namespace troupe {

class master_stream {
 public:
  // `offset`: the replication offset of the last byte already applied (the
  // +FULLRESYNC offset, or the replica's offset on +CONTINUE).
  explicit master_stream(int64_t offset = 0);

  enum class result { command, incomplete, error };
  // Parses the next command in buf[0, len), the caller's buffer, whose first
  // byte is the first byte not yet discarded (see discardable()).
  result next(const char* buf, size_t len);
  const std::vector<std::string_view>& args() const { return parser_.args(); }
  const std::string& error() const { return parser_.error(); }

  // The caller received `n` more bytes into its buffer.
  void received(size_t n) { read_offset_ += int64_t(n); }
  // The pending bytes: from the applied offset to the end of the last command
  // parsed (one command, or a transaction so far).
  std::string_view pending(const char* buf) const {
    return {buf + applied_pos_, parser_.consumed() - applied_pos_};
  }
  // The last command completed what was pending (it was not inside MULTI):
  // the pending bytes count as applied.
  void commit();

  // Bytes at the front of the buffer no longer needed (applied); the caller
  // drops them, then says so with discarded().
  size_t discardable() const { return applied_pos_; }
  void discarded(size_t n);

  int64_t applied_offset() const { return applied_offset_; }
  int64_t read_offset() const { return read_offset_; }

 private:
  request_parser parser_;
  request_parser::limits limits_;
  size_t applied_pos_ = 0;  // buffer position of the first pending byte
  int64_t applied_offset_;
  int64_t read_offset_;
};

}  // namespace troupe
