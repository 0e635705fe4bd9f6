// Writes one snapshot file (an RDB dump or an AOF base) from the chunks the
// shards send while they walk their data. It runs on CAF's scheduler, so disk
// writes never stall a reactor. The file is written under a temporary name,
// fsynced, then renamed: a crash mid-save never leaves a broken file.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/runtime/registered_actor.hpp"

namespace troupe {

struct snapshot_job {
  std::string temp_path, final_path;
  std::string header;        // written first (RDB magic and aux fields)
  int shards = 0;            // chunks come from this many shards, then "done" from each
  bool rdb_trailer = false;  // end with the EOF opcode and the CRC64 of the file
  bool checksum = true;      // rdbchecksum: a zero CRC means "not computed"
  bool incremental_fsync = true;
  // Runs on the writer's thread when the file is in place (or failed).
  std::function<void(bool ok, const std::string& error, uint64_t bytes)> on_done;
};

// One snapshot file being written: temp file, running CRC, incremental fsync,
// trailer, fsync, rename. Used by the writer actor and, synchronously, by SAVE.
class snapshot_file {
 public:
  explicit snapshot_file(const snapshot_job& job);
  ~snapshot_file();
  void write(const std::string& bytes);
  // Finishes (trailer, fsync, rename); returns an error message or "".
  std::string finish();
  uint64_t bytes() const { return bytes_; }

 private:
  const snapshot_job& job_;
  int fd_ = -1;
  std::string error_;
  uint64_t bytes_ = 0, since_fsync_ = 0, crc_ = 0;
};

class snapshot_writer : public registered_actor {
 public:
  snapshot_writer(caf::actor_config& cfg, snapshot_job job);
  caf::behavior make_behavior() override;
  const char* name() const override { return "snapshot_writer"; }

 private:
  void finish();

  snapshot_job job_;
  std::unique_ptr<snapshot_file> file_;
  int remaining_;
};

}  // namespace troupe
