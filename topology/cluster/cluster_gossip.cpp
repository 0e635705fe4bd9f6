// The bus side of cluster_state: building and sending pings, processing what
// other nodes say (handshake, addresses, roles, slots, gossip, failure
// reports, FAIL, UPDATE, PUBLISH), and the 100 ms tick, as Redis Cluster 7.0.
#include <algorithm>

#include "topology/cluster/cluster_state.hpp"

namespace troupe::cluster {

namespace {
constexpr int64_t fail_report_validity_mult = 2;  // reports live 2 x node-timeout
constexpr int64_t fail_undo_time_mult = 2;        // FAIL on a master with slots, cleared after
constexpr int64_t replica_migration_delay_ms = 5000;
}  // namespace

cluster_message cluster_state::make_header(message_type type) const {
  cluster_message m;
  m.type = type;
  m.sender = myself_->id;
  m.current_epoch = current_epoch_;
  const cluster_node* master = myself_;
  if (myself_->is_replica()) {
    if (const cluster_node* mm = find(myself_->master_id)) master = mm;
  }
  m.config_epoch = master->config_epoch;
  m.slots = master->slots;
  m.master_id = myself_->is_replica() ? myself_->master_id : std::string();
  m.repl_offset = myself_->repl_offset;
  m.ip = opts_.announce_ip;
  m.port = opts_.port;
  m.cport = opts_.cport;
  m.flags = myself_->flags;
  m.state_ok = state_ok_;
  m.hostname = opts_.hostname;
  if (myself_->is_master() && mf_end_) m.mflags |= message_flag::paused;
  return m;
}

void cluster_state::send(cluster_output& out, cluster_node& to, cluster_message msg) {
  if (!to.link || &to == myself_) return;
  stats_.sent[static_cast<int>(msg.type)]++;
  out.messages.push_back({to.id, false, std::move(msg)});
}

void cluster_state::reply(cluster_output& out, const std::string& to, cluster_message msg) {
  stats_.sent[static_cast<int>(msg.type)]++;
  out.messages.push_back({to, true, std::move(msg)});
}

cluster_message cluster_state::make_ping(message_type type, cluster_node* to) {
  cluster_message m = make_header(type);
  // How many other nodes to talk about: a tenth of the table, at least 3, at
  // most those there are (neither myself nor the receiver).
  int fresh = static_cast<int>(nodes_.size()) - 2;
  int wanted = std::max<int>(3, static_cast<int>(nodes_.size()) / 10);
  wanted = std::min(wanted, fresh);
  int max_iterations = wanted * 3;
  std::vector<const cluster_node*> chosen;
  auto usable = [&](const cluster_node* n) {
    if (n == myself_ || n == to) return false;
    if (n->has(node_flag::handshake | node_flag::noaddr)) return false;
    // A node we cannot talk to and that serves nothing is not worth gossip.
    if (!n->link && n->numslots == 0) return false;
    return true;
  };
  while (fresh > 0 && static_cast<int>(chosen.size()) < wanted && max_iterations-- > 0) {
    const cluster_node* n = nodes_[rng_() % nodes_.size()].get();
    if (n == myself_) continue;
    if (n->has(node_flag::pfail)) continue;  // all of them are added below
    if (!usable(n)) continue;
    if (std::find(chosen.begin(), chosen.end(), n) != chosen.end()) continue;
    chosen.push_back(n);
    --fresh;
  }
  // Every node we suspect, so failure reports spread fast.
  for (auto& p : nodes_) {
    const cluster_node* n = p.get();
    if (n == myself_ || n == to || !n->has(node_flag::pfail)) continue;
    if (n->has(node_flag::handshake | node_flag::noaddr)) continue;
    chosen.push_back(n);
  }
  for (const cluster_node* n : chosen) {
    gossip_entry g;
    g.node_id = n->id;
    g.ping_sent_s = static_cast<uint32_t>(n->ping_sent / 1000);
    g.pong_received_s = static_cast<uint32_t>(n->pong_received / 1000);
    g.ip = n->ip;
    g.port = n->port;
    g.cport = n->cport;
    g.flags = n->flags;
    m.gossip.push_back(std::move(g));
  }
  return m;
}

void cluster_state::send_ping(cluster_output& out, cluster_node& to, message_type type) {
  if (!to.link) return;
  cluster_message m = make_ping(type, &to);
  if (type == message_type::ping) to.ping_sent = now_;
  send(out, to, std::move(m));
}

void cluster_state::broadcast(cluster_output& out, const cluster_message& msg) {
  for (auto& p : nodes_) {
    if (p.get() == myself_ || p->has(node_flag::handshake)) continue;
    send(out, *p, msg);
  }
}

void cluster_state::broadcast_pong(cluster_output& out, pong_target target) {
  for (auto& p : nodes_) {
    cluster_node& n = *p;
    if (!n.link || &n == myself_ || n.has(node_flag::handshake)) continue;
    if (target == pong_target::local_replicas) {
      bool local = n.is_replica() && !n.master_id.empty() &&
                   (n.master_id == myself_->id || n.master_id == myself_->master_id);
      if (!local) continue;
    }
    send_ping(out, n, message_type::pong);
  }
}

cluster_output cluster_state::publish(std::string_view channel, std::string_view message,
                                      bool sharded) {
  cluster_output out;
  cluster_message m = make_header(sharded ? message_type::publishshard : message_type::publish);
  m.channel = std::string(channel);
  m.payload = std::string(message);
  if (!sharded) {
    broadcast(out, m);
    return out;
  }
  // SPUBLISH reaches this shard only: my master (or me) and its replicas.
  std::string shard_master = myself_->is_replica() ? myself_->master_id : myself_->id;
  for (auto& p : nodes_) {
    cluster_node& n = *p;
    if (&n == myself_ || n.has(node_flag::handshake)) continue;
    if (n.id == shard_master || n.master_id == shard_master) send(out, n, m);
  }
  return out;
}

cluster_output cluster_state::link_up(std::string_view id, int64_t now_ms) {
  now_ = now_ms;
  cluster_output out;
  cluster_node* n = find(id);
  if (!n || n == myself_) return out;
  n->link = true;
  n->connecting = false;
  n->link_ctime = now_ms;
  // A reconnection keeps the pending ping's time: failure detection goes on.
  int64_t old_ping_sent = n->ping_sent;
  send_ping(out, *n, n->has(node_flag::meet) ? message_type::meet : message_type::ping);
  if (old_ping_sent) n->ping_sent = old_ping_sent;
  n->flags &= ~node_flag::meet;
  drain_events(out);
  return out;
}

void cluster_state::link_down(std::string_view id, int64_t now_ms) {
  if (cluster_node* n = find(id)) {
    if (n->connecting && n->ping_sent == 0) n->ping_sent = now_ms;
    n->link = false;
    n->connecting = false;
  }
}

// --- failure reports --------------------------------------------------------

void cluster_state::clean_failure_reports(cluster_node& n) {
  int64_t max_age = opts_.node_timeout_ms * fail_report_validity_mult;
  auto& v = n.fail_reports;
  v.erase(std::remove_if(v.begin(), v.end(),
                         [&](const failure_report& r) { return now_ - r.time_ms > max_age; }),
          v.end());
}

bool cluster_state::add_failure_report(cluster_node& failing, const cluster_node& reporter) {
  for (auto& r : failing.fail_reports) {
    if (r.reporter == reporter.id) {
      r.time_ms = now_;
      return false;
    }
  }
  failing.fail_reports.push_back({reporter.id, now_});
  return true;
}

bool cluster_state::del_failure_report(cluster_node& failing, const cluster_node& reporter) {
  clean_failure_reports(failing);
  auto& v = failing.fail_reports;
  auto it = std::find_if(v.begin(), v.end(),
                         [&](const failure_report& r) { return r.reporter == reporter.id; });
  if (it == v.end()) return false;
  v.erase(it);
  return true;
}

void cluster_state::mark_failing_if_needed(cluster_node& n, cluster_output& out) {
  int quorum = size() / 2 + 1;
  if (!n.has(node_flag::pfail) || n.has(node_flag::fail)) return;
  clean_failure_reports(n);
  int failures = static_cast<int>(n.fail_reports.size());
  if (myself_->is_master()) ++failures;  // our own opinion counts
  if (failures < quorum) return;
  log("Marking node " + n.id + " as failing (quorum reached).");
  n.flags &= ~node_flag::pfail;
  n.flags |= node_flag::fail;
  n.fail_time = now_;
  // Tell everybody, so the whole cluster agrees at once (a replica too: the
  // decision came from masters' reports, it only helps spreading it).
  cluster_message m = make_header(message_type::fail);
  m.about = n.id;
  broadcast(out, m);
  save();
  update_state();
}

void cluster_state::clear_failure_if_needed(cluster_node& n) {
  if (n.is_replica() || n.numslots == 0) {
    log("Clear FAIL state for node " + n.id + ": " +
        (n.is_replica() ? "replica" : "master without slots") + " is reachable again.");
    n.flags &= ~node_flag::fail;
    save();
    update_state();
    return;
  }
  // A master with slots: only once nobody took them over for a while.
  if (now_ - n.fail_time > opts_.node_timeout_ms * fail_undo_time_mult) {
    log("Clear FAIL state for node " + n.id +
        ": is reachable again and nobody is serving its slots after some time.");
    n.flags &= ~node_flag::fail;
    save();
    update_state();
  }
}

// --- receiving ----------------------------------------------------------------

bool cluster_state::update_address_if_needed(cluster_node& n, const link_origin& from,
                                             const cluster_message& msg) {
  if (&n == myself_) return false;
  // What comes on our own link to it says nothing new about where it is.
  if (!from.node_id.empty() && from.node_id == n.id) return false;
  std::string ip = msg.ip.empty() ? from.peer_ip : msg.ip;
  if (ip.empty()) return false;
  if (n.ip == ip && n.port == msg.port && n.cport == msg.cport) return false;
  n.ip = ip;
  n.port = msg.port;
  n.cport = msg.cport;
  if (n.link) {
    n.link = false;
    event(cluster_event::kind::disconnect, n.id);
  }
  n.flags &= ~node_flag::noaddr;
  log("Address updated for node " + n.id + " (" + n.hostname + "), now " + ip + ":" +
      std::to_string(n.port));
  // Our master moved: replicate from its new address.
  if (myself_->is_replica() && myself_->master_id == n.id)
    event(cluster_event::kind::become_replica, n.id);
  return true;
}

void cluster_state::process_gossip(const cluster_message& msg, cluster_node* sender,
                                   cluster_output& out) {
  for (const gossip_entry& g : msg.gossip) {
    cluster_node* n = find(g.node_id);
    if (n) {
      // Only masters' opinions count towards FAIL.
      if (sender && sender->is_master() && n != myself_) {
        if (g.flags & (node_flag::fail | node_flag::pfail)) {
          if (add_failure_report(*n, *sender))
            log("Node " + sender->id + " reported node " + n->id + " as not reachable.");
          mark_failing_if_needed(*n, out);
        } else if (del_failure_report(*n, *sender)) {
          log("Node " + sender->id + " reported node " + n->id + " is back online.");
        }
      }
      // Somebody heard from it lately: a fresher pong time (seconds on the wire).
      if (!(g.flags & (node_flag::fail | node_flag::pfail)) && n->ping_sent == 0 &&
          n->fail_reports.empty()) {
        int64_t pong = static_cast<int64_t>(g.pong_received_s) * 1000;
        if (pong <= now_ + 500 && pong > n->pong_received) n->pong_received = pong;
      }
      // We cannot reach it and somebody else knows it at another address.
      if (n->failing() && !(g.flags & node_flag::noaddr) && g.port != 0 &&
          (n->ip != g.ip || n->port != g.port || n->cport != g.cport)) {
        if (n->link) {
          n->link = false;
          event(cluster_event::kind::disconnect, n->id);
        }
        n->ip = g.ip;
        n->port = g.port;
        n->cport = g.cport;
        n->flags &= ~node_flag::noaddr;
      }
    } else if (sender && !(g.flags & node_flag::noaddr) && !blacklisted(g.node_id)) {
      // A node a trusted member knows: added under its real id (not with a
      // handshake to its address, which might be somebody else's by now).
      uint16_t flags = g.flags & ~(node_flag::myself | node_flag::handshake | node_flag::meet |
                                   node_flag::noaddr);
      cluster_node& nn = add_node(g.node_id, flags);
      nn.ip = g.ip;
      nn.port = g.port;
      nn.cport = g.cport;
      save();
    }
  }
}

void cluster_state::update_slots_config_with(cluster_node& sender, uint64_t epoch,
                                             const slot_bitmap& slots, cluster_output& out) {
  (void)out;
  if (&sender == myself_) {
    log("Discarding UPDATE message about myself.");
    return;
  }
  cluster_node* cur_master = myself_->is_master() ? myself_ : find(myself_->master_id);
  cluster_node* new_master = nullptr;
  std::vector<int> dirty;
  int sender_slots = 0;
  int migrated_ours = 0;
  for (int s = 0; s < slot_count; ++s) {
    if (!slots.test(s)) continue;
    ++sender_slots;
    if (owners_[s] == &sender) continue;
    // An import in progress is the operator's business.
    if (importing_[s]) continue;
    cluster_node* owner = owners_[s];
    if (owner && owner->config_epoch >= epoch) continue;
    if (owner == myself_ && hooks_.keys_in_slot(s) != 0) dirty.push_back(s);
    if (owner && owner == cur_master) {
      new_master = &sender;
      ++migrated_ours;
    }
    del_slot(s);
    add_slot(sender, s);
    save();
  }
  update_state();
  if (new_master && cur_master && cur_master->numslots == 0 &&
      (opts_.allow_replica_migration || sender_slots == migrated_ours)) {
    log("Configuration change detected. Reconfiguring myself as a replica of " + sender.id);
    set_my_master(sender);
    return;
  }
  if (myself_->is_replica() && cur_master && cur_master->is_replica()) {
    cluster_node* grand = find(cur_master->master_id);
    if (grand && grand != myself_) {
      log("I'm a sub-replica! Reconfiguring myself as a replica of " + grand->id + " from " +
          cur_master->id);
      set_my_master(*grand);
      return;
    }
  }
  for (int s : dirty) {
    cluster_event e;
    e.what = cluster_event::kind::delete_keys_in_slot;
    e.slot = s;
    events_.push_back(std::move(e));
  }
}

void cluster_state::handle_epoch_collision(cluster_node& sender) {
  if (sender.config_epoch != myself_->config_epoch || !sender.is_master() || !myself_->is_master())
    return;
  // Of two masters with one epoch, the smaller id moves on.
  if (sender.id <= myself_->id) return;
  ++current_epoch_;
  myself_->config_epoch = current_epoch_;
  save();
  log("WARNING: configEpoch collision with node " + sender.id + ". configEpoch set to " +
      std::to_string(myself_->config_epoch));
}

cluster_output cluster_state::receive(const cluster_message& msg, const link_origin& from,
                                      int64_t now_ms) {
  now_ = now_ms;
  cluster_output out;
  stats_.received[static_cast<int>(msg.type)]++;
  const message_type type = msg.type;
  cluster_node* sender = find(msg.sender);
  if (sender && (sender->has(node_flag::handshake) || sender == myself_)) sender = nullptr;
  cluster_node* link_node = from.node_id.empty() ? nullptr : find(from.node_id);

  if (sender) {
    sender->data_received = now_ms;
    if (msg.current_epoch > current_epoch_) {
      current_epoch_ = msg.current_epoch;
      save();
    }
    if (msg.config_epoch > sender->config_epoch) {
      sender->config_epoch = msg.config_epoch;
      save();
    }
    sender->repl_offset = msg.repl_offset;
    sender->repl_offset_time = now_ms;
    // The master paused for our manual failover: the offset to reach.
    if (mf_end_ && myself_->is_replica() && myself_->master_id == sender->id &&
        (msg.mflags & message_flag::paused) && mf_master_offset_ == -1) {
      mf_master_offset_ = msg.repl_offset;
      log("Received replication offset for paused master manual failover: " +
          std::to_string(mf_master_offset_));
    }
  }

  if (type == message_type::ping || type == message_type::meet) {
    // How the others see us, unless we announce an address.
    if ((type == message_type::meet || myself_->ip.empty()) && opts_.announce_ip.empty() &&
        !from.local_ip.empty() && myself_->ip != from.local_ip) {
      myself_->ip = from.local_ip;
      log("IP address for this node updated to " + myself_->ip);
      save();
    }
    if (!sender && type == message_type::meet) {
      cluster_node& n = add_node(random_node_id(), node_flag::handshake);
      n.ip = msg.ip.empty() ? from.peer_ip : msg.ip;
      n.port = msg.port;
      n.cport = msg.cport;
      save();
      process_gossip(msg, nullptr, out);
    }
    reply(out, msg.sender, make_ping(message_type::pong, sender));
  }

  if (type == message_type::ping || type == message_type::pong || type == message_type::meet) {
    if (link_node) {
      if (link_node->has(node_flag::handshake)) {
        if (sender) {
          // The handshake reached a node we know under its real id.
          log("Handshake: we already know node " + sender->id +
              ", updating the address if needed.");
          if (update_address_if_needed(*sender, from, msg)) {
            save();
            update_state();
          }
          delete_node(link_node);
          drain_events(out);
          return out;
        }
        if (find(msg.sender) || blacklisted(msg.sender)) {
          delete_node(link_node);
          drain_events(out);
          return out;
        }
        rename_node(link_node, msg.sender);
        log("Handshake with node " + link_node->id + " completed.");
        link_node->flags &= ~node_flag::handshake;
        link_node->flags |= msg.flags & (node_flag::master | node_flag::replica);
        save();
      } else if (link_node->id != msg.sender) {
        log("PONG contains mismatching sender ID. About node " + link_node->id + " added " +
            std::to_string(now_ms - link_node->ctime) + " ms ago, having flags " +
            std::to_string(link_node->flags));
        link_node->flags |= node_flag::noaddr;
        link_node->ip.clear();
        link_node->port = 0;
        link_node->cport = 0;
        link_node->link = false;
        event(cluster_event::kind::disconnect, link_node->id);
        save();
        drain_events(out);
        return out;
      }
    }

    if (sender) {
      sender->hostname = msg.hostname;
      // nofailover is the sender's to say: replicas rank against those that compete.
      sender->flags = static_cast<uint16_t>((sender->flags & ~node_flag::nofailover) |
                                            (msg.flags & node_flag::nofailover));
    }
    if (sender && type == message_type::ping && from.node_id.empty() &&
        update_address_if_needed(*sender, from, msg)) {
      save();
      update_state();
    }

    if (link_node && type == message_type::pong) {
      link_node->pong_received = now_ms;
      link_node->ping_sent = 0;
      if (link_node->has(node_flag::pfail)) {
        link_node->flags &= ~node_flag::pfail;
        update_state();
      } else if (link_node->has(node_flag::fail)) {
        clear_failure_if_needed(*link_node);
      }
    }

    if (sender) {
      // Role changes.
      if (msg.master_id.empty()) {
        set_node_as_master(*sender);
      } else {
        cluster_node* master = find(msg.master_id);
        if (master == sender) master = nullptr;  // nobody replicates itself
        if (sender->is_master()) {
          del_node_slots(*sender);
          sender->flags &= ~(node_flag::master | node_flag::migrate_to);
          sender->flags |= node_flag::replica;
          save();
          update_state();
        }
        if (master && sender->master_id != master->id) {
          if (cluster_node* old = find(sender->master_id)) remove_replica(*old, sender->id);
          sender->master_id = master->id;
          add_replica(*master, *sender);
          save();
        }
      }

      // Slots: the claims of a master (or of a replica's master).
      cluster_node* sender_master = sender->is_master() ? sender : find(sender->master_id);
      bool dirty = sender_master && sender_master->slots != msg.slots;
      if (sender->is_master() && dirty)
        update_slots_config_with(*sender, msg.config_epoch, msg.slots, out);
      if (dirty) {
        // The sender claims a slot somebody owns under a newer epoch: tell it.
        for (int s = 0; s < slot_count; ++s) {
          if (!msg.slots.test(s)) continue;
          cluster_node* owner = owners_[s];
          if (!owner || owner == sender) continue;
          if (owner->config_epoch > msg.config_epoch) {
            log("Node " + sender->id +
                " has old slots configuration, sending an UPDATE message about " + owner->id);
            cluster_message u = make_header(message_type::update);
            u.about = owner->id;
            u.update_config_epoch = owner->config_epoch;
            u.update_slots = owner->slots;
            send(out, *sender, std::move(u));
            break;
          }
        }
      }
      if (sender->is_master() && myself_->is_master() &&
          sender->config_epoch == myself_->config_epoch)
        handle_epoch_collision(*sender);
      process_gossip(msg, sender, out);
    }
  } else if (type == message_type::fail) {
    if (sender) {
      cluster_node* failing = find(msg.about);
      if (failing && !failing->has(node_flag::fail | node_flag::myself)) {
        log("FAIL message received from " + sender->id + " about " + failing->id);
        failing->flags |= node_flag::fail;
        failing->fail_time = now_ms;
        failing->flags &= ~node_flag::pfail;
        save();
        update_state();
      }
    } else {
      log("Ignoring FAIL message from unknown node " + msg.sender + " about " + msg.about);
    }
  } else if (type == message_type::publish || type == message_type::publishshard) {
    if (sender) {
      cluster_event e;
      e.what = type == message_type::publish ? cluster_event::kind::publish
                                             : cluster_event::kind::publishshard;
      e.text = msg.channel;
      e.payload = msg.payload;
      events_.push_back(std::move(e));
    }
  } else if (type == message_type::failover_auth_request) {
    if (sender) send_vote_if_needed(*sender, msg, out);
  } else if (type == message_type::failover_auth_ack) {
    // A vote counts if it comes from a master serving slots, for this election.
    if (sender && sender->is_master() && sender->numslots > 0 &&
        msg.current_epoch >= failover_auth_epoch_)
      ++failover_auth_count_;
    if (myself_->is_replica()) handle_replica_failover(out);
  } else if (type == message_type::mfstart) {
    if (sender && sender->master_id == myself_->id) {
      reset_manual_failover();
      mf_end_ = now_ms + mf_timeout_ms;
      mf_replica_ = sender->id;
      cluster_event e;
      e.what = cluster_event::kind::pause_writes;
      e.until_ms = mf_end_;
      events_.push_back(std::move(e));
      log("Manual failover requested by replica " + sender->id + ".");
      // Our offset travels in this ping's header, with the paused flag.
      reply(out, sender->id, make_ping(message_type::ping, sender));
    }
  } else if (type == message_type::update) {
    if (sender) {
      cluster_node* n = find(msg.about);
      if (n == myself_) {
        log("Discarding UPDATE message about myself.");
      } else if (n && n->config_epoch < msg.update_config_epoch) {
        if (n->is_replica()) set_node_as_master(*n);
        n->config_epoch = msg.update_config_epoch;
        save();
        update_slots_config_with(*n, msg.update_config_epoch, msg.update_slots, out);
      }
    }
  }
  drain_events(out);
  return out;
}

// --- the tick -------------------------------------------------------------------

cluster_output cluster_state::tick(int64_t now_ms) {
  now_ = now_ms;
  cluster_output out;
  ++iteration_;
  const int64_t timeout = opts_.node_timeout_ms;
  const int64_t handshake_timeout = std::max<int64_t>(timeout, 1000);

  // Handshakes that did not finish in time, links to open.
  std::vector<cluster_node*> snapshot;
  for (auto& p : nodes_) snapshot.push_back(p.get());
  for (cluster_node* n : snapshot) {
    if (n == myself_ || n->has(node_flag::noaddr)) continue;
    if (n->has(node_flag::handshake) && now_ms - n->ctime > handshake_timeout) {
      delete_node(n);
      continue;
    }
    if (!n->link && !n->connecting) {
      n->connecting = true;
      event(cluster_event::kind::connect, n->id);
    }
  }

  // Once a second, ping the one with the oldest pong of five random nodes.
  if (iteration_ % 10 == 0 && !nodes_.empty()) {
    cluster_node* oldest = nullptr;
    for (int i = 0; i < 5; ++i) {
      cluster_node* n = nodes_[rng_() % nodes_.size()].get();
      if (!n->link || n->ping_sent != 0) continue;
      if (n->has(node_flag::myself | node_flag::handshake)) continue;
      if (!oldest || n->pong_received < oldest->pong_received) oldest = n;
    }
    if (oldest) send_ping(out, *oldest, message_type::ping);
  }

  int orphaned_masters = 0;
  int max_replicas = 0;
  int my_master_replicas = 0;
  for (auto& p : nodes_) {
    cluster_node& n = *p;
    if (n.has(node_flag::myself | node_flag::noaddr | node_flag::handshake)) continue;

    if (myself_->is_replica() && n.is_master() && !n.has(node_flag::fail)) {
      int ok = ok_replicas(n);
      if (ok == 0 && n.numslots > 0 && n.has(node_flag::migrate_to)) ++orphaned_masters;
      max_replicas = std::max(max_replicas, ok);
      if (myself_->master_id == n.id) my_master_replicas = ok;
    }

    // A link that answers nothing for half the timeout is reopened.
    if (n.link && now_ms - n.link_ctime > timeout && n.ping_sent &&
        now_ms - n.ping_sent > timeout / 2 && now_ms - n.data_received > timeout / 2) {
      n.link = false;
      event(cluster_event::kind::disconnect, n.id);
    }
    // Nobody waits for a pong from it and its last one is getting old.
    if (n.link && n.ping_sent == 0 && now_ms - n.pong_received > timeout / 2) {
      send_ping(out, n, message_type::ping);
      continue;
    }
    // A master in a manual failover keeps its replica informed.
    if (mf_end_ && myself_->is_master() && mf_replica_ == n.id && n.link) {
      send_ping(out, n, message_type::ping);
      continue;
    }
    if (n.ping_sent == 0) continue;
    // Suspect it when neither a pong nor any other data came in time.
    int64_t delay = std::min(now_ms - n.ping_sent, now_ms - n.data_received);
    if (delay > timeout && !n.failing()) {
      log("*** NODE " + n.id + " possibly failing");
      n.flags |= node_flag::pfail;
    }
  }

  if (pending_pong_broadcast_) {
    pending_pong_broadcast_ = false;
    broadcast_pong(out, pong_target::all);
  }

  if (mf_end_ && mf_end_ < now_ms) {
    log("Manual failover timed out.");
    reset_manual_failover();
  }

  if (myself_->is_replica()) {
    handle_manual_failover();
    handle_replica_failover(out);
    if (orphaned_masters && max_replicas >= 2 && my_master_replicas == max_replicas &&
        opts_.allow_replica_migration)
      handle_replica_migration(max_replicas);
  }
  update_state();
  drain_events(out);
  return out;
}

void cluster_state::handle_replica_migration(int max_replicas) {
  if (!state_ok_) return;
  cluster_node* my_master = find(myself_->master_id);
  if (!my_master) return;
  // Leave only if enough replicas stay behind.
  if (ok_replicas(*my_master) <= opts_.migration_barrier) return;
  // The candidate: a replica of a master with the most replicas, smallest id.
  const cluster_node* candidate = myself_;
  cluster_node* target = nullptr;
  for (auto& p : nodes_) {
    cluster_node& n = *p;
    int ok = 0;
    bool orphaned = true;
    if (n.is_replica() || n.has(node_flag::fail)) orphaned = false;
    if (!n.has(node_flag::migrate_to)) orphaned = false;
    if (n.is_master()) ok = ok_replicas(n);
    if (ok > 0) orphaned = false;
    if (orphaned) {
      if (!target && n.numslots > 0) target = &n;
      if (!n.orphaned_time) n.orphaned_time = now_;
    } else {
      n.orphaned_time = 0;
    }
    if (ok == max_replicas) {
      for (const auto& rid : n.replicas) {
        const cluster_node* r = find(rid);
        if (r && r->id < candidate->id) candidate = r;
      }
    }
  }
  if (target && candidate == myself_ && now_ - target->orphaned_time > replica_migration_delay_ms &&
      !myself_->has(node_flag::nofailover)) {
    log("Migrating to orphaned master " + target->id);
    set_my_master(*target);
  }
}

}  // namespace troupe::cluster
