#include "actors/cluster/cluster_control.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include <caf/send.hpp>

#include "actors/cluster/cluster_node.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"
#include "actors/server/slot_keys.hpp"
#include "storage/keyspace/clock.hpp"
#include "topology/cluster/bootstrap_plan.hpp"
#include "topology/cluster/nodes_conf.hpp"
#include "topology/cluster/routing_snapshot.hpp"

namespace troupe {
namespace {

bool same_routing(const cluster::slot_routing& a, const cluster::slot_routing& b) {
  if (a.self != b.self || a.master_of_self != b.master_of_self || a.cluster_ok != b.cluster_ok ||
      a.allow_reads_when_down != b.allow_reads_when_down ||
      a.allow_pubsubshard_when_down != b.allow_pubsubshard_when_down ||
      a.nodes.size() != b.nodes.size() || a.owner != b.owner || a.migrating_to != b.migrating_to ||
      a.importing_from != b.importing_from)
    return false;
  for (size_t i = 0; i < a.nodes.size(); i++)
    if (a.nodes[i].node_id != b.nodes[i].node_id || a.nodes[i].host != b.nodes[i].host ||
        a.nodes[i].port != b.nodes[i].port)
      return false;
  return true;
}

// Writes `text` to `path` atomically: a temporary file, rename. `durable`:
// fsync before the rename (the file survives a power loss, not only a crash).
bool write_file_atomically(const std::string& path, const std::string& text, bool durable,
                           std::string* err) {
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (err) *err = strerror(errno);
    return false;
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (err) *err = strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return false;
    }
    done += size_t(n);
  }
  if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0 ||
      ::rename(tmp.c_str(), path.c_str()) != 0) {
    if (err) *err = strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

// Something to do once the state's lock is released.
struct deferred_action {
  cluster::cluster_event::kind what;
  std::string text, payload, ip;
  int port = 0;
  int slot = -1;
  int64_t until_ms = 0;
};

}  // namespace

cluster_control::cluster_control(server& srv) : srv_(srv) {}

cluster_control::~cluster_control() {
  if (spare_fd_ >= 0) {
    ::unlink(spare_path_.c_str());
    ::close(spare_fd_);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
  for (int fd : stale_fds_) ::close(fd);
}

int64_t cluster_control::now_ms() {
  return wall_clock_ms();
}

cluster::cluster_options cluster_control::options_from_config() const {
  const server_config& c = srv_.config();
  cluster::cluster_options o;
  o.node_timeout_ms = c.cluster_node_timeout.get();
  o.replica_validity_factor = c.cluster_replica_validity_factor.get();
  o.repl_ping_replica_period_s = c.repl_ping_replica_period.get();
  o.migration_barrier = c.cluster_migration_barrier.get();
  o.allow_replica_migration = c.cluster_allow_replica_migration.get();
  o.require_full_coverage = c.cluster_require_full_coverage.get();
  o.replica_no_failover = c.cluster_replica_no_failover.get();
  o.announce_ip = c.cluster_announce_ip.str();
  int port = int(c.port.get());
  o.port = c.cluster_announce_port.get() != 0 ? int(c.cluster_announce_port.get()) : port;
  int bus = c.cluster_port.get() != 0 ? int(c.cluster_port.get()) : port + 10000;
  o.cport = c.cluster_announce_bus_port.get() != 0 ? int(c.cluster_announce_bus_port.get()) : bus;
  o.hostname = c.cluster_announce_hostname.str();
  return o;
}

std::optional<std::string> cluster_control::load() {
  const server_config& c = srv_.config();
  int port = int(c.port.get());
  bus_port_ = c.cluster_port.get() != 0 ? int(c.cluster_port.get()) : port + 10000;
  if (bus_port_ > 65535)
    return "Redis port number too high. Cluster communication port is 10,000 port numbers "
           "higher than your Redis port. Your Redis port number must be 55535 or less.";
  config_path_ = c.cluster_config_file.str();
  auto rng = std::make_shared<std::mt19937_64>(std::random_device{}() ^
                                               (uint64_t(std::random_device{}()) << 32));
  cluster::keyspace_hooks hooks;
  hooks.keys_in_slot = [this](int slot) { return count_keys_in_slot(srv_, slot); };
  hooks.keys_in_db0 = [this] { return keys_in_db0(srv_); };
  int64_t now = now_ms();
  state_ = std::make_unique<cluster::cluster_state>(
      options_from_config(), [rng] { return (*rng)(); }, now, hooks);

  // One node per file: the lock tells a second server using it to stop.
  lock_fd_ = ::open(config_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0)
    return "Can't open " + config_path_ + " in order to acquire a lock: " + strerror(errno);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return "Sorry, the cluster configuration file " + config_path_ +
             " is already used by a different Redis Cluster node. Please make sure that "
             "different nodes use different cluster configuration files.";
    return "Impossible to lock " + config_path_ + ": " + strerror(errno);
  }
  spare_path_ = config_path_ + ".tmp";
  open_spare_locked();
  if (spare_fd_ < 0 && errno == EWOULDBLOCK)  // the other server holds it
    return "Sorry, the cluster configuration file " + config_path_ +
           " is already used by a different Redis Cluster node. Please make sure that "
           "different nodes use different cluster configuration files.";
  std::ifstream in(config_path_, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::lock_guard<std::mutex> g(mutex_);
  auto parsed = cluster::parse_nodes_conf(text);
  if (auto* e = std::get_if<cluster::nodes_conf_error>(&parsed))
    return "Unrecoverable error: corrupted cluster config file \"" + config_path_ + "\" line " +
           std::to_string(e->line) + ": " + e->message;
  const cluster::nodes_conf& conf = std::get<cluster::nodes_conf>(parsed);
  if (conf.nodes.empty()) {
    log_notice("No cluster configuration found, I'm {}", state_->myself().id);
  } else {
    if (auto err = cluster::apply_nodes_conf(conf, *state_, now))
      return "Unrecoverable error: corrupted cluster config file \"" + config_path_ + "\": " + *err;
    state_->set_options(options_from_config());
    log_notice("Node configuration loaded, I'm {}", state_->myself().id.substr(0, 8));
  }
  std::string err;
  if (!write_config_locked(&err)) return "Can't write " + config_path_ + ": " + err;
  publish_routing_locked();
  return std::nullopt;
}

std::optional<std::string> cluster_control::start() {
  auto addrs = *srv_.config().bind.get();
  // The bus listens where clients do; any address when that is a wildcard.
  std::string in;
  if (!addrs.empty() && addrs[0] != "*" && addrs[0] != "-::*" && addrs[0][0] != '-') in = addrs[0];
  actor_ = spawn_actor<cluster_node>(srv_.registry(), placement::scheduler(),
                                     {"cluster bus :" + std::to_string(bus_port_)}, *this);
  auto published = publish_cluster_bus(srv_.system(), actor_, uint16_t(bus_port_), in);
  if (published) return published;
  caf::anon_send(actor_, tick_atom::value);
  bootstrap();
  return std::nullopt;
}

void cluster_control::bootstrap() {
  const server_config& c = srv_.config();
  std::string list = c.cluster_bootstrap.str();
  if (list.empty()) return;
  std::vector<std::string> hosts = *c.bind.get();
  if (!c.cluster_announce_ip.str().empty()) hosts.push_back(c.cluster_announce_ip.str());
  auto made = cluster::make_bootstrap_plan(list, int(c.cluster_bootstrap_replicas.get()),
                                           int(c.port.get()), hosts);
  if (auto* err = std::get_if<std::string>(&made)) {
    log_warning("{}", *err);
    return;
  }
  const cluster::bootstrap_plan& plan = std::get<cluster::bootstrap_plan>(made);
  command([&](cluster::cluster_state& st) {
    if (st.node_count() != 1 || st.myself().numslots != 0 || st.current_epoch() != 0) {
      log_notice("cluster-bootstrap: this node has a configuration already, keeping it");
      return;
    }
    if (plan.first_slot >= 0) {
      if (auto e =
              st.addslotsrange({std::to_string(plan.first_slot), std::to_string(plan.last_slot)}))
        log_warning("cluster-bootstrap: {}", *e);
      if (auto e = st.set_config_epoch(std::to_string(plan.config_epoch)))
        log_warning("cluster-bootstrap: {}", *e);
    } else {
      const cluster::bootstrap_member& m = plan.members[size_t(plan.master)];
      bootstrap_master_host_ = m.host == "localhost" ? "127.0.0.1" : m.host;
      bootstrap_master_port_ = m.port;
    }
    for (size_t i = 0; i < plan.members.size(); i++) {
      if (int(i) == plan.self) continue;
      const cluster::bootstrap_member& m = plan.members[i];
      std::string host = m.host == "localhost" ? "127.0.0.1" : m.host;
      if (auto e = st.meet(host, std::to_string(m.port), std::to_string(m.cport)))
        log_warning("cluster-bootstrap: MEET {}:{}: {}", host, m.port, *e);
    }
    log_notice("cluster-bootstrap: {} of {} members, {}", plan.self + 1, plan.members.size(),
               plan.first_slot >= 0 ? "master of slots " + std::to_string(plan.first_slot) + "-" +
                                          std::to_string(plan.last_slot)
                                    : "replica of " + bootstrap_master_host_ + ":" +
                                          std::to_string(bootstrap_master_port_));
  });
}

void cluster_control::bootstrap_replicate_locked(cluster::cluster_output& out) {
  if (bootstrap_master_port_ == 0) return;
  const cluster::cluster_node& me = state_->myself();
  if (!me.is_master() || me.numslots != 0) {
    bootstrap_master_port_ = 0;  // something else decided already
    return;
  }
  for (const cluster::cluster_node* n : state_->nodes()) {
    if (n == &me || n->has(cluster::node_flag::handshake) || n->port != bootstrap_master_port_)
      continue;
    if (n->ip != bootstrap_master_host_) continue;
    std::string id = n->id;
    if (auto e = state_->replicate(id)) {
      log_warning("cluster-bootstrap: CLUSTER REPLICATE {}: {}", id, *e);
    } else {
      log_notice("cluster-bootstrap: replicating {}:{}", bootstrap_master_host_,
                 bootstrap_master_port_);
    }
    bootstrap_master_port_ = 0;
    cluster::cluster_output more = state_->take_output();
    for (auto& m : more.messages) out.messages.push_back(std::move(m));
    for (auto& e : more.events) out.events.push_back(std::move(e));
    return;
  }
}

void cluster_control::stop() {
  stop_migrations();
  if (actor_) caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  // The spare holds an older nodes.conf: it goes (a save after this, if any,
  // writes a new file).
  std::lock_guard<std::mutex> g(mutex_);
  if (spare_fd_ >= 0) {
    ::unlink(spare_path_.c_str());
    ::close(spare_fd_);
    spare_fd_ = -1;
  }
  spare_path_.clear();
}

void cluster_control::refresh_replication_inputs() {
  // The offset a master has produced, or a replica processed: the journal's
  // end in both cases (a replica relays its master's exact stream).
  state_->set_replication_offset(int64_t(srv_.journal_log().repl_offset()));
  if (srv_.is_replica() && !srv_.master_link_up())
    state_->set_master_link_down_since(srv_.replica().down_since_ms());
  else
    state_->set_master_link_down_since(0);
}

void cluster_control::tick() {
  std::unique_lock<std::mutex> g(mutex_);
  for (int fd : stale_fds_) ::close(fd);
  stale_fds_.clear();
  // The live directives (cluster-node-timeout, ...), as CONFIG SET left them.
  state_->set_options(options_from_config());
  refresh_replication_inputs();
  cluster::cluster_output out = state_->tick(now_ms());
  bootstrap_replicate_locked(out);
  // A replica in the table follows its master by replication, as Redis's
  // cron sets it up whenever the two disagree (after a restart, a failover).
  const cluster::cluster_node& me = state_->myself();
  if (me.is_replica()) {
    if (const cluster::cluster_node* m = state_->node(me.master_id);
        m && !m->ip.empty() && m->port) {
      std::string host;
      int port = 0;
      {
        std::lock_guard<std::mutex> r(srv_.replication().mutex);
        host = srv_.replication().master_host;
        port = srv_.replication().master_port;
      }
      if (!srv_.is_replica() || host != m->ip || port != m->port) {
        cluster::cluster_event e;
        e.what = cluster::cluster_event::kind::become_replica;
        e.node_id = m->id;
        out.events.push_back(std::move(e));
      }
    }
  }
  after_locked(std::move(out), g);
}

void cluster_control::receive(const cluster::cluster_message& msg,
                              const cluster::link_origin& from) {
  if (drop_packet_filter.load(std::memory_order_relaxed) == int(msg.type)) return;
  if (link_filter(msg.sender) < 0) return;
  std::unique_lock<std::mutex> g(mutex_);
  refresh_replication_inputs();
  cluster::cluster_output out = state_->receive(msg, from, now_ms());
  after_locked(std::move(out), g);
}

void cluster_control::link_up(const std::string& id) {
  std::unique_lock<std::mutex> g(mutex_);
  cluster::cluster_output out = state_->link_up(id, now_ms());
  after_locked(std::move(out), g);
}

void cluster_control::link_down(const std::string& id) {
  std::unique_lock<std::mutex> g(mutex_);
  state_->link_down(id, now_ms());
  after_locked(state_->take_output(), g);
}

void cluster_control::publish(std::string_view channel, std::string_view message, bool sharded) {
  std::unique_lock<std::mutex> g(mutex_);
  cluster::cluster_output out = state_->publish(channel, message, sharded);
  after_locked(std::move(out), g);
}

std::optional<std::string> cluster_control::save_config_now() {
  std::lock_guard<std::mutex> g(mutex_);
  std::string err;
  if (!write_config_locked(&err)) return "ERR error saving the cluster node config: " + err;
  return std::nullopt;
}

bus_outbox cluster_control::take_outbox() {
  std::lock_guard<std::mutex> g(outbox_mutex_);
  bus_outbox out = std::move(outbox_);
  outbox_ = {};
  return out;
}

void cluster_control::set_link_filter(const std::string& node_id, int64_t delay_ms) {
  bool healed = false;
  {
    std::lock_guard<std::mutex> g(filter_mutex_);
    auto it = filters_.find(node_id);
    healed = it != filters_.end() && it->second < 0 && delay_ms >= 0;
    if (delay_ms == 0)
      filters_.erase(node_id);
    else
      filters_[node_id] = delay_ms;
    any_filter_.store(!filters_.empty());
  }
  // A dropped message on a live link cannot happen over TCP (it is resent,
  // or the connection breaks): a partition that heals reopens the link, as a
  // broken connection would be, so a ping lost in the partition is not
  // waited for forever.
  if (healed) command([&](cluster::cluster_state& st) { st.link_down(node_id, now_ms()); });
}

int64_t cluster_control::link_filter(const std::string& node_id) const {
  if (!any_filter_.load(std::memory_order_relaxed)) return 0;
  std::lock_guard<std::mutex> g(filter_mutex_);
  auto it = filters_.find(node_id);
  return it == filters_.end() ? 0 : it->second;
}

void cluster_control::set_links(std::vector<cluster::link_info> links) {
  std::lock_guard<std::mutex> g(links_mutex_);
  links_ = std::move(links);
}

std::vector<cluster::link_info> cluster_control::links() const {
  std::lock_guard<std::mutex> g(links_mutex_);
  return links_;
}

void cluster_control::open_spare_locked() {
  if (spare_path_.empty()) return;  // the file system cannot exchange files
  int fd = ::open(spare_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    return;
  }
  spare_fd_ = fd;
}

bool cluster_control::exchange_config_locked(const std::string& text, bool durable) {
  // The spare must still be the file at its path: what is exchanged into
  // place is what was just written.
  struct stat mine, there;
  if (::fstat(spare_fd_, &mine) != 0 || ::stat(spare_path_.c_str(), &there) != 0) return false;
  if (mine.st_dev != there.st_dev || mine.st_ino != there.st_ino) {
    errno = ESTALE;
    return false;
  }
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::pwrite(spare_fd_, text.data() + done, text.size() - done, off_t(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += size_t(n);
  }
  // Shrinking to a size other than 0 (never truncate-then-write, which ext4
  // flushes on close) and no rename over an existing file (which it flushes
  // too): the save stays in the page cache unless `durable`.
  if (off_t(text.size()) != mine.st_size && ::ftruncate(spare_fd_, off_t(text.size())) != 0)
    return false;
  if (durable && ::fsync(spare_fd_) != 0) return false;
  if (::renameat2(AT_FDCWD, spare_path_.c_str(), AT_FDCWD, config_path_.c_str(), RENAME_EXCHANGE) !=
      0)
    return false;
  std::swap(lock_fd_, spare_fd_);  // both stay locked
  return true;
}

bool cluster_control::write_config_locked(std::string* err) {
  // Epochs are promises (a vote given, an epoch claimed): like Redis, they
  // reach the disk before anything else happens. Slot and node changes are
  // written without waiting for the disk (a crash keeps them; SETSLOT during
  // a reshard would otherwise pay an fsync each), as Redis 7.0 writes them.
  const cluster::cluster_state& st = *state_;
  bool durable = st.current_epoch() != synced_current_epoch_ ||
                 st.last_vote_epoch() != synced_vote_epoch_ ||
                 st.myself().config_epoch != synced_config_epoch_;
  std::string text = cluster::write_nodes_conf(st);
  bool saved = false;
  if (spare_fd_ >= 0) {
    saved = exchange_config_locked(text, durable);
    if (!saved) {
      int e = errno;
      ::close(spare_fd_);
      spare_fd_ = -1;
      if (e == EINVAL || e == ENOSYS || e == EOPNOTSUPP) {
        // No RENAME_EXCHANGE here: a new file per save from now on.
        ::unlink(spare_path_.c_str());
        spare_path_.clear();
      }
    }
  }
  if (!saved) {
    if (!write_file_atomically(config_path_, text, durable, err)) return false;
    // The rename put a new file at the path: the lock moves to it, or another
    // server could start on this file.
    int fd = ::open(config_path_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      // Closing the old file's last descriptor frees its inode, which costs
      // more than the whole save (0.6 ms measured): the tick does it, off the
      // command's path.
      if (lock_fd_ >= 0) stale_fds_.push_back(lock_fd_);
      lock_fd_ = fd;
    } else {
      if (fd >= 0) ::close(fd);
      log_warning("Could not lock the cluster configuration file {} after saving it", config_path_);
    }
    if (spare_fd_ < 0) open_spare_locked();  // the next save exchanges again
  }
  if (durable) {
    synced_current_epoch_ = st.current_epoch();
    synced_vote_epoch_ = st.last_vote_epoch();
    synced_config_epoch_ = st.myself().config_epoch;
  }
  return true;
}

void cluster_control::publish_routing_locked() {
  cluster::routing_options o;
  o.preferred = cluster::endpoint_type(int(srv_.config().cluster_preferred_endpoint_type.get()));
  o.allow_reads_when_down = srv_.config().cluster_allow_reads_when_down.get();
  o.allow_pubsubshard_when_down = srv_.config().cluster_allow_pubsubshard_when_down.get();
  auto fresh =
      std::make_shared<const cluster::slot_routing>(cluster::make_slot_routing(*state_, o));
  std::lock_guard<std::mutex> g(routing_mutex_);
  if (routing_ && same_routing(*routing_, *fresh)) return;
  routing_ = std::move(fresh);
  routing_version_.fetch_add(1, std::memory_order_release);
}

const std::shared_ptr<const cluster::slot_routing>& cluster_control::routing() const {
  struct cache {
    const cluster_control* owner = nullptr;
    uint64_t version = 0;
    std::shared_ptr<const cluster::slot_routing> snapshot;
  };
  thread_local cache c;
  uint64_t v = routing_version_.load(std::memory_order_acquire);
  if (c.owner != this || c.version != v) {
    std::lock_guard<std::mutex> g(routing_mutex_);
    c.owner = this;
    c.version = routing_version_.load(std::memory_order_relaxed);
    c.snapshot = routing_;
  }
  return c.snapshot;
}

uint64_t cluster_control::routing_signature() const {
  // FNV-1a over what the snapshot is made of, node by node (slot moves
  // between nodes change their slot counts or epochs; SETSLOT MIGRATING and
  // IMPORTING are commands, which always rebuild).
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint64_t v) {
    h ^= v;
    h *= 1099511628211ull;
  };
  auto mix_text = [&mix](const std::string& t) {
    for (char c : t) mix(uint8_t(c));
    mix(0xff);
  };
  mix(state_->ok());
  const server_config& c = srv_.config();
  mix(uint64_t(c.cluster_preferred_endpoint_type.get()));
  mix(c.cluster_allow_reads_when_down.get());
  mix(c.cluster_allow_pubsubshard_when_down.get());
  for (const cluster::cluster_node* n : state_->nodes()) {
    mix_text(n->id);
    mix_text(n->ip);
    mix_text(n->hostname);
    mix_text(n->master_id);
    mix(uint64_t(n->port));
    mix(n->flags);
    mix(n->config_epoch);
    mix(uint64_t(n->numslots));
  }
  return h;
}

void cluster_control::after_locked(cluster::cluster_output out, std::unique_lock<std::mutex>& g,
                                   bool command) {
  std::vector<deferred_action> later;
  std::vector<bus_link_op> links;
  bool save = false;
  for (cluster::cluster_event& e : out.events) {
    using k = cluster::cluster_event::kind;
    switch (e.what) {
      case k::save_config:
        save = true;
        break;
      case k::connect: {
        const cluster::cluster_node* n = state_->node(e.node_id);
        if (n) links.push_back({bus_link_op::kind::connect, n->id, {}, n->ip, n->cport});
        break;
      }
      case k::disconnect:
        links.push_back({bus_link_op::kind::disconnect, e.node_id, {}, {}, 0});
        break;
      case k::node_renamed:
        links.push_back({bus_link_op::kind::rename, e.node_id, e.text, {}, 0});
        break;
      case k::node_deleted:
        links.push_back({bus_link_op::kind::remove, e.node_id, {}, {}, 0});
        break;
      case k::become_replica: {
        const cluster::cluster_node* m = state_->node(e.node_id);
        if (m) later.push_back({e.what, {}, {}, m->ip, m->port, -1, 0});
        break;
      }
      default:
        later.push_back(
            {e.what, std::move(e.text), std::move(e.payload), {}, 0, e.slot, e.until_ms});
    }
  }
  if (save) {
    std::string err;
    if (!write_config_locked(&err))
      log_warning("Could not save the cluster configuration {}: {}", config_path_, err);
  }
  uint64_t sig = routing_signature();
  if (command || sig != last_signature_) {
    last_signature_ = sig;
    publish_routing_locked();
  }
  bool wake = !out.messages.empty() || !links.empty();
  {
    std::lock_guard<std::mutex> o(outbox_mutex_);
    outbox_.my_ip = state_->myself().ip;
    for (auto& m : out.messages) outbox_.messages.push_back(std::move(m));
    for (auto& l : links) outbox_.links.push_back(std::move(l));
  }
  g.unlock();
  if (wake && actor_) caf::anon_send(actor_, wake_atom::value);

  for (deferred_action& a : later) {
    using k = cluster::cluster_event::kind;
    switch (a.what) {
      case k::log:
        log_notice("{}", a.text);
        break;
      case k::state_changed:  // the state machine logs it
        break;
      case k::become_replica: {
        server* s = &srv_;
        std::string ip = a.ip;
        int port = a.port;
        srv_.reactor_at(0).post([s, ip, port] { s->replica().follow(ip, port, "cluster"); });
        break;
      }
      case k::become_master: {
        server* s = &srv_;
        srv_.reactor_at(0).post([s] { s->replica().promote("cluster", "failover request"); });
        break;
      }
      case k::empty_data: {  // after become_master, on the same reactor
        server* s = &srv_;
        srv_.reactor_at(0).post([s] { empty_dataset(*s); });
        break;
      }
      case k::pause_writes:
        srv_.pauses().pause(pause_purpose::cluster_failover, pause_kind::write, a.until_ms);
        break;
      case k::unpause_writes:
        srv_.pauses().unpause(pause_purpose::cluster_failover);
        break;
      case k::delete_keys_in_slot:
        delete_keys_in_slot(srv_, a.slot);
        break;
      case k::publish:
        srv_.pubsub().publish(a.text, a.payload, -1);
        break;
      case k::publishshard:
        srv_.pubsub().spublish(a.text, a.payload, -1);
        break;
      default:
        break;
    }
  }
}

}  // namespace troupe
