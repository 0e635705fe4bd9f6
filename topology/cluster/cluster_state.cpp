// The node table, slots, epochs, cluster state and the CLUSTER commands that
// change them. The bus logic is in cluster_gossip.cpp, elections and manual
// failover in cluster_election.cpp.
#include "topology/cluster/cluster_state.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace troupe::cluster {

namespace {

constexpr int64_t blacklist_ttl_ms = 60000;  // FORGET keeps a node away this long
constexpr int64_t writable_delay_ms = 2000;  // a fresh master waits before ok

bool parse_ll(std::string_view s, long long& v) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') return false;
  auto r = std::from_chars(b, e, v);
  if (r.ec != std::errc() || r.ptr != e) return false;
  // Redis's string2ll refuses "-0" and leading zeros.
  if (s.size() > 1 && (s[0] == '0' || (s[0] == '-' && s[1] == '0'))) return false;
  return true;
}

std::string fmt_slot_error(const char* what, int slot) {
  return "ERR Slot " + std::to_string(slot) + " " + what;
}

}  // namespace

const char* message_type_name(message_type t) {
  switch (t) {
    case message_type::ping:
      return "ping";
    case message_type::pong:
      return "pong";
    case message_type::meet:
      return "meet";
    case message_type::fail:
      return "fail";
    case message_type::publish:
      return "publish";
    case message_type::publishshard:
      return "publishshard";
    case message_type::failover_auth_request:
      return "auth-req";
    case message_type::failover_auth_ack:
      return "auth-ack";
    case message_type::update:
      return "update";
    case message_type::mfstart:
      return "mfstart";
    case message_type::module:
      return "module";
  }
  return "unknown";
}

int parse_slot(std::string_view s) {
  long long v = 0;
  if (!parse_ll(s, v) || v < 0 || v >= slot_count) return -1;
  return static_cast<int>(v);
}

cluster_state::cluster_state(cluster_options opts, random_source rng, int64_t now_ms,
                             keyspace_hooks hooks)
    : opts_(std::move(opts)), rng_(std::move(rng)), hooks_(std::move(hooks)), now_(now_ms) {
  first_update_ms_ = now_ms;  // the node starts now: the startup delay runs from here
  cluster_node& me = add_node(random_node_id(), node_flag::myself | node_flag::master);
  me.ctime = now_ms;
  myself_ = &me;
  myself_->port = opts_.port;
  myself_->cport = opts_.cport;
  myself_->ip = opts_.announce_ip;
  myself_->hostname = opts_.hostname;
  if (opts_.replica_no_failover) myself_->flags |= node_flag::nofailover;
}

void cluster_state::set_options(const cluster_options& opts) {
  opts_ = opts;
  myself_->port = opts_.port;
  myself_->cport = opts_.cport;
  if (!opts_.announce_ip.empty()) myself_->ip = opts_.announce_ip;
  myself_->hostname = opts_.hostname;
  if (opts_.replica_no_failover)
    myself_->flags |= node_flag::nofailover;
  else
    myself_->flags &= ~node_flag::nofailover;
}

std::string cluster_state::random_node_id() {
  static const char hex[] = "0123456789abcdef";
  std::string id(40, '0');
  for (int i = 0; i < 40; i += 16) {
    uint64_t r = rng_();
    for (int j = i; j < std::min(40, i + 16); ++j) {
      id[j] = hex[r & 15];
      r >>= 4;
    }
  }
  return id;
}

const cluster_node* cluster_state::node(std::string_view id) const {
  return find(id);
}

cluster_node* cluster_state::find(std::string_view id) const {
  auto it = by_id_.find(std::string(id));
  return it == by_id_.end() ? nullptr : it->second;
}

std::vector<const cluster_node*> cluster_state::nodes() const {
  std::vector<const cluster_node*> v;
  v.reserve(nodes_.size());
  for (auto& n : nodes_) v.push_back(n.get());
  return v;
}

cluster_node& cluster_state::add_node(std::string id, uint16_t flags) {
  auto n = std::make_unique<cluster_node>();
  n->id = std::move(id);
  n->flags = flags;
  n->ctime = now_;
  cluster_node& ref = *n;
  by_id_[ref.id] = &ref;
  nodes_.push_back(std::move(n));
  return ref;
}

void cluster_state::delete_node(cluster_node* n) {
  // Slots it owned, migrations towards or from it.
  for (int s = 0; s < slot_count; ++s) {
    if (owners_[s] == n) del_slot(s);
    if (migrating_[s] == n) migrating_[s] = nullptr;
    if (importing_[s] == n) importing_[s] = nullptr;
  }
  // Its failure reports about others.
  for (auto& other : nodes_) {
    auto& fr = other->fail_reports;
    fr.erase(std::remove_if(fr.begin(), fr.end(),
                            [&](const failure_report& r) { return r.reporter == n->id; }),
             fr.end());
  }
  if (!n->master_id.empty()) {
    if (cluster_node* m = find(n->master_id)) remove_replica(*m, n->id);
  }
  for (const auto& rid : n->replicas) {
    if (cluster_node* r = find(rid)) r->master_id.clear();
  }
  if (n->link) event(cluster_event::kind::disconnect, n->id);
  event(cluster_event::kind::node_deleted, n->id);
  std::string id = n->id;
  by_id_.erase(id);
  nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(),
                              [&](const std::unique_ptr<cluster_node>& p) { return p.get() == n; }),
               nodes_.end());
}

void cluster_state::rename_node(cluster_node* n, const std::string& new_id) {
  std::string old = n->id;
  by_id_.erase(old);
  n->id = new_id;
  by_id_[new_id] = n;
  cluster_event e;
  e.what = cluster_event::kind::node_renamed;
  e.node_id = old;
  e.text = new_id;
  events_.push_back(std::move(e));
}

bool cluster_state::add_slot(cluster_node& n, int slot) {
  if (owners_[slot]) return false;
  owners_[slot] = &n;
  if (!n.slots.test(slot)) {
    n.slots.set(slot);
    ++n.numslots;
  }
  return true;
}

bool cluster_state::del_slot(int slot) {
  cluster_node* n = owners_[slot];
  if (!n) return false;
  if (n->slots.test(slot)) {
    n->slots.reset(slot);
    --n->numslots;
  }
  owners_[slot] = nullptr;
  return true;
}

void cluster_state::del_node_slots(cluster_node& n) {
  for (int s = 0; s < slot_count; ++s) {
    if (owners_[s] == &n) del_slot(s);
  }
}

void cluster_state::add_replica(cluster_node& master, cluster_node& replica) {
  if (std::find(master.replicas.begin(), master.replicas.end(), replica.id) ==
      master.replicas.end())
    master.replicas.push_back(replica.id);
  // A master that had replicas may get one back by replica migration.
  master.flags |= node_flag::migrate_to;
}

void cluster_state::remove_replica(cluster_node& master, const std::string& replica) {
  auto& v = master.replicas;
  v.erase(std::remove(v.begin(), v.end(), replica), v.end());
  if (v.empty()) master.flags &= ~node_flag::migrate_to;
}

int cluster_state::ok_replicas(const cluster_node& master) const {
  int ok = 0;
  for (const auto& rid : master.replicas) {
    const cluster_node* r = find(rid);
    if (r && !r->has(node_flag::fail)) ++ok;
  }
  return ok;
}

void cluster_state::set_node_as_master(cluster_node& n) {
  if (n.is_master()) return;
  if (!n.master_id.empty()) {
    if (cluster_node* m = find(n.master_id)) remove_replica(*m, n.id);
    if (&n != myself_) n.flags |= node_flag::migrate_to;
  }
  n.flags &= ~node_flag::replica;
  n.flags |= node_flag::master;
  n.master_id.clear();
  save();
  update_state();
}

void cluster_state::set_my_master(cluster_node& n) {
  if (myself_->is_master()) {
    myself_->flags &= ~(node_flag::master | node_flag::migrate_to);
    myself_->flags |= node_flag::replica;
    // Migrations are over for a replica.
    migrating_.fill(nullptr);
    importing_.fill(nullptr);
  } else if (!myself_->master_id.empty()) {
    if (cluster_node* old = find(myself_->master_id)) remove_replica(*old, myself_->id);
  }
  myself_->master_id = n.id;
  add_replica(n, *myself_);
  event(cluster_event::kind::become_replica, n.id);
  reset_manual_failover();
  save();
  update_state();
}

void cluster_state::load_set_master(cluster_node& replica, cluster_node& master) {
  if (!replica.master_id.empty() && replica.master_id != master.id) {
    if (cluster_node* old = find(replica.master_id)) remove_replica(*old, replica.id);
  }
  replica.master_id = master.id;
  add_replica(master, replica);
}

cluster_node& cluster_state::load_node(const std::string& id) {
  if (cluster_node* n = find(id)) return *n;
  return add_node(id, 0);
}

void cluster_state::load_set_myself(cluster_node& n) {
  if (myself_ && myself_ != &n) {
    // The fresh identity the constructor made gives way to the file's.
    cluster_node* fresh = myself_;
    myself_ = &n;
    by_id_.erase(fresh->id);
    nodes_.erase(
        std::remove_if(nodes_.begin(), nodes_.end(),
                       [&](const std::unique_ptr<cluster_node>& p) { return p.get() == fresh; }),
        nodes_.end());
  }
  myself_ = &n;
}

void cluster_state::loaded(int64_t now_ms) {
  now_ = now_ms;
  events_.clear();
  myself_->port = opts_.port;
  myself_->cport = opts_.cport;
  if (!opts_.announce_ip.empty()) myself_->ip = opts_.announce_ip;
  if (!opts_.hostname.empty()) myself_->hostname = opts_.hostname;
  if (opts_.replica_no_failover) myself_->flags |= node_flag::nofailover;
  update_state();
  events_.clear();
}

int cluster_state::size() const {
  int n = 0;
  for (auto& p : nodes_)
    if (p->is_master() && p->numslots > 0) ++n;
  return n;
}

int cluster_state::slots_assigned() const {
  int n = 0;
  for (auto* o : owners_)
    if (o) ++n;
  return n;
}
int cluster_state::slots_ok() const {
  int n = 0;
  for (auto* o : owners_)
    if (o && !o->failing()) ++n;
  return n;
}
int cluster_state::slots_pfail() const {
  int n = 0;
  for (auto* o : owners_)
    if (o && o->has(node_flag::pfail)) ++n;
  return n;
}
int cluster_state::slots_fail() const {
  int n = 0;
  for (auto* o : owners_)
    if (o && o->has(node_flag::fail)) ++n;
  return n;
}

void cluster_state::update_state() {
  // A master that just started waits a little, so it does not serve writes
  // before it learns the cluster changed while it was away.
  if (first_update_ms_ < 0) first_update_ms_ = now_;
  if (myself_->is_master() && !state_ok_ && now_ - first_update_ms_ < writable_delay_ms) return;

  bool ok = true;
  if (opts_.require_full_coverage) {
    for (auto* o : owners_) {
      if (!o || o->has(node_flag::fail)) {
        ok = false;
        break;
      }
    }
  }
  int sz = 0;
  int reachable = 0;
  for (auto& p : nodes_) {
    if (p->is_master() && p->numslots > 0) {
      ++sz;
      if (!p->failing()) ++reachable;
    }
  }
  int quorum = sz / 2 + 1;
  if (reachable < quorum) {
    ok = false;
    among_minority_time_ = now_;
  }
  if (ok == state_ok_) return;
  // Back from the minority side: wait before accepting writes again.
  int64_t rejoin_delay = std::clamp<int64_t>(opts_.node_timeout_ms, 500, 5000);
  if (ok && myself_->is_master() && now_ - among_minority_time_ < rejoin_delay) return;
  state_ok_ = ok;
  log(std::string("Cluster state changed: ") + (ok ? "ok" : "fail"));
  cluster_event e;
  e.what = cluster_event::kind::state_changed;
  e.text = ok ? "ok" : "fail";
  events_.push_back(std::move(e));
}

void cluster_state::log(std::string text) {
  cluster_event e;
  e.what = cluster_event::kind::log;
  e.text = std::move(text);
  events_.push_back(std::move(e));
}

void cluster_state::event(cluster_event::kind k, std::string node_id) {
  cluster_event e;
  e.what = k;
  e.node_id = std::move(node_id);
  events_.push_back(std::move(e));
}

void cluster_state::save() {
  // One request per batch is enough.
  for (auto& e : events_)
    if (e.what == cluster_event::kind::save_config) return;
  event(cluster_event::kind::save_config);
}

cluster_output cluster_state::take_output() {
  cluster_output out;
  drain_events(out);
  return out;
}

void cluster_state::drain_events(cluster_output& out) {
  for (auto& m : pending_messages_) out.messages.push_back(std::move(m));
  pending_messages_.clear();
  for (auto& e : events_) out.events.push_back(std::move(e));
  events_.clear();
}

bool cluster_state::blacklisted(std::string_view id) {
  for (auto it = blacklist_.begin(); it != blacklist_.end();) {
    if (it->second < now_)
      it = blacklist_.erase(it);
    else
      ++it;
  }
  return blacklist_.count(std::string(id)) != 0;
}

// --- commands -------------------------------------------------------------

std::optional<std::string> cluster_state::update_slots(const std::vector<std::string_view>& args,
                                                       bool del, bool ranges) {
  const char* sub =
      ranges ? (del ? "delslotsrange" : "addslotsrange") : (del ? "delslots" : "addslots");
  if (args.empty() || (ranges && args.size() % 2 != 0))
    return std::string("ERR wrong number of arguments for 'cluster|") + sub + "' command";
  std::vector<std::pair<int, int>> wanted;
  if (ranges) {
    for (size_t i = 0; i < args.size(); i += 2) {
      int a = parse_slot(args[i]);
      if (a < 0) return std::string("ERR Invalid or out of range slot");
      int b = parse_slot(args[i + 1]);
      if (b < 0) return std::string("ERR Invalid or out of range slot");
      if (a > b)
        return "ERR start slot number " + std::to_string(a) + " is greater than end slot number " +
               std::to_string(b);
      wanted.emplace_back(a, b);
    }
  } else {
    for (auto a : args) {
      int s = parse_slot(a);
      if (s < 0) return std::string("ERR Invalid or out of range slot");
      wanted.emplace_back(s, s);
    }
  }
  // Checked slot by slot in the order given, as Redis does.
  std::vector<uint8_t> seen(slot_count, 0);
  for (auto [a, b] : wanted) {
    for (int s = a; s <= b; ++s) {
      if (del && !owners_[s]) return fmt_slot_error("is already unassigned", s);
      if (!del && owners_[s]) return fmt_slot_error("is already busy", s);
      if (seen[s]++) return fmt_slot_error("specified multiple times", s);
    }
  }
  for (int s = 0; s < slot_count; ++s) {
    if (!seen[s]) continue;
    if (del) {
      del_slot(s);
    } else {
      // Taking a slot we were importing ends the import.
      importing_[s] = nullptr;
      add_slot(*myself_, s);
    }
  }
  save();
  update_state();
  return std::nullopt;
}

std::optional<std::string> cluster_state::addslots(const std::vector<std::string_view>& args) {
  return update_slots(args, false, false);
}
std::optional<std::string> cluster_state::delslots(const std::vector<std::string_view>& args) {
  return update_slots(args, true, false);
}
std::optional<std::string> cluster_state::addslotsrange(const std::vector<std::string_view>& args) {
  return update_slots(args, false, true);
}
std::optional<std::string> cluster_state::delslotsrange(const std::vector<std::string_view>& args) {
  return update_slots(args, true, true);
}

std::optional<std::string> cluster_state::flushslots() {
  if (hooks_.keys_in_db0() != 0)
    return std::string("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.");
  del_node_slots(*myself_);
  save();
  update_state();
  return std::nullopt;
}

bool cluster_state::bump_epoch_without_consensus() {
  uint64_t max_epoch = current_epoch_;
  for (auto& n : nodes_) max_epoch = std::max(max_epoch, n->config_epoch);
  if (myself_->config_epoch == 0 || myself_->config_epoch != max_epoch) {
    ++current_epoch_;
    myself_->config_epoch = current_epoch_;
    save();
    log("New configEpoch set to " + std::to_string(myself_->config_epoch));
    return true;
  }
  return false;
}

std::string cluster_state::bumpepoch() {
  bool bumped = bump_epoch_without_consensus();
  return std::string(bumped ? "BUMPED " : "STILL ") + std::to_string(myself_->config_epoch);
}

std::optional<std::string> cluster_state::setslot(const std::vector<std::string_view>& args) {
  if (args.size() < 2)
    return std::string("ERR wrong number of arguments for 'cluster|setslot' command");
  if (myself_->is_replica()) return std::string("ERR Please use SETSLOT only with masters.");
  int slot = parse_slot(args[0]);
  if (slot < 0) return std::string("ERR Invalid or out of range slot");
  auto lower = [](std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return r;
  };
  std::string action = lower(args[1]);
  const std::string ss = std::to_string(slot);
  if (action == "migrating" && args.size() == 3) {
    if (owners_[slot] != myself_) return "ERR I'm not the owner of hash slot " + ss;
    cluster_node* n = find(args[2]);
    if (!n) return "ERR I don't know about node " + std::string(args[2]);
    if (n->is_replica()) return std::string("ERR Target node is not a master");
    migrating_[slot] = n;
  } else if (action == "importing" && args.size() == 3) {
    if (owners_[slot] == myself_) return "ERR I'm already the owner of hash slot " + ss;
    cluster_node* n = find(args[2]);
    if (!n) return "ERR I don't know about node " + std::string(args[2]);
    if (n->is_replica()) return std::string("ERR Target node is not a master");
    importing_[slot] = n;
  } else if (action == "stable" && args.size() == 2) {
    migrating_[slot] = nullptr;
    importing_[slot] = nullptr;
  } else if (action == "node" && args.size() == 3) {
    cluster_node* n = find(args[2]);
    if (!n) return "ERR Unknown node " + std::string(args[2]);
    if (n->is_replica()) return std::string("ERR Target node is not a master");
    uint64_t keys = hooks_.keys_in_slot(slot);
    if (owners_[slot] == myself_ && n != myself_ && keys != 0)
      return "ERR Can't assign hashslot " + ss +
             " to a different node while I still hold keys for this hash slot.";
    // A migration with no keys left ends with the assignment.
    if (keys == 0 && migrating_[slot]) migrating_[slot] = nullptr;
    bool was_mine = owners_[slot] == myself_;
    del_slot(slot);
    add_slot(*n, slot);
    // A master left without slots follows its slots' new owner.
    if (was_mine && n != myself_ && myself_->numslots == 0 && opts_.allow_replica_migration) {
      log("Configuration change detected. Reconfiguring myself as a replica of " + n->id);
      set_my_master(*n);
    }
    // The end of an import: the slot is ours, under a new epoch so the rest
    // of the cluster accepts the claim.
    if (n == myself_ && importing_[slot]) {
      importing_[slot] = nullptr;
      if (bump_epoch_without_consensus()) log("configEpoch updated after importing slot " + ss);
      pending_pong_broadcast_ = true;
    }
  } else {
    return std::string(
        "ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP");
  }
  save();
  update_state();
  return std::nullopt;
}

std::optional<std::string> cluster_state::check_migration(const std::vector<int>& slots,
                                                          std::string_view target) const {
  if (!myself_->is_master()) return std::string("ERR Please use MIGRATESLOTS only with masters.");
  const cluster_node* n = find(target);
  if (!n) return "ERR Unknown node " + std::string(target);
  if (n == myself_) return std::string("ERR Can't migrate slots to myself");
  if (!n->is_master()) return std::string("ERR Target node is not a master");
  if (n->failing()) return std::string("ERR Target node is failing");
  for (int slot : slots) {
    const std::string ss = std::to_string(slot);
    if (owners_[slot] != myself_) return "ERR I'm not the owner of hash slot " + ss;
    if (migrating_[slot] || importing_[slot])
      return "ERR Hash slot " + ss + " is being migrated with SETSLOT";
  }
  return std::nullopt;
}

std::optional<std::string> cluster_state::take_imported_slots(const std::vector<int>& slots,
                                                              std::string_view source) {
  if (!myself_->is_master()) return std::string("ERR I'm not a master");
  cluster_node* from = find(source);
  if (!from) return "ERR Unknown node " + std::string(source);
  for (int slot : slots)
    if (owners_[slot] != from && owners_[slot] != myself_)
      return "ERR Hash slot " + std::to_string(slot) + " is not served by the source";
  for (int slot : slots) {
    importing_[slot] = nullptr;
    migrating_[slot] = nullptr;
    del_slot(slot);
    add_slot(*myself_, slot);
  }
  if (bump_epoch_without_consensus())
    log("configEpoch updated after importing " + std::to_string(slots.size()) + " slots");
  pending_pong_broadcast_ = true;
  save();
  update_state();
  return std::nullopt;
}

std::optional<std::string> cluster_state::give_migrated_slots(const std::vector<int>& slots,
                                                              std::string_view target) {
  cluster_node* n = find(target);
  if (!n) return "ERR Unknown node " + std::string(target);
  bool had = false;
  for (int slot : slots) {
    if (owners_[slot] != myself_) continue;  // gossip gave it away already
    had = true;
    migrating_[slot] = nullptr;
    del_slot(slot);
    add_slot(*n, slot);
  }
  if (had && myself_->numslots == 0 && opts_.allow_replica_migration && n->is_master()) {
    log("Configuration change detected. Reconfiguring myself as a replica of " + n->id);
    set_my_master(*n);
  }
  save();
  update_state();
  return std::nullopt;
}

std::optional<std::string> cluster_state::replicate(std::string_view id) {
  cluster_node* n = find(id);
  if (!n) return "ERR Unknown node " + std::string(id);
  if (n == myself_) return std::string("ERR Can't replicate myself");
  if (n->is_replica()) return std::string("ERR I can only replicate a master, not a replica.");
  if (myself_->is_master() && (myself_->numslots != 0 || hooks_.keys_in_db0() != 0))
    return std::string("ERR To set a master the node must be empty and without assigned slots.");
  set_my_master(*n);
  return std::nullopt;
}

std::optional<std::string> cluster_state::forget(std::string_view id) {
  cluster_node* n = find(id);
  if (!n) return "ERR Unknown node " + std::string(id);
  if (n == myself_) return std::string("ERR I tried hard but I can't forget myself...");
  if (myself_->is_replica() && myself_->master_id == n->id)
    return std::string("ERR Can't forget my master!");
  blacklisted("");  // drop expired entries
  blacklist_[n->id] = now_ + blacklist_ttl_ms;
  delete_node(n);
  save();
  update_state();
  return std::nullopt;
}

std::optional<std::string> cluster_state::reset(const std::vector<std::string_view>& args) {
  bool hard = false;
  if (args.size() > 1)
    return std::string("ERR wrong number of arguments for 'cluster|reset' command");
  if (args.size() == 1) {
    std::string a(args[0]);
    for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (a == "hard")
      hard = true;
    else if (a != "soft")
      return std::string("ERR syntax error");
  }
  if (myself_->is_master() && hooks_.keys_in_db0() != 0)
    return std::string("ERR CLUSTER RESET can't be called with master nodes containing keys");
  if (myself_->is_replica()) {
    set_node_as_master(*myself_);
    event(cluster_event::kind::become_master);
    event(cluster_event::kind::empty_data);  // its master's data is not its own
  }
  migrating_.fill(nullptr);
  importing_.fill(nullptr);
  for (int s = 0; s < slot_count; ++s) del_slot(s);
  std::vector<cluster_node*> others;
  for (auto& n : nodes_)
    if (n.get() != myself_) others.push_back(n.get());
  for (auto* n : others) delete_node(n);
  if (hard) {
    current_epoch_ = 0;
    last_vote_epoch_ = 0;
    myself_->config_epoch = 0;
    std::string old = myself_->id;
    rename_node(myself_, random_node_id());
    log("Node hard reset, now I'm " + myself_->id);
  }
  reset_manual_failover();
  save();
  update_state();
  return std::nullopt;
}

std::optional<std::string> cluster_state::set_config_epoch(std::string_view epoch) {
  long long v = 0;
  if (!parse_ll(epoch, v)) return std::string("ERR value is not an integer or out of range");
  if (v < 0) return "ERR Invalid config epoch specified: " + std::to_string(v);
  if (nodes_.size() > 1)
    return std::string(
        "ERR The user can assign a config epoch only when the node does not know any other node.");
  if (myself_->config_epoch != 0) return std::string("ERR Node config epoch is already non-zero");
  myself_->config_epoch = static_cast<uint64_t>(v);
  log("configEpoch set to " + std::to_string(v) + " via CLUSTER SET-CONFIG-EPOCH");
  if (current_epoch_ < myself_->config_epoch) current_epoch_ = myself_->config_epoch;
  save();
  update_state();
  return std::nullopt;
}

std::variant<int64_t, std::string> cluster_state::count_failure_reports(std::string_view id) {
  cluster_node* n = find(id);
  if (!n) return "ERR Unknown node " + std::string(id);
  clean_failure_reports(*n);
  return static_cast<int64_t>(n->fail_reports.size());
}

std::variant<std::vector<const cluster_node*>, std::string> cluster_state::replicas_of(
    std::string_view id) const {
  cluster_node* n = find(id);
  if (!n) return "ERR Unknown node " + std::string(id);
  if (n->is_replica()) return std::string("ERR The specified node is not a master");
  std::vector<const cluster_node*> v;
  for (const auto& rid : n->replicas)
    if (const cluster_node* r = find(rid)) v.push_back(r);
  return v;
}

std::optional<std::string> cluster_state::meet(std::string_view ip, std::string_view port,
                                               std::string_view cport) {
  long long p = 0;
  long long cp = 0;
  if (!parse_ll(port, p)) return "ERR Invalid TCP base port specified: " + std::string(port);
  if (!cport.empty()) {
    if (!parse_ll(cport, cp)) return "ERR Invalid TCP bus port specified: " + std::string(cport);
  } else {
    cp = p + 10000;
  }
  // The address, normalized as inet_ntop writes it.
  std::string norm;
  char buf[INET6_ADDRSTRLEN] = {0};
  std::string ips(ip);
  unsigned char addr[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, ips.c_str(), addr) == 1) {
    inet_ntop(AF_INET, addr, buf, sizeof buf);
    norm = buf;
  } else if (inet_pton(AF_INET6, ips.c_str(), addr) == 1) {
    inet_ntop(AF_INET6, addr, buf, sizeof buf);
    norm = buf;
  }
  if (norm.empty() || p <= 0 || p > 65535 || cp <= 0 || cp > 65535)
    return "ERR Invalid node address specified: " + ips + ":" + std::string(port);
  // Already shaking hands with this address: nothing more to do.
  for (auto& n : nodes_) {
    if (n->has(node_flag::handshake) && n->ip == norm && n->port == p && n->cport == cp)
      return std::nullopt;
  }
  cluster_node& n = add_node(random_node_id(), node_flag::handshake | node_flag::meet);
  n.ip = norm;
  n.port = static_cast<int>(p);
  n.cport = static_cast<int>(cp);
  return std::nullopt;
}

}  // namespace troupe::cluster
