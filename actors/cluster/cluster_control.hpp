// Cluster mode's hub inside a server: the node's cluster_state behind one
// mutex, what the CLUSTER commands run on it, what its outputs mean for the
// rest of the server (nodes.conf, replication, write pauses, keys of lost
// slots, PUBLISH from other nodes), and the routing snapshot every reactor's
// dispatcher reads.
//
// Threads: commands call in from their reactor, the cluster_node actor (the
// bus and the 100 ms tick) from CAF's scheduler. Each call holds the mutex
// only while the state machine runs; what it produced is done after: bus
// messages and link changes go to the actor's outbox, role changes are posted
// to reactor 0. The dispatcher never takes the mutex: it reads an immutable
// snapshot, replaced whole when the slot map or the cluster state changes.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>

#include "actors/cluster/slot_migration.hpp"
#include "topology/cluster/cluster_render.hpp"
#include "topology/cluster/cluster_state.hpp"
#include "topology/cluster/slot_routing.hpp"

namespace troupe {

class server;

// What the cluster_node actor must do about its links.
struct bus_link_op {
  enum class kind { connect, disconnect, rename, remove };
  kind what = kind::connect;
  std::string node_id;
  std::string new_id;  // rename
  std::string ip;      // connect
  int cport = 0;       // connect
};

// Everything the actor has to send or change, drained after each call.
struct bus_outbox {
  std::vector<cluster::outgoing_message> messages;
  std::vector<bus_link_op> links;
  std::string my_ip;  // how this node names itself (from_ip of its packets)
};

class cluster_control {
 public:
  explicit cluster_control(server& srv);
  ~cluster_control();
  cluster_control(const cluster_control&) = delete;
  cluster_control& operator=(const cluster_control&) = delete;

  // Reads cluster-config-file (creating it with a new identity when absent or
  // empty, as Redis does) and locks it. An error text stops the start-up.
  std::optional<std::string> load();
  // With the reactors running: publishes the bus on cluster-port, spawns the
  // cluster_node actor, resumes replication of a replica's master.
  std::optional<std::string> start();
  void stop();
  // The bus port (cluster-port, or port + 10000).
  int bus_port() const { return bus_port_; }

  // Runs a command on the state under the lock, then does what it produced.
  template <class F>
  auto command(F&& f) {
    std::unique_lock<std::mutex> g(mutex_);
    state_->set_now(now_ms());
    if constexpr (std::is_void_v<decltype(f(*state_))>) {
      f(*state_);
      after_locked(state_->take_output(), g, true);
    } else {
      auto r = f(*state_);
      after_locked(state_->take_output(), g, true);
      return r;
    }
  }
  // A read-only look at the state (CLUSTER NODES, INFO, SLOTS...).
  template <class F>
  auto view(F&& f) const {
    std::lock_guard<std::mutex> g(mutex_);
    return f(static_cast<const cluster::cluster_state&>(*state_));
  }
  // PUBLISH / SPUBLISH on this node: the other nodes' subscribers get it too.
  void publish(std::string_view channel, std::string_view message, bool sharded);
  // CLUSTER SAVECONFIG: false (with the reason) when the file cannot be written.
  std::optional<std::string> save_config_now();

  // -- for the cluster_node actor ---------------------------------------------------
  void set_actor(caf::actor a) { actor_ = std::move(a); }
  void tick();
  void receive(const cluster::cluster_message& msg, const cluster::link_origin& from);
  void link_up(const std::string& id);
  void link_down(const std::string& id);
  bus_outbox take_outbox();
  // The actor's links as CLUSTER LINKS shows them (it replaces the list when
  // a link comes or goes).
  void set_links(std::vector<cluster::link_info> links);
  std::vector<cluster::link_info> links() const;
  // DEBUG DROP-CLUSTER-PACKET-FILTER: received messages of this type (-1: none)
  // are dropped, as Redis 7.0's test hook does.
  std::atomic<int> drop_packet_filter{-1};
  // Fault injection between nodes (DEBUG CLUSTER-LINK-FILTER, a Troupe
  // extension): messages to and from `node_id` are dropped (delay_ms < 0) or
  // those to it held back for delay_ms; 0 removes the rule. A partition is a
  // drop rule on each side.
  void set_link_filter(const std::string& node_id, int64_t delay_ms);
  // The rule for a node: 0 none, < 0 drop, > 0 delay in ms.
  int64_t link_filter(const std::string& node_id) const;

  // -- atomic slot migration (actors/cluster/slot_migration.hpp; cluster_migrations.cpp)
  // The source: starts moving the slots of `ranges` to node `target` in the
  // background; the error when it cannot start.
  std::optional<std::string> migrate_slots(const std::vector<std::pair<int, int>>& ranges,
                                           const std::string& target);
  // Running and recent migrations, oldest first.
  std::vector<std::shared_ptr<const slot_migration>> migrations() const;
  // Cancels the running ones; how many.
  size_t cancel_migrations();
  // The target: connection `client` imports `ranges` from node `source` (CLUSTER
  // SYNCSLOTS ESTABLISH); FINISH takes the slots; a connection that closes
  // before that leaves nothing behind.
  std::optional<std::string> import_begin(uint64_t client, const std::string& source,
                                          const std::vector<std::pair<int, int>>& ranges);
  std::optional<std::string> import_finish(uint64_t client);
  void import_closed(uint64_t client);

  // -- the routing snapshot ---------------------------------------------------------
  // The calling thread's copy of the current snapshot (refreshed when it changed).
  const std::shared_ptr<const cluster::slot_routing>& routing() const;

  static int64_t now_ms();

 private:
  cluster::cluster_options options_from_config() const;
  // Handles an output with the lock held (g), releases it, then does the
  // side effects that must not run under it.
  // `command`: a CLUSTER command ran (anything may have changed, SETSLOT's
  // migrations included); otherwise the routing snapshot is rebuilt only when
  // the nodes' summary changed (the tick runs 10 times a second).
  void after_locked(cluster::cluster_output out, std::unique_lock<std::mutex>& g,
                    bool command = false);
  uint64_t routing_signature() const;
  void refresh_replication_inputs();
  // cluster-bootstrap: a fresh node takes its part of the plan (slots, epoch,
  // meets); a replica-to-be remembers its master until it knows it.
  void bootstrap();
  void bootstrap_replicate_locked(cluster::cluster_output& out);
  void publish_routing_locked();
  bool write_config_locked(std::string* err);
  // The exchange save; false (errno set) when it could not be done.
  bool exchange_config_locked(const std::string& text, bool durable);
  void open_spare_locked();

  server& srv_;
  mutable std::mutex mutex_;
  std::unique_ptr<cluster::cluster_state> state_;
  std::string config_path_;
  int bus_port_ = 0;
  caf::actor actor_;
  caf::actor publisher_;  // keeps the published bus endpoint

  std::mutex outbox_mutex_;
  bus_outbox outbox_;

  mutable std::mutex filter_mutex_;
  std::unordered_map<std::string, int64_t> filters_;
  std::atomic<bool> any_filter_{false};

  mutable std::mutex links_mutex_;
  std::vector<cluster::link_info> links_;

  struct slot_import {
    std::string source;
    std::vector<int> slots;
  };
  mutable std::mutex migrations_mutex_;
  std::vector<std::shared_ptr<slot_migration>> migrations_;
  std::unordered_map<uint64_t, slot_import> imports_;  // by client id
  uint64_t migration_seq_ = 0;
  void stop_migrations();

  mutable std::mutex routing_mutex_;
  std::shared_ptr<const cluster::slot_routing> routing_;
  std::atomic<uint64_t> routing_version_{1};
  uint64_t last_signature_ = 0;
  std::string bootstrap_master_host_;  // cluster-bootstrap: the master to follow
  int bootstrap_master_port_ = 0;
  int lock_fd_ = -1;  // the file at config_path_, locked for the server's life
  // The spare file (config_path_ + ".tmp"), locked too: a save writes the new
  // content into it, then exchanges it with nodes.conf (renameat2
  // RENAME_EXCHANGE), so the file at the path is always whole and no inode is
  // created or freed per save. -1 when the file system cannot exchange.
  int spare_fd_ = -1;
  std::string spare_path_;
  std::vector<int> stale_fds_;  // locks of replaced nodes.conf files, closed by the tick
  // The epochs in the last nodes.conf written with fsync.
  uint64_t synced_current_epoch_ = UINT64_MAX, synced_vote_epoch_ = UINT64_MAX,
           synced_config_epoch_ = UINT64_MAX;
};

}  // namespace troupe
