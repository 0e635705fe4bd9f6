// The append only file, Redis 7 style (a directory with a manifest, one base
// file and incremental files). It is one reader of the journal: each reactor,
// at the end of its loop pass and before its replies go out, writes what the
// journal gathered since; with `appendfsync always` it fsyncs then too, so one
// fsync covers every write of the pass (group commit) and no write is
// acknowledged before it is on disk. With `everysec` a background actor fsyncs
// once a second.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <caf/actor.hpp>

#include "storage/aof/aof_manifest.hpp"
#include "storage/journal/journal.hpp"
#include "storage/keyspace/counters.hpp"

namespace troupe {

class server;
class dispatcher;

enum class fsync_policy { always, everysec, no };

class aof_manager {
 public:
  explicit aof_manager(server& srv);
  ~aof_manager();

  bool enabled() const { return enabled_.load(std::memory_order_relaxed); }
  void set_policy(fsync_policy p) { policy_.store(p); }

  // Start-up (and DEBUG LOADAOF): replays the AOF into the keyspace when one
  // exists, through `via` (reactor 0's dispatcher when null). Returns an error
  // message that must stop start-up, or nullopt.
  std::optional<std::string> load(dispatcher* via = nullptr);
  // Opens the incremental file to append to (creating directory and manifest if
  // needed) and starts journaling.
  std::optional<std::string> open();
  void close();

  // Reactor pass end: write pending journal bytes; fsync under `always`.
  void flush_pass();
  // Background once a second: fsync under `everysec`.
  void fsync_tick();

  // At a rewrite's cut (every shard held): what the journal has goes to the
  // current file, a new incremental file takes over and joins the manifest (so a
  // crash during the rewrite loses nothing). Returns the new base's file name.
  std::optional<std::string> rotate_for_rewrite(bool rdb_base);
  // The new base is in place (or failed): the manifest becomes base + newest
  // incremental file and the old files are deleted.
  void finish_rewrite(const std::string& base_name, bool ok);
  int64_t current_size() const { return current_size_.load(); }
  int64_t base_size() const { return base_size_.load(); }

  // For INFO persistence.
  std::string info_fields() const;
  std::string directory() const;
  std::string prefix() const;

 private:
  struct open_file {
    int fd = -1;
    ~open_file();
  };
  // `progress_base`: bytes of the files replayed before this one.
  std::optional<std::string> replay_file(dispatcher& via, const std::string& path, bool last,
                                         bool& truncated, uint64_t progress_base);
  std::optional<std::string> open_locked();
  // Follows the journal from its end, with the next write starting with SELECT.
  void start_following_locked();
  // Writes what the journal has for us to the current file.
  bool write_pending_locked();
  bool write_all(const char* data, size_t size);

  server& srv_;
  std::atomic<bool> enabled_{false};
  std::atomic<fsync_policy> policy_{fsync_policy::everysec};
  mutable std::mutex mutex_;  // one writer at a time; guards file_ and manifest_
  std::shared_ptr<open_file> file_;
  aof_manifest manifest_;
  std::optional<journal::reader_id> reader_;
  std::vector<journal::span> spans_;
  std::atomic<uint64_t> written_{0};  // journal offset written to the file
  std::atomic<uint64_t> synced_{0};   // journal offset known to be on disk
  std::atomic<bool> write_ok_{true};
  std::atomic<int64_t> current_size_{0}, base_size_{0};
  counter delayed_fsyncs_;
};

}  // namespace troupe
