#include "actors/replication/replication_master.hpp"

#include <algorithm>

#include <caf/all.hpp>

#include "actors/replication/full_sync.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/server/server.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "storage/dispatch/session.hpp"
#include "storage/keyspace/clock.hpp"
#include "topology/replication/full_sync_plan.hpp"
#include "topology/replication/psync_decision.hpp"

namespace troupe {
namespace {

// What a journal reader calls when bytes arrive: wake the feed (the journal's
// lock is held, so only a message).
std::function<void()> waker(caf::actor feed) {
  return [feed] { caf::anon_send(feed, wake_atom::value); };
}

}  // namespace

replication_master::replication_master(server& srv) : srv_(srv) {
  last_ping_ms_ = wall_clock_ms();
  no_replicas_since_ms_ = last_ping_ms_;
  // The replica side drops this node's replicas when its history changes.
  std::lock_guard<std::mutex> g(srv_.replication().mutex);
  srv_.replication().disconnect_replicas = [this] { disconnect_all(); };
}

replication_master::~replication_master() {
  std::lock_guard<std::mutex> g(srv_.replication().mutex);
  srv_.replication().disconnect_replicas = nullptr;
}

// -- feeds -------------------------------------------------------------------------------

replication_master::attach_result replication_master::attach(
    const std::shared_ptr<replica_link>& link) {
  attach_result res;
  journal& j = srv_.journal_log();
  const replica_request& req = link->req;
  const server_config& cfg = srv_.config();
  uint64_t max_lag = uint64_t(cfg.client_output_buffer_limit.get(client_class::replica).hard);
  int64_t now = wall_clock_ms();
  link->ack_time_ms = now;
  caf::actor feed;
  {
    std::lock_guard<std::mutex> g(link->mutex);
    feed = link->feed;
  }
  std::lock_guard<std::mutex> g(mutex_);
  links_.push_back(link);

  if (req.psync && !req.rdb_only) {
    replication_ids ids;
    {
      std::lock_guard<std::mutex> ig(srv_.replication().mutex);
      ids = srv_.replication().ids;
    }
    backlog_window w{j.backlog_active(), int64_t(j.backlog_first_offset()),
                     int64_t(j.backlog_histlen())};
    psync_decision d = decide_psync(req.replid, req.offset, ids, w);
    if (d.partial) {
      // The replica has every byte before `offset`.
      auto reader = j.attach_at(uint64_t(req.offset - 1), waker(feed), max_lag);
      if (reader) {
        {
          std::lock_guard<std::mutex> lg(link->mutex);
          link->stream_reader = reader;
        }
        link->state = replica_state::online;
        link->ack_offset = req.offset - 1;
        sync_partial_ok_.fetch_add(1);
        log_notice(
            "Partial resynchronization request from {} accepted. Sending {} bytes of backlog "
            "starting from offset {}.",
            link->log_name, int64_t(j.repl_offset()) - (req.offset - 1), req.offset);
        res.partial = true;
        // A replica that knows PSYNC2 learns the id of the history it now follows
        // (it may have asked with the one this node had before a promotion).
        res.reply = req.capa_psync2 ? "+CONTINUE " + ids.replid + "\r\n" : "+CONTINUE\r\n";
        refresh_good_locked();
        return res;
      }
      d.reason = "Unable to partial resync: the backlog moved on meanwhile";
    }
    if (req.replid == "?")
      log_notice("Full resync requested by replica {}", link->log_name);
    else if (d.reason.rfind("Unable", 0) == 0)
      log_notice(
          "Unable to partial resync with replica {} for lack of backlog (Replica request was: "
          "{}).",
          link->log_name, req.offset);
    else
      log_notice("Partial resynchronization not accepted: {}", d.reason);
    if (req.replid != "?") sync_partial_err_.fetch_add(1);
  }
  sync_full_.fetch_add(1);
  link->state = replica_state::wait_bgsave_start;
  if (!j.backlog_active()) create_backlog_locked();

  class persistence& snaps = srv_.snapshots();
  if (snaps.replication_sync_running()) {
    if (!snaps.replication_sync_to_disk())
      log_notice("Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC");
    else if (join_running_locked(link))
      log_notice("Waiting for end of BGSAVE for SYNC");
    else
      log_notice(
          "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
  } else if (snaps.busy()) {
    log_notice(
        "No BGSAVE in progress, but another BG operation is active. BGSAVE for replication "
        "delayed");
  } else if (cfg.repl_diskless_sync.get() && req.capa_eof &&
             cfg.repl_diskless_sync_delay.get() > 0) {
    log_notice("Delay next BGSAVE for diskless SYNC");
  } else {
    start_pending_locked(true);
  }
  return res;
}

void replication_master::create_backlog_locked() {
  replication_state& rs = srv_.replication();
  std::string id1, id2;
  {
    std::lock_guard<std::mutex> g(rs.mutex);
    // A new backlog starts a new history, unless this node follows a master
    // (then the history is its master's).
    if (!rs.is_replica.load()) {
      rs.ids.replid = random_hex_id();
      rs.ids.clear_secondary();
    }
    id1 = rs.ids.replid;
    id2 = rs.ids.replid2;
  }
  srv_.journal_log().create_backlog();
  log_notice("Replication backlog created, my new replication IDs are '{}' and '{}'", id1, id2);
}

bool replication_master::join_running_locked(const std::shared_ptr<replica_link>& link) {
  if (!job_ || job_->diskless() || job_->finished()) return false;
  journal& j = srv_.journal_log();
  uint64_t max_lag =
      uint64_t(srv_.config().client_output_buffer_limit.get(client_class::replica).hard);
  std::optional<journal::reader_id> mine;
  bool same_filter = true;
  {
    std::lock_guard<std::mutex> g(job_->links_mutex);
    for (auto& w : job_->links) {
      auto other = w.lock();
      if (!other) continue;
      if (other->req.exclude_data != link->req.exclude_data) {
        same_filter = false;
        break;
      }
      if (link->req.rdb_only) break;  // needs no stream: any point will do
      std::optional<journal::reader_id> theirs;
      {
        std::lock_guard<std::mutex> lg(other->mutex);
        theirs = other->stream_reader;
      }
      if (!theirs) continue;
      // Their stream starts at the cut and has not been read yet: ours starts there too.
      caf::actor feed;
      {
        std::lock_guard<std::mutex> lg(link->mutex);
        feed = link->feed;
      }
      mine = j.attach_beside(*theirs, waker(feed), max_lag);
      if (mine) break;
    }
    if (!same_filter || (!mine && !link->req.rdb_only)) return false;
    job_->links.push_back(link);
  }
  {
    std::lock_guard<std::mutex> lg(link->mutex);
    link->stream_reader = mine;
    link->job = job_;
  }
  link->state = replica_state::wait_bgsave_end;
  job_->wake_all();
  return true;
}

void replication_master::start_pending() {
  std::lock_guard<std::mutex> g(mutex_);
  start_pending_locked(false);
}

void replication_master::start_pending_locked(bool force) {
  if (job_ && !job_->finished()) return;
  if (srv_.snapshots().busy()) return;
  // The server is exiting once the running snapshot ends: no new one.
  if (srv_.shutdown().finishing()) return;
  std::vector<std::shared_ptr<replica_link>> candidates;
  std::vector<waiting_replica> waiting;
  int64_t now = wall_clock_ms();
  for (auto& l : links_) {
    if (l->state.load() != replica_state::wait_bgsave_start) continue;
    candidates.push_back(l);
    waiting.push_back({now - l->since_ms, l->req.capa_eof, l->req.exclude_data});
  }
  const server_config& cfg = srv_.config();
  full_sync_settings settings{cfg.repl_diskless_sync.get(), cfg.repl_diskless_sync_delay.get(),
                              cfg.repl_diskless_sync_max_replicas.get()};
  full_sync_plan plan = plan_full_sync(waiting, settings, force);
  if (!plan.start) return;
  std::vector<std::shared_ptr<replica_link>> group;
  for (size_t i : plan.members) group.push_back(candidates[i]);
  start_sync_locked(std::move(group), plan.diskless);
}

void replication_master::start_sync_locked(std::vector<std::shared_ptr<replica_link>> group,
                                           bool diskless) {
  const server_config& cfg = srv_.config();
  auto job = std::make_shared<full_sync>(diskless, cfg.rdbchecksum.get());
  for (auto& l : group) job->links.push_back(l);
  uint64_t max_lag = uint64_t(cfg.client_output_buffer_limit.get(client_class::replica).hard);
  replication_snapshot snap;
  snap.to_disk = !diskless;
  snap.exclude_data = group[0]->req.exclude_data;
  snap.at_cut = [this, job, group, max_lag] {
    journal& j = srv_.journal_log();
    // The stream after the cut starts with SELECT: the replica's database is unknown.
    j.forget_db();
    {
      std::lock_guard<std::mutex> g(srv_.replication().mutex);
      job->replid = srv_.replication().ids.replid;
    }
    job->offset = int64_t(j.repl_offset());
    // A master's stream starts with SELECT after the cut; a replica relays its
    // master's stream as it is, in the database its link has selected.
    int stream_db = srv_.is_replica() ? std::max(0, srv_.replica().rdb_stream_db()) : 0;
    for (auto& l : group) {
      std::lock_guard<std::mutex> g(l->mutex);
      // A replica whose feed closed since it joined the group (close_link
      // clears its readers under this lock): readers attached for it now
      // would never read, and the sync would wait for them for ever.
      if (!l->feed) continue;
      if (!l->req.rdb_only) l->stream_reader = j.attach_at_end(waker(l->feed), max_lag);
      if (job->diskless()) l->payload_reader = job->payload().attach_at_end(waker(l->feed));
      l->job = job;
      l->state = replica_state::wait_bgsave_end;
    }
    if (job->diskless()) job->begin_payload();
    return rdb_history{job->replid, job->offset, stream_db};
  };
  snap.emit = [job](std::string bytes) { job->append(bytes); };
  if (diskless) {
    // The walks go at the pace of the slowest replica.
    snap.paused = [job] { return job->should_pause(); };
    job->resume = [this] {
      for (int i = 0; i < srv_.keys().shard_count(); ++i)
        caf::anon_send(srv_.shard_actor(i), snapshot_atom::value);
    };
  }
  std::string path = cfg.dbfilename.str();
  snap.on_done = [this, job, path](bool ok, const std::string& error) {
    // Runs where the snapshot ends (a shard's walk, the writer): no lock of ours.
    if (job->diskless())
      job->end_payload();
    else if (ok)
      job->file_ready(path);
    else
      job->file_failed(error);
    // Replicas that arrived meanwhile need not wait for the next cron tick.
    srv_.reactor_at(0).post([this] { start_pending(); });
  };
  log_notice("Starting BGSAVE for SYNC with target: {}", diskless ? "replicas sockets" : "disk");
  if (auto err = srv_.snapshots().start_for_replication(std::move(snap))) {
    // Another snapshot started meanwhile: the replicas wait for the next cron.
    log_notice("BGSAVE for replication delayed: {}", *err);
    return;
  }
  job_ = job;
  job->wake_all();
}

void replication_master::detach(const std::shared_ptr<replica_link>& link) {
  {
    std::lock_guard<std::mutex> g(mutex_);
    links_.erase(std::remove(links_.begin(), links_.end(), link), links_.end());
    if (links_.empty()) no_replicas_since_ms_ = wall_clock_ms();
    refresh_good_locked();
  }
  check_waiters();
}

void replication_master::disconnect_all() {
  std::vector<caf::actor> feeds;
  {
    std::lock_guard<std::mutex> g(mutex_);
    for (auto& l : links_) {
      std::lock_guard<std::mutex> lg(l->mutex);
      if (l->feed) feeds.push_back(l->feed);
    }
  }
  for (auto& f : feeds) caf::anon_send(f, close_atom::value);
}

void replication_master::on_ack() {
  {
    std::lock_guard<std::mutex> g(mutex_);
    refresh_good_locked();
  }
  check_waiters();
  srv_.failover().check();
}

std::vector<failover_candidate> replication_master::failover_candidates() const {
  std::vector<failover_candidate> out;
  std::lock_guard<std::mutex> g(mutex_);
  int64_t end = int64_t(srv_.journal_log().repl_offset());
  for (auto& l : links_) {
    if (l->req.rdb_only) continue;
    int64_t acked = l->ack_offset.load();
    // A replica answers GETACK with the offset before it (as Redis's do); when
    // that GETACK ends the stream, this replica holds the whole stream.
    if (getack_offsets_.second == end && acked == getack_offsets_.first) acked = end;
    out.push_back({l->ip, l->port, l->state.load() == replica_state::online, acked});
  }
  return out;
}

// -- cron ----------------------------------------------------------------------------------

void replication_master::cron() {
  const server_config& cfg = srv_.config();
  int64_t now = wall_clock_ms();
  journal& j = srv_.journal_log();
  std::lock_guard<std::mutex> g(mutex_);
  start_pending_locked(false);
  // A GETACK a pause held back (WAIT during CLIENT PAUSE).
  if (acks_wanted_ && srv_.clients_paused() == pause_kind::none) {
    acks_wanted_ = false;
    request_acks_locked();
  }
  // PINGs in the stream: replicas see the master alive, and offsets move. A
  // replica relays its master's stream (and PINGs) as it is and adds nothing.
  // Not while a FAILOVER or SHUTDOWN waits for replicas to reach the offset,
  // which a PING would move (as Redis).
  bool waiting_for_offsets = srv_.pauses().paused_for(pause_purpose::failover) ||
                             srv_.pauses().paused_for(pause_purpose::shutdown);
  if (!links_.empty() && !srv_.is_replica() && !waiting_for_offsets &&
      now - last_ping_ms_ >= cfg.repl_ping_replica_period.get() * 1000) {
    last_ping_ms_ = now;
    j.append_control({"PING"});
    j.publish();
  }
  int64_t ttl = cfg.repl_backlog_ttl.get();
  if (links_.empty() && ttl > 0 && j.backlog_active() && !srv_.replication().is_replica.load() &&
      now - no_replicas_since_ms_ > ttl * 1000) {
    {
      std::lock_guard<std::mutex> ig(srv_.replication().mutex);
      srv_.replication().ids.replid = random_hex_id();
      srv_.replication().ids.clear_secondary();
    }
    j.free_backlog();
    log_notice("Replication backlog freed after {} seconds without connected replicas.", ttl);
  }
  refresh_good_locked();
}

void replication_master::refresh_good_locked() {
  int64_t now_s = wall_clock_ms() / 1000;
  int64_t max_lag = srv_.config().min_replicas_max_lag.get();
  int good = 0;
  for (auto& l : links_)
    if (l->state.load() == replica_state::online && now_s - l->ack_time_ms.load() / 1000 <= max_lag)
      ++good;
  good_replicas_ = good;
}

bool replication_master::too_few_good_replicas() const {
  const server_config& cfg = srv_.config();
  int64_t min = cfg.min_replicas_to_write.get();
  if (min <= 0 || cfg.min_replicas_max_lag.get() <= 0) return false;
  if (srv_.replication().is_replica.load()) return false;
  return good_replicas_.load() < min;
}

// -- WAIT ----------------------------------------------------------------------------------

int replication_master::count_acked_locked(int64_t offset) const {
  int n = 0;
  for (auto& l : links_)
    if (l->state.load() == replica_state::online && l->ack_offset.load() >= offset) ++n;
  return n;
}

int replication_master::acked_for(const blocked_ptr& w) {
  int64_t offset = -1;
  {
    std::lock_guard<std::mutex> g(wait_mutex_);
    for (auto& x : waiters_)
      if (x.w == w) offset = x.offset;
  }
  return offset < 0 ? 0 : count_acked(offset);
}

int replication_master::count_acked(int64_t offset) {
  std::lock_guard<std::mutex> g(mutex_);
  return count_acked_locked(offset);
}

void replication_master::request_acks() {
  std::lock_guard<std::mutex> g(mutex_);
  // While clients are paused the stream stands still: the GETACK waits.
  if (srv_.clients_paused() != pause_kind::none) {
    acks_wanted_ = true;
    return;
  }
  request_acks_locked();
}

void replication_master::request_acks_locked() {
  journal& j = srv_.journal_log();
  if (links_.empty() || getack_at_ == j.end()) return;  // one is on its way already
  int64_t before = int64_t(j.repl_offset());
  j.append_control({"REPLCONF", "GETACK", "*"});
  getack_at_ = j.end();
  getack_offsets_ = {before, int64_t(j.repl_offset())};
  j.publish();
}

void replication_master::add_waiter(const blocked_ptr& w, reactor& home, int64_t offset,
                                    int64_t numreplicas, int64_t timeout_ms) {
  uint64_t timer = 0;
  // A deadline beyond any clock is a wait for ever.
  if (timeout_ms > 0 && timeout_ms < (int64_t(1) << 52)) {
    timer = home.after(timeout_ms, [this, w, offset] {
      {
        std::lock_guard<std::mutex> g(wait_mutex_);
        waiters_.erase(std::remove_if(waiters_.begin(), waiters_.end(),
                                      [&](const waiter& x) { return x.w == w; }),
                       waiters_.end());
        waiter_count_ = waiters_.size();
      }
      finish_wait(w, count_acked(offset), 0, nullptr);
    });
  }
  {
    std::lock_guard<std::mutex> g(wait_mutex_);
    waiters_.push_back({w, &home, offset, numreplicas, timer});
    waiter_count_ = waiters_.size();
  }
  // An ACK that came on another reactor after the caller counted, but before
  // the waiter was listed, found no waiter to wake; and the GETACK the caller
  // asks for next is not sent when the journal has not moved. Count again.
  check_waiters();
}

void replication_master::check_waiters() {
  if (waiter_count_.load() == 0) return;
  std::vector<waiter> ready;
  std::vector<int> counts;
  {
    std::lock_guard<std::mutex> g(wait_mutex_);
    auto keep = waiters_.begin();
    for (auto& x : waiters_) {
      int n = count_acked(x.offset);
      // A waiter whose client went away (done) is dropped too.
      if (n >= x.numreplicas || x.w->done.load()) {
        ready.push_back(x);
        counts.push_back(n);
      } else {
        *keep++ = x;
      }
    }
    waiters_.erase(keep, waiters_.end());
    waiter_count_ = waiters_.size();
  }
  for (size_t i = 0; i < ready.size(); ++i) {
    waiter x = ready[i];
    int n = counts[i];
    // The blocked client lives on its reactor: end its wait there.
    x.home->post([this, x, n] { finish_wait(x.w, n, x.timer, x.home); });
  }
}

void replication_master::finish_wait(const blocked_ptr& w, int acked, uint64_t timer,
                                     reactor* home) {
  if (timer != 0 && home != nullptr) home->cancel(timer);
  if (w->done.load()) return;  // the client went away or was unblocked
  w->done = true;
  w->s->clear(client_blocked);
  srv_.keys().blocked_clients.fetch_sub(1, std::memory_order_relaxed);
  w->wake(":" + std::to_string(acked) + "\r\n");
}

// -- INFO and ROLE ------------------------------------------------------------------------

size_t replication_master::replica_count() const {
  std::lock_guard<std::mutex> g(mutex_);
  return links_.size();
}

void replication_master::append_info_fields(std::string& out) {
  const server_config& cfg = srv_.config();
  int64_t now = wall_clock_ms();
  std::lock_guard<std::mutex> g(mutex_);
  out += "connected_slaves:" + std::to_string(links_.size()) + "\r\n";
  if (cfg.min_replicas_to_write.get() > 0 && cfg.min_replicas_max_lag.get() > 0)
    out += "min_slaves_good_slaves:" + std::to_string(good_replicas_.load()) + "\r\n";
  int i = 0;
  for (auto& l : links_) {
    out += "slave" + std::to_string(i++) + ":ip=" + l->ip + ",port=" + std::to_string(l->port) +
           ",state=" + replica_state_name(l->state.load()) +
           ",offset=" + std::to_string(l->ack_offset.load()) +
           ",lag=" + std::to_string(now / 1000 - l->ack_time_ms.load() / 1000) + "\r\n";
  }
}

void replication_master::write_role(reply_writer& out) {
  int64_t offset = int64_t(srv_.journal_log().repl_offset());
  std::vector<std::shared_ptr<replica_link>> online;
  {
    std::lock_guard<std::mutex> g(mutex_);
    for (auto& l : links_)
      if (l->state.load() == replica_state::online) online.push_back(l);
  }
  out.array(3);
  out.bulk("master");
  out.integer(offset);
  out.array(online.size());
  for (auto& l : online) {
    out.array(3);
    out.bulk(l->ip);
    out.bulk(std::to_string(l->port));
    out.bulk(std::to_string(l->ack_offset.load()));
  }
}

void replication_master::reset_stats() {
  sync_full_ = 0;
  sync_partial_ok_ = 0;
  sync_partial_err_ = 0;
  repl_output_bytes_ = 0;
}

}  // namespace troupe
