#include "actors/persistence/persistence.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include <caf/all.hpp>

#include "actors/persistence/snapshot_writer.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/info.hpp"
#include "actors/server/server.hpp"
#include "storage/eviction/key_access.hpp"
#include "storage/keyspace/snapshot_chunker.hpp"
#include "storage/keyspace/snapshot_sinks.hpp"
#include "storage/rdb/rdb_chunk_sink.hpp"
#include "storage/rdb/rdb_loader.hpp"
#include "storage/rdb/rdb_value.hpp"

namespace troupe {

std::string persistence::temp_rdb_name() const {
  return "temp-" + std::to_string(getpid()) + "-" + std::to_string(srv_.config().port.get()) +
         ".rdb";
}

persistence::persistence(server& srv) : srv_(srv) {
  lastsave_ = wall_clock_ms() / 1000;
}

bool persistence::writes_refused() const {
  return !last_bgsave_ok_.load(std::memory_order_relaxed) &&
         srv_.config().stop_writes_on_bgsave_error.get() && srv_.config().save.any();
}

rdb_history persistence::current_history() {
  // So a restarted replica can resume its history with a partial resync: a
  // replica's with a history to resume (the stream's database is its link's),
  // a master's while it has a backlog (a master without one is in no chain).
  rdb_history h;
  if (srv_.is_replica())
    h.stream_db = srv_.replica().rdb_stream_db();
  else
    h.stream_db = srv_.journal_log().backlog_active() ? 0 : -1;
  if (h.stream_db < 0) return {};
  {
    std::lock_guard<std::mutex> g(srv_.replication().mutex);
    h.id = srv_.replication().ids.replid;
  }
  h.offset = int64_t(srv_.journal_log().repl_offset());
  return h;
}

std::string persistence::rdb_header(bool aof_base, const rdb_history& history, bool with_sizes) {
  std::string h;
  rdb_encoder enc(h);
  enc.header();
  enc.aux("redis-ver", "7.0.15");
  enc.aux("redis-bits", int64_t(64));
  enc.aux("ctime", int64_t(wall_clock_ms() / 1000));
  enc.aux("used-mem", int64_t(heap_used_bytes()));
  if (!history.id.empty()) {
    enc.aux("repl-stream-db", int64_t(history.stream_db));
    enc.aux("repl-id", history.id);
    enc.aux("repl-offset", history.offset);
  }
  enc.aux("aof-base", int64_t(aof_base ? 1 : 0));
  // Function libraries, before the databases, as Redis 7.0 writes them.
  for (auto& [name, lib] : *srv_.scripts.libraries()) enc.function(lib.code);
  if (!with_sizes) return h;
  // Sizes at the cut let a loader size its tables once.
  keyspace& ks = srv_.keys();
  for (int db = 0; db < ks.databases(); ++db) {
    size_t n = ks.db_size(db);
    if (n == 0) continue;
    enc.select_db(db);
    enc.resize_db(n, ks.db_volatile(db));
  }
  return h;
}

std::optional<std::string> persistence::start_for_replication(replication_snapshot job) {
  return start(job.to_disk ? job_kind::repl_disk : job_kind::repl_socket, &job);
}

std::optional<std::string> persistence::start(job_kind kind, replication_snapshot* repl) {
  bool expected = false;
  if (!running_.compare_exchange_strong(expected, true)) return "busy";
  for (int i = 0; i < srv_.keys().shard_count(); ++i)
    if (srv_.keys().shard(i).snapshot().active) {
      running_ = false;  // an abandoned walk is still finishing
      return "busy";
    }
  kind_ = kind;
  keyspace& ks = srv_.keys();
  const server_config& cfg = srv_.config();
  bool compression = cfg.rdbcompression.get(), checksum = cfg.rdbchecksum.get();
  bool preamble = cfg.aof_use_rdb_preamble.get();
  int64_t save_delay = cfg.rdb_key_save_delay.get();
  auto save_clock = std::make_shared<std::atomic<int64_t>>(0);  // rdb-key-save-delay's pace
  bool incremental = kind == job_kind::aof ? cfg.aof_rewrite_incremental_fsync.get()
                                           : cfg.rdb_save_incremental_fsync.get();
  std::string dbfilename = cfg.dbfilename.str();
  int64_t started = wall_clock_ms();
  job_started_ms_ = started;
  int64_t dirty_at_start = ks.dirty.load();
  bool rdb_format = kind != job_kind::aof || preamble;
  bool to_socket = kind == job_kind::repl_socket;

  // The cut: every shard held while the journal switches files (AOF) and every
  // slice flips its parity.
  shard_set_guard guard;
  guard.acquire_all(ks);
  snapshot_job job;
  job.shards = ks.shard_count();
  job.incremental_fsync = incremental;
  job.checksum = checksum;
  job.rdb_trailer = rdb_format;
  std::string base_name;
  if (kind == job_kind::aof) {
    auto rotated = srv_.aof().rotate_for_rewrite(rdb_format);
    if (!rotated) {
      running_ = false;
      return "Can't rewrite the append only file: cannot open a new file";
    }
    base_name = *rotated;
    job.final_path = srv_.aof().directory() + "/" + base_name;
    job.temp_path = srv_.aof().directory() + "/temp-rewriteaof-bg-" + std::to_string(getpid()) +
                    "-" + std::to_string(srv_.config().port.get()) + ".aof";
  } else {
    job.final_path = dbfilename;
    job.temp_path = temp_rdb_name();
  }
  bool exclude_data = repl != nullptr && repl->exclude_data;
  if (repl != nullptr) {
    // The replication stream starts here, with every shard held.
    job.header = rdb_header(false, repl->at_cut(), !exclude_data);
  } else if (rdb_format) {
    job.header = rdb_header(kind == job_kind::aof, current_history());
  }
  save_keys_total_ = int64_t(ks.total_keys());
  if (to_socket) {
    // Diskless: the bytes go to the replicas, not to a file; the job ends when
    // every shard has emitted its part.
    auto emit = repl->emit;
    auto on_done = repl->on_done;
    auto remaining = std::make_shared<std::atomic<int>>(ks.shard_count());
    emit(std::move(job.header));
    uint32_t clock = srv_.lru_clock.load();
    rdb::lru_mode access_mode = rdb_access_mode(srv_.config().maxmemory_policy.get());
    for (int i = 0; i < ks.shard_count(); ++i) {
      auto done = [this, remaining, on_done] {
        if (remaining->fetch_sub(1) != 1) return;
        running_ = false;  // no file to protect: the next snapshot may start now
        on_done(true, "");
      };
      std::shared_ptr<snapshot_sink> sink;
      if (exclude_data)
        sink = std::make_shared<discarding_sink>(done);
      else
        sink = std::make_shared<rdb_chunk_sink>(emit, done, compression, access_mode, clock);
      if (repl->paused) sink = std::make_shared<paced_sink>(sink, repl->paused);
      if (save_delay != 0) sink = std::make_shared<delayed_sink>(sink, save_delay, save_clock);
      snapshot_begin(ks.shard(i), sink);
    }
    guard.release();
    for (int i = 0; i < ks.shard_count(); ++i)
      caf::anon_send(srv_.shard_actor(i), snapshot_atom::value);
    return std::nullopt;
  }
  if (kind == job_kind::repl_disk) {
    auto on_done = repl->on_done;
    job.on_done = [this, dirty_at_start, started, on_done](bool ok, const std::string& err,
                                                           uint64_t) {
      // The file is a dump like any BGSAVE's (LASTSAVE, save points); the
      // replicas open it at once, so a later dump may replace it meanwhile.
      bookkeep_rdb(ok, err, dirty_at_start, started);
      on_done(ok, err);
      running_ = false;
    };
  } else if (kind == job_kind::rdb) {
    job.on_done = [this, dirty_at_start, started](bool ok, const std::string& err, uint64_t) {
      rdb_done(ok, err, dirty_at_start, started);
    };
    log_notice("Background saving started");
  } else {
    job.on_done = [this, base_name, started](bool ok, const std::string& err, uint64_t) {
      srv_.aof().finish_rewrite(base_name, ok);
      last_rewrite_ok_ = ok;
      last_rewrite_secs_ = (wall_clock_ms() - started) / 1000;
      if (ok) {
        ++aof_rewrites_;
        rewrite_failures_ = 0;
        log_notice("Background AOF rewrite finished successfully");
      } else {
        ++rewrite_failures_;
        log_warning("Background AOF rewrite failed: {}", err);
      }
      running_ = false;
    };
    log_notice("Background append only file rewriting started");
  }
  std::vector<uint64_t> shard_ids;
  for (int i = 0; i < ks.shard_count(); ++i) shard_ids.push_back(srv_.shard_actor(i).id());
  std::string label = job.final_path;
  caf::actor writer = spawn_actor<snapshot_writer>(
      srv_.registry(), placement::scheduler(), {label, 0, std::move(shard_ids)}, std::move(job));
  uint32_t clock = srv_.lru_clock.load();
  rdb::lru_mode access_mode = rdb_access_mode(srv_.config().maxmemory_policy.get());
  for (int i = 0; i < ks.shard_count(); ++i) {
    auto emit = [writer](std::string chunk) {
      caf::anon_send(writer, chunk_atom::value, std::move(chunk));
    };
    auto done = [writer] { caf::anon_send(writer, done_atom::value); };
    std::shared_ptr<snapshot_sink> sink;
    if (exclude_data)
      sink = std::make_shared<discarding_sink>(done);
    else if (rdb_format)
      sink = std::make_shared<rdb_chunk_sink>(emit, done, compression, access_mode, clock);
    else
      sink = std::make_shared<aof_command_sink>(emit, done);
    if (save_delay != 0) sink = std::make_shared<delayed_sink>(sink, save_delay, save_clock);
    snapshot_begin(ks.shard(i), sink);
  }
  guard.release();
  // Each shard actor walks its data on its own reactor, a step at a time.
  for (int i = 0; i < ks.shard_count(); ++i)
    caf::anon_send(srv_.shard_actor(i), snapshot_atom::value);
  return std::nullopt;
}

void persistence::rdb_done(bool ok, const std::string& error, int64_t dirty_at_start,
                           int64_t started_ms) {
  bookkeep_rdb(ok, error, dirty_at_start, started_ms);
  running_ = false;
}

void persistence::bookkeep_rdb(bool ok, const std::string& error, int64_t dirty_at_start,
                               int64_t started_ms) {
  last_bgsave_try_ = wall_clock_ms() / 1000;
  last_bgsave_secs_ = (wall_clock_ms() - started_ms) / 1000;
  if (ok) {
    srv_.keys().dirty.fetch_sub(dirty_at_start);
    lastsave_ = wall_clock_ms() / 1000;
    last_bgsave_ok_ = true;
    ++rdb_saves_;
    log_notice("Background saving terminated with success");
  } else {
    last_bgsave_ok_ = false;
    log_warning("Background saving error: {}", error);
  }
}

std::optional<std::string> persistence::bgsave(bool schedule, std::string& reply) {
  if (bgsave_running()) return std::string("Background save already in progress");
  if (rewrite_running()) {
    if (!schedule)
      return std::string(
          "Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE "
          "in order to schedule a BGSAVE whenever possible.");
    bgsave_scheduled_ = true;
    reply = "Background saving scheduled";
    return std::nullopt;
  }
  if (auto e = start(job_kind::rdb)) return std::string("Background save already in progress");
  reply = "Background saving started";
  return std::nullopt;
}

std::optional<std::string> persistence::bgrewriteaof(std::string& reply) {
  if (rewrite_running())
    return std::string("Background append only file rewriting already in progress");
  if (bgsave_running()) {
    rewrite_scheduled_ = true;
    reply = "Background append only file rewriting scheduled";
    return std::nullopt;
  }
  if (auto e = start(job_kind::aof))
    return *e == "busy" ? std::string("Background append only file rewriting already in progress")
                        : *e;
  reply = "Background append only file rewriting started";
  return std::nullopt;
}

std::optional<std::string> persistence::save() {
  if (busy()) return std::string("Background save already in progress");
  keyspace& ks = srv_.keys();
  bool compression = srv_.config().rdbcompression.get();
  bool checksum = srv_.config().rdbchecksum.get();
  std::string dbfilename = srv_.config().dbfilename.str();
  int64_t started = wall_clock_ms();
  int64_t dirty_at_start = ks.dirty.load();
  shard_set_guard guard;
  guard.acquire_all(ks);
  snapshot_job job;
  job.final_path = dbfilename;
  job.temp_path = temp_rdb_name();
  job.rdb_trailer = true;
  job.checksum = checksum;
  { job.header = rdb_header(false, current_history()); }
  snapshot_file file(job);
  // Nothing else runs while SAVE holds every shard: write entries straight out.
  std::string chunk;
  rdb_encoder enc(chunk, compression);
  for (int i = 0; i < ks.shard_count(); ++i) {
    for (int db = 0; db < ks.databases(); ++db) {
      db_slice& slice = ks.shard(i).db(db);
      if (slice.size() == 0) continue;
      enc.select_db(db);
      slice.keys.for_each([&](kv_entry* e) {
        enc.entry(e);
        if (chunk.size() >= 1024 * 1024) {
          file.write(chunk);
          chunk.clear();
        }
      });
    }
  }
  file.write(chunk);
  std::string err = file.finish();
  guard.release();
  if (!err.empty()) {
    last_bgsave_ok_ = false;
    log_warning("Failed saving the DB: {}", err);
    return std::string("ERR");
  }
  ks.dirty.fetch_sub(dirty_at_start);
  lastsave_ = wall_clock_ms() / 1000;
  last_bgsave_ok_ = true;
  ++rdb_saves_;
  log_notice("DB saved on disk ({} ms)", wall_clock_ms() - started);
  return std::nullopt;
}

void persistence::cron() {
  if (busy()) return;
  int64_t now = wall_clock_ms() / 1000;
  std::string ignored;
  // A job scheduled while another ran starts now. Should a replica's sync
  // take the slot first (on another reactor, since busy() above), the job
  // stays scheduled for the next tick rather than being lost.
  if (bgsave_scheduled_.exchange(false)) {
    if (start(job_kind::rdb) == "busy") bgsave_scheduled_ = true;
    return;
  }
  if (rewrite_scheduled_.exchange(false)) {
    if (start(job_kind::aof) == "busy") rewrite_scheduled_ = true;
    return;
  }
  int64_t dirty = srv_.keys().dirty.load();
  for (auto& [secs, changes] : *srv_.config().save.get()) {
    // After a failure, retry no sooner than 5 seconds later, as Redis does.
    bool may_retry = last_bgsave_ok_ || now - last_bgsave_try_ > 5;
    if (dirty >= changes && now - lastsave_ > secs && may_retry) {
      log_notice("{} changes in {} seconds. Saving...", changes, secs);
      start(job_kind::rdb);
      return;
    }
  }
  if (srv_.aof().enabled()) {
    int64_t pct = srv_.config().auto_aof_rewrite_percentage.get();
    int64_t min_size = srv_.config().auto_aof_rewrite_min_size.get();
    int64_t size = srv_.aof().current_size(), base = srv_.aof().base_size();
    if (pct > 0 && size > min_size) {
      int64_t growth = base > 0 ? (size * 100 / base) - 100 : 100 * 1000;
      if (growth >= pct) {
        log_notice("Starting automatic rewriting of AOF on {}% growth", growth);
        start(job_kind::aof);
      }
    }
  }
}

std::optional<std::string> persistence::load_rdb_at_startup() {
  std::string path = srv_.config().dbfilename.str();
  if (access(path.c_str(), F_OK) != 0) return std::nullopt;
  auto start_ms = wall_clock_ms();
  if (auto e = srv_.load_rdb_file(path)) return e;
  log_notice("DB loaded from disk: {:.3f} seconds", double(wall_clock_ms() - start_ms) / 1000.0);
  return std::nullopt;
}

std::string persistence::info() {
  std::string out;
  auto field = [&](const char* k, const std::string& v) {
    out += k;
    out += ':';
    out += v;
    out += "\r\n";
  };
  int64_t now = wall_clock_ms();
  bool bg = bgsave_running(), rw = rewrite_running();
  // A replica loading a full sync's data (the old data still served: async).
  // (At start-up the server loads before it listens; DEBUG RELOAD holds every
  // client: only a replica's load is seen here, but the fields are true.)
  dataset_loading loading = srv_.loading();
  bool loading_now = loading == dataset_loading::blocking ||
                     (loading == dataset_loading::none && loading_.active());
  field("loading", loading_now ? "1" : "0");
  field("async_loading", loading == dataset_loading::async ? "1" : "0");
  field("current_cow_peak", "0");
  field("current_cow_size", "0");
  field("current_cow_size_age", "0");
  field("current_fork_perc", "0.00");
  field("current_save_keys_processed", "0");
  field("current_save_keys_total", std::to_string(busy() ? save_keys_total_.load() : 0));
  field("rdb_changes_since_last_save", std::to_string(srv_.keys().dirty.load()));
  field("rdb_bgsave_in_progress", bg ? "1" : "0");
  field("rdb_last_save_time", std::to_string(lastsave_.load()));
  field("rdb_last_bgsave_status", last_bgsave_ok_ ? "ok" : "err");
  field("rdb_last_bgsave_time_sec", std::to_string(last_bgsave_secs_.load()));
  field("rdb_current_bgsave_time_sec", bg ? std::to_string((now - job_started_ms_) / 1000) : "-1");
  field("rdb_saves", std::to_string(rdb_saves_.load()));
  field("rdb_last_cow_size", "0");
  field("rdb_last_load_keys_expired", std::to_string(keys_expired_on_load_.load()));
  field("rdb_last_load_keys_loaded", std::to_string(keys_loaded_.load()));
  field("aof_enabled", srv_.aof().enabled() ? "1" : "0");
  field("aof_rewrite_in_progress", rw ? "1" : "0");
  field("aof_rewrite_scheduled", rewrite_scheduled_ ? "1" : "0");
  field("aof_last_rewrite_time_sec", std::to_string(last_rewrite_secs_.load()));
  field("aof_current_rewrite_time_sec", rw ? std::to_string((now - job_started_ms_) / 1000) : "-1");
  field("aof_last_bgrewrite_status", last_rewrite_ok_ ? "ok" : "err");
  field("aof_rewrites", std::to_string(aof_rewrites_.load()));
  field("aof_rewrites_consecutive_failures", std::to_string(rewrite_failures_.load()));
  out += srv_.aof().info_fields();
  field("aof_last_cow_size", "0");
  field("module_fork_in_progress", "0");
  field("module_fork_last_cow_size", "0");
  if (loading_.active()) out += loading_.info_fields(now);
  return out;
}

}  // namespace troupe
