#include "actors/server/server.hpp"
#include "actors/proxy/proxy_control.hpp"
#include "actors/sentinel/sentinel_control.hpp"

#include "actors/server/client_eviction.hpp"

#include "actors/extension/extension.hpp"
#include "actors/runtime/reactor.hpp"
#include "actors/server/security.hpp"
#include "storage/dispatch/client_endpoint.hpp"
#include "storage/scripting/script_log.hpp"

#include "actors/replication/replica_dataset.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>

#include <caf/all.hpp>

#include "actors/client/connection.hpp"
#include "actors/client/listener.hpp"
#include "actors/runtime/lazy_freer.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/shard.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/info.hpp"
#include "protocol/commands/command_table.hpp"
#include "storage/encodings/hash.hpp"
#include "storage/eviction/key_access.hpp"
#include "storage/memory/used_memory.hpp"
#include "storage/rdb/rdb_loader.hpp"
#include "storage/rdb/rdb_value.hpp"

namespace troupe {

server::server(caf::actor_system& sys, server_config& cfg)
    : server_services(cfg),
      sys_(sys),
      cfg_(cfg),
      registry_(sys),
      aof_(std::make_unique<aof_manager>(*this)),
      persistence_(std::make_unique<persistence>(*this)),
      replica_(std::make_unique<replica_control>(*this)),
      replication_master_(std::make_unique<class replication_master>(*this)) {
  std::random_device rd;
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) run_id_.push_back(hex[rd() % 16]);
  // redis.log() from scripts goes to the server's log.
  set_script_log_sink([](int level, std::string_view msg) {
    switch (level) {
      case 0:
        log_debug("{}", msg);
        break;
      case 1:
        log_verbose("{}", msg);
        break;
      case 2:
        log_notice("{}", msg);
        break;
      default:
        log_warning("{}", msg);
        break;
    }
  });
}

server::~server() = default;

bool server::start() {
  start_time_ms_ = wall_clock_ms();
  int threads = int(cfg_.threads.get());
  int shards = int(cfg_.shards.get());
  if (shards % threads != 0) {
    log_warning("shards ({}) must be a multiple of threads ({})", shards, threads);
    return false;
  }
  int databases = int(cfg_.databases.get());
  keyspace_ = std::make_unique<keyspace>(shards, databases);
  // Cluster mode keeps database 0's keys by hash slot (COUNTKEYSINSLOT, ...).
  if (cfg_.cluster_enabled.get()) keyspace_->enable_slot_index();
  keyspace_->set_concurrent(threads > 1);
  keyspace_->deliver_invalidations = [this](std::vector<invalidation>& invs, uint64_t by) {
    deliver_invalidations(invs, by);
  };
  evictor_ = std::make_unique<evictor>(*keyspace_, *this);

  attach_config_hooks();
  attach_tls_hooks();
  attach_security_hooks(*this);
  // Every live effect once with its start-up value.
  if (auto err = cfg_.apply_all()) {
    log_warning("{}", *err);
    return false;
  }
  // ACL users (`user` lines or the aclfile) and rename-command.
  if (!load_security(*this)) return false;

  record_startup_memory();
  // The LRU clock reads the time from the start, as Redis's does: a key
  // written (or RESTOREd with IDLETIME) before the first cron tick would
  // otherwise take 0, some 200 days in the past.
  lru_clock = lru_clock_at(wall_clock_ms());
  // One dispatcher (and its statistics) per reactor; the first also replays
  // the AOF at start-up.
  size_t commands = command_table::instance().size();
  for (int i = 0; i < threads; ++i) {
    stats_.push_back(std::make_unique<reactor_stats>(commands));
    dispatchers_.push_back(std::make_unique<dispatcher>(*keyspace_, *this, *stats_.back()));
  }
  // A configured replica loads its data as a replica does (keys whose TTL
  // passed stay: its master's DELs remove them).
  replica_->prepare();
  // Cluster mode: the node's identity and view from nodes.conf, before the data.
  if (cfg_.cluster_enabled.get()) {
    cluster_ = std::make_unique<cluster_control>(*this);
    if (auto err = cluster_->load()) {
      log_warning("{}", *err);
      return false;
    }
  }
  // A Sentinel or a proxy keeps no dataset (no RDB, no AOF to load).
  if (!sentinel_ && !proxy_ && !load_data()) return false;

  for (int i = 0; i < threads; ++i) {
    reactors_.push_back(std::make_unique<reactor>(sys_, i));
    reactors_.back()->set_spin_source(&cfg_.reactor_spin_us);
    reactors_.back()->set_coalesce_source(&cfg_.reactor_coalesce_us);
  }
  hosted_connections_.resize(size_t(threads));
  // Every actor is spawned through spawn_actor, which enters it in the registry.
  lazy_freer_ =
      spawn_actor<lazy_freer>(registry_, placement::scheduler(), {"background free"}, lazy_free_);
  spawn_actor<function_actor>(registry_, placement::scheduler(), {"appendfsync everysec"},
                              "aof_fsync", [this](function_actor* self) -> caf::behavior {
                                self->delayed_send(self, std::chrono::seconds(1), tick_atom::value);
                                return {[this, self](tick_atom) {
                                  aof_->fsync_tick();
                                  self->delayed_send(self, std::chrono::seconds(1),
                                                     tick_atom::value);
                                }};
                              });

  // Shard i lives on reactor i % threads.
  for (int i = 0; i < shards; ++i) {
    reactor& r = *reactors_[size_t(i % threads)];
    shard_actors_.push_back(spawn_actor<shard>(
        registry_, placement::on(r), {"shard " + std::to_string(i)}, *this, keyspace_->shard(i)));
  }
  for (int i = 0; i < threads; ++i) {
    reactor& r = *reactors_[size_t(i)];
    std::vector<caf::actor> mine;
    for (int s = i; s < shards; s += threads) mine.push_back(shard_actors_[size_t(s)]);
    cron_timers_.push_back(r.every(cron_period_ms(hz()), [this, i, mine] {
      for (auto& a : mine) caf::anon_send(a, tick_atom::value);
      cron(i);
    }));
    // Before this pass's replies leave: the journal reaches the AOF (and disk).
    r.before_flush([this] {
      // CLIENT TRACKING BCAST: this pass's changes under each prefix, batched.
      if (keyspace_->tracking.active()) {
        std::vector<invalidation> invs;
        keyspace_->tracking.take_broadcasts(invs);
        if (!invs.empty()) deliver_invalidations(invs, 0);
      }
      aof_->flush_pass();
      journal_.publish();  // readers on other threads learn of this pass's writes
    });
    r.start();
  }
  // Redis's verifyClusterConfigWithData: cluster mode has database 0 only.
  if (cluster_) {
    for (int db = 1; db < keyspace_->databases(); ++db)
      if (keyspace_->db_size(db) > 0) {
        log_warning(
            "You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.");
        return false;
      }
  }
  // Extensions (examples/) spawn their actors before the first client arrives.
  if (!start_extensions(*this)) return false;
  // The proxy's routers are on their reactors before the first client.
  if (proxy_) proxy_->start();
  // TLS first: a client that finds the plain port answering finds the TLS one too.
  if (!start_tls() || !open_listeners()) return false;
  replica_->start();
  if (cluster_) {
    if (auto err = cluster_->start()) {
      log_warning("{}", *err);
      return false;
    }
  }
  if (sentinel_) sentinel_->start();
  admin_ = std::make_unique<admin_endpoint>(*this);
  admin_->start();
  return true;
}

void server::enable_sentinel(const sentinel::sentinel_conf& conf) {
  sentinel_ = std::make_unique<sentinel_control>(*this, conf);
}

void server::enable_proxy(const proxy::pool_config& pool) {
  proxy_ = std::make_unique<proxy_control>(*this, pool);
}

bool server::open_listeners() {
  int backlog = int(cfg_.tcp_backlog.get());
  int port = int(cfg_.port.get());
  port_ = port;
  bound_addrs_ = *cfg_.bind.get();
  if (port != 0) {
    const std::vector<std::string>& addrs = bound_addrs_;
    int opened = 0;
    for (auto addr : addrs) {
      bool optional = !addr.empty() && addr[0] == '-';
      if (optional) addr = addr.substr(1);
      std::string err;
      int fd = listener::open_tcp(addr, port, backlog, err);
      if (fd < 0) {
        if (optional) continue;
        log_warning("Warning: Could not create server TCP listening socket {}:{}: {}", addr, port,
                    err);
        return false;
      }
      std::string label = addr + ":" + std::to_string(port);
      listeners_.push_back(spawn_actor<listener>(registry_, placement::on(*reactors_[0]), {label},
                                                 *this, fd, label, false));
      ++opened;
    }
    if (opened == 0) {
      log_warning("Failed listening on port {} (tcp), aborting.", port);
      return false;
    }
  }
  std::string path = cfg_.unixsocket.str();
  if (!path.empty()) {
    std::string err;
    int perm = int(cfg_.unixsocketperm.get());
    int fd = listener::open_unix(path, perm, backlog, err);
    if (fd < 0) {
      log_warning("Failed opening Unix socket: {}", err);
      return false;
    }
    listeners_.push_back(spawn_actor<listener>(registry_, placement::on(*reactors_[0]), {path},
                                               *this, fd, path, true));
    log_notice("The server is now ready to accept connections at {}", path);
  }
  if (port != 0) log_notice("Ready to accept connections tcp");
  return true;
}

void server::attach_config_hooks() {
  cfg_.loglevel.on_apply([](log_verbosity v) -> config_error {
    log_set_level(to_log_level(v));
    return std::nullopt;
  });
  cfg_.slowlog_max_len.on_apply([this](int64_t n) -> config_error {
    slow_log.trim(size_t(n));
    return std::nullopt;
  });
  cfg_.hz.on_apply([this](int64_t) -> config_error {
    update_hz();
    return std::nullopt;
  });
  cfg_.dynamic_hz.on_apply([this](bool) -> config_error {
    update_hz();
    return std::nullopt;
  });
  // The backlog resizes at once, keeping its newest bytes (Redis 7.0 does too).
  cfg_.repl_backlog_size.on_apply([this](int64_t bytes) -> config_error {
    journal_.set_backlog_size(size_t(bytes));
    return std::nullopt;
  });
  cfg_.appendfsync.on_apply([this](appendfsync_mode m) -> config_error {
    aof_->set_policy(m == appendfsync_mode::always ? fsync_policy::always
                     : m == appendfsync_mode::no   ? fsync_policy::no
                                                   : fsync_policy::everysec);
    return std::nullopt;
  });
  cfg_.appendonly.on_apply([this](bool on) -> config_error {
    // At start-up load_data() opens the AOF; here only run-time changes. Turning
    // it on starts from a rewrite, so the file holds the data already there.
    if (reactors_.empty()) return std::nullopt;
    if (on && !aof_->enabled()) persistence_->schedule_rewrite();
    if (!on && aof_->enabled()) aof_->close();
    return std::nullopt;
  });
  cfg_.dir.on_apply([this](const std::string& dir) -> config_error {
    if (chdir(dir.c_str()) != 0) return std::string(strerror(errno));
    char buf[4096];
    if (getcwd(buf, sizeof(buf)) != nullptr) cfg_.dir.set_internal(buf);
    return std::nullopt;
  });
  // A limit below what is used now: evict in the background, pass by pass (never
  // here: CONFIG SET may hold every shard).
  cfg_.maxmemory.on_apply([this](int64_t limit) -> config_error {
    size_t used = used_memory();
    if (limit > 0 && size_t(limit) < used) {
      if (!reactors_.empty())
        log_warning(
            "WARNING: the new maxmemory value set via CONFIG SET ({}) is smaller than the current "
            "memory usage ({}). This will result in key eviction and/or the inability to accept "
            "new write commands depending on the maxmemory-policy.",
            limit, used);
      schedule_eviction_task();
    }
    return std::nullopt;
  });
  cfg_.port.on_apply([this](int64_t) -> config_error {
    std::string err;
    if (!rebind(err)) return "Unable to listen on this port: " + err;
    return std::nullopt;
  });
  cfg_.bind.on_apply([this](const std::vector<std::string>&) -> config_error {
    std::string err;
    if (!rebind(err)) return std::string("Failed to bind to specified addresses.");
    return std::nullopt;
  });
}

eviction_result server::perform_evictions() {
  eviction_result r = evictor_->perform();
  if (r == eviction_result::running) schedule_eviction_task();
  return r;
}

size_t server::memory_not_counted_for_eviction() const {
  // The journal beyond the backlog holds what replicas and the AOF still have to
  // read (Redis's replica output buffers and AOF buffer).
  size_t held = journal_.memory(), backlog = journal_.backlog_size();
  return held > backlog ? held - backlog : 0;
}

void server::schedule_eviction_task() {
  if (reactors_.empty() || eviction_task_.exchange(true)) return;
  reactor* r = reactors_[0].get();
  r->post([this, r] {
    r->add_task([this] {
      if (evictor_->perform() == eviction_result::running) return true;
      eviction_task_.store(false);
      // A command on another reactor that found more to evict just before
      // the store saw this task still listed and left the work to it: look
      // once more, and go on unless a new task has been scheduled since.
      return evictor_->perform() == eviction_result::running && !eviction_task_.exchange(true);
    });
  });
}

bool server::rebind(std::string& err) {
  // At start-up open_listeners() does it.
  if (reactors_.empty()) return true;
  int port = int(cfg_.port.get());
  auto addrs = cfg_.bind.get();
  if (port == port_ && *addrs == bound_addrs_) return true;
  // Open the new sockets first so a failure leaves the old ones working.
  std::vector<caf::actor> fresh;
  for (auto addr : *addrs) {
    bool optional = !addr.empty() && addr[0] == '-';
    if (optional) addr = addr.substr(1);
    int fd = port == 0 ? -1 : listener::open_tcp(addr, port, int(cfg_.tcp_backlog.get()), err);
    if (fd < 0) {
      if (optional || port == 0) continue;
      for (auto& a : fresh) caf::anon_send(a, close_atom::value);
      return false;
    }
    std::string label = addr + ":" + std::to_string(port);
    fresh.push_back(spawn_actor<listener>(registry_, placement::on(*reactors_[0]), {label}, *this,
                                          fd, label, false));
  }
  for (auto& a : listeners_) caf::anon_send(a, close_atom::value);
  listeners_ = std::move(fresh);
  port_ = port;
  bound_addrs_ = *addrs;
  return listen_tls(err);  // tls-port listens on the same addresses
}

int server::cron_period_ms(int hz) {
  return std::max(1, 1000 / std::max(1, hz));
}

void server::update_hz() {
  std::lock_guard<std::mutex> g(hz_mutex_);
  int next = int(cfg_.hz.get());
  // As Redis's serverCron: with many clients the cron runs more often, so each
  // run's share of client work stays small (200 clients per run).
  if (cfg_.dynamic_hz.get()) {
    size_t clients = client_count();
    while (clients / size_t(next) > 200) {
      next *= 2;
      if (next > 500) {
        next = 500;
        break;
      }
    }
  }
  if (hz_.exchange(next) == next) return;
  // Each reactor moves its cron timer to the frequency current when it runs
  // the change, so changes that cross on the way still end at the last one.
  for (size_t i = 0; i < cron_timers_.size(); ++i) {
    reactor* r = reactors_[i].get();
    uint64_t id = cron_timers_[i];
    r->post([this, r, id] { r->set_period(id, cron_period_ms(hz())); });
  }
}

void server::deliver_invalidations(std::vector<invalidation>& invs, uint64_t by) {
  std::lock_guard<std::mutex> g(clients_mutex_);
  for (invalidation& inv : invs) {
    uint64_t target = inv.redirect != 0 ? inv.redirect : inv.tracker;
    auto it = clients_.find(target);
    if (it == clients_.end()) {
      // The REDIRECT client is gone: the tracking client hears of it (RESP3).
      if (inv.redirect != 0)
        if (auto t = clients_.find(inv.tracker); t != clients_.end())
          caf::anon_send(t->second.handle, invalidate_atom::value, inv.redirect);
      continue;
    }
    if (target == by) {  // the running command's own client: after its reply
      it->second.s->tracking_pending.push_back(std::move(inv));
      continue;
    }
    caf::anon_send(it->second.handle, invalidate_atom::value, std::move(inv.keys), inv.flush,
                   inv.redirect != 0);
  }
}

bool server::add_client(uint64_t id, client_record r) {
  std::lock_guard<std::mutex> g(clients_mutex_);
  if (int64_t(clients_.size()) >= cfg_.maxclients.get()) return false;
  clients_[id] = std::move(r);
  return true;
}

void server::remove_client(uint64_t id) {
  std::lock_guard<std::mutex> g(clients_mutex_);
  clients_.erase(id);
}

size_t server::client_count() const {
  std::lock_guard<std::mutex> g(clients_mutex_);
  return clients_.size();
}

void server::cron(int reactor_index) {
  int64_t now = wall_clock_ms();
  if (reactor_index == 0) {
    lru_clock = lru_clock_at(now);
    sample_instantaneous();
    pauses_.cron(now);
    heap_used_bytes();  // samples used_memory_peak, as Redis's cron does
    persistence_->cron();
    replication_master_->cron();
    failover_.check();
    shutdown_.cron();
    evict_clients(*this);
    if (cfg_.dynamic_hz.get()) update_hz();
  }
  int64_t timeout = cfg_.timeout.get();
  std::vector<connection*> conns(hosted_connections(reactor_index).begin(),
                                 hosted_connections(reactor_index).end());
  for (connection* c : conns)
    if (timeout <= 0 || !c->close_if_idle(now, timeout)) c->trim_input(now);
}

void server::sample_instantaneous() {
  int64_t now = wall_clock_ms();
  auto sample = [now](sample_ring& ring, int64_t value, std::atomic<int64_t>& out, int64_t scale) {
    if (ring.last_time != 0 && now > ring.last_time) {
      int64_t rate = (value - ring.last_value) * 1000 * scale / (now - ring.last_time);
      ring.samples[ring.idx] = rate;
      ring.idx = (ring.idx + 1) % 16;
      int64_t sum = 0;
      for (int64_t s : ring.samples) sum += s;
      out = sum / 16;
    }
    ring.last_time = now;
    ring.last_value = value;
  };
  int64_t ops = 0, in = 0, outb = 0;
  for (auto& s : stats_) {
    ops += int64_t(s->commands_processed.get());
    in += int64_t(s->net_input_bytes.get());
    outb += int64_t(s->net_output_bytes.get());
  }
  sample(ops_ring_, ops, ops_per_sec_, 1);
  sample(in_ring_, in, input_kbps_, 100);
  sample(out_ring_, outb, output_kbps_, 100);
}

void server::reset_stats() {
  for (auto& s : stats_) s->reset();
  replication_master_->reset_stats();
  lazy_free_.reset_freed();
  evicted_clients.set(0);
  for (int i = 0; i < keyspace_->shard_count(); ++i) {
    auto& st = keyspace_->shard(i).stats();
    st.expired_keys.set(0);
    st.expired_time_cap_reached.set(0);
    st.keyspace_hits.set(0);
    st.keyspace_misses.set(0);
    st.evicted_keys.set(0);
    evictor_->reset_stats();
    st.expired_stale_perc_x100.set(0);
  }
}

output_limit server::output_limit_for(const session& s) const {
  if (s.has(client_master)) return {};
  client_class cls = s.has(client_replica)  ? client_class::replica
                     : s.has(client_pubsub) ? client_class::pubsub
                                            : client_class::normal;
  return cfg_.client_output_buffer_limit.get(cls);
}

bool server::admin_credentials_ok(const std::string& user, const std::string& password) const {
  // An enabled ACL user with this password (requirepass is the default
  // user's) who may run INFO: the endpoint shows what INFO shows.
  auto u = acl.authenticate(user, password);
  if (u == nullptr) return false;
  const command_spec* info = command_table::instance().find("info");
  std::vector<std::string_view> args = {"INFO"};
  size_t failed = 0;
  return info != nullptr && u->rules()->check(*info, args, failed) == acl_denial::none;
}

void server::feed_monitors(const std::string& line) {
  reactor* here = current_reactor();
  monitors_.feed(line, here ? here->index() : -1);
}

void server::keyspace_event(uint32_t cls, std::string_view event, std::string_view key, int db) {
  uint32_t flags = cfg_.notify_keyspace_events.get();
  if (!(flags & cls)) return;
  reactor* here = current_reactor();
  int from = here ? here->index() : -1;
  std::string prefix = "__key";
  if (flags & notify_keyspace) {
    std::string channel = "__keyspace@" + std::to_string(db) + "__:";
    channel.append(key);
    pubsub_.publish(channel, event, from);
  }
  if (flags & notify_keyevent) {
    std::string channel = "__keyevent@" + std::to_string(db) + "__:";
    channel.append(event);
    pubsub_.publish(channel, key, from);
  }
}

bool server::writes_refused() const {
  return persistence_->writes_refused();
}

// A replica's journal holds exactly its master's stream (journal_raw): its own
// writes (a writable replica's, as Redis's) reach neither its replicas nor
// its AOF.
void server::journal(int db, const std::vector<std::string>& args) {
  if (is_replica()) return;
  journal_.append_ops({{db, args}});
}

void server::journal_ops(const std::vector<journal_op>& ops) {
  if (is_replica()) return;
  journal_.append_ops(ops);
}

bool server::load_data() {
  // With the AOF on, it is the data; otherwise the RDB file, as Redis does.
  if (cfg_.appendonly.get()) {
    if (auto err = aof_->load()) {
      log_warning("Fatal error loading the AOF: {}", *err);
      return false;
    }
    // An AOF's RDB base names the history at its own cut, and the commands
    // after it go further: the data is at no offset a PSYNC could name (a
    // replica resyncs in full, as Redis's does with an AOF).
    {
      std::lock_guard<std::mutex> g(replication_.mutex);
      replication_.rdb_replid.clear();
      replication_.rdb_offset = -1;
    }
    if (auto err = aof_->open()) {
      log_warning("Can't open the append only file: {}", *err);
      return false;
    }
    return true;
  }
  if (auto err = persistence_->load_rdb_at_startup()) {
    log_warning("Fatal error loading the DB: {}. Exiting.", *err);
    return false;
  }
  return true;
}

std::optional<std::string> server::load_rdb_file(const std::string& path) {
  rdb_file_source src(path);
  if (!src.ok()) return src.error();
  rdb_load_options opt;
  opt.limits = load_limits_of(cfg_);
  opt.databases = keyspace_->databases();
  opt.keep_expired = is_replica();
  opt.verify_checksum = !skip_checksum_validation.load(std::memory_order_relaxed);
  // Keys get the policy's LRU clock or LFU counter (from the file's IDLE/FREQ if any).
  opt.lru = rdb_access_mode(cfg_.maxmemory_policy.get());
  opt.lru_clock = lru_clock_at(wall_clock_ms());
  opt.lfu_minutes = uint16_t(lfu_minutes_at(wall_clock_ms()));
  opt.key_delay_us = cfg_.key_load_delay.get();
  // Progress (INFO, the log), unless this is an AOF's base inside the AOF's own.
  loading_progress& progress = persistence_->loading();
  bool own_progress = !progress.active();
  if (own_progress) progress.begin("RDB", src.remaining().value_or(0), wall_clock_ms());
  opt.progress = &progress;
  // The history the file was saved in, which a replica resumes (PSYNC).
  auto on_aux = [this](std::string_view key, std::string_view value) {
    std::lock_guard<std::mutex> g(replication_.mutex);
    std::string v(value);
    if (key == "repl-id" && v.size() == 40)
      replication_.rdb_replid = v;
    else if (key == "repl-offset")
      replication_.rdb_offset = strtoll(v.c_str(), nullptr, 10);
    else if (key == "repl-stream-db")
      replication_.rdb_stream_db = int(strtol(v.c_str(), nullptr, 10));
  };
  library_set functions;
  rdb_load_result r = load_rdb_into(src, opt, *keyspace_, on_aux, &functions);
  if (own_progress) progress.end();
  if (r.ok) scripts.set_libraries(std::make_shared<const library_set>(std::move(functions)));
  if (!r.ok)
    return r.error + " (at offset " + std::to_string(r.error_offset) +
           (r.error_key.empty() ? "" : ", key '" + r.error_key + "'") + ")";
  for (auto& w : r.warnings) log_warning("{}", w);
  log_notice("Done loading RDB, keys loaded: {}, keys expired: {}.", r.keys, r.expired_skipped);
  return std::nullopt;
}

void server::serve_clients_while_busy(session& running) {
  reactor* r = current_reactor();
  if (r == nullptr) return;
  r->poll_while_blocked(dynamic_cast<io_handler*>(running.endpoint));
}

void server::free_later(entry_chain chain) {
  // One wake-up when the queue turns non-empty: the freer takes all there is.
  if (lazy_free_.push(std::move(chain))) caf::anon_send(lazy_freer_, free_atom::value);
}

void server::request_shutdown(int exit_code) {
  std::lock_guard<std::mutex> g(stop_mutex_);
  stop_requested_ = true;
  exit_code_ = exit_code;
  stop_cv_.notify_all();
}

int server::wait_and_stop() {
  std::unique_lock<std::mutex> lk(stop_mutex_);
  stop_cv_.wait(lk, [this] { return stop_requested_; });
  lk.unlock();
  if (cluster_) cluster_->stop();
  if (sentinel_) sentinel_->stop();
  if (proxy_) proxy_->stop();
  if (admin_) admin_->stop();
  for (auto& r : reactors_) r->stop();
  if (aof_->enabled()) {
    aof_->flush_pass();
    aof_->close();
  }
  auto path = cfg_.unixsocket.get();
  if (!path->empty()) unlink(path->c_str());
  auto pid = cfg_.pidfile.get();
  if (!pid->empty()) unlink(pid->c_str());
  log_warning("Troupe is now ready to exit, bye bye...");
  spdlog::default_logger()->flush();
  return exit_code_;
}

}  // namespace troupe
