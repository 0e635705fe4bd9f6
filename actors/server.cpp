#include "actors/server.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <random>

#include <caf/all.hpp>

#include "actors/connection.hpp"
#include "actors/info.hpp"
#include "actors/lazy_freer.hpp"
#include "actors/listener.hpp"
#include "actors/log.hpp"
#include "actors/messages.hpp"
#include "actors/shard.hpp"
#include "actors/spawn.hpp"
#include "protocol/command_table.hpp"
#include "protocol/config_directives.hpp"
#include "protocol/split_args.hpp"
#include "storage/hash.hpp"
#include "storage/rdb_loader.hpp"
#include "storage/rdb_value.hpp"

namespace troupe {

server::server(caf::actor_system& sys, config_registry& cfg)
    : sys_(sys),
      cfg_(cfg),
      registry_(sys),
      aof_(std::make_unique<aof_manager>(*this)),
      persistence_(std::make_unique<persistence>(*this)) {
  std::random_device rd;
  static const char hex[] = "0123456789abcdef";
  for (int i = 0; i < 40; ++i) run_id_.push_back(hex[rd() % 16]);
}

server::~server() = default;

bool server::start() {
  start_time_ms_ = wall_clock_ms();
  int threads = int(cfg_.get_int("threads"));
  int shards = int(cfg_.get_int("shards"));
  if (shards % threads != 0) {
    log_warning("shards ({}) must be a multiple of threads ({})", shards, threads);
    return false;
  }
  int databases = int(cfg_.get_int("databases"));
  settings.databases = databases;
  keyspace_ = std::make_unique<keyspace>(shards, databases);
  keyspace_->set_concurrent(threads > 1);

  attach_config_hooks();
  // Apply every live setting once with its start-up value.
  for (auto& d : cfg_.directives())
    if (d.apply && d.name != "port" && d.name != "bind") {
      if (auto err = d.apply(cfg_.get(d.name))) {
        log_warning("{}: {}", d.name, *err);
        return false;
      }
    }

  record_startup_memory();
  // One dispatcher (and its statistics) per reactor; the first also replays
  // the AOF at start-up.
  size_t commands = command_table::instance().size();
  for (int i = 0; i < threads; ++i) {
    stats_.push_back(std::make_unique<reactor_stats>(commands));
    dispatchers_.push_back(std::make_unique<dispatcher>(*keyspace_, *this, *stats_.back()));
  }
  if (!load_data()) return false;

  for (int i = 0; i < threads; ++i) {
    reactors_.push_back(std::make_unique<reactor>(sys_, i));
    reactors_.back()->set_spin_source(&settings.reactor_spin_us);
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
    int hz = settings.hz.load();
    r.every(1000 / hz, [this, i, mine] {
      for (auto& a : mine) caf::anon_send(a, tick_atom::value);
      cron(i);
    });
    // Before this pass's replies leave: the journal reaches the AOF (and disk).
    r.before_flush([this] { aof_->flush_pass(); });
    r.start();
  }
  if (!open_listeners()) return false;
  return true;
}

bool server::open_listeners() {
  int backlog = int(cfg_.get_int("tcp-backlog"));
  int port = int(cfg_.get_int("port"));
  port_ = port;
  if (port != 0) {
    auto addrs = split_args(cfg_.get("bind")).value_or(std::vector<std::string>{});
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
  const std::string& path = cfg_.get("unixsocket");
  if (!path.empty()) {
    std::string err;
    int perm = int(strtol(cfg_.get("unixsocketperm").c_str(), nullptr, 8));
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
  cfg_.set_apply("loglevel", [](const std::string& v) -> std::optional<std::string> {
    log_level l;
    if (parse_log_level(v, l)) log_set_level(l);
    return std::nullopt;
  });
  cfg_.set_apply("requirepass", [this](const std::string& v) -> std::optional<std::string> {
    // Called with config_mutex_ held by CONFIG SET, or at start-up.
    requirepass_ = v;
    auth_required_ = !v.empty();
    return std::nullopt;
  });
  cfg_.set_apply("proto-max-bulk-len", [this](const std::string& v) -> std::optional<std::string> {
    settings.proto_max_bulk_len = std::stoll(v);
    return std::nullopt;
  });
  cfg_.set_apply("client-query-buffer-limit",
                 [this](const std::string& v) -> std::optional<std::string> {
                   query_buffer_limit_ = std::stoll(v);
                   return std::nullopt;
                 });
  cfg_.set_apply("timeout", [this](const std::string& v) -> std::optional<std::string> {
    idle_timeout_ = std::stoll(v);
    return std::nullopt;
  });
  cfg_.set_apply("tcp-keepalive", [this](const std::string& v) -> std::optional<std::string> {
    tcp_keepalive_ = std::stoi(v);
    return std::nullopt;
  });
  cfg_.set_apply("reactor-spin-us", [this](const std::string& v) -> std::optional<std::string> {
    settings.reactor_spin_us = std::stoi(v);
    return std::nullopt;
  });
  cfg_.set_apply("hz", [this](const std::string& v) -> std::optional<std::string> {
    settings.hz = std::stoi(v);
    return std::nullopt;
  });
  cfg_.set_apply("notify-keyspace-events",
                 [this](const std::string& v) -> std::optional<std::string> {
                   settings.notify_flags = parse_notify_flags(v).value_or(0);
                   return std::nullopt;
                 });
  cfg_.set_apply("client-output-buffer-limit",
                 [this](const std::string& v) -> std::optional<std::string> {
                   auto parts = split_args(v).value_or(std::vector<std::string>{});
                   for (size_t i = 0; i + 3 < parts.size(); i += 4) {
                     size_t cls = parts[i] == "normal" ? 0 : parts[i] == "slave" ? 1 : 2;
                     for (size_t k = 0; k < 3; ++k)
                       output_limits_[cls][k] = std::stoll(parts[i + 1 + k]);
                   }
                   return std::nullopt;
                 });
  cfg_.set_apply("appendfsync", [this](const std::string& v) -> std::optional<std::string> {
    aof_->set_policy(v == "always" ? fsync_policy::always
                     : v == "no"   ? fsync_policy::no
                                   : fsync_policy::everysec);
    return std::nullopt;
  });
  cfg_.set_apply("appendonly", [this](const std::string& v) -> std::optional<std::string> {
    // At start-up load_data() opens the AOF; here only run-time changes. Turning
    // it on starts from a rewrite, so the file holds the data already there.
    if (reactors_.empty()) return std::nullopt;
    if (v == "yes" && !aof_->enabled()) persistence_->schedule_rewrite();
    if (v == "no" && aof_->enabled()) aof_->close();
    return std::nullopt;
  });
  cfg_.set_apply("stop-writes-on-bgsave-error",
                 [this](const std::string& v) -> std::optional<std::string> {
                   settings.stop_writes_on_bgsave_error = v == "yes";
                   return std::nullopt;
                 });
  cfg_.set_apply("save", [this](const std::string& v) -> std::optional<std::string> {
    settings.has_save_points = !v.empty();
    return std::nullopt;
  });
  cfg_.set_apply("dir", [this](const std::string& v) -> std::optional<std::string> {
    if (chdir(v.c_str()) != 0) return std::string("No such file or directory");
    char buf[4096];
    if (getcwd(buf, sizeof(buf)) != nullptr) cfg_.set_internal("dir", buf);
    return std::nullopt;
  });
  auto flag = [this](const char* name, std::atomic<bool>& target) {
    cfg_.set_apply(name, [&target](const std::string& v) -> std::optional<std::string> {
      target = v == "yes";
      return std::nullopt;
    });
  };
  flag("lazyfree-lazy-user-del", settings.lazyfree_lazy_user_del);
  flag("lazyfree-lazy-user-flush", settings.lazyfree_lazy_user_flush);
  flag("lazyfree-lazy-expire", settings.lazyfree_lazy_expire);
  flag("lazyfree-lazy-server-del", settings.lazyfree_lazy_server_del);
  cfg_.set_apply("port", [this](const std::string& v) -> std::optional<std::string> {
    // Rebind: open the new port first so a failure leaves the old one working.
    int port = std::stoi(v);
    if (port == port_) return std::nullopt;
    std::vector<caf::actor> fresh;
    auto addrs = split_args(cfg_.get("bind")).value_or(std::vector<std::string>{});
    for (auto addr : addrs) {
      bool optional = !addr.empty() && addr[0] == '-';
      if (optional) addr = addr.substr(1);
      std::string err;
      int fd =
          port == 0 ? -1 : listener::open_tcp(addr, port, int(cfg_.get_int("tcp-backlog")), err);
      if (fd < 0) {
        if (optional || port == 0) continue;
        for (auto& a : fresh) caf::anon_send(a, close_atom::value);
        return "Unable to listen on this port: " + err;
      }
      std::string label = addr + ":" + v;
      fresh.push_back(spawn_actor<listener>(registry_, placement::on(*reactors_[0]), {label}, *this,
                                            fd, label, false));
    }
    for (auto& a : listeners_) caf::anon_send(a, close_atom::value);
    listeners_ = std::move(fresh);
    port_ = port;
    return std::nullopt;
  });
  attach_data_model_hooks();
}

bool server::add_client(uint64_t id, client_record r) {
  std::lock_guard<std::mutex> g(clients_mutex_);
  if (int64_t(clients_.size()) >= cfg_.get_int("maxclients")) return false;
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
    settings.lru_clock = uint32_t((now / 1000) & ((1u << 24) - 1));
    sample_instantaneous();
    persistence_->cron();
  }
  int64_t timeout = idle_timeout_s();
  if (timeout > 0) {
    std::vector<connection*> conns(hosted_connections(reactor_index).begin(),
                                   hosted_connections(reactor_index).end());
    for (connection* c : conns) c->close_if_idle(now, timeout);
  }
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
  lazy_free_.reset_freed();
  for (int i = 0; i < keyspace_->shard_count(); ++i) {
    auto& st = keyspace_->shard(i).stats();
    st.expired_keys.set(0);
    st.expired_time_cap_reached.set(0);
    st.keyspace_hits.set(0);
    st.keyspace_misses.set(0);
    st.evicted_keys.set(0);
    st.expired_stale_perc_x100.set(0);
  }
}

output_limit server::output_limit_for(const session& s) const {
  size_t cls = s.has(client_replica) ? 1 : s.has(client_pubsub) ? 2 : 0;
  if (s.has(client_master)) return {};
  return {output_limits_[cls][0].load(std::memory_order_relaxed),
          output_limits_[cls][1].load(std::memory_order_relaxed),
          output_limits_[cls][2].load(std::memory_order_relaxed)};
}

void server::keyspace_event(uint32_t cls, std::string_view event, std::string_view key, int db) {
  uint32_t flags = settings.notify_flags.load(std::memory_order_relaxed);
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

void server::journal(int db, const std::vector<std::string>& args) {
  journal_.append(db, args);
}

bool server::load_data() {
  // With the AOF on, it is the data; otherwise the RDB file, as Redis does.
  if (cfg_.get_bool("appendonly")) {
    if (auto err = aof_->load()) {
      log_warning("Fatal error loading the AOF: {}", *err);
      return false;
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
  opt.limits = load_limits_of(settings);
  opt.databases = keyspace_->databases();
  rdb_callbacks cb;
  cb.on_entry = [this](int db, kv_entry* e) {
    std::string_view key = e->key();
    shard_store& s = keyspace_->shard(keyspace_->shard_of_key(key));
    db_slice& slice = s.db(db);
    uint64_t h = hash_key(key);
    if (auto loc = slice.keys.locate(key, h))
      slice.replace(loc, e);  // a duplicate: the last one wins
    else
      slice.add(e, h);
  };
  rdb_load_result r = load_rdb(src, opt, cb);
  if (!r.ok)
    return r.error + " (at offset " + std::to_string(r.error_offset) +
           (r.error_key.empty() ? "" : ", key '" + r.error_key + "'") + ")";
  for (auto& w : r.warnings) log_warning("{}", w);
  log_notice("Done loading RDB, keys loaded: {}, keys expired: {}.", r.keys, r.expired_skipped);
  return std::nullopt;
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
  log_warning("User requested shutdown...");
  for (auto& r : reactors_) r->stop();
  if (aof_->enabled()) {
    aof_->flush_pass();
    aof_->close();
  }
  const std::string& path = cfg_.get("unixsocket");
  if (!path.empty()) unlink(path.c_str());
  const std::string& pid = cfg_.get("pidfile");
  if (!pid.empty()) unlink(pid.c_str());
  log_warning("Troupe is now ready to exit, bye bye...");
  spdlog::default_logger()->flush();
  return exit_code_;
}

}  // namespace troupe
