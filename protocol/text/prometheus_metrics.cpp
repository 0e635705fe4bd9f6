#include "protocol/text/prometheus_metrics.hpp"

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>

namespace troupe {
namespace {

enum class kind { gauge, counter, summary };

// One INFO field exported as one metric.
struct plain_metric {
  const char* field;
  const char* name;
  kind type;
  const char* help;
};

// INFO field -> redis_exporter's name (its metricMapGauges / metricMapCounters).
const plain_metric plain[] = {
    {"uptime_in_seconds", "redis_uptime_in_seconds", kind::gauge, "Seconds since start"},
    {"process_id", "redis_process_id", kind::gauge, "Process id"},
    {"connected_clients", "redis_connected_clients", kind::gauge, "Connected clients"},
    {"blocked_clients", "redis_blocked_clients", kind::gauge, "Clients in a blocking command"},
    {"tracking_clients", "redis_tracking_clients", kind::gauge, "Clients tracking keys"},
    {"maxclients", "redis_config_maxclients", kind::gauge, "maxclients"},
    {"used_memory", "redis_memory_used_bytes", kind::gauge, "used_memory"},
    {"used_memory_rss", "redis_memory_used_rss_bytes", kind::gauge, "used_memory_rss"},
    {"used_memory_peak", "redis_memory_used_peak_bytes", kind::gauge, "used_memory_peak"},
    {"used_memory_lua", "redis_memory_used_lua_bytes", kind::gauge, "used_memory_lua"},
    {"used_memory_scripts", "redis_memory_used_scripts_bytes", kind::gauge, "used_memory_scripts"},
    {"maxmemory", "redis_memory_max_bytes", kind::gauge, "maxmemory"},
    {"mem_fragmentation_ratio", "redis_mem_fragmentation_ratio", kind::gauge,
     "mem_fragmentation_ratio"},
    {"mem_clients_normal", "redis_mem_clients_normal", kind::gauge, "mem_clients_normal"},
    {"mem_clients_slaves", "redis_mem_clients_slaves", kind::gauge, "mem_clients_slaves"},
    {"loading", "redis_loading_dump_file", kind::gauge, "A dataset is loading"},
    {"rdb_changes_since_last_save", "redis_rdb_changes_since_last_save", kind::gauge,
     "Writes since the last save"},
    {"rdb_bgsave_in_progress", "redis_rdb_bgsave_in_progress", kind::gauge, "BGSAVE running"},
    {"rdb_last_save_time", "redis_rdb_last_save_timestamp_seconds", kind::gauge,
     "Time of the last successful save"},
    {"rdb_last_bgsave_time_sec", "redis_rdb_last_bgsave_duration_sec", kind::gauge,
     "Duration of the last BGSAVE"},
    {"rdb_saves", "redis_rdb_saves_total", kind::counter, "Saves since start"},
    {"aof_enabled", "redis_aof_enabled", kind::gauge, "appendonly"},
    {"aof_rewrite_in_progress", "redis_aof_rewrite_in_progress", kind::gauge,
     "AOF rewrite running"},
    {"aof_last_rewrite_time_sec", "redis_aof_last_rewrite_duration_sec", kind::gauge,
     "Duration of the last AOF rewrite"},
    {"aof_rewrites", "redis_aof_rewrites_total", kind::counter, "AOF rewrites since start"},
    {"total_connections_received", "redis_connections_received_total", kind::counter,
     "Connections accepted"},
    {"total_commands_processed", "redis_commands_processed_total", kind::counter,
     "Commands processed"},
    {"instantaneous_ops_per_sec", "redis_instantaneous_ops_per_sec", kind::gauge,
     "Commands per second"},
    {"instantaneous_input_kbps", "redis_instantaneous_input_kbps", kind::gauge, "Input KB/s"},
    {"instantaneous_output_kbps", "redis_instantaneous_output_kbps", kind::gauge, "Output KB/s"},
    {"total_net_input_bytes", "redis_net_input_bytes_total", kind::counter, "Bytes read"},
    {"total_net_output_bytes", "redis_net_output_bytes_total", kind::counter, "Bytes written"},
    {"rejected_connections", "redis_rejected_connections_total", kind::counter,
     "Connections refused (maxclients)"},
    {"sync_full", "redis_replica_resyncs_full", kind::gauge, "Full resyncs served"},
    {"sync_partial_ok", "redis_replica_partial_resync_accepted", kind::gauge,
     "Partial resyncs accepted"},
    {"sync_partial_err", "redis_replica_partial_resync_denied", kind::gauge,
     "Partial resyncs denied"},
    {"expired_keys", "redis_expired_keys_total", kind::counter, "Keys expired"},
    {"evicted_keys", "redis_evicted_keys_total", kind::counter, "Keys evicted"},
    {"keyspace_hits", "redis_keyspace_hits_total", kind::counter, "Key lookups that found the key"},
    {"keyspace_misses", "redis_keyspace_misses_total", kind::counter, "Key lookups that missed"},
    {"pubsub_channels", "redis_pubsub_channels", kind::gauge, "Channels with subscribers"},
    {"pubsub_patterns", "redis_pubsub_patterns", kind::gauge, "Pattern subscriptions"},
    {"latest_fork_usec", "redis_latest_fork_usec", kind::gauge, "Duration of the last fork"},
    {"total_error_replies", "redis_total_error_replies", kind::counter, "Error replies"},
    {"connected_slaves", "redis_connected_slaves", kind::gauge, "Attached replicas"},
    {"repl_backlog_size", "redis_replication_backlog_bytes", kind::gauge, "repl-backlog-size"},
    {"repl_backlog_active", "redis_repl_backlog_is_active", kind::gauge, "Backlog active"},
    {"master_repl_offset", "redis_master_repl_offset", kind::gauge, "Replication offset"},
    {"second_repl_offset", "redis_second_repl_offset", kind::gauge, "Second replication offset"},
    {"slave_repl_offset", "redis_slave_repl_offset", kind::gauge, "Replica's offset"},
    {"master_last_io_seconds_ago", "redis_master_last_io_seconds_ago", kind::gauge,
     "Seconds since the master last talked"},
    {"master_link_down_since_seconds", "redis_master_link_down_since_seconds", kind::gauge,
     "Seconds the master link is down"},
    {"master_sync_in_progress", "redis_master_sync_in_progress", kind::gauge,
     "A full sync is running"},
    {"slave_priority", "redis_slave_priority", kind::gauge, "replica-priority"},
    {"used_cpu_sys", "redis_cpu_sys_seconds_total", kind::counter, "System CPU"},
    {"used_cpu_user", "redis_cpu_user_seconds_total", kind::counter, "User CPU"},
    {"used_cpu_sys_children", "redis_cpu_sys_children_seconds_total", kind::counter,
     "System CPU of children"},
    {"used_cpu_user_children", "redis_cpu_user_children_seconds_total", kind::counter,
     "User CPU of children"},
    {"cluster_enabled", "redis_cluster_enabled", kind::gauge, "cluster-enabled"},
};

const char* type_name(kind k) {
  return k == kind::gauge ? "gauge" : k == kind::counter ? "counter" : "summary";
}

// Label values: backslash, quote and newline escaped.
std::string label_value(std::string_view v) {
  std::string o;
  for (char ch : v) {
    if (ch == '\\' || ch == '"')
      o += '\\', o += ch;
    else if (ch == '\n')
      o += "\\n";
    else
      o += ch;
  }
  return o;
}

class writer {
 public:
  void family(const std::string& name, kind k, const char* help) {
    out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type_name(k) + "\n";
  }
  void sample(const std::string& name, const std::string& labels, std::string_view value) {
    out += name;
    if (!labels.empty()) out += "{" + labels + "}";
    out += ' ';
    out += value;
    out += '\n';
  }
  std::string out;
};

bool is_number(std::string_view v) {
  if (v.empty()) return false;
  char* end = nullptr;
  std::string s(v);
  std::strtod(s.c_str(), &end);
  return end != nullptr && *end == '\0';
}

const info_section* section(const std::vector<info_section>& info, const char* name) {
  for (auto& s : info)
    if (s.name == name) return &s;
  return nullptr;
}

// Per-key-in-a-section metrics, e.g. cmdstat_get:calls=..,usec=.. -> {cmd="get"}.
struct labelled_family {
  std::string name;
  kind type;
  const char* help;
  std::vector<std::pair<std::string, std::string>> samples;  // labels, value
};

}  // namespace

std::string prometheus_metrics(const std::vector<info_section>& info) {
  writer w;
  w.family("redis_up", kind::gauge, "The server answered");
  w.sample("redis_up", "", "1");

  std::map<std::string, std::string> fields;
  for (auto& s : info)
    for (auto& [k, v] : s.fields) fields.emplace(k, v);

  if (const info_section* srv = section(info, "Server")) {
    const info_section* repl = section(info, "Replication");
    const info_section* mem = section(info, "Memory");
    std::string labels = "role=\"" + label_value(repl ? repl->get("role") : "master") +
                         "\",redis_version=\"" + label_value(srv->get("redis_version")) +
                         "\",redis_build_id=\"" + label_value(srv->get("redis_build_id")) +
                         "\",redis_mode=\"" + label_value(srv->get("redis_mode")) + "\",os=\"" +
                         label_value(srv->get("os")) + "\",maxmemory_policy=\"" +
                         label_value(mem ? mem->get("maxmemory_policy") : "") + "\",tcp_port=\"" +
                         label_value(srv->get("tcp_port")) + "\",run_id=\"" +
                         label_value(srv->get("run_id")) + "\",process_id=\"" +
                         label_value(srv->get("process_id")) + "\"";
    w.family("redis_instance_info", kind::gauge, "Information about the server");
    w.sample("redis_instance_info", labels, "1");
  }

  for (const plain_metric& m : plain) {
    auto it = fields.find(m.field);
    if (it == fields.end() || !is_number(it->second)) continue;
    w.family(m.name, m.type, m.help);
    w.sample(m.name, "", it->second);
  }
  auto status = [&](const char* field, const char* good, const char* name, const char* help) {
    auto it = fields.find(field);
    if (it == fields.end()) return;
    w.family(name, kind::gauge, help);
    w.sample(name, "", it->second == good ? "1" : "0");
  };
  status("rdb_last_bgsave_status", "ok", "redis_rdb_last_bgsave_status", "Last BGSAVE succeeded");
  status("aof_last_bgrewrite_status", "ok", "redis_aof_last_bgrewrite_status",
         "Last AOF rewrite succeeded");
  status("master_link_status", "up", "redis_master_link_up", "The link to the master is up");

  std::deque<labelled_family> families;  // a deque: references stay valid as it grows
  auto fam = [&](const char* name, kind k, const char* help) -> labelled_family& {
    for (auto& f : families)
      if (f.name == name) return f;
    families.push_back({name, k, help, {}});
    return families.back();
  };

  if (const info_section* ks = section(info, "Keyspace")) {
    auto& keys = fam("redis_db_keys", kind::gauge, "Keys per database");
    auto& expiring = fam("redis_db_keys_expiring", kind::gauge, "Keys with a TTL per database");
    auto& ttl = fam("redis_db_avg_ttl_seconds", kind::gauge, "Average TTL per database");
    for (auto& [db, v] : ks->fields) {
      std::string l = "db=\"" + label_value(db) + "\"";
      for (auto& [k, x] : split_info_value(v)) {
        if (k == "keys") keys.samples.emplace_back(l, x);
        if (k == "expires") expiring.samples.emplace_back(l, x);
        if (k == "avg_ttl")
          ttl.samples.emplace_back(l, std::to_string(std::atof(x.c_str()) / 1000));
      }
    }
  }
  if (const info_section* cs = section(info, "Commandstats")) {
    auto& calls = fam("redis_commands_total", kind::counter, "Calls per command");
    auto& secs =
        fam("redis_commands_duration_seconds_total", kind::counter, "Seconds spent per command");
    auto& rejected =
        fam("redis_commands_rejected_calls_total", kind::counter, "Rejected calls per command");
    auto& failed =
        fam("redis_commands_failed_calls_total", kind::counter, "Failed calls per command");
    for (auto& [k, v] : cs->fields) {
      if (k.rfind("cmdstat_", 0) != 0) continue;
      std::string l = "cmd=\"" + label_value(k.substr(8)) + "\"";
      for (auto& [f, x] : split_info_value(v)) {
        if (f == "calls") calls.samples.emplace_back(l, x);
        if (f == "usec") secs.samples.emplace_back(l, std::to_string(std::atof(x.c_str()) / 1e6));
        if (f == "rejected_calls") rejected.samples.emplace_back(l, x);
        if (f == "failed_calls") failed.samples.emplace_back(l, x);
      }
    }
  }
  if (const info_section* es = section(info, "Errorstats")) {
    auto& errs = fam("redis_errors_total", kind::counter, "Error replies per error prefix");
    for (auto& [k, v] : es->fields) {
      if (k.rfind("errorstat_", 0) != 0) continue;
      for (auto& [f, x] : split_info_value(v))
        if (f == "count") errs.samples.emplace_back("err=\"" + label_value(k.substr(10)) + "\"", x);
    }
  }
  if (const info_section* ls = section(info, "Latencystats")) {
    auto& lat = fam("redis_latency_percentiles_usec", kind::summary,
                    "Latency percentiles per command (microseconds)");
    for (auto& [k, v] : ls->fields) {
      if (k.rfind("latency_percentiles_usec_", 0) != 0) continue;
      std::string cmd = label_value(k.substr(25));
      // redis_exporter's quantiles are fractions: p99.9 is quantile="0.999".
      for (auto& [p, x] : split_info_value(v)) {
        char q[32];
        std::snprintf(q, sizeof q, "%g", std::atof(p.c_str() + 1) / 100);
        lat.samples.emplace_back("cmd=\"" + cmd + "\",quantile=\"" + q + "\"", x);
      }
      // A summary's _sum and _count: the command's total time and calls.
      auto it = fields.find("cmdstat_" + k.substr(25));
      if (it != fields.end()) {
        for (auto& [f, x] : split_info_value(it->second)) {
          if (f == "usec") lat.samples.emplace_back("#sum cmd=\"" + cmd + "\"", x);
          if (f == "calls") lat.samples.emplace_back("#count cmd=\"" + cmd + "\"", x);
        }
      }
    }
  }
  if (const info_section* repl = section(info, "Replication")) {
    auto& lag = fam("redis_connected_slave_lag_seconds", kind::gauge, "Lag of each replica");
    auto& off = fam("redis_connected_slave_offset_bytes", kind::gauge, "Offset of each replica");
    for (auto& [k, v] : repl->fields) {
      if (k.rfind("slave", 0) != 0 || k.size() < 6 || k[5] < '0' || k[5] > '9') continue;
      std::string ip, port, state, lag_s, offset;
      for (auto& [f, x] : split_info_value(v)) {
        if (f == "ip") ip = x;
        if (f == "port") port = x;
        if (f == "state") state = x;
        if (f == "lag") lag_s = x;
        if (f == "offset") offset = x;
      }
      std::string l = "slave_ip=\"" + label_value(ip) + "\",slave_port=\"" + label_value(port) +
                      "\",slave_state=\"" + label_value(state) + "\"";
      if (!lag_s.empty()) lag.samples.emplace_back(l, lag_s);
      if (!offset.empty()) off.samples.emplace_back(l, offset);
    }
  }
  if (const info_section* t = section(info, "Troupe")) {
    auto& count = fam("troupe_actors", kind::gauge, "Live actors per type");
    auto& msgs =
        fam("troupe_actor_messages_total", kind::counter, "Messages handled per actor type");
    auto& box = fam("troupe_actor_mailbox_depth", kind::gauge, "Messages waiting per actor type");
    for (auto& [k, v] : t->fields) {
      if (k.rfind("actors_", 0) != 0) continue;
      std::string l = "type=\"" + label_value(k.substr(7)) + "\"";
      for (auto& [f, x] : split_info_value(v)) {
        if (f == "count") count.samples.emplace_back(l, x);
        if (f == "messages") msgs.samples.emplace_back(l, x);
        if (f == "mailbox") box.samples.emplace_back(l, x);
      }
    }
  }
  // Proxy mode: the pool's figures and each backend's.
  if (const info_section* px = section(info, "Proxy")) {
    auto& clients = fam("troupe_proxy_clients", kind::gauge, "Clients connected to the proxy");
    auto& reqs = fam("troupe_proxy_requests_total", kind::counter, "Requests the proxy received");
    auto& refused = fam("troupe_proxy_refused_total", kind::counter,
                        "Requests refused as not servable through a proxy");
    auto& up = fam("troupe_proxy_backend_up", kind::gauge, "1 while the backend is in the ring");
    auto& breq = fam("troupe_proxy_backend_requests_total", kind::counter,
                     "Requests (and split parts) sent to each backend");
    auto& berr = fam("troupe_proxy_backend_errors_total", kind::counter,
                     "Requests failed by the proxy per backend: refused, reset, timed out");
    auto& btmo = fam("troupe_proxy_backend_timeouts_total", kind::counter,
                     "Replies that did not come within the pool's timeout");
    auto& bej = fam("troupe_proxy_backend_ejections_total", kind::counter,
                    "Times each backend was ejected from the ring");
    auto& blat = fam("troupe_proxy_backend_latency_p99_usec", kind::gauge,
                     "Upper bound of the 99th percentile reply latency per backend");
    for (auto& [k, v] : px->fields) {
      if (k == "proxy_clients") clients.samples.emplace_back("", v);
      if (k == "proxy_requests") reqs.samples.emplace_back("", v);
      if (k == "proxy_refused") refused.samples.emplace_back("", v);
      if (k.rfind("backend", 0) != 0) continue;
      auto fields_of = split_info_value(v);
      std::string addr, name;
      for (auto& [f, x] : fields_of) {
        if (f == "addr") addr = x;
        if (f == "name") name = x;
      }
      std::string l = "addr=\"" + label_value(addr) + "\",name=\"" + label_value(name) + "\"";
      for (auto& [f, x] : fields_of) {
        if (f == "status") up.samples.emplace_back(l, x == "up" ? "1" : "0");
        if (f == "requests") breq.samples.emplace_back(l, x);
        if (f == "errors") berr.samples.emplace_back(l, x);
        if (f == "timeouts") btmo.samples.emplace_back(l, x);
        if (f == "ejections") bej.samples.emplace_back(l, x);
        if (f == "latency_p99_us") blat.samples.emplace_back(l, x);
      }
    }
  }
  for (auto& f : families) {
    if (f.samples.empty()) continue;
    w.family(f.name, f.type, f.help);
    for (auto& [labels, value] : f.samples) {
      if (labels.rfind("#sum ", 0) == 0)
        w.sample(f.name + "_sum", labels.substr(5), value);
      else if (labels.rfind("#count ", 0) == 0)
        w.sample(f.name + "_count", labels.substr(7), value);
      else
        w.sample(f.name, labels, value);
    }
  }
  return w.out;
}

}  // namespace troupe
