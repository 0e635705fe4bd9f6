// The replica side of a server's role: becoming the replica of a master
// (replicaof in the config, REPLICAOF host port), going back to being a master
// (REPLICAOF NO ONE), the master_link actor that follows the master, and what
// INFO, ROLE and the command checks read about that link from any thread.
//
// Role changes take effect at once on the calling thread: the shared
// replication_state flips, the ids shift on a promotion, and the old link is
// told to stop. A link checks its generation before each command it applies,
// so a replaced link stops within the command it is running.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <caf/actor.hpp>

#include "storage/dispatch/server_services.hpp"
#include "topology/replication/replica_link_state.hpp"

namespace troupe {

class server;

// What one master link reports, read from any thread.
struct replica_link_status {
  std::atomic<replica_link_state> state{replica_link_state::connect};
  std::atomic<dataset_loading> loading{dataset_loading::none};
  // While connected: the last byte from the master, and the stream's offsets.
  std::atomic<int64_t> last_io_ms{0};
  std::atomic<int64_t> read_offset{0}, applied_offset{0};
  std::atomic<int> stream_db{0};  // the database the master's stream is in
  // During a transfer: bytes announced (-1: EOF framing), read, last read.
  std::atomic<int64_t> transfer_size{-1}, transfer_read{0}, transfer_last_io_ms{0};
};

class replica_control {
 public:
  explicit replica_control(server& srv);
  ~replica_control();
  replica_control(const replica_control&) = delete;
  replica_control& operator=(const replica_control&) = delete;

  // -- role changes ---------------------------------------------------------------------
  // Before the data loads at start-up: a configured replicaof makes this node
  // a replica already (its RDB keeps keys with a passed TTL, as Redis's does).
  void prepare();
  // After start-up (reactors running): resumes the history the RDB carried,
  // if any, and follows the configured master.
  void start();
  // REPLICAOF host port; false when already following that master. With
  // `failover`, this master hands over to its replica at host:port (FAILOVER):
  // the link's PSYNC asks it to become the master.
  bool follow(const std::string& host, int port, const std::string& requested_by,
              bool failover = false);
  // REPLICAOF NO ONE (`why` "user request"), a FAILOVER PSYNC ("failover
  // request"); false when already a master. An empty `requested_by` logs
  // nothing (a failover undone).
  bool promote(const std::string& requested_by, const char* why = "user request");

  // -- what INFO, ROLE and the checks read (any thread) -------------------------------
  bool link_up() const { return current_status()->state.load() == replica_link_state::connected; }
  dataset_loading loading() const { return current_status()->loading.load(); }
  replica_link_state state() const { return current_status()->state.load(); }
  // ROLE's offset: the applied offset while synced, else -1.
  int64_t role_offset() const;
  // INFO Replication's replica part (master_host ... replica_announced).
  std::string info_fields() const;
  // The database an RDB saved now records as repl-stream-db; -1 when this
  // replica has no history to resume (nothing to record).
  int rdb_stream_db() const;

  // -- for the master link (its reactor) ---------------------------------------------
  bool is_current(uint64_t generation) const { return generation_.load() == generation; }
  // The history a PSYNC resumes: replid and offset of the last byte applied.
  struct history {
    bool valid = false;
    std::string replid;
    int64_t offset = 0;
    int stream_db = 0;
  };
  history resumable() const;
  // A sync completed (or a synced link dropped): the data is a resumable
  // history of `stream_db`'s stream.
  void keep_history(int stream_db);
  // A full sync begins: whatever the data was, it is no history any more.
  void discard_history();
  // The synced link went down (INFO master_link_down_since_seconds).
  void link_down() { down_since_ms_.store(now_ms()); }
  // When the link last went down (ms), for a cluster replica's election rank.
  int64_t down_since_ms() const { return down_since_ms_.load(); }
  // This node's own replicas must sync again (its history changed).
  void disconnect_own_replicas();

 private:
  static int64_t now_ms();
  std::shared_ptr<replica_link_status> current_status() const;
  // Spawns the link of the current generation (the caller holds mutex_).
  void spawn_link(const std::string& host, int port, bool failover = false);
  void stop_link();

  server& srv_;
  mutable std::mutex mutex_;  // role changes, one at a time; guards the fields below
  caf::actor link_;
  std::shared_ptr<replica_link_status> status_;
  bool history_valid_ = false;
  int history_db_ = 0;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int64_t> down_since_ms_{0};
};

}  // namespace troupe
