// Replica elections and manual failover in cluster_state, as Redis Cluster
// 7.0: a replica of a FAIL master waits 500 ms + random 0..500 ms + 1 s per
// better-placed replica, asks the masters for votes in a new epoch, and with a
// majority takes its master's slots under that epoch. Masters vote once per
// epoch and once per 2 x node-timeout per failing master. CLUSTER FAILOVER
// runs the same election without FAIL once the replica caught up with its
// paused master (FORCE: without waiting; TAKEOVER: without an election).
#include <algorithm>

#include "topology/cluster/cluster_state.hpp"

namespace troupe::cluster {

namespace {
constexpr int64_t cant_failover_relog_ms = 10000;

enum cant_failover : int {
  none = 0,
  data_age = 1,
  waiting_delay = 2,
  expired = 3,
  waiting_votes = 4,
};
}  // namespace

int cluster_state::replica_rank() const {
  const cluster_node* master = find(myself_->master_id);
  if (!master) return 0;
  int rank = 0;
  for (const auto& rid : master->replicas) {
    const cluster_node* r = find(rid);
    if (!r || r == myself_ || r->has(node_flag::nofailover)) continue;
    if (r->repl_offset > myself_->repl_offset) ++rank;
  }
  return rank;
}

void cluster_state::log_cant_failover(int reason) {
  if (reason == cant_failover_reason_ && now_ - last_cant_failover_log_ < cant_failover_relog_ms)
    return;
  cant_failover_reason_ = reason;
  // Right after the master failed this is expected: stay quiet.
  const cluster_node* master = find(myself_->master_id);
  if (master && master->has(node_flag::fail) &&
      now_ - master->fail_time < opts_.node_timeout_ms + 5000)
    return;
  const char* msg = "";
  switch (reason) {
    case data_age:
      msg =
          "Disconnected from master for longer than allowed. Please check the "
          "'cluster-replica-validity-factor' configuration option.";
      break;
    case waiting_delay:
      msg = "Waiting the delay before I can start a new failover.";
      break;
    case expired:
      msg = "Failover attempt expired.";
      break;
    case waiting_votes:
      msg = "Waiting for votes, but majority still not reached.";
      break;
    default:
      return;
  }
  last_cant_failover_log_ = now_;
  log(std::string("Currently unable to failover: ") + msg);
}

void cluster_state::reset_manual_failover() {
  // A master that paused for its replica resumes, whatever the outcome.
  if (!mf_replica_.empty()) event(cluster_event::kind::unpause_writes);
  mf_end_ = 0;
  mf_can_start_ = false;
  mf_replica_.clear();
  mf_master_offset_ = -1;
}

void cluster_state::handle_manual_failover() {
  if (mf_end_ == 0 || mf_can_start_ || mf_master_offset_ == -1) return;
  if (mf_master_offset_ == myself_->repl_offset) {
    mf_can_start_ = true;
    log("All master replication stream processed, manual failover can start.");
  }
}

void cluster_state::replace_my_master(cluster_output& out) {
  cluster_node* old = find(myself_->master_id);
  if (myself_->is_master() || !old) return;
  set_node_as_master(*myself_);
  event(cluster_event::kind::become_master);
  for (int s = 0; s < slot_count; ++s) {
    if (owners_[s] == old) {
      del_slot(s);
      add_slot(*myself_, s);
    }
  }
  update_state();
  save();
  // Everybody learns the new owner of the slots at once.
  broadcast_pong(out, pong_target::all);
  reset_manual_failover();
}

void cluster_state::handle_replica_failover(cluster_output& out) {
  const int quorum = size() / 2 + 1;
  const bool manual = mf_end_ != 0 && mf_can_start_;
  const int64_t auth_timeout = std::max<int64_t>(opts_.node_timeout_ms * 2, 2000);
  const int64_t auth_retry = auth_timeout * 2;
  cluster_node* master = find(myself_->master_id);
  if (myself_->is_master() || !master || (!master->has(node_flag::fail) && !manual) ||
      (opts_.replica_no_failover && !manual) || master->numslots == 0) {
    cant_failover_reason_ = none;
    return;
  }
  // How old our data is: the time without the master, beyond the timeout.
  int64_t age = master_link_down_since_ ? now_ - master_link_down_since_ : 0;
  if (age > opts_.node_timeout_ms) age -= opts_.node_timeout_ms;
  if (opts_.replica_validity_factor &&
      age > opts_.repl_ping_replica_period_s * 1000 +
                opts_.node_timeout_ms * opts_.replica_validity_factor) {
    if (!manual) {
      log_cant_failover(data_age);
      return;
    }
  }
  // A new election after the previous one's retry time.
  if (now_ - failover_auth_time_ > auth_retry) {
    failover_auth_time_ = now_ + 500 + static_cast<int64_t>(rng_() % 500);
    failover_auth_count_ = 0;
    failover_auth_sent_ = false;
    failover_auth_rank_ = replica_rank();
    failover_auth_time_ += failover_auth_rank_ * 1000;
    if (mf_end_) {
      failover_auth_time_ = now_;
      failover_auth_rank_ = 0;
    }
    log("Start of election delayed for " + std::to_string(failover_auth_time_ - now_) +
        " milliseconds (rank #" + std::to_string(failover_auth_rank_) + ", offset " +
        std::to_string(myself_->repl_offset) + ").");
    // The other replicas learn our offset, to rank themselves.
    broadcast_pong(out, pong_target::local_replicas);
    return;
  }
  // Others turned out to have more data: wait longer.
  if (!failover_auth_sent_ && !mf_end_) {
    int rank = replica_rank();
    if (rank > failover_auth_rank_) {
      int64_t added = static_cast<int64_t>(rank - failover_auth_rank_) * 1000;
      failover_auth_time_ += added;
      failover_auth_rank_ = rank;
      log("Replica rank updated to #" + std::to_string(rank) + ", added " + std::to_string(added) +
          " milliseconds of delay.");
    }
  }
  if (now_ < failover_auth_time_) {
    log_cant_failover(waiting_delay);
    return;
  }
  if (now_ - failover_auth_time_ > auth_timeout) {
    log_cant_failover(expired);
    return;
  }
  if (!failover_auth_sent_) {
    ++current_epoch_;
    failover_auth_epoch_ = current_epoch_;
    log("Starting a failover election for epoch " + std::to_string(current_epoch_) + ".");
    cluster_message req = make_header(message_type::failover_auth_request);
    if (mf_end_) req.mflags |= message_flag::force_ack;
    broadcast(out, req);
    failover_auth_sent_ = true;
    save();
    return;
  }
  if (failover_auth_count_ >= quorum) {
    log("Failover election won, I'm the new master.");
    if (myself_->config_epoch < failover_auth_epoch_) {
      myself_->config_epoch = failover_auth_epoch_;
      log("configEpoch set to " + std::to_string(myself_->config_epoch) +
          " after successful failover");
    }
    replace_my_master(out);
  } else {
    log_cant_failover(waiting_votes);
  }
}

void cluster_state::send_vote_if_needed(cluster_node& requester, const cluster_message& req,
                                        cluster_output& out) {
  // Only masters serving slots vote.
  if (myself_->is_replica() || myself_->numslots == 0) return;
  const std::string who = "Failover auth denied to " + requester.id + ": ";
  if (req.current_epoch < current_epoch_) {
    log(who + "reqEpoch (" + std::to_string(req.current_epoch) + ") < curEpoch(" +
        std::to_string(current_epoch_) + ")");
    return;
  }
  if (last_vote_epoch_ == current_epoch_) {
    log(who + "already voted for epoch " + std::to_string(current_epoch_));
    return;
  }
  cluster_node* master = find(requester.master_id);
  bool force = (req.mflags & message_flag::force_ack) != 0;
  if (requester.is_master() || !master || (!master->has(node_flag::fail) && !force)) {
    const char* why = requester.is_master() ? "it is a master node"
                      : !master             ? "I don't know its master"
                                            : "its master is up";
    log(who + why);
    return;
  }
  // One vote per failing master per 2 x node-timeout.
  if (now_ - master->voted_time < opts_.node_timeout_ms * 2) {
    log(who + "can't vote about this master before " +
        std::to_string(opts_.node_timeout_ms * 2 - (now_ - master->voted_time)) + " milliseconds");
    return;
  }
  // The slots it claims must not be served under a newer epoch.
  for (int s = 0; s < slot_count; ++s) {
    if (!req.slots.test(s)) continue;
    const cluster_node* owner = owners_[s];
    if (!owner || owner->config_epoch <= req.config_epoch) continue;
    log(who + "slot " + std::to_string(s) + " epoch (" + std::to_string(owner->config_epoch) +
        ") > reqEpoch (" + std::to_string(req.config_epoch) + ")");
    return;
  }
  last_vote_epoch_ = current_epoch_;
  master->voted_time = now_;
  save();
  send(out, requester, make_header(message_type::failover_auth_ack));
  log("Failover auth granted to " + requester.id + " for epoch " + std::to_string(current_epoch_));
}

std::optional<std::string> cluster_state::failover(const std::vector<std::string_view>& args) {
  bool force = false;
  bool takeover = false;
  if (args.size() > 1) return std::string("ERR syntax error");
  if (args.size() == 1) {
    std::string a(args[0]);
    for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (a == "force")
      force = true;
    else if (a == "takeover")
      takeover = true;
    else
      return std::string("ERR syntax error");
  }
  if (myself_->is_master()) return std::string("ERR You should send CLUSTER FAILOVER to a replica");
  cluster_node* master = find(myself_->master_id);
  if (!master) return std::string("ERR I'm a replica but my master is unknown to me");
  if (!force && !takeover && (master->has(node_flag::fail) || !master->link))
    return std::string("ERR Master is down or failed, please use CLUSTER FAILOVER FORCE");
  reset_manual_failover();
  mf_end_ = now_ + mf_timeout_ms;
  cluster_output out;
  if (takeover) {
    // No election: a new epoch of our own and the slots are ours.
    log("Taking over the master (user request).");
    bump_epoch_without_consensus();
    replace_my_master(out);
  } else if (force) {
    log("Forced failover user request accepted.");
    mf_can_start_ = true;
  } else {
    log("Manual failover user request accepted.");
    send(out, *master, make_header(message_type::mfstart));
  }
  for (auto& m : out.messages) pending_messages_.push_back(std::move(m));
  return std::nullopt;
}

}  // namespace troupe::cluster
