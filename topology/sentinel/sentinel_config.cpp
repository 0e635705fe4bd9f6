#include "topology/sentinel/sentinel_config.hpp"

#include "protocol/commands/command_table.hpp"  // iequals

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <map>
#include <set>

#include "protocol/resp/split_args.hpp"

namespace troupe::sentinel {

namespace {

std::string lowered(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string_view trimmed(std::string_view s) {
  const char* ws = " \t\r\n";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

bool default_executable(const std::string& path) {
  return access(path.c_str(), X_OK) == 0;
}

// sdscatrepr: a quoted string with C escapes.
std::string repr(std::string_view s) {
  std::string r = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\\':
        r += "\\\\";
        break;
      case '"':
        r += "\\\"";
        break;
      case '\n':
        r += "\\n";
        break;
      case '\r':
        r += "\\r";
        break;
      case '\t':
        r += "\\t";
        break;
      case '\a':
        r += "\\a";
        break;
      case '\b':
        r += "\\b";
        break;
      default:
        if (isprint(c)) {
          r += static_cast<char>(c);
        } else {
          char buf[8];
          snprintf(buf, sizeof buf, "\\x%02x", c);
          r += buf;
        }
    }
  }
  return r + "\"";
}

const char* pre_monitor_names[] = {"announce-ip",   "announce-port",     "deny-scripts-reconfig",
                                   "sentinel-user", "sentinel-pass",     "current-epoch",
                                   "myid",          "resolve-hostnames", "announce-hostnames"};

bool pre_monitor(std::string_view name) {
  for (const char* n : pre_monitor_names)
    if (iequals(name, n)) return true;
  return false;
}

struct applier {
  sentinel_conf& conf;
  const config_hooks& hooks;

  // createSentinelAddr's checks: EINVAL for the port, ENOENT for the host.
  std::optional<std::string> make_addr(const std::string& host, int port, instance_addr& out) {
    if (port < 0 || port > 65535) return "Invalid port number.";
    auto ip = hooks.resolve ? hooks.resolve(host, conf.resolve_hostnames)
                            : default_resolve(host, conf.resolve_hostnames);
    if (!ip) return "Can't resolve instance hostname.";
    out = instance_addr{host, *ip, port};
    return std::nullopt;
  }

  bool executable(const std::string& p) {
    return hooks.executable ? hooks.executable(p) : default_executable(p);
  }

  std::optional<std::string> apply(const std::vector<std::string>& argv) {
    const size_t argc = argv.size();
    const std::string& cmd = argv[0];
    auto master = [&]() { return conf.master(argv[1]); };
    const char* no_master = "No such master with specified name.";
    if (iequals(cmd, "monitor") && argc == 5) {
      int quorum = c_atoi(argv[4]);
      if (quorum <= 0) return "Quorum must be 1 or greater.";
      instance_addr a;
      if (auto e = make_addr(argv[2], c_atoi(argv[3]), a)) return e;
      if (conf.master(argv[1])) return "Duplicate master name.";
      master_conf m;
      m.name = argv[1];
      m.addr = a;
      m.quorum = static_cast<unsigned>(quorum);
      conf.masters.push_back(std::move(m));
    } else if ((iequals(cmd, "down-after-milliseconds") || iequals(cmd, "failover-timeout")) &&
               argc == 3) {
      master_conf* m = master();
      if (!m) return no_master;
      int v = c_atoi(argv[2]);
      (iequals(cmd, "failover-timeout") ? m->failover_timeout_ms : m->down_after_ms) = v;
      if (v <= 0) return "negative or zero time parameter.";
    } else if (iequals(cmd, "parallel-syncs") && argc == 3) {
      master_conf* m = master();
      if (!m) return no_master;
      m->parallel_syncs = c_atoi(argv[2]);
    } else if (iequals(cmd, "notification-script") && argc == 3) {
      master_conf* m = master();
      if (!m) return no_master;
      if (!executable(argv[2])) return "Notification script seems non existing or non executable.";
      m->notification_script = argv[2];
    } else if (iequals(cmd, "client-reconfig-script") && argc == 3) {
      master_conf* m = master();
      if (!m) return no_master;
      if (!executable(argv[2]))
        return "Client reconfiguration script seems non existing or non executable.";
      m->client_reconfig_script = argv[2];
    } else if (iequals(cmd, "auth-pass") && argc == 3) {
      master_conf* m = master();
      if (!m) return no_master;
      m->auth_pass = argv[2];
    } else if (iequals(cmd, "auth-user") && argc == 3) {
      master_conf* m = master();
      if (!m) return no_master;
      m->auth_user = argv[2];
    } else if (iequals(cmd, "master-reboot-down-after-period") && argc == 3) {
      master_conf* m = master();
      if (!m) return no_master;
      m->master_reboot_down_after_ms = c_atoi(argv[2]);
      if (m->master_reboot_down_after_ms < 0) return "negative time parameter.";
    } else if (iequals(cmd, "current-epoch") && argc == 2) {
      uint64_t e = c_strtoull(argv[1]);
      if (e > conf.current_epoch) conf.current_epoch = e;
    } else if (iequals(cmd, "myid") && argc == 2) {
      if (argv[1].size() != 40) return "Malformed Sentinel id in myid option.";
      conf.myid = argv[1];
    } else if (iequals(cmd, "config-epoch") && argc == 3) {
      master_conf* m = master();
      if (!m) return no_master;
      m->config_epoch = c_strtoull(argv[2]);
      if (m->config_epoch > conf.current_epoch) conf.current_epoch = m->config_epoch;
    } else if (iequals(cmd, "leader-epoch") && argc == 3) {
      master_conf* m = master();
      if (!m) return no_master;
      m->leader_epoch = c_strtoull(argv[2]);
    } else if ((iequals(cmd, "known-slave") || iequals(cmd, "known-replica")) && argc == 4) {
      master_conf* m = master();
      if (!m) return no_master;
      instance_addr a;
      if (auto e = make_addr(argv[2], c_atoi(argv[3]), a)) return e;
      std::string key = format_addr(announced(conf, a), a.port);
      for (auto& r : m->known_replicas)
        if (format_addr(announced(conf, r), r.port) == key)
          return "Duplicate hostname and port for replica.";
      m->known_replicas.push_back(a);
    } else if (iequals(cmd, "known-sentinel") && (argc == 4 || argc == 5)) {
      master_conf* m = master();
      if (!m) return no_master;
      instance_addr a;
      if (auto e = make_addr(argv[2], c_atoi(argv[3]), a)) return e;
      std::string runid = argc == 5 ? argv[4] : std::string();
      if (!runid.empty())
        for (auto& s : m->known_sentinels)
          if (s.runid == runid) return "Duplicate runid for sentinel.";
      m->known_sentinels.push_back({a, runid});
    } else if (iequals(cmd, "rename-command") && argc == 4) {
      master_conf* m = master();
      if (!m) return no_master;
      for (auto& r : m->renamed_commands)
        if (iequals(r.from, argv[2]))
          return "Same command renamed multiple times with rename-command.";
      m->renamed_commands.push_back({argv[2], argv[3]});
    } else if (iequals(cmd, "announce-ip") && argc == 2) {
      if (!argv[1].empty()) conf.announce_ip = argv[1];
    } else if (iequals(cmd, "announce-port") && argc == 2) {
      conf.announce_port = c_atoi(argv[1]);
    } else if (iequals(cmd, "deny-scripts-reconfig") && argc == 2) {
      int v = yesno(argv[1]);
      if (v == -1) return "Please specify yes or no for the deny-scripts-reconfig options.";
      conf.deny_scripts_reconfig = v == 1;
    } else if (iequals(cmd, "sentinel-user") && argc == 2) {
      if (!argv[1].empty()) conf.sentinel_user = argv[1];
    } else if (iequals(cmd, "sentinel-pass") && argc == 2) {
      if (!argv[1].empty()) conf.sentinel_pass = argv[1];
    } else if (iequals(cmd, "resolve-hostnames") && argc == 2) {
      int v = yesno(argv[1]);
      if (v == -1) return "Please specify yes or no for the resolve-hostnames option.";
      conf.resolve_hostnames = v == 1;
    } else if (iequals(cmd, "announce-hostnames") && argc == 2) {
      int v = yesno(argv[1]);
      if (v == -1) return "Please specify yes or no for the announce-hostnames option.";
      conf.announce_hostnames = v == 1;
    } else {
      return "Unrecognized sentinel configuration statement.";
    }
    return std::nullopt;
  }
};

}  // namespace

std::optional<std::string> default_resolve(const std::string& host, bool names) {
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) return host;
  if (inet_pton(AF_INET6, host.c_str(), buf) == 1) return host;
  if (names && !host.empty()) return host;
  return std::nullopt;
}

master_conf* sentinel_conf::master(std::string_view name) {
  for (auto& m : masters)
    if (m.name == name) return &m;
  return nullptr;
}

const master_conf* sentinel_conf::master(std::string_view name) const {
  for (auto& m : masters)
    if (m.name == name) return &m;
  return nullptr;
}

int c_atoi(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  // strtol saturates at the range of long (64 bits), then atoi keeps the low 32 bits.
  uint64_t v = 0;
  bool over = false;
  for (; i < s.size() && isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (over) continue;
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    if (v > static_cast<uint64_t>(INT64_MAX) + (neg ? 1 : 0)) over = true;
  }
  int64_t l;
  if (over)
    l = neg ? INT64_MIN : INT64_MAX;
  else if (neg)
    l = v == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(v);
  else
    l = static_cast<int64_t>(v);
  return static_cast<int>(static_cast<uint32_t>(static_cast<uint64_t>(l)));
}

uint64_t c_strtoull(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && isspace(static_cast<unsigned char>(s[i]))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  uint64_t v = 0;
  for (; i < s.size() && isdigit(static_cast<unsigned char>(s[i])); ++i) {
    unsigned d = static_cast<unsigned>(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return UINT64_MAX;
    v = v * 10 + d;
  }
  return neg ? (~v + 1) : v;
}

const std::string& announced(const sentinel_conf& conf, const instance_addr& a) {
  return conf.announce_hostnames ? a.hostname : a.ip;
}

std::vector<sentinel_line> sentinel_lines_of(std::string_view text) {
  std::vector<sentinel_line> out;
  int linenum = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view raw =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    ++linenum;
    std::string_view line = trimmed(raw);
    if (!line.empty() && line[0] != '#') {
      auto args = split_args(line);
      if (args && args->size() > 1 && iequals((*args)[0], "sentinel")) {
        sentinel_line l;
        l.linenum = linenum;
        l.text = std::string(line);
        l.args.assign(args->begin() + 1, args->end());
        out.push_back(std::move(l));
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return out;
}

std::optional<config_error> apply_sentinel_lines(sentinel_conf& conf,
                                                 const std::vector<sentinel_line>& lines,
                                                 const config_hooks& hooks) {
  applier a{conf, hooks};
  for (int pass = 0; pass < 3; ++pass) {
    for (auto& l : lines) {
      if (l.args.empty()) continue;
      bool is_monitor = iequals(l.args[0], "monitor");
      bool is_pre = pre_monitor(l.args[0]);
      int group = is_pre ? 0 : is_monitor ? 1 : 2;
      if (group != pass) continue;
      if (auto e = a.apply(l.args)) return config_error{l.linenum, l.text, *e};
    }
  }
  return std::nullopt;
}

std::string fatal_error_text(const config_error& e) {
  return "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at "
         "line " +
         std::to_string(e.linenum) + "\n>>> '" + e.line + "'\n" + e.message + "\n";
}

rewrite_plan sentinel_rewrite_plan(const sentinel_conf& conf) {
  rewrite_plan p;
  auto emit = [&](const char* option, std::string text) {
    p.lines.push_back({option, std::move(text)});
  };
  auto yn = [](bool b) { return std::string(b ? "yes" : "no"); };
  emit("sentinel myid", "sentinel myid " + conf.myid);
  if (!conf.deny_scripts_reconfig)
    emit("sentinel deny-scripts-reconfig", "sentinel deny-scripts-reconfig " + yn(false));
  if (conf.resolve_hostnames)
    emit("sentinel resolve-hostnames", "sentinel resolve-hostnames " + yn(true));
  if (conf.announce_hostnames)
    emit("sentinel announce-hostnames", "sentinel announce-hostnames " + yn(true));
  for (const master_conf& m : conf.masters) {
    const std::string& n = m.name;
    emit("sentinel monitor", "sentinel monitor " + n + " " + announced(conf, m.addr) + " " +
                                 std::to_string(m.addr.port) + " " + std::to_string(m.quorum));
    if (m.down_after_ms != default_down_after_ms)
      emit("sentinel down-after-milliseconds",
           "sentinel down-after-milliseconds " + n + " " + std::to_string(m.down_after_ms));
    if (m.failover_timeout_ms != default_failover_timeout_ms)
      emit("sentinel failover-timeout",
           "sentinel failover-timeout " + n + " " + std::to_string(m.failover_timeout_ms));
    if (m.parallel_syncs != default_parallel_syncs)
      emit("sentinel parallel-syncs",
           "sentinel parallel-syncs " + n + " " + std::to_string(m.parallel_syncs));
    if (m.notification_script)
      emit("sentinel notification-script",
           "sentinel notification-script " + n + " " + *m.notification_script);
    if (m.client_reconfig_script)
      emit("sentinel client-reconfig-script",
           "sentinel client-reconfig-script " + n + " " + *m.client_reconfig_script);
    if (m.auth_pass) emit("sentinel auth-pass", "sentinel auth-pass " + n + " " + *m.auth_pass);
    if (m.auth_user) emit("sentinel auth-user", "sentinel auth-user " + n + " " + *m.auth_user);
    if (m.master_reboot_down_after_ms != 0)
      emit("sentinel master-reboot-down-after-period",
           "sentinel master-reboot-down-after-period " + n + " " +
               std::to_string(m.master_reboot_down_after_ms));
    emit("sentinel config-epoch",
         "sentinel config-epoch " + n + " " + std::to_string(m.config_epoch));
    emit("sentinel leader-epoch",
         "sentinel leader-epoch " + n + " " + std::to_string(m.leader_epoch));
    for (const instance_addr& r : m.known_replicas)
      emit("sentinel known-replica",
           "sentinel known-replica " + n + " " + announced(conf, r) + " " + std::to_string(r.port));
    for (const known_sentinel_conf& s : m.known_sentinels) {
      if (s.runid.empty()) continue;
      emit("sentinel known-sentinel", "sentinel known-sentinel " + n + " " +
                                          announced(conf, s.addr) + " " +
                                          std::to_string(s.addr.port) + " " + s.runid);
    }
    for (const renamed_command& rc : m.renamed_commands)
      emit("sentinel rename-command", "sentinel rename-command " + n + " " + rc.from + " " + rc.to);
  }
  emit("sentinel current-epoch", "sentinel current-epoch " + std::to_string(conf.current_epoch));
  if (conf.announce_ip)
    emit("sentinel announce-ip", "sentinel announce-ip " + repr(*conf.announce_ip));
  if (conf.announce_port)
    emit("sentinel announce-port", "sentinel announce-port " + std::to_string(conf.announce_port));
  if (conf.sentinel_user)
    emit("sentinel sentinel-user", "sentinel sentinel-user " + *conf.sentinel_user);
  if (conf.sentinel_pass)
    emit("sentinel sentinel-pass", "sentinel sentinel-pass " + *conf.sentinel_pass);
  p.processed = {"sentinel myid",
                 "sentinel deny-scripts-reconfig",
                 "sentinel resolve-hostnames",
                 "sentinel announce-hostnames",
                 "sentinel monitor",
                 "sentinel down-after-milliseconds",
                 "sentinel failover-timeout",
                 "sentinel parallel-syncs",
                 "sentinel notification-script",
                 "sentinel client-reconfig-script",
                 "sentinel auth-pass",
                 "sentinel auth-user",
                 "sentinel master-reboot-down-after-period",
                 "sentinel config-epoch",
                 "sentinel leader-epoch",
                 "sentinel known-replica",
                 "sentinel known-sentinel",
                 "sentinel rename-command",
                 "sentinel current-epoch",
                 "sentinel announce-ip",
                 "sentinel announce-port",
                 "sentinel sentinel-user",
                 "sentinel sentinel-pass"};
  return p;
}

std::string rewrite_config_text(std::string_view old_text, const rewrite_plan& plan) {
  static const std::string signature = "# Generated by CONFIG REWRITE";
  std::vector<std::string> lines;
  std::map<std::string, std::vector<size_t>> option_lines;  // option -> old line numbers
  bool needs_signature = true;
  // sdssplitlen: "a\nb\n" is {"a", "b", ""}; an empty file has no lines.
  if (!old_text.empty()) {
    size_t pos = 0;
    while (true) {
      size_t nl = old_text.find('\n', pos);
      std::string_view raw =
          old_text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      std::string line(trimmed(raw));
      if (line.empty() || line[0] == '#') {
        if (needs_signature && line == signature) needs_signature = false;
        lines.push_back(std::move(line));
      } else if (auto args = split_args(line); !args) {
        lines.push_back("# ??? " + line);
      } else {
        std::string option = lowered((*args)[0]);
        if (args->size() > 1 && option == "sentinel") option += " " + lowered((*args)[1]);
        option_lines[option].push_back(lines.size());
        lines.push_back(std::move(line));
      }
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
  }
  std::set<std::string> processed;
  std::map<std::string, size_t> reused;  // option -> old lines used so far
  for (const rewrite_line& l : plan.lines) {
    processed.insert(l.option);
    auto it = option_lines.find(l.option);
    size_t& used = reused[l.option];
    if (it != option_lines.end() && used < it->second.size()) {
      lines[it->second[used++]] = l.text;
    } else {
      if (needs_signature) {
        lines.push_back(signature);
        needs_signature = false;
      }
      lines.push_back(l.text);
    }
  }
  for (const std::string& o : plan.processed) processed.insert(o);
  for (auto& [option, nums] : option_lines) {
    if (!processed.count(option)) continue;
    for (size_t i = reused[option]; i < nums.size(); ++i) lines[nums[i]].clear();
  }
  std::string out;
  bool was_empty = false;
  for (const std::string& l : lines) {
    if (l.empty()) {
      if (was_empty) continue;
      was_empty = true;
    } else {
      was_empty = false;
    }
    out += l;
    out += '\n';
  }
  return out;
}

int yesno(std::string_view s) {
  if (iequals(s, "yes")) return 1;
  if (iequals(s, "no")) return 0;
  return -1;
}

std::string format_addr(const std::string& ip, int port) {
  if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + std::to_string(port);
  return ip + ":" + std::to_string(port);
}

}  // namespace troupe::sentinel
