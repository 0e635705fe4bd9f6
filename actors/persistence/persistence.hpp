// Snapshots and their uses: SAVE, BGSAVE and save points write the RDB file;
// BGREWRITEAOF writes a new AOF base. Both start with a cut (every shard held
// for an instant, snapshot.hpp), after which each shard saves its data a batch
// per loop pass on its own reactor and a snapshot_writer actor puts the bytes
// in the file. There is no fork() and no copy of the dataset.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace troupe {

class server;

class persistence {
 public:
  explicit persistence(server& srv);

  bool busy() const { return running_.load(); }
  bool bgsave_running() const { return running_.load() && kind_ == job_kind::rdb; }
  bool rewrite_running() const { return running_.load() && kind_ == job_kind::aof; }

  // The replies of BGSAVE [SCHEDULE] / BGREWRITEAOF, or an error (without "ERR ").
  std::optional<std::string> bgsave(bool schedule, std::string& reply);
  std::optional<std::string> bgrewriteaof(std::string& reply);
  // Starts a rewrite from the next cron pass (CONFIG SET appendonly yes, which
  // runs with the configuration locked).
  void schedule_rewrite() { rewrite_scheduled_ = true; }
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

 private:
  enum class job_kind { rdb, aof };
  std::optional<std::string> start(job_kind kind);
  std::string rdb_header(bool aof_base);
  void rdb_done(bool ok, const std::string& error, int64_t dirty_at_start, int64_t started_ms);

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
};

}  // namespace troupe
