// What the server knows about one client connection and commands may read or
// change: selected database, protocol version, authentication, name, flags.
// The connection actor owns it. Fields that other threads read (CLIENT LIST from
// another reactor) are relaxed atomics or guarded by `mutex`.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "storage/dispatch/transaction_state.hpp"

#include "storage/keyspace/tracking_table.hpp"

namespace troupe {

struct command_spec;
class client_endpoint;
class acl_user_slot;     // storage/acl/acl_registry.hpp
struct replica_request;  // actors/replication/replica_request.hpp

enum session_flag : uint32_t {
  client_multi = 1u << 0,       // inside MULTI
  client_dirty_exec = 1u << 1,  // EXEC will abort (a queued command was rejected)
  client_dirty_cas = 1u << 2,   // a watched key changed
  client_pubsub = 1u << 3,      // RESP2 subscriber
  client_close_after_reply = 1u << 4,
  client_close_asap = 1u << 5,
  client_unix_socket = 1u << 6,
  client_blocked = 1u << 7,
  client_master = 1u << 8,
  client_replica = 1u << 9,
  client_monitor = 1u << 10,
  client_readonly = 1u << 11,  // cluster READONLY
  client_no_evict = 1u << 12,
  client_no_touch = 1u << 13,
  client_reply_off = 1u << 14,        // CLIENT REPLY OFF: no replies
  client_reply_skip_next = 1u << 15,  // CLIENT REPLY SKIP: none for the next command
  // CLIENT TRACKING (client-side caching) and its modes.
  client_tracking = 1u << 16,
  client_tracking_bcast = 1u << 17,
  client_tracking_broken_redir = 1u << 18,  // the REDIRECT client went away
  client_tracking_optin = 1u << 19,
  client_tracking_optout = 1u << 20,
  client_tracking_caching = 1u << 21,  // CLIENT CACHING yes|no, for the next command
  client_tracking_noloop = 1u << 22,
  // Cluster ASKING: the next command may use a slot this node imports (kept
  // through MULTI until its EXEC).
  client_asking = 1u << 23,
  // A source node streaming slots to this one (CLUSTER SYNCSLOTS): its
  // writes go to slots this node does not serve yet, so routing lets them by.
  client_slot_import = 1u << 24,
};

struct session {
  uint64_t id = 0;
  int resp = 2;
  bool authenticated = true;
  std::atomic<int> db{0};
  std::atomic<uint32_t> flags{0};
  std::atomic<int64_t> created_ms{0};
  std::atomic<int64_t> last_interaction_ms{0};
  std::atomic<const command_spec*> last_command{nullptr};
  std::atomic<uint64_t> query_buffer{0}, query_buffer_free{0};
  std::atomic<uint64_t> output_bytes{0};
  std::atomic<int> subscriptions{0}, pattern_subscriptions{0}, shard_subscriptions{0};
  std::atomic<int> multi_queued{-1};
  int fd = -1;
  std::string addr, laddr;  // fixed at accept
  // Who owns this session (a connection actor), for replies that come later.
  client_endpoint* endpoint = nullptr;
  // MULTI/EXEC and WATCH state; touched only by the owner's thread.
  transaction_state tx;
  // A master link's session only: the bytes of the master's stream up to the
  // end of the command being dispatched that are not journaled yet (a
  // transaction's grow until its EXEC). The dispatcher journals them as they
  // are when the command runs, under its shards, and clears this.
  std::string_view stream_pending;
  // Where this client's last write ended in the journal (WAIT waits for the
  // replicas to have it); 0 before any. The owner's thread only.
  uint64_t woff = 0;
  // What REPLCONF said and SYNC/PSYNC asked, while this client becomes a
  // replica (the owner's thread only; null for ordinary clients).
  std::shared_ptr<replica_request> replica;
  // The ACL user this client runs as (null: internal, unrestricted). Set at
  // accept to the default user, changed by AUTH / HELLO AUTH; owner's thread.
  std::shared_ptr<acl_user_slot> acl_user;

  // CLIENT TRACKING's REDIRECT client (0: none); CLIENT LIST's redir.
  std::atomic<uint64_t> tracking_redirect{0};
  // Invalidations for this client caused by its own command: written after
  // the command's reply, as Redis 7.0 does (the owner's thread only).
  std::vector<invalidation> tracking_pending;

  // Guarded by mutex: strings changed by commands and read by CLIENT LIST.
  mutable std::mutex mutex;
  std::string name;
  std::string user = "default";
  std::string lib_name, lib_ver;

  bool has(session_flag f) const { return flags.load(std::memory_order_relaxed) & f; }
  void set(session_flag f) { flags.fetch_or(f, std::memory_order_relaxed); }
  void clear(session_flag f) { flags.fetch_and(~uint32_t(f), std::memory_order_relaxed); }
  int current_db() const { return db.load(std::memory_order_relaxed); }
};

}  // namespace troupe
