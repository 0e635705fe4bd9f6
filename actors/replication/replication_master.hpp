// The master's side of replication, one per server: the replicas attached (each
// with its replica_feed), the answer to PSYNC (partial resync from the backlog or
// full sync), full syncs and the rules for starting them (repl-diskless-sync,
// -delay, -max-replicas; several waiting replicas share one snapshot), the
// backlog's life (created with the first replica, freed after repl-backlog-ttl
// without any), the PINGs of repl-ping-replica-period, the good-replica count of
// min-replicas-to-write, WAIT, and what INFO and ROLE say about replicas.
//
// Feeds call it from their reactors, commands from theirs, the cron from
// reactor 0; its state is under one mutex (never held while taking shards).
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/replication/replica_link.hpp"
#include "storage/keyspace/blocking.hpp"
#include "topology/replication/failover_plan.hpp"

namespace troupe {

class server;
class reply_writer;
class reactor;

class replication_master {
 public:
  explicit replication_master(server& srv);
  ~replication_master();

  // -- feeds ---------------------------------------------------------------------------
  // A replica asks for a sync. A partial resync is answered at once (the
  // link's stream reader is set and `reply` is "+CONTINUE..."); otherwise the
  // link waits for a full sync, which may start right now.
  struct attach_result {
    bool partial = false;
    std::string reply;
  };
  attach_result attach(const std::shared_ptr<replica_link>& link);
  // The feed ends (its readers are already detached).
  void detach(const std::shared_ptr<replica_link>& link);
  // A REPLCONF ACK moved a replica's offset.
  void on_ack();
  // Ends every replica's link (they reconnect and resync, partially when they
  // can): what a node does when its own history changes, as Redis's
  // disconnectSlaves() (REPLICAOF, a promotion, a full sync from its master).
  void disconnect_all();
  void count_output(uint64_t bytes) { repl_output_bytes_.fetch_add(bytes); }

  // -- reactor 0's cron ----------------------------------------------------------------
  void cron();

  // -- commands ------------------------------------------------------------------------
  // Replicas online that acknowledged `offset` or more.
  int count_acked(int64_t offset);
  // WAIT: `w` is the blocked client (no keys), served on `home` when
  // `numreplicas` have acknowledged `offset`, or at `timeout_ms` (0: never).
  void add_waiter(const blocked_ptr& w, reactor& home, int64_t offset, int64_t numreplicas,
                  int64_t timeout_ms);
  // A WAIT ended early (CLIENT UNBLOCK): the replicas that have its offset now.
  int acked_for(const blocked_ptr& w);
  // Asks every replica for its offset (REPLCONF GETACK * in the stream).
  void request_acks();
  // The replicas as FAILOVER weighs them (address, online, acknowledged offset).
  std::vector<failover_candidate> failover_candidates() const;
  // min-replicas-to-write is set and not enough replicas are good.
  bool too_few_good_replicas() const;

  // -- INFO and ROLE -------------------------------------------------------------------
  // connected_slaves, min_slaves_good_slaves, slaveN lines.
  void append_info_fields(std::string& out);
  // ROLE as a master: ["master", offset, [[ip, port, offset]...]].
  void write_role(reply_writer& out);
  uint64_t sync_full() const { return sync_full_.load(); }
  uint64_t sync_partial_ok() const { return sync_partial_ok_.load(); }
  uint64_t sync_partial_err() const { return sync_partial_err_.load(); }
  uint64_t repl_output_bytes() const { return repl_output_bytes_.load(); }
  size_t replica_count() const;
  void reset_stats();

 private:
  struct waiter {
    blocked_ptr w;
    reactor* home;
    int64_t offset;
    int64_t numreplicas;
    uint64_t timer = 0;
  };

  // Starts a full sync for the replicas waiting for one, when the rules allow.
  void start_pending();
  void start_pending_locked(bool force);
  void start_sync_locked(std::vector<std::shared_ptr<replica_link>> links, bool diskless);
  // Joins a disk-backed sync that is still writing its dump, if possible.
  bool join_running_locked(const std::shared_ptr<replica_link>& link);
  void create_backlog_locked();
  void request_acks_locked();
  void refresh_good_locked();
  int count_acked_locked(int64_t offset) const;
  // Serves waiters whose offset enough replicas have reached (on their reactors).
  void check_waiters();
  // Ends a WAIT with its reply (on the client's reactor); cancels its timer.
  void finish_wait(const blocked_ptr& w, int acked, uint64_t timer, reactor* home);

  server& srv_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<replica_link>> links_;
  std::shared_ptr<full_sync> job_;  // the running full sync
  int64_t no_replicas_since_ms_ = 0;
  int64_t last_ping_ms_ = 0;
  std::atomic<int> good_replicas_{0};
  uint64_t getack_at_ = UINT64_MAX;  // journal end after the last GETACK
  bool acks_wanted_ = false;         // a GETACK held back by a pause
  // Replication offsets before and after the last GETACK.
  std::pair<int64_t, int64_t> getack_offsets_{-1, -1};
  std::mutex wait_mutex_;
  std::vector<waiter> waiters_;
  std::atomic<size_t> waiter_count_{0};
  // Written from several reactors: atomics, not per-thread counters.
  std::atomic<uint64_t> sync_full_{0}, sync_partial_ok_{0}, sync_partial_err_{0};
  std::atomic<uint64_t> repl_output_bytes_{0};
};

}  // namespace troupe
