#include "actors/replication/master_link.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <caf/all.hpp>

#include "actors/replication/replica_dataset.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"
#include "storage/dispatch/dispatcher.hpp"
#include "storage/eviction/key_access.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {
namespace {

bool iequals_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) != tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// The first error line of a reply buffer (a command's, or inside EXEC's array).
std::string first_error(const std::string& s) {
  size_t at = s.rfind('-', 0) == 0 ? 0 : s.find("\r\n-");
  if (at == std::string::npos) return "";
  if (at != 0) at += 2;
  size_t end = s.find('\r', at);
  return s.substr(at + 1,
                  std::min<size_t>((end == std::string::npos ? s.size() : end) - at - 1, 256));
}

}  // namespace

master_link::master_link(caf::actor_config& cfg, reactor& home, server& srv, std::string host,
                         int port, uint64_t generation, std::shared_ptr<replica_link_status> status,
                         bool failover)
    : hosted_actor(cfg, home),
      srv_(srv),
      engine_(srv.dispatcher_of(home.index())),
      ctl_(srv.replica()),
      host_(std::move(host)),
      port_(port),
      generation_(generation),
      status_(std::move(status)),
      link_(home),
      writer_(replies_) {
  session_.id = srv.next_client_id();
  session_.set(client_master);
  session_.authenticated = true;
  session_.addr = host_ + ":" + std::to_string(port_);
  failover_ = failover;
}

master_link::~master_link() {
  if (temp_fd_ >= 0) ::close(temp_fd_);
}

caf::behavior master_link::make_behavior() {
  link_.set_callbacks({
      [this] { on_connected(); },
      [this](size_t n) {
        last_io_ms_ = wall_clock_ms();
        if (state_ == replica_link_state::connected) {
          stream_.received(n);
          status_->read_offset.store(stream_.read_offset(), std::memory_order_relaxed);
        }
        on_readable();
      },
      [this](std::string why) {
        // The socket is already closed.
        drop(state_ == replica_link_state::connected ? "Connection with master lost (" + why + ")"
                                                     : "I/O error with MASTER: " + why);
      },
  });
  connect();
  delayed_send(this, std::chrono::seconds(1), tick_atom::value);
  return {
      [this](tick_atom) {
        if (stopped_) return;
        cron();
        delayed_send(this, std::chrono::seconds(1), tick_atom::value);
      },
      // CLIENT KILL TYPE master: drop the link; it comes back with a PSYNC.
      [this](close_atom) {
        if (!stopped_ && link_.is_open()) drop("Connection with master closed by CLIENT KILL");
      },
      [this](stop_atom) { stop(); },
      // A link that was up reconnects at once rather than at the next cron
      // tick, as Redis 7.0 does: waiting a second risks the master's backlog
      // moving past this replica's offset.
      [this](connect_atom) {
        if (still_current() && state_ == replica_link_state::connect) {
          log_notice("Reconnecting to MASTER {}:{} after failure", host_, port_);
          connect();
        }
      },
      [this](loaded_atom, uint64_t job_id) { on_loaded(job_id); },
      [this](resume_atom) {
        if (still_current() && state_ == replica_link_state::transfer && !transfer_done_) {
          link_.pause_reading(false);
          transfer_input();
        }
      },
  };
}

// -- the connection ----------------------------------------------------------------------

void master_link::set_state(replica_link_state s) {
  state_ = s;
  state_since_ms_ = wall_clock_ms();
  status_->state.store(s);
}

void master_link::connect() {
  if (stopped_) return;
  log_notice("Connecting to MASTER {}:{}", host_, port_);
  std::string err;
  // tls-replication: the master is reached on its tls-port, over TLS.
  std::shared_ptr<const tls_context> tls;
  if (srv_.config().tls_replication.get()) {
    tls = srv_.tls();
    if (!tls) err = "TLS is not configured";
  }
  if (!err.empty() || !link_.connect(host_, port_, err, std::move(tls))) {
    if (failover_) return drop("Unable to connect to MASTER: " + err);
    log_warning("Unable to connect to MASTER: {}", err);
    set_state(replica_link_state::connect);
    return;
  }
  set_state(replica_link_state::connecting);
  log_notice("MASTER <-> REPLICA sync started");
}

bool master_link::still_current() {
  if (stopped_) return false;
  if (ctl_.is_current(generation_)) return true;
  // Replaced by REPLICAOF: nothing more is read, applied, loaded or flushed.
  // It ends in its stop_atom handler (an actor quits from inside one).
  link_.close();
  anon_send(this, stop_atom::value);
  return false;
}

void master_link::on_connected() {
  if (!still_current()) return;
  log_notice("Non blocking connect for SYNC fired the event.");
  set_state(replica_link_state::handshake);
  last_io_ms_ = wall_clock_ms();
  const server_config& cfg = srv_.config();
  replica_handshake::settings s;
  s.masteruser = cfg.masteruser.str();
  s.masterauth = cfg.masterauth.str();
  int64_t announce = cfg.replica_announce_port.get();
  // As Redis: a TLS replica announces the port its replicas would use, tls-port.
  int own_port = cfg.tls_replication.get() && cfg.tls_port.get() != 0 ? int(cfg.tls_port.get())
                                                                      : srv_.tcp_port();
  s.listening_port = int(announce != 0 ? announce : own_port);
  s.announce_ip = cfg.replica_announce_ip.str();
  s.failover = failover_;
  replica_control::history h = ctl_.resumable();
  if (h.valid) {
    s.cached_replid = h.replid;
    s.cached_offset = h.offset;
  }
  handshake_.emplace(s);
  handle_step(handshake_->start());
}

void master_link::on_readable() {
  if (!still_current()) return;
  switch (state_) {
    case replica_link_state::handshake:
      handshake_input();
      break;
    case replica_link_state::transfer:
      transfer_input();
      break;
    case replica_link_state::connected:
      stream_input();
      break;
    default:
      break;
  }
}

void master_link::failover_accepted() {
  if (!failover_) return;
  failover_ = false;
  srv_.failover().accepted();
}

void master_link::drop(const std::string& why) {
  if (!still_current()) return;
  if (failover_) {
    // The target refused to take over, or is out of reach: the failover is
    // undone (this link is replaced and this node is a master again).
    failover_ = false;
    log_warning("{}", why);
    link_.close();
    srv_.failover().switch_failed("Failover target rejected psync request");
    return;
  }
  bool was_connected = state_ == replica_link_state::connected;
  log_warning("{}", why);
  link_.close();
  handshake_.reset();
  if (registered_client_) {
    srv_.remove_client(session_.id);
    registered_client_ = false;
  }
  if (was_connected) {
    // A transaction cut by the drop is forgotten: the master sends it again
    // whole from the applied offset.
    engine_.forget_client(session_);
    session_.stream_pending = {};
    ctl_.keep_history(session_.current_db());
    ctl_.link_down();
    log_notice("Caching the disconnected master state.");
  }
  cancel_sync();
  set_state(replica_link_state::connect);
  if (was_connected) send(this, connect_atom::value);
}

void master_link::stop() {
  if (stopped_) return;
  stopped_ = true;
  bool was_connected = state_ == replica_link_state::connected;
  link_.close();
  if (registered_client_) srv_.remove_client(session_.id);
  registered_client_ = false;
  if (was_connected) {
    engine_.forget_client(session_);
    session_.stream_pending = {};
  }
  cancel_sync();
  status_->state.store(replica_link_state::none);
  quit();
}

void master_link::cron() {
  if (!still_current()) return;
  int64_t now = wall_clock_ms();
  int64_t timeout_ms = srv_.config().repl_timeout.get() * 1000;
  switch (state_) {
    case replica_link_state::none:
      break;
    case replica_link_state::connect:
      connect();
      break;
    case replica_link_state::connecting:
    case replica_link_state::handshake:
      if (now - state_since_ms_ > timeout_ms) drop("Timeout connecting to the MASTER...");
      break;
    case replica_link_state::transfer:
      // While the loader works (or catches up) the link is not read on
      // purpose: only a silent master counts.
      if (!transfer_done_ && !link_.reading_paused() && now - last_io_ms_ > timeout_ms) {
        drop(
            "Timeout receiving bulk data from MASTER... If the problem persists try to set the "
            "'repl-timeout' parameter in redis.conf to a larger value.");
        break;
      }
      // A newline now and then tells the master this replica is alive while
      // it receives and loads (masters ignore empty lines).
      link_.send("\n");
      break;
    case replica_link_state::connected:
      if (now - last_io_ms_ > timeout_ms) {
        drop("MASTER timeout: no data nor PING received...");
        break;
      }
      send_ack();
      break;
  }
}

// -- handshake -----------------------------------------------------------------------------

void master_link::handle_step(const replica_handshake::step& s) {
  using outcome = replica_handshake::outcome;
  if (!s.message.empty() && s.what == outcome::send) log_notice("{}", s.message);
  switch (s.what) {
    case outcome::send:
      if (s.command.size() >= 3 && s.command[0] == "PSYNC") {
        if (s.command[1] == "?")
          log_notice("Partial resynchronization not possible (no cached master)");
        else
          log_notice("Trying a partial resynchronization (request {}:{}).", s.command[1],
                     s.command[2]);
      }
      link_.send_command(s.command);
      break;
    case outcome::full_sync:
      failover_accepted();
      begin_full_sync(s.replid, s.offset, s.framed);
      break;
    case outcome::partial_sync:
      failover_accepted();
      begin_partial_sync(s.replid);
      break;
    case outcome::retry_later:
    case outcome::failed:
      drop(s.message);
      break;
  }
}

void master_link::handshake_input() {
  while (state_ == replica_link_state::handshake && link_.is_open()) {
    // After the old SYNC the answer is the payload itself, not a reply.
    if (handshake_->sent_sync()) {
      if (link_.input_size() == 0) return;
      begin_full_sync("", -1);
      return;
    }
    // A master preparing a full sync sends newlines to keep the link alive.
    size_t blank = 0;
    while (blank < link_.input_size() &&
           (link_.input()[blank] == '\n' || link_.input()[blank] == '\r'))
      ++blank;
    link_.consume(blank);
    resp_value reply;
    auto r = link_.next_reply(reply);
    if (r == reply_parser::result::incomplete) return;
    if (r == reply_parser::result::error) {
      drop("Bad protocol from MASTER during the handshake: " + link_.reply_error());
      return;
    }
    // The first reply tells the master is there and talking.
    if (reply.type != resp_value::kind::error && !reply.str.empty() && reply.str == "PONG")
      log_notice("Master replied to PING, replication can continue...");
    handle_step(handshake_->on_reply(reply));
  }
}

// -- full sync -------------------------------------------------------------------------------

std::shared_ptr<replica_load_job> master_link::new_job() {
  auto job = std::make_shared<replica_load_job>();
  job->id = ++next_job_;
  keyspace& live = srv_.keys();
  job->staged = std::make_unique<keyspace>(live.shard_count(), live.databases());
  // Cluster mode: the new dataset comes with its slot index (swapped in whole).
  if (live.slot_indexed()) job->staged->enable_slot_index();
  job->options.limits = load_limits_of(srv_.config());
  job->options.databases = live.databases();
  job->options.keep_expired = true;  // expiry is the master's business
  job->options.key_delay_us = srv_.config().key_load_delay.get();
  job->options.progress = &srv_.snapshots().loading();
  // Keys get the policy's LRU clock or LFU counter (from the file's IDLE/FREQ if any).
  job->options.lru = rdb_access_mode(srv_.config().maxmemory_policy.get());
  job->options.lru_clock = lru_clock_at(wall_clock_ms());
  job->options.lfu_minutes = uint16_t(lfu_minutes_at(wall_clock_ms()));
  return job;
}

void master_link::begin_full_sync(const std::string& replid, int64_t offset, bool framed) {
  handshake_.reset();
  frames_.reset();
  held_stream_.clear();
  if (framed) frames_.emplace();
  if (replid.empty()) {
    // The old SYNC: no history to name. A fresh id, as Redis does.
    sync_replid_ = random_hex_id();
    sync_offset_ = 0;
  } else {
    log_notice("Full resync from master: {}:{}", replid, offset);
    sync_replid_ = replid;
    sync_offset_ = offset;
  }
  // Whatever this replica held is no history any more.
  ctl_.discard_history();
  set_state(replica_link_state::transfer);
  transfer_.emplace();
  transfer_done_ = false;
  status_->transfer_size.store(-1);
  status_->transfer_read.store(0);
  status_->transfer_last_io_ms.store(wall_clock_ms());

  const server_config& cfg = srv_.config();
  socket_load_ = load_from_socket(cfg.repl_diskless_load.get(), srv_.keys().total_keys() == 0);
  if (socket_load_) {
    auto job = new_job();
    job->stream = std::make_shared<rdb_stream_source>();
    caf::weak_actor_ptr me = caf::actor_cast<caf::weak_actor_ptr>(this);
    job->stream->set_on_room([me] {
      if (auto h = caf::actor_cast<caf::actor>(me)) caf::anon_send(h, resume_atom::value);
    });
    bool swapdb = cfg.repl_diskless_load.get() == diskless_load_mode::swapdb;
    begin_load_progress(*job);
    if (swapdb) {
      // The old data stays and is served until the new one is complete.
      status_->loading.store(dataset_loading::async);
    } else {
      shard_set_guard guard;
      guard.acquire_all(srv_.keys());
      flush_dataset(srv_, srv_.keys(), cfg.replica_lazy_flush.get());
      status_->loading.store(dataset_loading::blocking);
    }
    log_notice("MASTER <-> REPLICA sync: Loading DB in memory (from the socket{})",
               swapdb ? ", beside the old data" : "");
    start_loader(std::move(job));
  } else {
    // Redis's name for the file a full sync is received in, plus the port
    // (nodes of an in-process cluster share pid and directory).
    temp_path_ = "temp-" + std::to_string(wall_clock_ms() / 1000) + "." + std::to_string(getpid()) +
                 "-" + std::to_string(srv_.config().port.get()) + ".rdb";
    temp_fd_ = ::open(temp_path_.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    if (temp_fd_ < 0) {
      drop("Opening the temp file needed for MASTER <-> REPLICA synchronization: " +
           std::string(strerror(errno)));
      return;
    }
  }
  transfer_input();
}

bool master_link::write_payload(std::string_view bytes) {
  if (bytes.empty()) return true;
  if (socket_load_) {
    if (!job_->stream->push(bytes)) link_.pause_reading(true);  // the loader catches up first
    return true;
  }
  while (!bytes.empty()) {
    ssize_t n = ::write(temp_fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      drop(
          "Write error or short write writing to the DB dump file needed for MASTER <-> "
          "REPLICA synchronization: " +
          std::string(n < 0 ? strerror(errno) : "short write"));
      return false;
    }
    bytes.remove_prefix(size_t(n));
  }
  return true;
}

int64_t master_link::held_stream_limit() const {
  return srv_.config().client_output_buffer_limit.get(client_class::replica).hard;
}

void master_link::hold_stream_while_loading() {
  // Loaded already, waiting for the end frame: reading must go on until it
  // comes (nothing else would resume it), and the held stream is applied then.
  if (loaded_before_end_) return;
  int64_t limit = held_stream_limit();
  size_t held = link_.input_size() + held_stream_.size();
  if (limit <= 0 || int64_t(held) < limit || link_.reading_paused()) return;
  log_notice(
      "MASTER <-> REPLICA sync: holding {} bytes of the stream while loading "
      "(client-output-buffer-limit replica); reading from the master resumes when the load ends",
      held);
  link_.pause_reading(true);
}

bool master_link::take_payload(std::string_view bytes, bool& complete) {
  while (!bytes.empty() && !transfer_done_) {
    auto r = transfer_->feed(bytes.data(), bytes.size());
    if (r.st == rdb_transfer::status::error) {
      drop("MASTER <-> REPLICA sync: " + transfer_->error());
      return false;
    }
    if (transfer_->announced_length() >= 0 && status_->transfer_size.load() < 0) {
      status_->transfer_size.store(transfer_->announced_length());
      log_notice("MASTER <-> REPLICA sync: receiving {} bytes from master to {}",
                 transfer_->announced_length(), socket_load_ ? "parser" : "disk");
    }
    if (!write_payload(r.payload)) return false;
    status_->transfer_read.store(transfer_->payload_received());
    status_->transfer_last_io_ms.store(last_io_ms_);
    if (r.st == rdb_transfer::status::done) {
      if (!r.rest.empty()) {
        drop("MASTER <-> REPLICA sync: bytes after the RDB inside a sync frame");
        return false;
      }
      complete = true;
      return true;
    }
    bytes = {};
  }
  return true;
}

void master_link::framed_input() {
  std::vector<sync_frame_reader::piece> pieces;
  while (state_ == replica_link_state::transfer && frames_ && link_.input_size() > 0 &&
         !link_.reading_paused()) {
    pieces.clear();
    size_t used = frames_->parse(link_.input(), link_.input_size(), pieces);
    bool complete = false;
    for (auto& p : pieces) {
      if (p.kind == sync_frame::stream) {
        held_stream_.append(p.bytes);
        // While the RDB still comes, reading cannot pause for the stream (the
        // RDB's frames are behind it): past the hard limit the sync is given
        // up, as a Redis master drops a replica whose output passes it.
        int64_t limit = held_stream_limit();
        if (!transfer_done_ && limit > 0 && int64_t(held_stream_.size()) > limit) {
          drop(
              "MASTER <-> REPLICA sync: the stream held during the transfer passed "
              "client-output-buffer-limit replica's hard limit (" +
              std::to_string(held_stream_.size()) + " bytes)");
          return;
        }
      } else if (transfer_done_) {
        drop("MASTER <-> REPLICA sync: RDB bytes after the end of the RDB");
        return;
      } else if (!take_payload(p.bytes, complete)) {
        return;
      }
    }
    link_.consume(used);
    if (frames_->failed()) {
      drop("MASTER <-> REPLICA sync: " + frames_->error());
      return;
    }
    if (frames_->ended()) {
      frames_.reset();  // raw stream from here on
      if (!transfer_done_ && !complete) {
        drop("MASTER <-> REPLICA sync: the sync frames ended before the RDB");
        return;
      }
      if (loaded_before_end_) {
        loaded_before_end_ = false;
        finish_full_sync();
        return;
      }
    }
    if (complete) transfer_complete();
    if (transfer_done_) hold_stream_while_loading();
  }
}

void master_link::transfer_input() {
  if (frames_) return framed_input();
  if (state_ == replica_link_state::transfer && transfer_done_) return hold_stream_while_loading();
  while (state_ == replica_link_state::transfer && !transfer_done_ && link_.input_size() > 0) {
    size_t avail = link_.input_size();
    auto r = transfer_->feed(link_.input(), avail);
    if (r.st == rdb_transfer::status::error) {
      drop("MASTER <-> REPLICA sync: " + transfer_->error());
      return;
    }
    if (transfer_->announced_length() >= 0 && status_->transfer_size.load() < 0) {
      status_->transfer_size.store(transfer_->announced_length());
      log_notice("MASTER <-> REPLICA sync: receiving {} bytes from master to {}",
                 transfer_->announced_length(), socket_load_ ? "parser" : "disk");
    }
    if (!write_payload(r.payload)) return;
    status_->transfer_read.store(transfer_->payload_received());
    status_->transfer_last_io_ms.store(last_io_ms_);
    if (r.st == rdb_transfer::status::done) {
      // What follows the payload is the start of the stream: it stays.
      link_.consume(avail - r.rest.size());
      transfer_complete();
      return;
    }
    link_.consume(avail);
    if (link_.reading_paused()) return;
  }
}

void master_link::transfer_complete() {
  transfer_done_ = true;
  // The stream that follows is read on while the data loads, up to the
  // replica output limit's hard size (the master's own limit for it): held
  // here rather than on the master, it cannot get this replica dropped by
  // that limit during a long load under heavy writes, which makes a Redis
  // replica start its full sync over and over (Valkey 8's dual-channel
  // replication moves it to the replica too).
  hold_stream_while_loading();
  if (socket_load_) {
    job_->stream->finish();
    return;  // the loader reports when the RDB is in
  }
  if (::fsync(temp_fd_) != 0 || ::close(temp_fd_) != 0) {
    temp_fd_ = -1;
    drop("Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: " +
         std::string(strerror(errno)));
    return;
  }
  temp_fd_ = -1;
  const server_config& cfg = srv_.config();
  auto job = new_job();
  job->path = temp_path_;
  job->rename_to = cfg.dbfilename.str();
  temp_path_.clear();
  begin_load_progress(*job);
  log_notice("MASTER <-> REPLICA sync: Flushing old data");
  {
    shard_set_guard guard;
    guard.acquire_all(srv_.keys());
    flush_dataset(srv_, srv_.keys(), cfg.replica_lazy_flush.get());
    status_->loading.store(dataset_loading::blocking);
  }
  log_notice("MASTER <-> REPLICA sync: Loading DB in memory");
  start_loader(std::move(job));
}

void master_link::start_loader(std::shared_ptr<replica_load_job> job) {
  job_ = job;
  spawn_actor<replica_loader>(srv_.registry(), placement::detached(),
                              {"full sync from " + host_ + ":" + std::to_string(port_), id()},
                              std::move(job), caf::actor_cast<caf::actor>(this));
}

void master_link::on_loaded(uint64_t job_id) {
  if (!job_ || job_->id != job_id || !still_current()) return;  // a load given up since
  for (auto& w : job_->warnings) log_warning("{}", w);
  if (!job_->ok) {
    // The loader freed what it built; the old data went already unless swapdb.
    std::string err = job_->error;
    drop("Failed trying to load the MASTER synchronization DB: " + err);
    return;
  }
  if (!transfer_done_) return;  // cannot happen: the loader waits for the payload's end
  if (frames_) {
    // The end frame has not been read yet: until it is, what comes is still
    // framed (read on at once, whatever was held back for the load).
    loaded_before_end_ = true;
    link_.pause_reading(false);
    framed_input();
    return;
  }
  finish_full_sync();
}

void master_link::finish_full_sync() {
  std::shared_ptr<replica_load_job> job = std::move(job_);
  keyspace& live = srv_.keys();
  {
    // The new data replaces the old in one step: clients see one or the other.
    shard_set_guard guard;
    guard.acquire_all(live);
    install_dataset(live, *job->staged);
    srv_.scripts.set_libraries(std::make_shared<const library_set>(std::move(job->functions)));
    status_->loading.store(dataset_loading::none);
  }
  // The old data (now in the staged keyspace) is freed outside the locks.
  free_dataset(srv_, *job->staged, srv_.config().replica_lazy_flush.get());
  job->staged.reset();
  log_notice("Done loading RDB, keys loaded: {}, keys expired: {}.", job->keys,
             job->expired_skipped);

  // The replica now continues the master's history from the sync's offset.
  {
    replication_state& rs = srv_.replication();
    std::lock_guard<std::mutex> g(rs.mutex);
    rs.ids.replid = sync_replid_;
    rs.ids.clear_secondary();
  }
  journal& j = srv_.journal_log();
  j.reset_repl_offset(uint64_t(sync_offset_));
  j.create_backlog();
  ctl_.disconnect_own_replicas();
  // An AOF written so far describes the old data: it starts over from this one.
  if (srv_.aof().enabled()) srv_.snapshots().schedule_rewrite();
  transfer_.reset();
  log_notice("MASTER <-> REPLICA sync: Finished with success");
  enter_connected(sync_offset_, job->stream_db);
  // Sent at once, so a master streaming diskless puts this replica online.
  send_ack();
}

void master_link::cancel_sync() {
  frames_.reset();
  loaded_before_end_ = false;
  held_stream_.clear();
  if (temp_fd_ >= 0) ::close(temp_fd_);
  temp_fd_ = -1;
  if (!temp_path_.empty()) unlink(temp_path_.c_str());
  temp_path_.clear();
  if (job_) {
    // The loader fails at its next read and frees its work; its report is ignored.
    if (job_->stream) job_->stream->abort("connection with the master lost");
    job_.reset();
  }
  transfer_.reset();
  transfer_done_ = false;
  status_->loading.store(dataset_loading::none);
}

// -- partial sync and the stream -------------------------------------------------------

void master_link::begin_partial_sync(const std::string& replid) {
  handshake_.reset();
  log_notice("Successful partial resynchronization with master.");
  int64_t offset = int64_t(srv_.journal_log().repl_offset());
  replication_state& rs = srv_.replication();
  bool changed = false;
  {
    std::lock_guard<std::mutex> g(rs.mutex);
    if (!replid.empty() && replid != rs.ids.replid) {
      // PSYNC2: the master's history has a new id (it was promoted). Ours up
      // to here stays resumable under the old one, for our own replicas.
      rs.ids.replid2 = rs.ids.replid;
      rs.ids.second_offset = offset + 1;
      rs.ids.replid = replid;
      changed = true;
    }
  }
  if (changed) {
    log_notice("Master replication ID changed to {}", replid);
    ctl_.disconnect_own_replicas();
  }
  log_notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
  enter_connected(offset, ctl_.resumable().stream_db);
  send_ack();
}

void master_link::enter_connected(int64_t offset, int stream_db) {
  // The stream received in frames during a full sync comes before the rest.
  link_.unshift_input(held_stream_);
  held_stream_.clear();
  held_stream_.shrink_to_fit();
  stream_ = master_stream(offset);
  stream_.received(link_.input_size());  // bytes already here after the sync
  session_.db.store(stream_db);
  status_->stream_db.store(stream_db);
  session_.stream_pending = {};
  ctl_.keep_history(stream_db);
  set_state(replica_link_state::connected);
  last_io_ms_ = wall_clock_ms();
  status_->last_io_ms.store(last_io_ms_);
  status_->applied_offset.store(offset);
  status_->read_offset.store(stream_.read_offset());
  session_.fd = link_.fd();
  session_.laddr = link_.local_address();
  int64_t now = wall_clock_ms();
  session_.created_ms = now;
  session_.last_interaction_ms = now;
  registered_client_ =
      srv_.add_client(session_.id, {&session_, caf::actor_cast<caf::actor>(this), home().index()});
  link_.pause_reading(false);
  stream_input();
}

void master_link::stream_input() {
  while (state_ == replica_link_state::connected && link_.is_open()) {
    if (!still_current()) return;
    auto r = stream_.next(link_.input(), link_.input_size());
    if (r == master_stream::result::incomplete) break;
    if (r == master_stream::result::error) {
      drop("Protocol error from MASTER: " + stream_.error());
      return;
    }
    session_.stream_pending = stream_.pending(link_.input());
    apply(stream_.args());
    if (!session_.has(client_multi)) {
      // Commands the dispatcher did not run (unknown to it, rejected) are
      // still the master's stream: they are journaled here.
      if (!session_.stream_pending.empty())
        srv_.journal_raw(session_.stream_pending, session_.current_db());
      session_.stream_pending = {};
      stream_.commit();
    }
  }
  if (state_ != replica_link_state::connected) return;
  size_t done = stream_.discardable();
  if (done > 0) {
    link_.consume(done);
    stream_.discarded(done);
  }
  status_->applied_offset.store(stream_.applied_offset(), std::memory_order_relaxed);
  status_->stream_db.store(session_.current_db(), std::memory_order_relaxed);
  status_->last_io_ms.store(last_io_ms_, std::memory_order_relaxed);
  session_.last_interaction_ms.store(last_io_ms_, std::memory_order_relaxed);
}

void master_link::apply(const std::vector<std::string_view>& args) {
  if (args.empty()) return;
  // REPLCONF GETACK: the master asks where this replica is (WAIT). The
  // answer names the offset before this request, as Redis's does.
  if (iequals_ascii(args[0], "replconf")) {
    if (args.size() >= 2 && iequals_ascii(args[1], "getack")) send_ack();
    return;
  }
  uint64_t errors = writer_.errors_written();
  engine_.dispatch(session_, args, writer_, command_origin::replication);
  if (writer_.errors_written() != errors)
    log_warning(
        "== CRITICAL == This replica is sending an error to its master: '{}' after processing "
        "the command '{}'",
        first_error(replies_), std::string(args[0]));
  replies_.clear();
}

void master_link::send_ack() {
  if (state_ != replica_link_state::connected) return;
  link_.send_command({"REPLCONF", "ACK", std::to_string(stream_.applied_offset())});
}

}  // namespace troupe
