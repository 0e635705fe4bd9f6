// Reads commands from an AOF file (RESP multi-bulk requests), remembering where
// each complete command ends, so a torn last command can be cut off and a
// corrupt one reported with its offset (AOF loading and troupe-check-aof).
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace troupe {

class aof_reader {
 public:
  enum class result { command, end, truncated, corrupt };

  // Reads from an open file starting at `offset`.
  aof_reader(FILE* f, int64_t offset);
  result next(std::vector<std::string>& args);
  // Offset just after the last complete command.
  int64_t valid_offset() const { return valid_; }
  const std::string& error() const { return error_; }

 private:
  bool read_line(std::string& line, bool& eof);
  bool read_exact(std::string& out, size_t n, bool& eof);

  FILE* f_;
  int64_t pos_;
  int64_t valid_;
  std::string error_;
};

}  // namespace troupe
