// Redis 7's multi-part AOF: a directory holding one base file (an RDB
// snapshot or commands), incremental command files, and a manifest naming
// them in order:
//   file appendonly.aof.1.base.rdb seq 1 type b
//   file appendonly.aof.1.incr.aof seq 1 type i
// Type h marks files kept only until they can be deleted (history).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace troupe {

struct aof_manifest {
  struct file {
    std::string name;
    int64_t seq = 0;
    char type = 'i';  // 'b' base, 'i' incremental, 'h' history
  };
  std::vector<file> files;

  const file* base() const;
  std::vector<const file*> incrs() const;
  int64_t next_base_seq() const;
  int64_t next_incr_seq() const;

  // Parses a manifest; on error returns nullopt and sets `err`.
  static std::optional<aof_manifest> parse(const std::string& text, std::string& err);
  std::string to_string() const;

  static std::string base_name(const std::string& prefix, int64_t seq, bool rdb);
  static std::string incr_name(const std::string& prefix, int64_t seq);
  static std::string manifest_name(const std::string& prefix) { return prefix + ".manifest"; }
};

// Writes `text` to `path` through a temporary file, fsynced and renamed, so the
// file is either the old one or the new one, never half of each.
bool write_file_atomically(const std::string& path, const std::string& text, std::string& err);
// Fsyncs a directory so a rename in it is durable.
void fsync_dir(const std::string& dir);

}  // namespace troupe
