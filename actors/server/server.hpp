// The running server: configuration, keyspace, reactors and the actors on them,
// connected clients and statistics. It boots the actor graph from the config,
// implements what commands may ask of the server (server_services), and shuts
// everything down on SHUTDOWN or SIGTERM.
#pragma once
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "actors/admin/admin_endpoint.hpp"
#include "actors/cluster/cluster_control.hpp"
#include "actors/persistence/aof.hpp"
#include "actors/persistence/persistence.hpp"
#include "actors/pubsub/pubsub_hub.hpp"
#include "actors/replication/failover.hpp"
#include "actors/replication/replica_control.hpp"
#include "actors/replication/replication_master.hpp"
#include "actors/replication/replication_state.hpp"
#include "actors/runtime/actor_registry.hpp"
#include "actors/runtime/reactor.hpp"
#include "actors/server/client_pause.hpp"
#include "actors/server/monitor_hub.hpp"
#include "actors/server/shutdown.hpp"
#include "storage/dispatch/dispatcher.hpp"
#include "storage/dispatch/server_services.hpp"
#include "storage/dispatch/server_stats.hpp"
#include "storage/dispatch/session.hpp"
#include "storage/journal/journal.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/keyspace/keyspace.hpp"
#include "storage/keyspace/lazy_free.hpp"

namespace troupe {

class tls_context;
class sentinel_control;
class proxy_control;
namespace proxy {
struct pool_config;
}
namespace sentinel {
struct sentinel_conf;
}

class connection;

// A connected client as the registry sees it, for CLIENT LIST / KILL / INFO.
struct client_record {
  session* s;
  caf::actor handle;
  int reactor;
};

class server : public server_services {
 public:
  server(caf::actor_system& sys, server_config& cfg);
  ~server() override;

  // Boots reactors, shards and listeners; false (with a logged reason) on failure.
  bool start();
  // Blocks until shutdown is requested, then stops. Returns the exit code.
  int wait_and_stop();
  // Asks for an orderly shutdown (SHUTDOWN, SIGTERM); any thread.
  void request_shutdown(int exit_code = 0);

  caf::actor_system& system() { return sys_; }
  keyspace& keys() { return *keyspace_; }
  // Every live actor (spawn through spawn_actor, actors/spawn.hpp).
  actor_registry& registry() { return registry_; }
  // The actor of shard i (its cron ticks and snapshot walks are sent to it).
  const caf::actor& shard_actor(int i) const { return shard_actors_[size_t(i)]; }
  // Values waiting for the background freer (INFO lazyfree_*).
  lazy_free_queue& lazy_free() { return lazy_free_; }
  int reactor_count() const { return int(reactors_.size()); }
  reactor& reactor_at(int i) { return *reactors_[size_t(i)]; }
  reactor_stats& stats_of(int reactor) { return *stats_[size_t(reactor)]; }
  // The command dispatcher of a reactor (every command goes through one).
  dispatcher& dispatcher_of(int reactor) { return *dispatchers_[size_t(reactor)]; }
  const std::vector<std::unique_ptr<reactor_stats>>& all_stats() const { return stats_; }

  // -- clients -------------------------------------------------------------------
  uint64_t next_client_id() { return next_client_id_.fetch_add(1) + 1; }
  // Registers a client; false when maxclients is reached.
  bool add_client(uint64_t id, client_record r);
  void remove_client(uint64_t id);
  // A connection importing slots (CLUSTER SYNCSLOTS) closed.
  void slot_import_closed(uint64_t client) {
    if (cluster_) cluster_->import_closed(client);
  }
  size_t client_count() const;
  // Runs f(record) for every client under the registry lock.
  template <class F>
  void for_each_client(F&& f) {
    std::lock_guard<std::mutex> g(clients_mutex_);
    for (auto& [id, r] : clients_) f(id, r);
  }
  // Connections hosted on a reactor (touched only by that reactor's thread).
  std::unordered_set<connection*>& hosted_connections(int reactor) {
    return hosted_connections_[size_t(reactor)];
  }
  // The reactor that should take the next accepted connection.
  int pick_reactor() { return int(next_reactor_.fetch_add(1) % reactors_.size()); }

  pubsub_hub& pubsub() { return pubsub_; }
  monitor_hub& monitors() { return monitors_; }
  void feed_monitors(const std::string& line) override;
  // Qualified: server_services::journal() (a method) hides the class here.
  troupe::journal& journal_log() { return journal_; }
  aof_manager& aof() { return *aof_; }
  class persistence& snapshots() {
    return *persistence_;
  }
  // Loads an RDB file into the (empty) keyspace; an error message on failure.
  std::optional<std::string> load_rdb_file(const std::string& path);
  // The output limits of the class this client belongs to.
  output_limit output_limit_for(const session& s) const;

  bool auth_required() const override { return acl.auth_required(); }
  std::string client_info(const session& s) const override;
  // The admin endpoint's HTTP Basic credentials: what AUTH would accept.
  bool admin_credentials_ok(const std::string& user, const std::string& password) const;
  admin_endpoint& admin() { return *admin_; }
  bool writes_refused() const override;
  eviction_result perform_evictions() override;
  size_t memory_not_counted_for_eviction() const override;
  evictor& eviction() { return *evictor_; }
  bool too_few_good_replicas() const override {
    return replication_master_->too_few_good_replicas();
  }
  // The cron's frequency: hz, raised with many clients under dynamic-hz.
  int hz() const { return hz_.load(std::memory_order_relaxed); }

  // -- misc state for INFO -------------------------------------------------------
  int64_t start_time_ms() const { return start_time_ms_; }
  const std::string& run_id() const { return run_id_; }
  // Role, master address and replication ids (actors/replication/).
  replication_state& replication() { return replication_; }
  // The replica side: REPLICAOF, the master link, what INFO and ROLE show.
  replica_control& replica() { return *replica_; }
  // The replicas of this node and their syncs (actors/replication/).
  class replication_master& replicas() {
    return *replication_master_;
  }
  // SHUTDOWN, SIGTERM, SIGINT: waiting for replicas, the final save.
  shutdown_sequence& shutdown() { return shutdown_; }
  // FAILOVER on this master (actors/replication/failover.hpp).
  failover_coordinator& failover() { return failover_; }
  int tcp_port() const { return port_.load(); }
  // -- TLS (server_tls.cpp) ----------------------------------------------------------
  // The contexts new TLS connections use (built from the tls-* rows); nullptr
  // while TLS is off. A reload swaps them; sessions keep the ones they began with.
  std::shared_ptr<const tls_context> tls() const;
  // CLIENT PAUSE, FAILOVER and SHUTDOWN's pauses, and the clients they hold.
  client_pause& pauses() { return pauses_; }
  std::string executable;
  std::string config_file_path;
  int64_t ops_per_sec() const { return ops_per_sec_.load(std::memory_order_relaxed); }
  int64_t input_kbps_x100() const { return input_kbps_.load(std::memory_order_relaxed); }
  int64_t output_kbps_x100() const { return output_kbps_.load(std::memory_order_relaxed); }
  void reset_stats();
  // Adds counters kept outside reactors (expired keys...) to INFO's sums.
  counter expired_stale_perc;
  counter evicted_clients;  // disconnected by maxmemory-clients (reactor 0's cron)

  // -- server_services -------------------------------------------------------------
  void keyspace_event(uint32_t cls, std::string_view event, std::string_view key, int db) override;
  // CLIENT TRACKING: sends what the tracking table says (under a command's
  // shards: it only posts messages). `by` ran the command: its own
  // invalidations wait in its session for its reply to go first.
  void deliver_invalidations(std::vector<invalidation>& invs, uint64_t by);
  void free_later(entry_chain chain) override;
  void journal(int db, const std::vector<std::string>& args) override;
  void journal_ops(const std::vector<journal_op>& ops) override;
  bool journal_active() const override { return journal_.active(); }
  void journal_raw(std::string_view bytes, int db_after) override {
    journal_.append_raw(bytes, db_after);
  }
  bool is_replica() const override {
    return replication_.is_replica.load(std::memory_order_relaxed);
  }
  bool master_link_up() const override { return replica_->link_up(); }
  dataset_loading loading() const override { return replica_->loading(); }
  uint64_t journal_end() const override { return journal_.end(); }
  pause_kind clients_paused() const override { return pauses_.current(); }
  void serve_clients_while_busy(session& running) override;
  // -- sentinel mode (actors/sentinel/) -----------------------------------------------
  // troupe-server --sentinel: before start(), the `sentinel` lines of the file.
  void enable_sentinel(const sentinel::sentinel_conf& conf);
  // The Sentinel; nullptr when not in sentinel mode.
  sentinel_control* sentinel() { return sentinel_.get(); }

  // -- proxy mode (actors/proxy/) -----------------------------------------------------
  // troupe-server pool.yml --proxy: before start(), the pool to serve.
  void enable_proxy(const proxy::pool_config& pool);
  // The proxy; nullptr when not in proxy mode.
  proxy_control* proxy() { return proxy_.get(); }
  // -- cluster mode (actors/cluster/) ---------------------------------------------------
  bool cluster_enabled() const override { return cluster_ != nullptr; }
  // The node's cluster view and bus; nullptr when standalone.
  cluster_control* cluster() { return cluster_.get(); }
  const std::shared_ptr<const cluster::slot_routing>& cluster_routing() const override {
    return cluster_ ? cluster_->routing() : server_services::cluster_routing();
  }

 private:
  void attach_config_hooks();
  bool load_data();
  bool open_listeners();
  // Listens on `bind` and `port` as they are now (CONFIG SET of either), opening
  // the new sockets before closing the old ones; an error leaves the old ones.
  bool rebind(std::string& err);
  // TLS: builds the contexts at start-up when tls-port, tls-replication or
  // tls-cluster asks for them; the hooks that rebuild them on CONFIG SET; the
  // tls-port listeners (on every bind address, opened before the old close).
  bool start_tls();
  void attach_tls_hooks();
  config_error reload_tls();
  bool listen_tls(std::string& err);
  // Recomputes the cron's frequency and moves every reactor's cron timer to it.
  void update_hz();
  static int cron_period_ms(int hz);
  void cron(int reactor_index);
  void sample_instantaneous();

  caf::actor_system& sys_;
  server_config& cfg_;
  actor_registry registry_;
  std::unique_ptr<keyspace> keyspace_;
  std::vector<std::unique_ptr<reactor>> reactors_;
  std::vector<std::unique_ptr<reactor_stats>> stats_;
  std::vector<std::unique_ptr<dispatcher>> dispatchers_;
  // Handles the server sends to (the registry is where actors are enumerated).
  std::vector<caf::actor> shard_actors_;
  std::vector<caf::actor> listeners_;  // closed when CONFIG SET port rebinds
  lazy_free_queue lazy_free_;
  std::unique_ptr<evictor> evictor_;
  // Reactor 0 runs eviction passes between its loop passes while memory is over
  // maxmemory and no command came to do it.
  std::atomic<bool> eviction_task_{false};
  void schedule_eviction_task();
  caf::actor lazy_freer_;
  pubsub_hub pubsub_;
  monitor_hub monitors_{monitor_clients};
  std::unique_ptr<admin_endpoint> admin_;
  troupe::journal journal_;
  std::unique_ptr<aof_manager> aof_;
  std::unique_ptr<class persistence> persistence_;
  std::unique_ptr<sentinel_control> sentinel_;
  std::unique_ptr<proxy_control> proxy_;
  // The cron timer of each reactor, and the frequency it runs at.
  std::vector<uint64_t> cron_timers_;
  std::atomic<int> hz_{10};
  std::mutex hz_mutex_;  // update_hz runs from the cron and from CONFIG SET
  // What the listeners listen on (rebind compares).
  std::vector<std::string> bound_addrs_;

  std::vector<std::unordered_set<connection*>> hosted_connections_;
  mutable std::mutex clients_mutex_;
  std::map<uint64_t, client_record> clients_;
  std::atomic<uint64_t> next_client_id_{0};
  std::atomic<uint64_t> next_reactor_{0};

  std::atomic<int> port_{0};
  mutable std::mutex tls_mutex_;
  std::shared_ptr<const tls_context> tls_;
  std::vector<caf::actor> tls_listeners_;
  int tls_bound_port_ = 0;
  std::vector<std::string> tls_bound_addrs_;

  int64_t start_time_ms_ = 0;
  std::string run_id_;
  replication_state replication_;
  client_pause pauses_;
  failover_coordinator failover_{*this};
  shutdown_sequence shutdown_{*this};
  std::unique_ptr<replica_control> replica_;
  std::unique_ptr<class replication_master> replication_master_;
  std::unique_ptr<cluster_control> cluster_;

  // instantaneous_* metrics, sampled by reactor 0's cron like Redis's.
  struct sample_ring {
    int64_t last_value = 0, last_time = 0;
    int64_t samples[16] = {};
    int idx = 0;
  };
  sample_ring ops_ring_, in_ring_, out_ring_;
  std::atomic<int64_t> ops_per_sec_{0}, input_kbps_{0}, output_kbps_{0};

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;
  int exit_code_ = 0;
};

}  // namespace troupe
