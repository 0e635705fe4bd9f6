// What command implementations in storage/ may ask of the running server,
// without knowing it is made of actors: the configuration, keyspace events, and
// handing big values to the background freer. actors/server implements it.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/config/server_config.hpp"
#include "storage/acl/acl_registry.hpp"
#include "storage/dispatch/latency_monitor.hpp"
#include "storage/dispatch/pause_kind.hpp"
#include "storage/dispatch/slowlog.hpp"
#include "storage/eviction/evictor.hpp"
#include "storage/keyspace/lazy_free.hpp"
#include "storage/scripting/script_run_state.hpp"
#include "storage/scripting/script_store.hpp"

namespace troupe {

namespace cluster {
struct slot_routing;
}

// One write as the journal records it: the database and the command.
using journal_op = std::pair<int, std::vector<std::string>>;

struct kv_entry;
struct session;

// A replica's dataset while a full sync loads a new one: clients get -LOADING
// (blocking), or only commands flagged no_async_loading do while the old
// dataset is still served (async, repl-diskless-load swapdb).
enum class dataset_loading : uint8_t { none, blocking, async };

class server_services {
 public:
  explicit server_services(server_config& cfg) : config_(cfg) {}
  virtual ~server_services() = default;

  // Every directive as a typed row, read without a lock from any thread.
  server_config& config() const { return config_; }
  // SLOWLOG's entries (the dispatcher adds the slow commands).
  slowlog slow_log;
  // LATENCY's events (the dispatcher, the cron and eviction add samples).
  latency_monitor latency_events;
  // ACL users (AUTH, the ACL check on every command, ACL LOG).
  acl_registry acl;
  // Cached EVAL scripts and installed function libraries (every reactor's
  // script engine compiles from here).
  script_store scripts;
  // The script running past busy-reply-threshold, if any (-BUSY, SCRIPT KILL).
  script_run_state script_runs;
  // Seconds, 24 bits, as Redis's LRU_CLOCK; the server's cron advances it.
  std::atomic<uint32_t> lru_clock{0};
  // How many clients are in MONITOR mode: while none, the dispatcher builds no
  // MONITOR line (one relaxed load per command).
  std::atomic<int> monitor_clients{0};
  // DEBUG SET-ACTIVE-EXPIRE 0 stops the shards' expiry cycle (keys then expire
  // only when touched); DEBUG SET-SKIP-CHECKSUM-VALIDATION 1 makes RESTORE and
  // RDB loading accept payloads whose checksum does not match.
  std::atomic<bool> active_expire_enabled{true};
  std::atomic<bool> skip_checksum_validation{false};

  // Publishes a keyspace event (only called when notify_flags selects it).
  virtual void keyspace_event(uint32_t cls, std::string_view event, std::string_view key,
                              int db) = 0;
  // Frees detached entries in the background (the chain owns them until then).
  virtual void free_later(entry_chain chain) = 0;
  // Appends a write to the journal (AOF, replicas) in database db. Called with
  // the shards of the command's keys held, so the journal's order is the order
  // in which the writes happened.
  virtual void journal(int db, const std::vector<std::string>& args) = 0;
  // Appends the writes of one command or one EXEC together (MULTI/EXEC around
  // them when there is more than one).
  virtual void journal_ops(const std::vector<journal_op>& ops) = 0;
  // False while nothing reads the journal: commands skip building entries.
  virtual bool journal_active() const = 0;
  // Bytes of a master's stream, appended as they are: a replica hands its own
  // replicas, backlog and AOF exactly its master's stream. `db_after` is the
  // database the stream leaves selected.
  virtual void journal_raw(std::string_view /*bytes*/, int /*db_after*/) {}
  // The journal's end (a stream position): where a client's last write ended.
  virtual uint64_t journal_end() const { return 0; }
  // A command ran: its MONITOR line (monitor_line.hpp) for every monitor.
  virtual void feed_monitors(const std::string& /*line*/) {}

  // -- what the dispatcher's checks ask ------------------------------------------
  // The default user has a password (requirepass) or is off: clients must
  // authenticate.
  virtual bool auth_required() const = 0;
  // A client as CLIENT LIST shows it (ACL LOG's client-info).
  virtual std::string client_info(const session&) const { return {}; }
  // The last background save failed and stop-writes-on-bgsave-error is on.
  virtual bool writes_refused() const = 0;
  // This node replicates a master (READONLY, MASTERDOWN, LOADING, expiry).
  virtual bool is_replica() const { return false; }
  // cluster-enabled: MIGRATE sends RESTORE-ASKING, CLUSTER and READONLY work.
  virtual bool cluster_enabled() const { return false; }
  // cluster-enabled: where each hash slot is served (MOVED, ASK, CLUSTERDOWN...),
  // the cluster_node actor's latest immutable snapshot; nullptr when standalone.
  // The reference is the calling thread's copy: valid until this thread calls
  // again (take it once per command).
  virtual const std::shared_ptr<const cluster::slot_routing>& cluster_routing() const {
    static const std::shared_ptr<const cluster::slot_routing> none;
    return none;
  }
  // As a replica: the link to the master is up (synced, following the stream).
  virtual bool master_link_up() const { return true; }
  // As a replica: a full sync is loading a new dataset.
  virtual dataset_loading loading() const { return dataset_loading::none; }
  // maxmemory is set: evicts what the policy allows, for a bounded time, and
  // says whether memory is still over the limit with nothing left to evict.
  virtual eviction_result perform_evictions() { return eviction_result::ok; }
  // Bytes held only because replicas or the AOF have not read them yet: as in
  // Redis, they do not count against maxmemory (evicting would only add DELs).
  virtual size_t memory_not_counted_for_eviction() const { return 0; }
  // min-replicas-to-write is set and fewer replicas are good (-NOREPLICAS).
  virtual bool too_few_good_replicas() const { return false; }
  // Clients are paused (their commands wait). While any pause is on, keys do
  // not expire (they read as gone but are not deleted), so the replication
  // stream stands still, as in Redis 7.0.
  virtual pause_kind clients_paused() const { return pause_kind::none; }
  // A script has run past busy-reply-threshold on this thread: serve the other
  // clients of this thread once (they get -BUSY; SCRIPT KILL gets through).
  // `running` is the script's caller, left alone.
  virtual void serve_clients_while_busy(session& /*running*/) {}

 private:
  server_config& config_;
};

}  // namespace troupe
