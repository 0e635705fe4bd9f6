// One node's view of a Redis Cluster as a plain state machine: the node table,
// the epochs, the 16384-slot owner map with migrating/importing slots, the
// cluster state (ok/fail), the CLUSTER commands that change them, and the bus
// logic (gossip, failure detection, UPDATE, epoch collisions, replica
// elections, manual failover, replica migration), all as Redis Cluster 7.0
// does them.
//
// No sockets, threads or clocks: time comes in as milliseconds, randomness
// from the source given to the constructor, keys counts from hooks. The actor
// layer feeds it what happens (a message received, a link up or down, a
// tick every 100 ms) and does what it returns (messages to send, events).
#pragma once
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include "topology/cluster/cluster_messages.hpp"

namespace troupe::cluster {

struct cluster_options {
  int64_t node_timeout_ms = 15000;
  int64_t replica_validity_factor = 10;
  int64_t repl_ping_replica_period_s = 10;
  int64_t migration_barrier = 1;
  bool allow_replica_migration = true;
  bool require_full_coverage = true;
  bool replica_no_failover = false;
  // This node's announced address (cluster-announce-*); empty/0: the real one.
  std::string announce_ip;
  int port = 6379;
  int cport = 16379;
  std::string hostname;  // cluster-announce-hostname
};

// Key counts the state machine cannot know (the keyspace is not its business).
struct keyspace_hooks {
  std::function<uint64_t(int slot)> keys_in_slot = [](int) -> uint64_t { return 0; };
  std::function<uint64_t()> keys_in_db0 = []() -> uint64_t { return 0; };
};

// "Long ago": the time of things that never happened, so that any clock
// (wall or monotonic, starting anywhere) sees them as old.
constexpr int64_t never_ms = INT64_MIN / 4;
// A manual failover's time limit (Redis's CLUSTER_MF_TIMEOUT).
constexpr int64_t mf_timeout_ms = 5000;

struct failure_report {
  std::string reporter;
  int64_t time_ms = 0;
};

struct cluster_node {
  std::string id;  // 40 hex characters
  uint16_t flags = 0;
  uint64_t config_epoch = 0;
  std::string ip;
  int port = 0;
  int cport = 0;
  std::string hostname;
  std::string master_id;              // "" when none
  std::vector<std::string> replicas;  // ids, for masters
  slot_bitmap slots;
  int numslots = 0;
  int64_t ctime = 0;
  int64_t ping_sent = 0;
  int64_t pong_received = 0;
  int64_t data_received = 0;
  int64_t fail_time = 0;
  int64_t voted_time = never_ms;  // the last vote for one of its replicas
  int64_t repl_offset_time = 0;
  int64_t orphaned_time = 0;
  int64_t repl_offset = 0;
  bool link = false;        // the outbound bus link is up
  bool connecting = false;  // a connect event was given, no answer yet
  int64_t link_ctime = 0;
  std::vector<failure_report> fail_reports;

  bool has(uint16_t f) const { return (flags & f) != 0; }
  bool is_master() const { return has(node_flag::master); }
  bool is_replica() const { return has(node_flag::replica); }
  bool failing() const { return has(node_flag::pfail | node_flag::fail); }
};

// Something the actor layer must do or know besides sending messages.
struct cluster_event {
  enum class kind {
    log,             // text: a line for the server log (Redis's words)
    state_changed,   // text: "ok" or "fail"
    save_config,     // nodes.conf must be written
    connect,         // node_id: open the bus link to ip:cport
    disconnect,      // node_id: close the bus link
    node_renamed,    // node_id: the old id, text: the new one (handshake done)
    node_deleted,    // node_id
    become_replica,  // node_id: the new master (ip/port in the table)
    become_master,   // stop replicating
    empty_data,      // drop every key (a replica reset: Redis's emptyData)
    pause_writes,    // until_ms: a replica asked for a manual failover
    unpause_writes,
    delete_keys_in_slot,  // slot: the slot is someone else's now
    publish,              // text: channel, payload: message
    publishshard,
  };
  kind what = kind::log;
  std::string node_id;
  std::string text;
  std::string payload;
  int slot = -1;
  int64_t until_ms = 0;
};

struct outgoing_message {
  std::string target;  // node id (for replies on an inbound link: the sender's id)
  bool reply = false;  // send back on the link the received message came on
  cluster_message msg;
};

struct cluster_output {
  std::vector<outgoing_message> messages;
  std::vector<cluster_event> events;
};

// How a received message arrived.
struct link_origin {
  std::string node_id;   // our outbound link to this node; "" for an inbound link
  std::string peer_ip;   // the socket's remote address
  std::string local_ip;  // the socket's local address (how the peer sees us)
};

class cluster_state {
 public:
  using random_source = std::function<uint64_t()>;

  // A fresh node: a new random id, a master without slots, epochs 0.
  cluster_state(cluster_options opts, random_source rng, int64_t now_ms, keyspace_hooks hooks = {});

  const cluster_options& options() const { return opts_; }
  void set_options(const cluster_options& opts);

  // --- the table -----------------------------------------------------------
  const cluster_node& myself() const { return *myself_; }
  const cluster_node* node(std::string_view id) const;
  // In table order (insertion order; myself first for a fresh node).
  std::vector<const cluster_node*> nodes() const;
  size_t node_count() const { return nodes_.size(); }
  // The owner of a slot, or nullptr.
  const cluster_node* slot_owner(int slot) const { return owners_[slot]; }
  const cluster_node* migrating_to(int slot) const { return migrating_[slot]; }
  const cluster_node* importing_from(int slot) const { return importing_[slot]; }
  uint64_t current_epoch() const { return current_epoch_; }
  uint64_t last_vote_epoch() const { return last_vote_epoch_; }
  bool ok() const { return state_ok_; }
  // Masters that serve at least one slot (CLUSTER INFO's cluster_size).
  int size() const;
  // A 40-hex id from the random source.
  std::string random_node_id();

  // Time the commands below see (tick and receive also set it).
  void set_now(int64_t now_ms) { now_ = now_ms; }
  // This node's replication offset (a master's, or what a replica processed),
  // set by the actor before tick/receive.
  void set_replication_offset(int64_t offset) { myself_->repl_offset = offset; }
  // For a replica: when the link with its master went down (0: it is up, or
  // the time of the last data from the master); the election's data age.
  void set_master_link_down_since(int64_t ms) { master_link_down_since_ = ms; }

  // --- CLUSTER commands: nullopt on success, else the error reply (without
  // the leading '-'). Arguments are those after the subcommand.
  std::optional<std::string> addslots(const std::vector<std::string_view>& args);
  std::optional<std::string> delslots(const std::vector<std::string_view>& args);
  std::optional<std::string> addslotsrange(const std::vector<std::string_view>& args);
  std::optional<std::string> delslotsrange(const std::vector<std::string_view>& args);
  std::optional<std::string> flushslots();
  std::optional<std::string> setslot(const std::vector<std::string_view>& args);
  std::optional<std::string> replicate(std::string_view id);
  std::optional<std::string> forget(std::string_view id);
  // args: {} (soft), {"soft"} or {"hard"}.
  std::optional<std::string> reset(const std::vector<std::string_view>& args);
  std::optional<std::string> set_config_epoch(std::string_view epoch);
  // "BUMPED n" or "STILL n" (a status reply).
  std::string bumpepoch();
  // The number of valid failure reports, or the error.
  std::variant<int64_t, std::string> count_failure_reports(std::string_view id);
  // MEET ip port [cport]: starts a handshake (cport 0: port + 10000).
  std::optional<std::string> meet(std::string_view ip, std::string_view port,
                                  std::string_view cport = {});
  // FAILOVER [FORCE|TAKEOVER] on a replica.
  std::optional<std::string> failover(const std::vector<std::string_view>& args);
  // Atomic slot migration (CLUSTER MIGRATESLOTS). The checks before one
  // starts: this node is a master owning every slot, none of them in a
  // SETSLOT migration, and the target a known master that is not failing.
  std::optional<std::string> check_migration(const std::vector<int>& slots,
                                             std::string_view target) const;
  // On the target, at the end: the slots (owned by `source`) become this
  // node's under a new config epoch, told to every node at once.
  std::optional<std::string> take_imported_slots(const std::vector<int>& slots,
                                                 std::string_view source);
  // On the source, once the target has taken them: the slots are the target's.
  std::optional<std::string> give_migrated_slots(const std::vector<int>& slots,
                                                 std::string_view target);
  // Replicas of a master: CLUSTER REPLICAS/SLAVES; the error when unknown or not a master.
  std::variant<std::vector<const cluster_node*>, std::string> replicas_of(
      std::string_view id) const;

  // What the commands above queued (log lines, save requests, role changes,
  // and messages: MFSTART, the PONGs of a takeover): the caller drains it
  // after each command.
  cluster_output take_output();

  // --- the bus -------------------------------------------------------------
  // Every 100 ms (Redis's clusterCron): handshake timeouts, pings, PFAIL,
  // elections, manual failover, replica migration, the cluster state.
  cluster_output tick(int64_t now_ms);
  cluster_output receive(const cluster_message& msg, const link_origin& from, int64_t now_ms);
  // The outbound link to `id` is connected: the first PING (or MEET).
  cluster_output link_up(std::string_view id, int64_t now_ms);
  // The outbound link to `id` failed to connect, or closed. A failed
  // connection counts as a ping sent (if none is pending): failure detection
  // works for nodes that cannot be reached at all.
  void link_down(std::string_view id, int64_t now_ms);
  // PUBLISH / SPUBLISH on this node: the messages for the other nodes
  // (SPUBLISH: only this shard's nodes).
  cluster_output publish(std::string_view channel, std::string_view message, bool sharded);

  // A message of `type` with this node's header (tests and the actor).
  cluster_message make_header(message_type type) const;

  // Statistics for CLUSTER INFO.
  struct message_counters {
    std::array<uint64_t, message_type_count> sent{};
    std::array<uint64_t, message_type_count> received{};
  };
  const message_counters& counters() const { return stats_; }
  // The actor counts messages it really sends (those returned are counted
  // here when returned) and links dropped for exceeding the send buffer.
  uint64_t links_buffer_limit_exceeded = 0;

  // Manual failover progress (for tests and INFO).
  bool manual_failover_in_progress() const { return mf_end_ != 0; }
  bool manual_failover_can_start() const { return mf_can_start_; }
  uint64_t failover_auth_epoch() const { return failover_auth_epoch_; }
  int64_t failover_auth_time() const { return failover_auth_time_; }
  int failover_auth_rank() const { return failover_auth_rank_; }
  bool failover_auth_sent() const { return failover_auth_sent_; }

  // --- loading (nodes.conf) --------------------------------------------------
  // Used by the nodes.conf reader; not for the commands.
  cluster_node& load_node(const std::string& id);  // finds or creates
  void load_set_myself(cluster_node& n);
  void load_set_epochs(uint64_t current, uint64_t last_vote) {
    current_epoch_ = current;
    last_vote_epoch_ = last_vote;
  }
  void load_assign_slot(int slot, cluster_node& n) { add_slot(n, slot); }
  void load_set_migrating(int slot, cluster_node& n) { migrating_[slot] = &n; }
  void load_set_importing(int slot, cluster_node& n) { importing_[slot] = &n; }
  void load_set_master(cluster_node& replica, cluster_node& master);
  // After loading: recompute the state.
  void loaded(int64_t now_ms);

  // Slot and node counts of the last state computation (CLUSTER INFO).
  int slots_assigned() const;
  int slots_ok() const;
  int slots_pfail() const;
  int slots_fail() const;

 private:
  friend struct cluster_test_access;

  cluster_node* find(std::string_view id) const;
  cluster_node& add_node(std::string id, uint16_t flags);
  void delete_node(cluster_node* n);
  void rename_node(cluster_node* n, const std::string& new_id);
  bool add_slot(cluster_node& n, int slot);
  bool del_slot(int slot);
  void del_node_slots(cluster_node& n);
  void set_node_as_master(cluster_node& n);
  void set_my_master(cluster_node& n);
  void add_replica(cluster_node& master, cluster_node& replica);
  void remove_replica(cluster_node& master, const std::string& replica);
  int ok_replicas(const cluster_node& master) const;
  void update_state();
  void log(std::string text);
  void event(cluster_event::kind k, std::string node_id = {});
  void save();
  bool blacklisted(std::string_view id);
  std::optional<std::string> update_slots(const std::vector<std::string_view>& args, bool del,
                                          bool ranges);
  bool bump_epoch_without_consensus();

  // bus
  void send(cluster_output& out, cluster_node& to, cluster_message msg);
  void reply(cluster_output& out, const std::string& to, cluster_message msg);
  cluster_message make_ping(message_type type, cluster_node* to);
  void send_ping(cluster_output& out, cluster_node& to, message_type type);
  void broadcast(cluster_output& out, const cluster_message& msg);
  enum class pong_target { all, local_replicas };
  void broadcast_pong(cluster_output& out, pong_target target);
  void process_gossip(const cluster_message& msg, cluster_node* sender, cluster_output& out);
  bool update_address_if_needed(cluster_node& n, const link_origin& from,
                                const cluster_message& msg);
  void update_slots_config_with(cluster_node& sender, uint64_t epoch, const slot_bitmap& slots,
                                cluster_output& out);
  void handle_epoch_collision(cluster_node& sender);
  bool add_failure_report(cluster_node& failing, const cluster_node& reporter);
  bool del_failure_report(cluster_node& failing, const cluster_node& reporter);
  void clean_failure_reports(cluster_node& n);
  void mark_failing_if_needed(cluster_node& n, cluster_output& out);
  void clear_failure_if_needed(cluster_node& n);
  void drain_events(cluster_output& out);

  // elections and manual failover
  void send_vote_if_needed(cluster_node& requester, const cluster_message& req,
                           cluster_output& out);
  void handle_replica_failover(cluster_output& out);
  void handle_manual_failover();
  void handle_replica_migration(int max_replicas);
  int replica_rank() const;
  void replace_my_master(cluster_output& out);
  void reset_manual_failover();
  void log_cant_failover(int reason);

  cluster_options opts_;
  random_source rng_;
  keyspace_hooks hooks_;
  int64_t now_ = 0;
  std::vector<std::unique_ptr<cluster_node>> nodes_;
  std::unordered_map<std::string, cluster_node*> by_id_;
  cluster_node* myself_ = nullptr;
  std::array<cluster_node*, slot_count> owners_{};
  std::array<cluster_node*, slot_count> migrating_{};
  std::array<cluster_node*, slot_count> importing_{};
  uint64_t current_epoch_ = 0;
  uint64_t last_vote_epoch_ = 0;
  bool state_ok_ = false;
  int64_t first_update_ms_ = -1;
  int64_t among_minority_time_ = INT64_MIN / 4;         // never yet
  std::unordered_map<std::string, int64_t> blacklist_;  // id -> expiry (ms)
  std::vector<cluster_event> events_;
  std::vector<outgoing_message> pending_messages_;  // sent by commands
  message_counters stats_;
  int64_t iteration_ = 0;
  int64_t master_link_down_since_ = 0;
  bool pending_pong_broadcast_ = false;  // SETSLOT NODE ended an import

  // election
  int64_t failover_auth_time_ = never_ms;
  int failover_auth_count_ = 0;
  bool failover_auth_sent_ = false;
  int failover_auth_rank_ = 0;
  uint64_t failover_auth_epoch_ = 0;
  int cant_failover_reason_ = 0;
  int64_t last_cant_failover_log_ = never_ms;
  // manual failover
  int64_t mf_end_ = 0;
  std::string mf_replica_;  // master side: the replica that asked
  int64_t mf_master_offset_ = -1;
  bool mf_can_start_ = false;
};

// A slot argument as ADDSLOTS, SETSLOT, COUNTKEYSINSLOT... read it: the slot
// (0..16383), or -1 for "ERR Invalid or out of range slot".
int parse_slot(std::string_view s);

}  // namespace troupe::cluster
