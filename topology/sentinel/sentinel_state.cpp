#include "topology/sentinel/sentinel_state.hpp"

#include "protocol/commands/command_table.hpp"  // iequals

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <utility>

#include "topology/sentinel/hello.hpp"

namespace troupe::sentinel {

namespace {

int icompare(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int ca = tolower(static_cast<unsigned char>(a[i]));
    int cb = tolower(static_cast<unsigned char>(b[i]));
    if (ca != cb) return ca - cb;
  }
  return a.size() < b.size() ? -1 : a.size() > b.size() ? 1 : 0;
}

const char* type_str(const instance& ri) {
  switch (ri.kind) {
    case instance_kind::master:
      return "master";
    case instance_kind::replica:
      return "slave";
    case instance_kind::sentinel:
      return "sentinel";
  }
  return "unknown";
}

}  // namespace

// --- construction and the table ----------------------------------------------

sentinel_state::sentinel_state(const sentinel_conf& conf, sentinel_options opts, random_source rng,
                               int64_t now_ms)
    : conf_(conf), opts_(std::move(opts)), rng_(std::move(rng)), now_(now_ms) {
  conf_.masters.clear();
  previous_time_ = now_ms;
  if (conf_.myid.empty()) {
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 40; ++i) conf_.myid += hex[rng_() % 16];
    save();
  }
  for (const master_conf& mc : conf.masters) {
    auto m = make_instance(instance_kind::master, mc.name, mc.addr, nullptr);
    m->quorum = mc.quorum;
    m->down_after_ms = mc.down_after_ms;
    m->failover_timeout_ms = mc.failover_timeout_ms;
    m->parallel_syncs = mc.parallel_syncs;
    m->auth_pass = mc.auth_pass;
    m->auth_user = mc.auth_user;
    m->notification_script = mc.notification_script;
    m->client_reconfig_script = mc.client_reconfig_script;
    m->master_reboot_down_after_ms = mc.master_reboot_down_after_ms;
    m->config_epoch = mc.config_epoch;
    m->leader_epoch = mc.leader_epoch;
    m->renamed_commands = mc.renamed_commands;
    instance& mr = *m;
    masters_.push_back(std::move(m));
    for (const instance_addr& r : mc.known_replicas) {
      std::string key = format_addr(announced(conf_, r), r.port);
      bool dup = false;
      for (auto& x : mr.replicas) dup = dup || x->name == key;
      if (!dup) mr.replicas.push_back(make_instance(instance_kind::replica, key, r, &mr));
    }
    for (const known_sentinel_conf& s : mc.known_sentinels) {
      auto si = make_instance(instance_kind::sentinel, s.runid, s.addr, &mr);
      si->runid = s.runid;
      mr.sentinels.push_back(std::move(si));
    }
  }
}

std::unique_ptr<instance> sentinel_state::make_instance(instance_kind kind, std::string name,
                                                        instance_addr addr, instance* master) {
  auto ri = std::make_unique<instance>();
  ri->id = next_id_++;
  ri->kind = kind;
  ri->name = std::move(name);
  ri->addr = std::move(addr);
  ri->master = master;
  ri->link.act_ping_time = now_;
  ri->link.last_avail_time = now_;
  ri->link.last_pong_time = now_;
  ri->last_master_down_reply_time = now_;
  ri->last_hello_time = now_;
  ri->role_reported = kind == instance_kind::master    ? reported_role::master
                      : kind == instance_kind::replica ? reported_role::slave
                                                       : reported_role::unknown;
  ri->role_reported_time = now_;
  ri->slave_conf_change_time = now_;
  if (master) {
    ri->down_after_ms = master->down_after_ms;
    ri->quorum = master->quorum;
  }
  return ri;
}

const instance* sentinel_state::master(std::string_view name) const {
  for (auto& m : masters_)
    if (m->name == name) return m.get();
  return nullptr;
}

instance* sentinel_state::master_mut(std::string_view name) {
  return const_cast<instance*>(std::as_const(*this).master(name));
}

const instance* sentinel_state::find(uint64_t id) const {
  for (auto& m : masters_) {
    if (m->id == id) return m.get();
    for (auto& r : m->replicas)
      if (r->id == id) return r.get();
    for (auto& s : m->sentinels)
      if (s->id == id) return s.get();
  }
  return nullptr;
}

instance* sentinel_state::find_mut(uint64_t id) {
  return const_cast<instance*>(find(id));
}

const instance_addr& sentinel_state::current_master_addr(const instance& m) const {
  // sentinelGetCurrentMasterAddress: once the promoted replica is a master
  // (reconf-slaves and later), it is the master's address.
  if (m.failover_in_progress && m.promoted_slave && m.fo_state >= failover_state::reconf_slaves)
    return m.promoted_slave->addr;
  return m.addr;
}

instance* sentinel_state::lookup_replica(instance& master, const std::string& ip, int port) {
  std::string key = format_addr(ip, port);
  for (auto& r : master.replicas)
    if (r->name == key) return r.get();
  return nullptr;
}

instance* sentinel_state::add_replica(instance& master, const std::string& host, int port) {
  if (port < 0 || port > 65535) return nullptr;
  auto ip = opts_.resolve ? opts_.resolve(host, conf_.resolve_hostnames)
                          : default_resolve(host, conf_.resolve_hostnames);
  if (!ip) return nullptr;
  instance_addr a{host, *ip, port};
  std::string key = format_addr(announced(conf_, a), port);
  for (auto& r : master.replicas)
    if (r->name == key) return nullptr;
  master.replicas.push_back(make_instance(instance_kind::replica, key, a, &master));
  return master.replicas.back().get();
}

sentinel_conf sentinel_state::to_conf() const {
  sentinel_conf c = conf_;
  for (auto& mp : masters_) {
    const instance& m = *mp;
    master_conf mc;
    mc.name = m.name;
    const instance_addr& maddr = current_master_addr(m);
    mc.addr = maddr;
    mc.quorum = m.quorum;
    mc.down_after_ms = m.down_after_ms;
    mc.failover_timeout_ms = m.failover_timeout_ms;
    mc.parallel_syncs = m.parallel_syncs;
    mc.auth_pass = m.auth_pass;
    mc.auth_user = m.auth_user;
    mc.notification_script = m.notification_script;
    mc.client_reconfig_script = m.client_reconfig_script;
    mc.master_reboot_down_after_ms = m.master_reboot_down_after_ms;
    mc.config_epoch = m.config_epoch;
    mc.leader_epoch = m.leader_epoch;
    for (auto& r : m.replicas) {
      // The promoted replica's place is taken by the old master address.
      mc.known_replicas.push_back(r->addr == maddr ? m.addr : r->addr);
    }
    for (auto& s : m.sentinels)
      if (!s->runid.empty()) mc.known_sentinels.push_back({s->addr, s->runid});
    mc.renamed_commands = m.renamed_commands;
    c.masters.push_back(std::move(mc));
  }
  return c;
}

std::string sentinel_state::describe(const instance& ri) const {
  std::string s = std::string(type_str(ri)) + " " + ri.name + " " + announced(conf_, ri.addr) +
                  " " + std::to_string(ri.addr.port);
  if (!ri.is_master() && ri.master)
    s += " @ " + ri.master->name + " " + announced(conf_, ri.master->addr) + " " +
         std::to_string(ri.master->addr.port);
  return s;
}

// --- output --------------------------------------------------------------------

sentinel_output sentinel_state::take_output() {
  sentinel_output o = std::move(out_);
  out_ = {};
  return o;
}

void sentinel_state::event(log_level level, const std::string& type, const instance* ri,
                           std::string msg, bool with_addr) {
  std::string text = with_addr && ri ? describe(*ri) : std::string();
  text += msg;
  out_.events.push_back({level, type, text});
  if (level == log_level::warning && ri) {
    const instance* m = ri->is_master() ? ri : ri->master;
    if (m && m->notification_script) out_.scripts.push_back({*m->notification_script, type, text});
  }
}

std::string sentinel_state::map_command(const instance& ri, const std::string& cmd) const {
  if (ri.is_sentinel()) return cmd;
  const instance* m = ri.is_master() ? &ri : ri.master;
  if (m)
    for (auto& rc : m->renamed_commands)
      if (iequals(rc.from, cmd)) return rc.to;
  return cmd;
}

void sentinel_state::send(instance& ri, command_kind kind, std::vector<std::string> argv,
                          bool counted) {
  if (counted) ++ri.link.pending_commands;
  out_.commands.push_back({ri.id, kind, std::move(argv)});
}

bool sentinel_state::send_slaveof(instance& ri, const instance_addr* addr) {
  if (ri.link.disconnected) return false;
  std::string host = addr ? announced(conf_, *addr) : "NO";
  std::string port = addr ? std::to_string(addr->port) : "ONE";
  send(ri, command_kind::discard, {map_command(ri, "MULTI")});
  send(ri, command_kind::discard, {map_command(ri, "SLAVEOF"), host, port});
  send(ri, command_kind::discard, {map_command(ri, "CONFIG"), "REWRITE"});
  send(ri, command_kind::discard, {map_command(ri, "CLIENT"), "KILL", "TYPE", "normal"});
  send(ri, command_kind::discard, {map_command(ri, "CLIENT"), "KILL", "TYPE", "pubsub"});
  send(ri, command_kind::discard, {map_command(ri, "EXEC")});
  return true;
}

void sentinel_state::send_ping(instance& ri) {
  if (ri.link.disconnected) return;
  send(ri, command_kind::ping, {map_command(ri, "PING")});
  ri.link.last_ping_time = now_;
  if (ri.link.act_ping_time == 0) ri.link.act_ping_time = now_;
}

void sentinel_state::send_hello(instance& ri) {
  if (ri.link.disconnected) return;
  instance& m = ri.is_master() ? ri : *ri.master;
  const instance_addr& maddr = current_master_addr(m);
  hello_message h;
  h.ip = conf_.announce_ip ? *conf_.announce_ip : ri.link.local_ip;
  h.port = conf_.announce_port ? conf_.announce_port : opts_.port;
  h.runid = conf_.myid;
  h.current_epoch = conf_.current_epoch;
  h.master_name = m.name;
  h.master_ip = announced(conf_, maddr);
  h.master_port = maddr.port;
  h.master_config_epoch = m.config_epoch;
  send(ri, command_kind::hello,
       {map_command(ri, "PUBLISH"), std::string(hello_channel), format_hello(h)});
}

void sentinel_state::client_reconf_script(instance& master, bool leader, const char* state,
                                          const instance_addr& from, const instance_addr& to) {
  if (!master.client_reconfig_script) return;
  out_.scripts.push_back({*master.client_reconfig_script, master.name,
                          leader ? "leader" : "observer", state, announced(conf_, from),
                          std::to_string(from.port), announced(conf_, to),
                          std::to_string(to.port)});
}

// --- links and replies ----------------------------------------------------------

void sentinel_state::link_up(uint64_t id, std::string local_ip, int64_t now_ms) {
  now_ = now_ms;
  instance* ri = find_mut(id);
  if (!ri) return;
  instance_link& l = ri->link;
  l.disconnected = false;
  l.pending_commands = 0;
  l.cc_conn_time = now_;
  l.pc_conn_time = now_;
  l.pc_last_activity = now_;
  l.local_ip = std::move(local_ip);
  // sentinelSendAuthIfNeeded, sentinelSetClientName, then a PING at once.
  std::optional<std::string> user, pass;
  if (ri->is_sentinel()) {
    user = conf_.sentinel_user;
    pass = conf_.sentinel_pass;
  } else {
    const instance* m = ri->is_master() ? ri : ri->master;
    user = m->auth_user;
    pass = m->auth_pass;
  }
  if (pass) {
    if (user)
      send(*ri, command_kind::link_setup, {map_command(*ri, "AUTH"), *user, *pass}, false);
    else
      send(*ri, command_kind::link_setup, {map_command(*ri, "AUTH"), *pass}, false);
  }
  send(*ri, command_kind::link_setup,
       {map_command(*ri, "CLIENT"), "SETNAME", "sentinel-" + conf_.myid.substr(0, 8) + "-cmd"},
       false);
  send_ping(*ri);
}

void sentinel_state::link_down(uint64_t id, int64_t now_ms) {
  now_ = now_ms;
  instance* ri = find_mut(id);
  if (!ri) return;
  ri->link.disconnected = true;
  ri->link.pending_commands = 0;
}

void sentinel_state::command_reply(uint64_t id) {
  instance* ri = find_mut(id);
  if (ri && ri->link.pending_commands) --ri->link.pending_commands;
}

void sentinel_state::ping_reply(uint64_t id, std::string_view reply, int64_t now_ms) {
  now_ = now_ms;
  instance* ri = find_mut(id);
  if (!ri) return;
  command_reply(id);
  auto starts = [&](std::string_view p) { return reply.substr(0, p.size()) == p; };
  if (starts("PONG") || starts("LOADING") || starts("MASTERDOWN")) {
    ri->link.last_avail_time = now_;
    ri->link.act_ping_time = 0;
  } else if (starts("BUSY") && ri->s_down && !ri->script_kill_sent) {
    // A busy script makes it look down: kill the script.
    send(*ri, command_kind::discard, {map_command(*ri, "SCRIPT"), "KILL"});
    ri->script_kill_sent = true;
  }
  ri->link.last_pong_time = now_;
}

void sentinel_state::hello_published(uint64_t id, bool ok, int64_t now_ms) {
  now_ = now_ms;
  instance* ri = find_mut(id);
  if (!ri) return;
  command_reply(id);
  if (ok) ri->last_pub_time = now_;
}

void sentinel_state::hello_received(uint64_t via, std::string_view payload, int64_t now_ms) {
  now_ = now_ms;
  instance* ri = find_mut(via);
  if (!ri) return;
  ri->link.pc_last_activity = now_;
  // Our own hello comes back too: skip it (Redis: strstr of our id).
  if (payload.find(conf_.myid) != std::string_view::npos) return;
  process_hello(payload);
}

void sentinel_state::hello_publish(std::string_view payload, int64_t now_ms) {
  now_ = now_ms;
  process_hello(payload);
}

void sentinel_state::remove_sentinels_with_runid(instance& master, const std::string& runid,
                                                 int& removed) {
  auto& v = master.sentinels;
  for (size_t i = 0; i < v.size();) {
    if (v[i]->runid == runid) {
      out_.disconnect.push_back(v[i]->id);
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
      ++removed;
    } else {
      ++i;
    }
  }
}

void sentinel_state::process_hello(std::string_view payload) {
  auto h = parse_hello(payload);
  if (!h) return;
  instance* m = master_mut(h->master_name);
  if (!m) return;
  instance* si = nullptr;
  for (auto& s : m->sentinels)
    if (s->addr.ip == h->ip && s->addr.port == h->port && s->runid == h->runid) si = s.get();
  if (!si) {
    int removed = 0;
    remove_sentinels_with_runid(*m, h->runid, removed);
    if (removed) {
      event(log_level::notice, "+sentinel-address-switch", m,
            " ip " + h->ip + " port " + std::to_string(h->port) + " for " + h->runid, true);
    } else {
      // Another sentinel at the same address: it is gone (from every master).
      std::string obsolete;
      for (auto& s : m->sentinels)
        if (s->addr.ip == h->ip && s->addr.port == h->port) {
          event(log_level::notice, "+sentinel-invalid-addr", s.get(), "", true);
          obsolete = s->runid;
          break;
        }
      if (!obsolete.empty()) {
        int n = 0;
        for (auto& mm : masters_) remove_sentinels_with_runid(*mm, obsolete, n);
      }
    }
    if (h->port >= 0 && h->port <= 65535) {
      auto ip = opts_.resolve ? opts_.resolve(h->ip, conf_.resolve_hostnames)
                              : default_resolve(h->ip, conf_.resolve_hostnames);
      if (ip) {
        auto ns = make_instance(instance_kind::sentinel, h->runid, {h->ip, *ip, h->port}, m);
        ns->runid = h->runid;
        si = ns.get();
        m->sentinels.push_back(std::move(ns));
        if (!removed) event(log_level::notice, "+sentinel", si, "", true);
        if (removed) {
          // sentinelUpdateSentinelAddressInAllMasters
          for (auto& mm : masters_)
            for (auto& s : mm->sentinels)
              if (s.get() != si && s->runid == si->runid) {
                s->addr = si->addr;
                s->link.disconnected = true;
                out_.disconnect.push_back(s->id);
              }
        }
        save();
      }
    }
  }
  if (h->current_epoch > conf_.current_epoch) {
    conf_.current_epoch = h->current_epoch;
    save();
    event(log_level::warning, "+new-epoch", m, std::to_string(conf_.current_epoch), false);
  }
  if (si && m->config_epoch < h->master_config_epoch) {
    m->config_epoch = h->master_config_epoch;
    if (h->master_port != m->addr.port ||
        !(m->addr.ip == h->master_ip || iequals(m->addr.hostname, h->master_ip))) {
      event(log_level::warning, "+config-update-from", si, "", true);
      event(log_level::warning, "+switch-master", m,
            m->name + " " + announced(conf_, m->addr) + " " + std::to_string(m->addr.port) + " " +
                h->master_ip + " " + std::to_string(h->master_port),
            false);
      instance_addr old = m->addr;
      auto ip = opts_.resolve ? opts_.resolve(h->master_ip, conf_.resolve_hostnames)
                              : default_resolve(h->master_ip, conf_.resolve_hostnames);
      if (ip && h->master_port >= 0 && h->master_port <= 65535) {
        reset_master_and_change_address(*m, {h->master_ip, *ip, h->master_port});
        client_reconf_script(*m, false, "start", old, m->addr);
      }
    }
  }
  if (si) si->last_hello_time = now_;
}

void sentinel_state::is_master_down_reply(uint64_t sentinel_id, int64_t down,
                                          std::string_view leader, int64_t leader_epoch,
                                          int64_t now_ms) {
  now_ = now_ms;
  instance* ri = find_mut(sentinel_id);
  if (!ri || !ri->is_sentinel()) return;
  command_reply(sentinel_id);
  ri->last_master_down_reply_time = now_;
  ri->master_down = down == 1;
  if (leader != "*") {
    if (static_cast<int64_t>(ri->leader_epoch) != leader_epoch)
      out_.log.push_back(ri->name + " voted for " + std::string(leader) + " " +
                         std::to_string(static_cast<uint64_t>(leader_epoch)));
    ri->leader = std::string(leader);
    ri->leader_epoch = static_cast<uint64_t>(leader_epoch);
  }
}

// --- INFO ----------------------------------------------------------------------

bool sentinel_state::master_looks_sane(const instance& m) const {
  return m.is_master() && m.role_reported == reported_role::master && !m.s_down && !m.o_down &&
         (now_ - m.info_refresh) < opts_.timing.info_period * 2;
}

bool sentinel_state::no_down_for(const instance& ri, int64_t ms) const {
  int64_t most_recent = std::max(ri.s_down_since_time, ri.o_down_since_time);
  return most_recent == 0 || (now_ - most_recent) > ms;
}

void sentinel_state::force_hello_update(instance& m) {
  auto back = [&](instance& ri) {
    if (ri.last_pub_time >= opts_.timing.publish_period + 1)
      ri.last_pub_time -= opts_.timing.publish_period + 1;
  };
  back(m);
  for (auto& s : m.sentinels) back(*s);
  for (auto& r : m.replicas) back(*r);
}

void sentinel_state::info_reply(uint64_t id, std::string_view text, int64_t now_ms) {
  now_ = now_ms;
  instance* rip = find_mut(id);
  if (!rip || rip->is_sentinel()) return;
  command_reply(id);
  instance& ri = *rip;
  ri.info_text = std::string(text);  // SENTINEL INFO-CACHE
  instance_info info = parse_info(text, ri.is_master());

  ri.master_link_down_time = info.master_link_down_ms;
  if (info.run_id) {
    if (ri.runid.empty()) {
      ri.runid = *info.run_id;
    } else if (ri.runid != *info.run_id) {
      event(log_level::notice, "+reboot", &ri, "", true);
      ri.runid = *info.run_id;
    }
  }
  if (ri.is_master()) {
    for (auto& r : info.replicas) {
      if (lookup_replica(ri, r.ip, r.port)) continue;
      if (instance* s = add_replica(ri, r.ip, r.port)) {
        event(log_level::notice, "+slave", s, "", true);
        save();
      }
    }
  }
  if (info.role == reported_role::slave) {
    if (info.master_host &&
        (!ri.slave_master_host || !iequals(*info.master_host, *ri.slave_master_host))) {
      ri.slave_master_host = info.master_host;
      ri.slave_conf_change_time = now_;
    }
    if (info.master_port && *info.master_port != ri.slave_master_port) {
      ri.slave_master_port = *info.master_port;
      ri.slave_conf_change_time = now_;
    }
    if (info.master_link_up) ri.slave_master_link_up = *info.master_link_up;
    if (info.replica_priority) ri.slave_priority = *info.replica_priority;
    if (info.repl_offset) ri.slave_repl_offset = *info.repl_offset;
    if (info.replica_announced) ri.replica_announced = *info.replica_announced;
  }
  ri.info_refresh = now_;

  reported_role role = info.role;
  if (role != reported_role::unknown && role != ri.role_reported) {
    ri.role_reported_time = now_;
    ri.role_reported = role;
    if (role == reported_role::slave) ri.slave_conf_change_time = now_;
    bool coherent = (ri.is_master() && role == reported_role::master) ||
                    (ri.is_replica() && role == reported_role::slave);
    event(log_level::verbose, coherent ? "+role-change" : "-role-change", &ri,
          std::string(" new reported role is ") +
              (role == reported_role::master ? "master" : "slave"),
          true);
  }

  if (tilt_) return;  // the acting half waits for the end of TILT

  // A replica that says it is a master.
  if (ri.is_replica() && role == reported_role::master) {
    instance& m = *ri.master;
    if (m.failover_in_progress && m.fo_state == failover_state::wait_promotion &&
        m.promoted_slave == &ri) {
      m.config_epoch = m.failover_epoch;
      m.fo_state = failover_state::reconf_slaves;
      m.failover_state_change_time = now_;
      save();
      event(log_level::warning, "+promoted-slave", &ri, "", true);
      event(log_level::warning, "+failover-state-reconf-slaves", &m, "", true);
      client_reconf_script(m, true, "start", m.addr, ri.addr);
      force_hello_update(m);
    } else {
      // Not our failover: after a while, turn it back into a replica.
      int64_t wait_time = opts_.timing.publish_period * 4;
      if (master_looks_sane(m) && no_down_for(ri, wait_time) &&
          now_ - ri.role_reported_time > wait_time) {
        if (send_slaveof(ri, &m.addr)) event(log_level::notice, "+convert-to-slave", &ri, "", true);
      }
    }
  }

  // A replica replicating from the wrong master.
  if (ri.is_replica() && role == reported_role::slave &&
      (ri.slave_master_port != ri.master->addr.port || !ri.slave_master_host ||
       !iequals(*ri.slave_master_host, ri.master->addr.ip))) {
    int64_t wait_time = ri.master->failover_timeout_ms;
    if (master_looks_sane(*ri.master) && no_down_for(ri, wait_time) &&
        now_ - ri.slave_conf_change_time > wait_time) {
      if (send_slaveof(ri, &ri.master->addr))
        event(log_level::notice, "+fix-slave-config", &ri, "", true);
    }
  }

  // Replicas being reconfigured by our failover.
  if (ri.is_replica() && role == reported_role::slave && (ri.reconf_sent || ri.reconf_inprog)) {
    instance* p = ri.master->promoted_slave;
    if (ri.reconf_sent && p && ri.slave_master_host && *ri.slave_master_host == p->addr.ip &&
        ri.slave_master_port == p->addr.port) {
      ri.reconf_sent = false;
      ri.reconf_inprog = true;
      event(log_level::notice, "+slave-reconf-inprog", &ri, "", true);
    }
    if (ri.reconf_inprog && ri.slave_master_link_up) {
      ri.reconf_inprog = false;
      ri.reconf_done = true;
      event(log_level::notice, "+slave-reconf-done", &ri, "", true);
    }
  }
}

// --- the timer -----------------------------------------------------------------

sentinel_output sentinel_state::tick(int64_t now_ms) {
  now_ = now_ms;
  int64_t delta = now_ - previous_time_;
  if (delta < 0 || delta > opts_.timing.tilt_trigger) {
    tilt_ = true;
    tilt_start_time_ = now_;
    event(log_level::warning, "+tilt", nullptr, "#tilt mode entered", false);
  }
  previous_time_ = now_;
  handle_instances(masters_);
  return take_output();
}

void sentinel_state::handle_instances(std::vector<std::unique_ptr<instance>>& v) {
  instance* switch_to = nullptr;
  for (size_t i = 0; i < v.size(); ++i) {
    instance& ri = *v[i];
    handle_instance(ri);
    if (ri.is_master()) {
      handle_instances(ri.replicas);
      handle_instances(ri.sentinels);
      if (ri.fo_state == failover_state::update_config) switch_to = &ri;
    }
  }
  if (switch_to) switch_to_promoted(*switch_to);
}

void sentinel_state::handle_instance(instance& ri) {
  reconnect(ri);
  periodic_commands(ri);
  if (tilt_) {
    if (now_ - tilt_start_time_ < opts_.timing.tilt_period) return;
    tilt_ = false;
    event(log_level::warning, "-tilt", nullptr, "#tilt mode exited", false);
  }
  check_sdown(ri);
  if (ri.is_master()) {
    check_odown(ri);
    if (start_failover_if_needed(ri)) ask_other_sentinels(ri, true);
    failover_state_machine(ri);
    ask_other_sentinels(ri, false);
  }
}

void sentinel_state::reconnect(instance& ri) {
  if (!ri.link.disconnected) return;
  if (ri.addr.port == 0) return;  // an invalid address
  if (now_ - ri.link.last_reconn_time < opts_.timing.ping_period) return;
  ri.link.last_reconn_time = now_;
  out_.connect.push_back(ri.id);
}

void sentinel_state::periodic_commands(instance& ri) {
  if (ri.link.disconnected) return;
  if (ri.link.pending_commands >= opts_.timing.max_pending_commands) return;
  int64_t info_period = opts_.timing.info_period;
  if (ri.is_replica() &&
      (ri.master->o_down || ri.master->failover_in_progress || ri.master_link_down_time != 0))
    info_period = 1000;
  int64_t ping_period = std::min(ri.down_after_ms, opts_.timing.ping_period);
  if (!ri.is_sentinel() && (ri.info_refresh == 0 || now_ - ri.info_refresh > info_period))
    send(ri, command_kind::info, {map_command(ri, "INFO")});
  if (now_ - ri.link.last_pong_time > ping_period &&
      now_ - ri.link.last_ping_time > ping_period / 2)
    send_ping(ri);
  if (now_ - ri.last_pub_time > opts_.timing.publish_period) send_hello(ri);
}

void sentinel_state::check_sdown(instance& ri) {
  int64_t elapsed = 0;
  instance_link& l = ri.link;
  if (l.act_ping_time)
    elapsed = now_ - l.act_ping_time;
  else if (l.disconnected)
    elapsed = now_ - l.last_avail_time;

  // Links that look dead are closed (and reconnected by the next ticks).
  if (!l.disconnected && now_ - l.cc_conn_time > opts_.timing.min_link_reconnect_period &&
      l.act_ping_time != 0 && now_ - l.act_ping_time > ri.down_after_ms / 2 &&
      now_ - l.last_pong_time > ri.down_after_ms / 2) {
    l.disconnected = true;
    l.pending_commands = 0;
    out_.disconnect.push_back(ri.id);
  } else if (!l.disconnected && !ri.is_sentinel() &&
             now_ - l.pc_conn_time > opts_.timing.min_link_reconnect_period &&
             now_ - l.pc_last_activity > opts_.timing.publish_period * 3) {
    l.disconnected = true;
    l.pending_commands = 0;
    out_.disconnect.push_back(ri.id);
  }

  bool down = elapsed > ri.down_after_ms ||
              (ri.is_master() && ri.role_reported == reported_role::slave &&
               now_ - ri.role_reported_time > ri.down_after_ms + opts_.timing.info_period * 2);
  if (down) {
    if (!ri.s_down) {
      event(log_level::warning, "+sdown", &ri, "", true);
      ri.s_down_since_time = now_;
      ri.s_down = true;
    }
  } else if (ri.s_down) {
    event(log_level::warning, "-sdown", &ri, "", true);
    ri.s_down = false;
    ri.script_kill_sent = false;
  }
}

void sentinel_state::check_odown(instance& m) {
  unsigned quorum = 0;
  bool odown = false;
  if (m.s_down) {
    quorum = 1;
    for (auto& s : m.sentinels)
      if (s->master_down) ++quorum;
    if (quorum >= m.quorum) odown = true;
  }
  if (odown) {
    if (!m.o_down) {
      event(log_level::warning, "+odown", &m,
            " #quorum " + std::to_string(quorum) + "/" + std::to_string(m.quorum), true);
      m.o_down = true;
      m.o_down_since_time = now_;
    }
  } else if (m.o_down) {
    event(log_level::warning, "-odown", &m, "", true);
    m.o_down = false;
  }
}

void sentinel_state::ask_other_sentinels(instance& m, bool forced) {
  for (auto& sp : m.sentinels) {
    instance& s = *sp;
    if (now_ - s.last_master_down_reply_time > opts_.timing.ask_period * 5) {
      s.master_down = false;
      s.leader.clear();
    }
    if (!m.s_down) continue;
    if (s.link.disconnected) continue;
    if (!forced && now_ - s.last_master_down_reply_time < opts_.timing.ask_period) continue;
    send(s, command_kind::is_master_down,
         {"SENTINEL", "is-master-down-by-addr", announced(conf_, m.addr),
          std::to_string(m.addr.port), std::to_string(conf_.current_epoch),
          m.fo_state > failover_state::none ? conf_.myid : "*"});
  }
}

// --- votes -------------------------------------------------------------------

std::string sentinel_state::vote_leader(instance& m, uint64_t req_epoch,
                                        const std::string& req_runid, uint64_t& leader_epoch) {
  if (req_epoch > conf_.current_epoch) {
    conf_.current_epoch = req_epoch;
    save();
    event(log_level::warning, "+new-epoch", &m, std::to_string(conf_.current_epoch), false);
  }
  if (m.leader_epoch < req_epoch && conf_.current_epoch <= req_epoch) {
    m.leader = req_runid;
    m.leader_epoch = conf_.current_epoch;
    save();
    event(log_level::warning, "+vote-for-leader", &m,
          m.leader + " " + std::to_string(m.leader_epoch), false);
    // Voting for another delays our own failover attempt.
    if (!iequals(m.leader, conf_.myid))
      m.failover_start_time = now_ + static_cast<int64_t>(rng_() % opts_.timing.max_desync);
  }
  leader_epoch = m.leader_epoch;
  return m.leader;
}

std::string sentinel_state::get_leader(instance& m, uint64_t epoch) {
  std::vector<std::pair<std::string, uint64_t>> counters;  // in first-seen order
  auto incr = [&](const std::string& id) -> uint64_t {
    for (auto& [k, v] : counters)
      if (k == id) return ++v;
    counters.emplace_back(id, 1);
    return 1;
  };
  uint64_t voters = m.sentinels.size() + 1;
  for (auto& s : m.sentinels)
    if (!s->leader.empty() && s->leader_epoch == conf_.current_epoch) incr(s->leader);
  std::string winner;
  uint64_t max_votes = 0;
  for (auto& [k, v] : counters)
    if (v > max_votes) {
      max_votes = v;
      winner = k;
    }
  uint64_t leader_epoch = 0;
  std::string myvote = vote_leader(m, epoch, winner.empty() ? conf_.myid : winner, leader_epoch);
  if (!myvote.empty() && leader_epoch == epoch) {
    uint64_t votes = incr(myvote);
    if (votes > max_votes) {
      max_votes = votes;
      winner = myvote;
    }
  }
  uint64_t voters_quorum = voters / 2 + 1;
  if (!winner.empty() && (max_votes < voters_quorum || max_votes < m.quorum)) winner.clear();
  return winner;
}

sentinel_state::down_reply sentinel_state::is_master_down_by_addr(std::string_view ip, int port,
                                                                  uint64_t req_epoch,
                                                                  std::string_view runid,
                                                                  int64_t now_ms) {
  now_ = now_ms;
  down_reply r;
  instance* m = nullptr;
  for (auto& mp : masters_)
    if (mp->addr.ip == ip && mp->addr.port == port) {
      m = mp.get();
      break;
    }
  if (!tilt_ && m && m->s_down) r.down = true;
  if (m && runid != "*") {
    std::string leader = vote_leader(*m, req_epoch, std::string(runid), r.leader_epoch);
    if (!leader.empty()) r.leader = leader;
  }
  return r;
}

std::optional<std::string> sentinel_state::force_failover(std::string_view name, int64_t now_ms) {
  now_ = now_ms;
  instance* m = master_mut(name);
  if (!m) return "ERR No such master with that name";
  if (m->failover_in_progress) return "INPROG Failover already in progress";
  if (!select_slave(*m)) return "NOGOODSLAVE No suitable replica to promote";
  out_.log.push_back("Executing user requested FAILOVER of '" + m->name + "'");
  start_failover(*m);
  m->force_failover = true;
  return std::nullopt;
}

// --- failover ------------------------------------------------------------------

bool sentinel_state::start_failover_if_needed(instance& m) {
  if (!m.o_down) return false;
  if (m.failover_in_progress) return false;
  if (now_ - m.failover_start_time < m.failover_timeout_ms * 2) {
    if (m.failover_delay_logged != m.failover_start_time) {
      m.failover_delay_logged = m.failover_start_time;
      out_.log.push_back("Next failover delay: I will not start a failover before " +
                         std::to_string(m.failover_start_time + m.failover_timeout_ms * 2) + " ms");
    }
    return false;
  }
  start_failover(m);
  return true;
}

void sentinel_state::start_failover(instance& m) {
  m.fo_state = failover_state::wait_start;
  m.failover_in_progress = true;
  m.failover_epoch = ++conf_.current_epoch;
  event(log_level::warning, "+new-epoch", &m, std::to_string(conf_.current_epoch), false);
  event(log_level::warning, "+try-failover", &m, "", true);
  m.failover_start_time = now_ + static_cast<int64_t>(rng_() % opts_.timing.max_desync);
  m.failover_state_change_time = now_;
}

void sentinel_state::failover_state_machine(instance& m) {
  if (!m.failover_in_progress) return;
  switch (m.fo_state) {
    case failover_state::wait_start:
      failover_wait_start(m);
      break;
    case failover_state::select_slave:
      failover_select_slave(m);
      break;
    case failover_state::send_slaveof_noone:
      failover_send_slaveof_noone(m);
      break;
    case failover_state::wait_promotion:
      failover_wait_promotion(m);
      break;
    case failover_state::reconf_slaves:
      failover_reconf_next_slave(m);
      break;
    default:
      break;
  }
}

void sentinel_state::abort_failover(instance& m) {
  m.failover_in_progress = false;
  m.force_failover = false;
  m.fo_state = failover_state::none;
  m.failover_state_change_time = now_;
  if (m.promoted_slave) {
    m.promoted_slave->promoted = false;
    m.promoted_slave = nullptr;
  }
}

void sentinel_state::failover_wait_start(instance& m) {
  std::string leader = get_leader(m, m.failover_epoch);
  bool isleader = !leader.empty() && iequals(leader, conf_.myid);
  if (!isleader && !m.force_failover) {
    int64_t election_timeout = std::min(opts_.timing.election_timeout, m.failover_timeout_ms);
    if (now_ - m.failover_start_time > election_timeout) {
      event(log_level::warning, "-failover-abort-not-elected", &m, "", true);
      abort_failover(m);
    }
    return;
  }
  event(log_level::warning, "+elected-leader", &m, "", true);
  m.fo_state = failover_state::select_slave;
  m.failover_state_change_time = now_;
  event(log_level::warning, "+failover-state-select-slave", &m, "", true);
}

bool sentinel_state::candidate_offsets_settled(instance& m) {
  if (!m.s_down) return true;  // SENTINEL FAILOVER of a live master: nothing to settle
  instance* best = select_slave(m);
  if (!best) return true;
  for (auto& sp : m.replicas) {
    instance& s = *sp;
    // The candidates select_slave compares (the same priority as the best one).
    if (s.s_down || s.o_down || s.link.disconnected || s.slave_priority != best->slave_priority)
      continue;
    if (s.slave_master_link_up && s.info_refresh < m.s_down_since_time) return false;
  }
  return true;
}

instance* sentinel_state::select_slave(instance& m) {
  std::vector<instance*> candidates;
  int64_t max_master_down_time = 0;
  if (m.s_down) max_master_down_time += now_ - m.s_down_since_time;
  max_master_down_time += m.down_after_ms * 10;
  for (auto& sp : m.replicas) {
    instance& s = *sp;
    if (s.s_down || s.o_down) continue;
    if (s.link.disconnected) continue;
    if (now_ - s.link.last_avail_time > opts_.timing.ping_period * 5) continue;
    if (s.slave_priority == 0) continue;
    int64_t info_validity = m.s_down ? opts_.timing.ping_period * 5 : opts_.timing.info_period * 3;
    if (now_ - s.info_refresh > info_validity) continue;
    if (s.master_link_down_time > max_master_down_time) continue;
    candidates.push_back(&s);
  }
  if (candidates.empty()) return nullptr;
  std::stable_sort(candidates.begin(), candidates.end(), [](instance* a, instance* b) {
    if (a->slave_priority != b->slave_priority) return a->slave_priority < b->slave_priority;
    if (a->slave_repl_offset != b->slave_repl_offset)
      return a->slave_repl_offset > b->slave_repl_offset;
    // A missing run id sorts after any other.
    if (a->runid.empty() || b->runid.empty()) return !a->runid.empty() && b->runid.empty();
    return icompare(a->runid, b->runid) < 0;
  });
  return candidates.front();
}

void sentinel_state::failover_select_slave(instance& m) {
  // Troupe, beyond Redis: the replica with the highest replication offset
  // holds every write a replica acknowledged (WAIT), but only offsets read
  // after the master stopped count. Redis compares the offsets of the last
  // INFO, which may predate the crash by up to 5 s while the master is SDOWN
  // (INFO every 10 s until ODOWN), so a replica stalled at the crash can be
  // ranked on an old offset and the one holding the acknowledged writes
  // passed over. Here a candidate whose last INFO says its master link is
  // still up and was read before the SDOWN is waited for (INFO goes every
  // second during a failover), at most settle_offsets_max_ms; then the
  // choice is Redis's. After a kill -9 the replicas' links are down at
  // once, so this does not wait unless a replica is slow to answer.
  if (!candidate_offsets_settled(m) && now_ - m.failover_state_change_time < settle_offsets_max_ms)
    return;
  instance* s = select_slave(m);
  if (!s) {
    event(log_level::warning, "-failover-abort-no-good-slave", &m, "", true);
    abort_failover(m);
    return;
  }
  event(log_level::warning, "+selected-slave", s, "", true);
  s->promoted = true;
  m.promoted_slave = s;
  m.fo_state = failover_state::send_slaveof_noone;
  m.failover_state_change_time = now_;
  event(log_level::notice, "+failover-state-send-slaveof-noone", s, "", true);
}

void sentinel_state::failover_send_slaveof_noone(instance& m) {
  if (m.promoted_slave->link.disconnected) {
    if (now_ - m.failover_state_change_time > m.failover_timeout_ms) {
      event(log_level::warning, "-failover-abort-slave-timeout", &m, "", true);
      abort_failover(m);
    }
    return;
  }
  if (!send_slaveof(*m.promoted_slave, nullptr)) return;
  event(log_level::notice, "+failover-state-wait-promotion", m.promoted_slave, "", true);
  m.fo_state = failover_state::wait_promotion;
  m.failover_state_change_time = now_;
}

void sentinel_state::failover_wait_promotion(instance& m) {
  if (now_ - m.failover_state_change_time > m.failover_timeout_ms) {
    event(log_level::warning, "-failover-abort-slave-timeout", &m, "", true);
    abort_failover(m);
  }
}

void sentinel_state::failover_detect_end(instance& m) {
  bool timeout = false;
  int64_t elapsed = now_ - m.failover_state_change_time;
  if (!m.promoted_slave || m.promoted_slave->s_down) return;
  int not_reconfigured = 0;
  for (auto& s : m.replicas) {
    if (s->promoted || s->reconf_done) continue;
    if (s->s_down) continue;
    ++not_reconfigured;
  }
  if (elapsed > m.failover_timeout_ms) {
    not_reconfigured = 0;
    timeout = true;
    event(log_level::warning, "+failover-end-for-timeout", &m, "", true);
  }
  if (not_reconfigured == 0) {
    event(log_level::warning, "+failover-end", &m, "", true);
    m.fo_state = failover_state::update_config;
    m.failover_state_change_time = now_;
  }
  if (timeout) {
    for (auto& sp : m.replicas) {
      instance& s = *sp;
      if (s.promoted || s.reconf_done || s.reconf_sent) continue;
      if (s.link.disconnected) continue;
      if (send_slaveof(s, &m.promoted_slave->addr)) {
        event(log_level::notice, "+slave-reconf-sent-be", &s, "", true);
        s.reconf_sent = true;
      }
    }
  }
}

void sentinel_state::failover_reconf_next_slave(instance& m) {
  int in_progress = 0;
  for (auto& s : m.replicas)
    if (s->reconf_sent || s->reconf_inprog) ++in_progress;
  for (size_t i = 0; i < m.replicas.size() && in_progress < m.parallel_syncs; ++i) {
    instance& s = *m.replicas[i];
    if (s.promoted || s.reconf_done) continue;
    if (s.reconf_sent && now_ - s.slave_reconf_sent_time > opts_.timing.slave_reconf_timeout) {
      event(log_level::notice, "-slave-reconf-sent-timeout", &s, "", true);
      s.reconf_sent = false;
      s.reconf_done = true;
    }
    if (s.reconf_sent || s.reconf_inprog) continue;
    if (s.link.disconnected) continue;
    if (send_slaveof(s, &m.promoted_slave->addr)) {
      s.reconf_sent = true;
      s.slave_reconf_sent_time = now_;
      event(log_level::notice, "+slave-reconf-sent", &s, "", true);
      ++in_progress;
    }
  }
  failover_detect_end(m);
}

void sentinel_state::switch_to_promoted(instance& m) {
  const instance& ref = m.promoted_slave ? *m.promoted_slave : m;
  instance_addr to = ref.addr;
  event(log_level::warning, "+switch-master", &m,
        m.name + " " + announced(conf_, m.addr) + " " + std::to_string(m.addr.port) + " " +
            announced(conf_, to) + " " + std::to_string(to.port),
        false);
  reset_master_and_change_address(m, to);
}

// sentinelResetMaster's part shared by SENTINEL RESET and an address change:
// no failover, no down flags, fresh link timers, the role not yet reported.
void sentinel_state::clear_master_flags(instance& m) {
  m.s_down = m.o_down = m.master_down = false;
  m.failover_in_progress = m.promoted = m.reconf_sent = m.reconf_inprog = m.reconf_done = false;
  m.force_failover = m.script_kill_sent = false;
  m.leader.clear();
  m.fo_state = failover_state::none;
  m.failover_state_change_time = 0;
  m.failover_start_time = 0;
  m.promoted_slave = nullptr;
  m.runid.clear();
  m.slave_master_host.reset();
  m.link.act_ping_time = now_;
  m.link.last_ping_time = 0;
  m.link.last_avail_time = now_;
  m.link.last_pong_time = now_;
  m.role_reported_time = now_;
  m.role_reported = reported_role::master;
}

void sentinel_state::reset_master_and_change_address(instance& m, const instance_addr& to) {
  std::vector<instance_addr> keep;
  for (auto& s : m.replicas) {
    if (s->addr.ip == to.ip && s->addr.port == to.port) continue;
    keep.push_back(s->addr);
  }
  if (!(m.addr.ip == to.ip && m.addr.port == to.port)) keep.push_back(m.addr);
  // sentinelResetMaster (keeping the sentinels).
  for (auto& s : m.replicas) out_.disconnect.push_back(s->id);
  m.replicas.clear();
  out_.disconnect.push_back(m.id);
  m.link.disconnected = true;
  m.link.pending_commands = 0;
  clear_master_flags(m);
  m.addr = to;
  m.o_down_since_time = 0;
  m.s_down_since_time = 0;
  for (auto& a : keep)
    if (instance* s = add_replica(m, a.hostname, a.port))
      event(log_level::notice, "+slave", s, "", true);
  save();
}

}  // namespace troupe::sentinel
