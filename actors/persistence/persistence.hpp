// Snapshots and their uses: SAVE, BGSAVE and save points write the RDB file;
// BGREWRITEAOF writes a new AOF base. Both start with a cut (every shard held
// for an instant, snapshot.hpp), after which each shard saves its data a batch
// per loop pass on its own reactor and a snapshot_writer actor puts the bytes
// in the file. There is no fork() and no copy of the dataset.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/rdb/loading_progress.hpp"

namespace troupe {

class server;

// The replication history an RDB's data belongs to (its repl-id, repl-offset
// and repl-stream-db aux fields); an empty id: none.
struct rdb_history {
  std::string id;
  int64_t offset = 0;
  int stream_db = 0;
};

// The snapshot of a full sync (actors/replication/): the RDB a master sends its
// replicas, written to `dbfilename` first (disk-backed, like a BGSAVE) or handed
// over chunk by chunk as the shards walk (diskless).
struct replication_snapshot {
  bool to_disk = true;
  // rdb-filter-only: the RDB carries its header and no keys (Troupe has no functions).
  bool exclude_data = false;
  // Runs at the cut, every shard held, so the replication stream starts exactly
  // where the snapshot's data ends. Returns the history the RDB's aux fields carry.
  std::function<rdb_history()> at_cut;
  // Diskless: the RDB's bytes in order, header first (emitted during the cut),
  // then chunks from the shards, from their reactors' threads (the receiver
  // serialises them). The EOF opcode and checksum are the receiver's.
  std::function<void(std::string)> emit;
  // Disk: the file is in place (or failed); diskless: every shard has emitted
  // everything. Runs once, on a writer's or a reactor's thread.
  std::function<void(bool ok, const std::string& error)> on_done;
  // Diskless: true while the walks must wait for the replicas to read (the
  // receiver then sends snapshot_atom to every shard to resume them).
  std::function<bool()> paused;
};

class persistence {
 public:
  explicit persistence(server& srv);
  // The file an RDB is written to before its rename: Redis's temp-<pid>.rdb,
  // plus the port, as nodes of an in-process cluster share pid and directory.
  std::string temp_rdb_name() const;

  bool busy() const { return running_.load(); }
  // An RDB is being produced: BGSAVE, a save point, or a full sync (INFO's
  // rdb_bgsave_in_progress counts all of them, as Redis's RDB child does).
  bool bgsave_running() const { return running_.load() && kind_ != job_kind::aof; }
  bool rewrite_running() const { return running_.load() && kind_ == job_kind::aof; }
  // A full sync's snapshot is running (and to disk or not).
  bool replication_sync_running() const {
    return running_.load() && (kind_ == job_kind::repl_disk || kind_ == job_kind::repl_socket);
  }
  bool replication_sync_to_disk() const { return running_.load() && kind_ == job_kind::repl_disk; }

  // The replies of BGSAVE [SCHEDULE] / BGREWRITEAOF, or an error (without "ERR ").
  std::optional<std::string> bgsave(bool schedule, std::string& reply);
  std::optional<std::string> bgrewriteaof(std::string& reply);
  // Starts a rewrite from the next cron pass (CONFIG SET appendonly yes, which
  // runs with the configuration locked).
  void schedule_rewrite() { rewrite_scheduled_ = true; }
  // A full sync's snapshot; "busy" when another snapshot runs.
  std::optional<std::string> start_for_replication(replication_snapshot job);
  // SAVE: the whole snapshot now, in the calling thread.
  std::optional<std::string> save();
  // Cron (reactor 0): save points, scheduled jobs, automatic AOF rewrites.
  void cron();
  // Start-up: loads dbfilename from dir if it exists.
  std::optional<std::string> load_rdb_at_startup();

  int64_t lastsave() const { return lastsave_.load(); }
  // Writes are refused after a failed background save (stop-writes-on-bgsave-error).
  bool writes_refused() const;
  std::string info();
  // The dataset being loaded, if any (INFO's loading_* fields, progress log).
  loading_progress& loading() { return loading_; }

 private:
  enum class job_kind { rdb, aof, repl_disk, repl_socket };
  std::optional<std::string> start(job_kind kind, replication_snapshot* repl = nullptr);
  // The RDB's magic and aux fields; `history` is what the data belongs to (a
  // replica or a restarted master resumes from it).
  std::string rdb_header(bool aof_base, const rdb_history& history, bool with_sizes = true);
  // The replication history the data belongs to now (a BGSAVE's aux fields).
  rdb_history current_history();
  void rdb_done(bool ok, const std::string& error, int64_t dirty_at_start, int64_t started_ms);
  // What a finished RDB dump changes (LASTSAVE, dirty, the BGSAVE status).
  void bookkeep_rdb(bool ok, const std::string& error, int64_t dirty_at_start, int64_t started_ms);

  server& srv_;
  std::atomic<bool> running_{false};
  job_kind kind_ = job_kind::rdb;
  std::atomic<bool> bgsave_scheduled_{false}, rewrite_scheduled_{false};
  std::atomic<int64_t> lastsave_{0}, last_bgsave_try_{0};
  std::atomic<bool> last_bgsave_ok_{true}, last_rewrite_ok_{true};
  std::atomic<int64_t> last_bgsave_secs_{-1}, last_rewrite_secs_{-1};
  std::atomic<int64_t> job_started_ms_{0};
  std::atomic<int64_t> rdb_saves_{0}, aof_rewrites_{0}, rewrite_failures_{0};
  std::atomic<int64_t> keys_loaded_{0}, keys_expired_on_load_{0};
  std::atomic<int64_t> save_keys_total_{0};
  loading_progress loading_;
};

}  // namespace troupe
