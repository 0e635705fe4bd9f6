#include "actors/replication/replica_control.hpp"

#include <strings.h>

#include <caf/all.hpp>

#include "actors/replication/master_link.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {

replica_control::replica_control(server& srv)
    : srv_(srv), status_(std::make_shared<replica_link_status>()) {
  status_->state.store(replica_link_state::none);
}

replica_control::~replica_control() = default;

int64_t replica_control::now_ms() {
  return wall_clock_ms();
}

std::shared_ptr<replica_link_status> replica_control::current_status() const {
  std::lock_guard<std::mutex> g(mutex_);
  return status_;
}

// -- role changes -------------------------------------------------------------------------

void replica_control::prepare() {
  auto target = srv_.config().replicaof.get();
  if (target->host.empty()) return;
  replication_state& rs = srv_.replication();
  std::lock_guard<std::mutex> g(rs.mutex);
  rs.master_host = target->host;
  rs.master_port = target->port;
  rs.is_replica.store(true);
  log_set_role('S');
}

void replica_control::start() {
  replication_state& rs = srv_.replication();
  if (!rs.is_replica.load()) return;
  std::string host;
  int port;
  bool restored = false;
  int stream_db = 0;
  int64_t offset = 0;
  {
    std::lock_guard<std::mutex> g(rs.mutex);
    host = rs.master_host;
    port = rs.master_port;
    // Restarted from its own RDB: the data is the master's history up to
    // the offset saved with it, which a PSYNC can resume.
    if (!rs.rdb_replid.empty() && rs.rdb_offset >= 0) {
      rs.ids.replid = rs.rdb_replid;
      rs.ids.clear_secondary();
      restored = true;
      offset = rs.rdb_offset;
      stream_db = std::max(0, rs.rdb_stream_db);
    }
  }
  std::lock_guard<std::mutex> g(mutex_);
  if (restored) {
    journal& j = srv_.journal_log();
    j.reset_repl_offset(uint64_t(offset));
    j.create_backlog();
    history_valid_ = true;
    history_db_ = stream_db;
  }
  spawn_link(host, port);
}

bool replica_control::follow(const std::string& host, int port, const std::string& requested_by,
                             bool failover) {
  replication_state& rs = srv_.replication();
  std::lock_guard<std::mutex> g(mutex_);
  bool was_master;
  {
    std::lock_guard<std::mutex> r(rs.mutex);
    was_master = !rs.is_replica.load();
    if (!was_master && strcasecmp(rs.master_host.c_str(), host.c_str()) == 0 &&
        rs.master_port == port) {
      log_notice(
          "REPLICAOF would result into synchronization with the master we are already "
          "connected with. No operation performed.");
      return false;
    }
    rs.master_host = host;
    rs.master_port = port;
    rs.is_replica.store(true);
  }
  // A master's own data and offset are the history it offers its new master
  // (which may share it: a former replica, promoted).
  if (was_master) {
    history_valid_ = true;
    history_db_ = 0;
    log_notice(
        "Before turning into a replica, using my own master parameters to synthesize a cached "
        "master: I may be able to synchronize with the new master with just a partial "
        "transfer.");
  }
  srv_.config().replicaof.set_internal({host, port});
  log_set_role('S');
  // Clients blocked on keys (a master's) are let go, as Redis does.
  if (was_master)
    srv_.for_each_client([](uint64_t, client_record& r) {
      if (r.s->has(client_blocked))
        caf::anon_send(r.handle, cancel_atom::value, replica_atom::value);
    });
  stop_link();
  spawn_link(host, port, failover);
  if (!failover)
    log_notice("REPLICAOF {}:{} enabled (user request from '{}')", host, port, requested_by);
  return true;
}

bool replica_control::promote(const std::string& requested_by, const char* why) {
  replication_state& rs = srv_.replication();
  std::unique_lock<std::mutex> g(mutex_);
  {
    std::lock_guard<std::mutex> r(rs.mutex);
    if (!rs.is_replica.load()) return false;
    rs.is_replica.store(false);
    rs.master_host.clear();
    rs.master_port = 0;
    // The history followed so far stays resumable for this node's replicas
    // (and its old master's other replicas) under the old id.
    rs.ids.shift(int64_t(srv_.journal_log().repl_offset()));
  }
  ++generation_;
  stop_link();
  status_ = std::make_shared<replica_link_status>();
  status_->state.store(replica_link_state::none);
  history_valid_ = false;
  down_since_ms_.store(0);
  // The next write of this master's own stream says which database it is in.
  srv_.journal_log().forget_db();
  srv_.config().replicaof.set_internal({});
  log_set_role('M');
  g.unlock();
  disconnect_own_replicas();
  if (!requested_by.empty()) log_notice("MASTER MODE enabled ({} from '{}')", why, requested_by);
  return true;
}

void replica_control::spawn_link(const std::string& host, int port, bool failover) {
  uint64_t gen = ++generation_;
  status_ = std::make_shared<replica_link_status>();
  link_ = spawn_actor<master_link>(srv_.registry(), placement::on(srv_.reactor_at(0)),
                                   {host + ":" + std::to_string(port)}, srv_, host, port, gen,
                                   status_, failover);
}

void replica_control::stop_link() {
  if (link_) caf::anon_send(link_, stop_atom::value);
  link_ = nullptr;
}

// -- the history a PSYNC resumes ------------------------------------------------------------

replica_control::history replica_control::resumable() const {
  history h;
  {
    std::lock_guard<std::mutex> g(mutex_);
    h.valid = history_valid_;
    h.stream_db = history_db_;
  }
  replication_state& rs = srv_.replication();
  {
    std::lock_guard<std::mutex> g(rs.mutex);
    h.replid = rs.ids.replid;
  }
  h.offset = int64_t(srv_.journal_log().repl_offset());
  return h;
}

void replica_control::keep_history(int stream_db) {
  std::lock_guard<std::mutex> g(mutex_);
  history_valid_ = true;
  history_db_ = stream_db;
}

void replica_control::discard_history() {
  std::lock_guard<std::mutex> g(mutex_);
  history_valid_ = false;
}

void replica_control::disconnect_own_replicas() {
  std::function<void()> f;
  {
    replication_state& rs = srv_.replication();
    std::lock_guard<std::mutex> g(rs.mutex);
    f = rs.disconnect_replicas;
  }
  if (f) f();
}

// -- what INFO and ROLE read ------------------------------------------------------------

int64_t replica_control::role_offset() const {
  auto st = current_status();
  if (st->state.load() != replica_link_state::connected) return -1;
  return st->applied_offset.load();
}

int replica_control::rdb_stream_db() const {
  std::lock_guard<std::mutex> g(mutex_);
  if (status_->state.load() == replica_link_state::connected) return status_->stream_db.load();
  if (!history_valid_) return -1;
  return history_db_;
}

std::string replica_control::info_fields() const {
  replica_link_info i;
  {
    replication_state& rs = srv_.replication();
    std::lock_guard<std::mutex> g(rs.mutex);
    i.master_host = rs.master_host;
    i.master_port = rs.master_port;
  }
  auto st = current_status();
  int64_t now = now_ms();
  i.state = st->state.load();
  if (i.state == replica_link_state::none) i.state = replica_link_state::connect;
  if (i.state == replica_link_state::connected) {
    i.last_io_seconds_ago = (now - st->last_io_ms.load()) / 1000;
    i.read_offset = st->read_offset.load();
    i.applied_offset = st->applied_offset.load();
  } else {
    bool valid;
    {
      std::lock_guard<std::mutex> g(mutex_);
      valid = history_valid_;
    }
    // Without a link Redis shows its cached master's offsets, or 1.
    if (valid) i.read_offset = i.applied_offset = int64_t(srv_.journal_log().repl_offset());
  }
  if (i.state == replica_link_state::transfer) {
    i.transfer_size = st->transfer_size.load();
    i.transfer_read = st->transfer_read.load();
    i.transfer_last_io_seconds_ago = (now - st->transfer_last_io_ms.load()) / 1000;
  }
  int64_t down = down_since_ms_.load();
  i.down_since_seconds = down == 0 ? -1 : (now - down) / 1000;
  const server_config& cfg = srv_.config();
  i.replica_priority = cfg.replica_priority.get();
  i.read_only = cfg.replica_read_only.get();
  i.announced = cfg.replica_announced.get();
  return replica_info_fields(i);
}

}  // namespace troupe
