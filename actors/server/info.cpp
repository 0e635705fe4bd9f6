#include "actors/server/info.hpp"

#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "actors/extension/extension.hpp"
#include "actors/proxy/proxy_control.hpp"
#include "actors/replication/info_replication.hpp"
#include "actors/sentinel/sentinel_control.hpp"
#include "actors/server/actors_info.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/config/config_special_rows.hpp"
#include "storage/dispatch/server_stats.hpp"

namespace troupe {
namespace {

std::string fmt2(double v) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%.2f", v);
  return buf;
}

size_t total_system_memory() {
  return size_t(sysconf(_SC_PHYS_PAGES)) * size_t(sysconf(_SC_PAGESIZE));
}

struct section_writer {
  std::string out;
  bool first = true;
  void header(const char* name) {
    if (!first) out += "\r\n";
    first = false;
    out += "# ";
    out += name;
    out += "\r\n";
  }
  template <class T>
  void field(const char* name, const T& v) {
    out += name;
    out += ':';
    if constexpr (std::is_convertible_v<T, std::string_view>)
      out += std::string_view(v);
    else
      out += std::to_string(v);
    out += "\r\n";
  }
};

uint64_t sum(const std::vector<std::unique_ptr<reactor_stats>>& all, counter reactor_stats::*m) {
  uint64_t n = 0;
  for (auto& s : all) n += ((*s).*m).get();
  return n;
}

uint64_t shard_sum(server& srv, counter shard_stats::*m) {
  uint64_t n = 0;
  for (int i = 0; i < srv.keys().shard_count(); ++i) n += (srv.keys().shard(i).stats().*m).get();
  return n;
}

}  // namespace

std::string human_bytes(uint64_t n) {
  char buf[64];
  double d = double(n);
  if (n < 1024)
    snprintf(buf, sizeof(buf), "%lluB", static_cast<unsigned long long>(n));
  else if (n < 1024ULL * 1024)
    snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  else if (n < 1024ULL * 1024 * 1024)
    snprintf(buf, sizeof(buf), "%.2fM", d / (1024 * 1024));
  else if (n < 1024ULL * 1024 * 1024 * 1024)
    snprintf(buf, sizeof(buf), "%.2fG", d / (1024.0 * 1024 * 1024));
  else
    snprintf(buf, sizeof(buf), "%.2fT", d / (1024.0 * 1024 * 1024 * 1024));
  return buf;
}

std::string build_info(server& srv, const std::vector<std::string_view>& requested) {
  std::set<std::string> want;
  bool all = false, everything = false, defaults = requested.empty();
  for (auto s : requested) {
    std::string l = lower(s);
    if (l == "all")
      all = true;
    else if (l == "everything")
      everything = true;
    else if (l == "default")
      defaults = true;
    else
      want.insert(l);
  }
  static const std::set<std::string> default_sections = {
      "server", "clients", "memory",     "persistence", "stats",   "replication",
      "cpu",    "modules", "errorstats", "cluster",     "keyspace"};
  // A Sentinel has these sections only (Redis 7.0's sentinelInfoCommand).
  static const std::set<std::string> sentinel_sections = {"server", "clients", "cpu", "stats",
                                                          "sentinel"};
  bool sentinel = srv.sentinel() != nullptr;
  // A proxy keeps no data: these, and its own section.
  static const std::set<std::string> proxy_sections = {"server", "clients", "cpu", "stats",
                                                       "proxy"};
  bool proxy = srv.proxy() != nullptr;
  auto on = [&](const char* name) {
    if (sentinel && !sentinel_sections.count(name)) return false;
    if (proxy && !proxy_sections.count(name)) return false;
    if (all || everything) return true;
    if (defaults && (sentinel || proxy || default_sections.count(name))) return true;
    return want.count(name) > 0;
  };
  section_writer w;
  int64_t now_ms = wall_clock_ms();
  auto& stats = srv.all_stats();
  server_config& cfg = srv.config();

  if (on("server")) {
    w.header("Server");
    struct utsname u;
    uname(&u);
    int64_t uptime = (now_ms - srv.start_time_ms()) / 1000;
    w.field("redis_version", "7.0.15");
    w.field("troupe_version", "0.1.0");
    w.field("redis_git_sha1", "00000000");
    w.field("redis_git_dirty", "0");
    w.field("redis_build_id", "0");
    w.field("redis_mode", sentinel ? "sentinel" : "standalone");
    w.field("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
    w.field("arch_bits", "64");
    w.field("monotonic_clock", "POSIX clock_gettime");
    w.field("multiplexing_api", "epoll");
    w.field("atomicvar_api", "c11-builtin");
    w.field("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                               std::to_string(__GNUC_PATCHLEVEL__));
    w.field("process_id", int64_t(getpid()));
    w.field("process_supervised", "no");
    w.field("run_id", srv.run_id());
    w.field("tcp_port", srv.tcp_port());
    w.field("server_time_usec", wall_clock_us());
    w.field("uptime_in_seconds", uptime);
    w.field("uptime_in_days", uptime / 86400);
    w.field("hz", srv.hz());
    w.field("configured_hz", cfg.hz.get());
    w.field("lru_clock", int64_t(srv.lru_clock.load()));
    w.field("executable", srv.executable);
    w.field("config_file", srv.config_file_path);
    w.field("io_threads_active", "0");
    w.field("reactors", srv.reactor_count());
    w.field("shards", srv.keys().shard_count());
  }
  if (on("clients")) {
    w.header("Clients");
    size_t max_in = 0, max_out = 0;
    srv.for_each_client([&](uint64_t, client_record& r) {
      max_in = std::max<size_t>(max_in, r.s->query_buffer.load() + r.s->query_buffer_free.load());
      max_out = std::max<size_t>(max_out, r.s->output_bytes.load());
    });
    w.field("connected_clients", srv.client_count());
    w.field("cluster_connections", "0");
    w.field("maxclients", cfg.maxclients.get());
    w.field("client_recent_max_input_buffer", max_in);
    w.field("client_recent_max_output_buffer", max_out);
    w.field("blocked_clients", srv.keys().blocked_clients.load());
    w.field("tracking_clients", srv.keys().tracking.clients());
    w.field("clients_in_timeout_table", "0");
  }
  if (on("memory")) {
    w.header("Memory");
    memory_overview m = gather_memory_overview(srv);
    size_t used = m.total_allocated, rss = m.rss, peak = m.peak_allocated;
    size_t active = m.allocator_active;
    size_t sysmem = total_system_memory();
    w.field("used_memory", used);
    w.field("used_memory_human", human_bytes(used));
    w.field("used_memory_rss", rss);
    w.field("used_memory_rss_human", human_bytes(rss));
    w.field("used_memory_peak", peak);
    w.field("used_memory_peak_human", human_bytes(peak));
    w.field("used_memory_peak_perc", fmt2(m.peak_perc) + "%");
    // Overhead as Redis counts it (MEMORY STATS has the parts): the heap at
    // start-up, client and AOF buffers, and indexing the keys; the rest is the dataset.
    w.field("used_memory_overhead", m.overhead_total);
    w.field("used_memory_startup", m.startup_allocated);
    w.field("used_memory_dataset", m.dataset);
    w.field("used_memory_dataset_perc", fmt2(m.dataset_perc) + "%");
    w.field("allocator_allocated", m.allocator_allocated);
    w.field("allocator_active", active);
    w.field("allocator_resident", m.allocator_resident);
    w.field("total_system_memory", sysmem);
    w.field("total_system_memory_human", human_bytes(sysmem));
    // No scripting engine: Lua and functions hold nothing.
    w.field("used_memory_lua", "0");
    w.field("used_memory_vm_eval", "0");
    w.field("used_memory_lua_human", "0B");
    w.field("used_memory_scripts_eval", "0");
    w.field("number_of_cached_scripts", "0");
    w.field("number_of_functions", "0");
    w.field("number_of_libraries", "0");
    w.field("used_memory_vm_functions", "0");
    w.field("used_memory_vm_total", "0");
    w.field("used_memory_vm_total_human", "0B");
    w.field("used_memory_functions", "0");
    w.field("used_memory_scripts", "0");
    w.field("used_memory_scripts_human", "0B");
    size_t maxmemory = size_t(cfg.maxmemory.get());
    w.field("maxmemory", maxmemory);
    w.field("maxmemory_human", human_bytes(maxmemory));
    w.field("maxmemory_policy", cfg.maxmemory_policy.text());
    w.field("allocator_frag_ratio", fmt2(used ? double(active) / double(used) : 0));
    w.field("allocator_frag_bytes", int64_t(active) - int64_t(used));
    w.field("allocator_rss_ratio", "1.00");
    w.field("allocator_rss_bytes", "0");
    w.field("rss_overhead_ratio", fmt2(active ? double(rss) / double(active) : 0));
    w.field("rss_overhead_bytes", int64_t(rss) - int64_t(active));
    w.field("mem_fragmentation_ratio", fmt2(used ? double(rss) / double(used) : 0));
    w.field("mem_fragmentation_bytes", int64_t(rss) - int64_t(used));
    w.field("mem_not_counted_for_evict", srv.memory_not_counted_for_eviction());
    w.field("mem_replication_backlog", m.repl_backlog);
    // One journal holds the backlog and what the replicas have yet to read
    // (Redis 7's shared replication buffer): they are the same bytes.
    w.field("mem_total_replication_buffers", m.repl_backlog);
    w.field("mem_clients_slaves", m.clients_replicas);
    w.field("mem_clients_normal", m.clients_normal);
    w.field("mem_cluster_links", "0");
    w.field("mem_aof_buffer", m.aof_buffer);
    w.field("mem_allocator", "libc");
    w.field("active_defrag_running", "0");
    w.field("lazyfree_pending_objects", srv.lazy_free().pending());
    w.field("lazyfreed_objects", srv.lazy_free().freed());
  }
  if (on("persistence")) {
    w.header("Persistence");
    w.out += srv.snapshots().info();
  }
  if (on("stats")) {
    w.header("Stats");
    w.field("total_connections_received", sum(stats, &reactor_stats::connections_received));
    w.field("total_commands_processed", sum(stats, &reactor_stats::commands_processed));
    w.field("instantaneous_ops_per_sec", srv.ops_per_sec());
    w.field("total_net_input_bytes", sum(stats, &reactor_stats::net_input_bytes));
    w.field("total_net_output_bytes", sum(stats, &reactor_stats::net_output_bytes));
    w.field("total_net_repl_input_bytes", "0");
    w.field("total_net_repl_output_bytes", srv.replicas().repl_output_bytes());
    w.field("instantaneous_input_kbps", fmt2(double(srv.input_kbps_x100()) / 100.0 / 1024.0));
    w.field("instantaneous_output_kbps", fmt2(double(srv.output_kbps_x100()) / 100.0 / 1024.0));
    w.field("instantaneous_input_repl_kbps", "0.00");
    w.field("instantaneous_output_repl_kbps", "0.00");
    w.field("rejected_connections", sum(stats, &reactor_stats::rejected_connections));
    w.field("sync_full", srv.replicas().sync_full());
    w.field("sync_partial_ok", srv.replicas().sync_partial_ok());
    w.field("sync_partial_err", srv.replicas().sync_partial_err());
    w.field("expired_keys", shard_sum(srv, &shard_stats::expired_keys));
    uint64_t stale = 0;
    for (int i = 0; i < srv.keys().shard_count(); ++i)
      stale = std::max(stale, srv.keys().shard(i).stats().expired_stale_perc_x100.get());
    w.field("expired_stale_perc", fmt2(double(stale) / 100.0));
    w.field("expired_time_cap_reached_count",
            shard_sum(srv, &shard_stats::expired_time_cap_reached));
    w.field("expire_cycle_cpu_milliseconds", shard_sum(srv, &shard_stats::expire_cycle_us) / 1000);
    w.field("evicted_keys", shard_sum(srv, &shard_stats::evicted_keys));
    w.field("evicted_clients", srv.evicted_clients.get());
    // Sharded pub/sub, MIGRATE, replicas, defragmentation, client-side
    // caching, dump sanitizing, I/O threads and Redis's reply-buffer resizing do
    // not exist (yet) in Troupe: their counters are truly zero.
    w.field("total_eviction_exceeded_time", srv.eviction().total_exceeded_ms());
    w.field("current_eviction_exceeded_time", srv.eviction().current_exceeded_ms());
    w.field("keyspace_hits", shard_sum(srv, &shard_stats::keyspace_hits));
    w.field("keyspace_misses", shard_sum(srv, &shard_stats::keyspace_misses));
    w.field("pubsub_channels", srv.pubsub().channel_count());
    w.field("pubsub_patterns", srv.pubsub().numpat());
    w.field("pubsubshard_channels", "0");
    w.field("latest_fork_usec", "0");
    w.field("total_forks", "0");
    for (const char* zero :
         {"migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits",
          "active_defrag_misses", "active_defrag_key_hits", "active_defrag_key_misses",
          "total_active_defrag_time", "current_active_defrag_time"})
      w.field(zero, "0");
    const tracking_table& tracking = srv.keys().tracking;
    w.field("tracking_total_keys", tracking.total_keys());
    w.field("tracking_total_items", tracking.total_items());
    w.field("tracking_total_prefixes", tracking.total_prefixes());
    w.field("unexpected_error_replies", "0");
    w.field("total_error_replies", sum(stats, &reactor_stats::error_replies));
    w.field("dump_payload_sanitizations", "0");
    w.field("total_reads_processed", sum(stats, &reactor_stats::reads_processed));
    w.field("total_writes_processed", sum(stats, &reactor_stats::writes_processed));
    for (const char* zero : {"io_threaded_reads_processed", "io_threaded_writes_processed",
                             "reply_buffer_shrinks", "reply_buffer_expands"})
      w.field(zero, "0");
  }
  if (on("replication")) {
    w.header("Replication");
    w.out += replication_info_fields(srv);
  }
  if (on("cpu")) {
    w.header("CPU");
    rusage self{}, children{};
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &children);
    auto secs = [](const timeval& t) {
      char buf[64];
      snprintf(buf, sizeof(buf), "%ld.%06ld", long(t.tv_sec), long(t.tv_usec));
      return std::string(buf);
    };
    w.field("used_cpu_sys", secs(self.ru_stime));
    w.field("used_cpu_user", secs(self.ru_utime));
    w.field("used_cpu_sys_children", secs(children.ru_stime));
    w.field("used_cpu_user_children", secs(children.ru_utime));
    // The main thread is reactor 0's loop: its times from /proc (utime and
    // stime, fields 14 and 15 of its stat line, in clock ticks).
    double main_user = 0, main_sys = 0;
    std::ifstream stat("/proc/self/task/" + std::to_string(srv.reactor_at(0).os_tid()) + "/stat");
    std::string line;
    if (std::getline(stat, line)) {
      size_t close = line.rfind(')');
      std::istringstream rest(close == std::string::npos ? "" : line.substr(close + 2));
      std::string f;
      unsigned long long ut = 0, st = 0;
      for (int i = 3; i <= 15 && rest >> f; ++i) {
        if (i == 14) ut = strtoull(f.c_str(), nullptr, 10);
        if (i == 15) st = strtoull(f.c_str(), nullptr, 10);
      }
      double tick = double(sysconf(_SC_CLK_TCK));
      main_user = double(ut) / tick;
      main_sys = double(st) / tick;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.6f", main_sys);
    w.field("used_cpu_sys_main_thread", buf);
    snprintf(buf, sizeof buf, "%.6f", main_user);
    w.field("used_cpu_user_main_thread", buf);
  }
  if (on("modules")) w.header("Modules");
  if (on("commandstats")) {
    w.header("Commandstats");
    for (command_spec* cmd : command_table::instance().all()) {
      uint64_t calls = 0, usec = 0, rejected = 0, failed = 0;
      for (auto& s : stats) {
        auto& cs = s->per_command[size_t(cmd->id)];
        calls += cs.calls.get();
        usec += cs.usec.get();
        rejected += cs.rejected_calls.get();
        failed += cs.failed_calls.get();
      }
      if (calls == 0 && rejected == 0) continue;
      std::string v = "calls=" + std::to_string(calls) + ",usec=" + std::to_string(usec) +
                      ",usec_per_call=" + fmt2(calls ? double(usec) / double(calls) : 0) +
                      ",rejected_calls=" + std::to_string(rejected) +
                      ",failed_calls=" + std::to_string(failed);
      w.field(("cmdstat_" + cmd->name).c_str(), v);
    }
  }
  if (on("errorstats")) {
    w.header("Errorstats");
    std::map<std::string, uint64_t> errs;
    for (auto& s : stats) {
      std::lock_guard<std::mutex> g(s->errors_mutex);
      for (auto& [code, n] : s->errors_by_code) errs[code] += n;
    }
    for (auto& [code, n] : errs)
      w.field(("errorstat_" + code).c_str(), "count=" + std::to_string(n));
  }
  if (on("latencystats")) {
    w.header("Latencystats");
    auto percentiles = cfg.latency_tracking_info_percentiles.get();
    for (command_spec* cmd : command_table::instance().all()) {
      merged_latency m;
      if (!merge_latency(stats, cmd->id, m)) continue;
      std::string v;
      for (double p : *percentiles) {
        if (!v.empty()) v += ',';
        char buf[64];
        std::snprintf(buf, sizeof buf, "=%.3f",
                      double(latency_histogram::value_at_percentile(m.counts, m.total, p)) / 1000);
        v += "p" + percentile_text(p) + buf;
      }
      w.field(("latency_percentiles_usec_" + cmd->name).c_str(), v);
    }
  }
  if (on("cluster")) {
    w.header("Cluster");
    w.field("cluster_enabled", srv.cluster_enabled() ? "1" : "0");
  }
  if (on("keyspace")) {
    w.header("Keyspace");
    for (int db = 0; db < srv.keys().databases(); ++db) {
      size_t keys = srv.keys().db_size(db);
      if (keys == 0) continue;
      int64_t ttl_sum = 0, n = 0;
      for (int s = 0; s < srv.keys().shard_count(); ++s) {
        auto& slice = srv.keys().shard(s).db(db);
        if (slice.avg_ttl > 0) {
          ttl_sum += slice.avg_ttl;
          ++n;
        }
      }
      std::string v = "keys=" + std::to_string(keys) +
                      ",expires=" + std::to_string(srv.keys().db_volatile(db)) +
                      ",avg_ttl=" + std::to_string(n ? ttl_sum / n : 0);
      w.field(("db" + std::to_string(db)).c_str(), v);
    }
  }
  if (sentinel && on("sentinel")) {
    w.header("Sentinel");
    w.out += srv.sentinel()->info_fields();
  }
  if (proxy && on("proxy")) {
    w.header("Proxy");
    w.out += srv.proxy()->info_fields();
  }
  // Troupe's own section: only by name or with "everything", as Redis does with
  // the sections modules add, so INFO and INFO all keep Redis's layout.
  if (everything || want.count("troupe")) {
    w.header("Troupe");
    w.out += actors_info_fields(srv.registry().snapshot(), wall_clock_ms());
  }
  // Sections of the extensions linked in (examples/), the same way.
  for (const auto& ext : extensions()) {
    std::string name = ext->name();
    if (!everything && !want.count(name)) continue;
    std::string title = name;
    if (!title.empty()) title[0] = char(toupper(title[0]));
    w.header(title.c_str());
    ext->info_fields(w.out);
  }
  return w.out;
}

}  // namespace troupe
