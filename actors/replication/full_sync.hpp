// One full sync: the snapshot that the replicas waiting at its start share, and
// how its RDB reaches them.
//
// Disk-backed, the snapshot is written to `dbfilename` (as a BGSAVE) and each
// feed sends the file with "$<length>\r\n" in front (sendfile, no copy through
// user space). Diskless, the chunks the shards produce are framed as Redis
// frames a socket transfer, "$EOF:<40 random chars>\r\n" + RDB + the same 40
// chars, and kept in a small journal of their own with one reader per feed:
// the bytes are stored once whatever the number of replicas, and each feed
// sends them at its own pace.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/journal/journal.hpp"
#include "topology/replication/rdb_framing.hpp"

namespace troupe {

struct replica_link;

class full_sync {
 public:
  full_sync(bool diskless, bool checksum);
  ~full_sync();
  full_sync(const full_sync&) = delete;
  full_sync& operator=(const full_sync&) = delete;

  bool diskless() const { return diskless_; }

  // The history the RDB ends at (set at the cut, before any feed is woken).
  std::string replid;
  int64_t offset = 0;
  // The replicas that take part (set before the cut, joined while a disk-backed
  // sync still writes its file).
  std::vector<std::weak_ptr<replica_link>> links;
  std::mutex links_mutex;
  // Wakes every feed of the sync (new payload bytes, the file is ready).
  void wake_all();

  // -- diskless ----------------------------------------------------------------------
  journal& payload() { return payload_; }
  // The framing's opening line; the first bytes of the payload.
  void begin_payload();
  // RDB bytes in order, from any thread.
  void append(const std::string& bytes);
  // Every shard has emitted its part: the EOF opcode, the checksum, the mark.
  void end_payload();
  bool payload_complete() const { return complete_.load(); }
  // Pacing: the shards' walks stop while the slowest replica has more than
  // `pause_at` bytes of the RDB unread (writes still add what they touch), and
  // go on once it is down to `resume_at`, so a diskless RDB never sits whole
  // in memory, as Redis's forked child waits on its pipe.
  static constexpr uint64_t pause_at = 8 << 20, resume_at = 2 << 20;
  bool should_pause();
  // A feed read payload bytes, or a reader left.
  void after_read();
  // Restarts paused walks (set by the master: snapshot_atom to every shard).
  std::function<void()> resume;

  // -- disk-backed -------------------------------------------------------------------
  // The dump is in place: opened once, so a later dump may replace the file.
  void file_ready(const std::string& path);
  void file_failed(const std::string& error);
  // -1 until the file is ready; the descriptor every feed reads from (pread
  // style, each at its own offset).
  int file_fd() const { return file_ready_.load() ? fd_ : -1; }
  int64_t file_size() const { return size_; }
  bool failed() const { return failed_.load(); }
  // The RDB is all there (payload complete, file ready) or will never be.
  bool finished() const { return complete_.load() || file_ready_.load() || failed_.load(); }
  const std::string& error() const { return error_; }

 private:
  const bool diskless_;
  const bool checksum_;
  journal payload_{0};
  std::mutex append_mutex_;  // orders the checksum with the bytes
  uint64_t crc_ = 0;
  eof_payload_framing framing_;
  std::atomic<bool> complete_{false};
  std::atomic<bool> paused_{false};
  int fd_ = -1;
  int64_t size_ = 0;
  std::atomic<bool> file_ready_{false}, failed_{false};
  std::string error_;
};

}  // namespace troupe
