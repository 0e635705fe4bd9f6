#include "topology/sentinel/sentinel_admin.hpp"

#include <unistd.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "protocol/commands/command_table.hpp"  // iequals
#include "protocol/text/glob.hpp"
#include "protocol/text/numbers.hpp"

namespace troupe::sentinel {

namespace {

// getLongLongFromObject: a strict 64-bit integer.
std::optional<int64_t> ll(std::string_view s) {
  return parse_int64(s);
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return r;
}

const char* failover_state_str(failover_state s) {
  switch (s) {
    case failover_state::none:
      return "none";
    case failover_state::wait_start:
      return "wait_start";
    case failover_state::select_slave:
      return "select_slave";
    case failover_state::send_slaveof_noone:
      return "send_slaveof_noone";
    case failover_state::wait_promotion:
      return "wait_promotion";
    case failover_state::reconf_slaves:
      return "reconf_slaves";
    case failover_state::update_config:
      return "update_config";
  }
  return "unknown";
}

std::string set_bad_arg(std::string_view arg, std::string_view option) {
  return "ERR Invalid argument '" + std::string(arg) + "' for SENTINEL SET '" +
         std::string(option) + "'";
}

const char* deny_scripts_text =
    "ERR Reconfiguration of scripts path is denied for security reasons. Check the "
    "deny-scripts-reconfig configuration directive in your Sentinel configuration";

const char* const help_lines[] = {
    "SENTINEL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "CKQUORUM <master-name>",
    "    Check if the current Sentinel configuration is able to reach the quorum",
    "    needed to failover a master and the majority needed to authorize the",
    "    failover.",
    "CONFIG SET <param> <value>",
    "    Set a global Sentinel configuration parameter.",
    "CONFIG GET <param>",
    "    Get global Sentinel configuration parameter.",
    "DEBUG [<param> <value> ...]",
    "    Show a list of configurable time parameters and their values (milliseconds).",
    "    Or update current configurable parameters values (one or more).",
    "GET-MASTER-ADDR-BY-NAME <master-name>",
    "    Return the ip and port number of the master with that name.",
    "FAILOVER <master-name>",
    "    Manually failover a master node without asking for agreement from other",
    "    Sentinels",
    "FLUSHCONFIG",
    "    Force Sentinel to rewrite its configuration on disk, including the current",
    "    Sentinel state.",
    "INFO-CACHE <master-name>",
    "    Return last cached INFO output from masters and all its replicas.",
    "IS-MASTER-DOWN-BY-ADDR <ip> <port> <current-epoch> <runid>",
    "    Check if the master specified by ip:port is down from current Sentinel's",
    "    point of view.",
    "MASTER <master-name>",
    "    Show the state and info of the specified master.",
    "MASTERS",
    "    Show a list of monitored masters and their state.",
    "MONITOR <name> <ip> <port> <quorum>",
    "    Start monitoring a new master with the specified name, ip, port and quorum.",
    "MYID",
    "    Return the ID of the Sentinel instance.",
    "PENDING-SCRIPTS",
    "    Get pending scripts information.",
    "REMOVE <master-name>",
    "    Remove master from Sentinel's monitor list.",
    "REPLICAS <master-name>",
    "    Show a list of replicas for this master and their state.",
    "RESET <pattern>",
    "    Reset masters for specific master name matching this pattern.",
    "SENTINELS <master-name>",
    "    Show a list of Sentinel instances for this master and their state.",
    "SET <master-name> <option> <value> [<option> <value> ...]",
    "    Set configuration parameters for certain masters.",
    "SIMULATE-FAILURE [CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]",
    "    Simulate a Sentinel crash.",
    "HELP",
    "    Prints this help.",
};

// The subcommands handled here with their arity (Redis's command table,
// counting SENTINEL itself: negative means at least).
struct subcommand {
  const char* name;
  int arity;
};
constexpr subcommand subcommands[] = {
    {"help", 2},      {"masters", 2},  {"master", 3},      {"replicas", 3},          {"slaves", 3},
    {"sentinels", 3}, {"ckquorum", 3}, {"reset", 3},       {"monitor", 6},           {"remove", 3},
    {"set", -5},      {"config", -3},  {"info-cache", -3}, {"simulate-failure", -3}, {"debug", -2},
};

// Redis's link sharing: sentinels with the same run id and address in
// several masters share one link.
int64_t link_refcount(const sentinel_state& st, const instance& ri) {
  if (!ri.is_sentinel() || ri.runid.empty()) return 1;
  int64_t n = 0;
  for (auto& m : st.masters())
    for (auto& s : m->sentinels)
      if (s->runid == ri.runid && s->addr.ip == ri.addr.ip && s->addr.port == ri.addr.port) ++n;
  return std::max<int64_t>(n, 1);
}

// addReplySentinelRedisInstance
void write_instance(const sentinel_state& st, const instance& ri, reply_writer& out, int64_t now) {
  size_t mark = out.begin_deferred();
  size_t fields = 0;
  auto field = [&](std::string_view k, std::string_view v) {
    out.bulk(k);
    out.bulk(v);
    ++fields;
  };
  auto field_int = [&](std::string_view k, int64_t v) {
    out.bulk(k);
    out.bulk_int(v);
    ++fields;
  };
  const sentinel_conf& conf = st.global_conf();
  field("name", ri.name);
  field("ip", announced(conf, ri.addr));
  field_int("port", ri.addr.port);
  field("runid", ri.runid);

  std::string flags;
  auto flag = [&](bool on, const char* f) {
    if (!on) return;
    flags += f;
    flags += ',';
  };
  flag(ri.s_down, "s_down");
  flag(ri.o_down, "o_down");
  flag(ri.is_master(), "master");
  flag(ri.is_replica(), "slave");
  flag(ri.is_sentinel(), "sentinel");
  flag(ri.link.disconnected, "disconnected");
  flag(ri.master_down, "master_down");
  flag(ri.failover_in_progress, "failover_in_progress");
  flag(ri.promoted, "promoted");
  flag(ri.reconf_sent, "reconf_sent");
  flag(ri.reconf_inprog, "reconf_inprog");
  flag(ri.reconf_done, "reconf_done");
  flag(ri.force_failover, "force_failover");
  flag(ri.script_kill_sent, "script_kill_sent");
  if (!flags.empty()) flags.pop_back();
  field("flags", flags);

  field_int("link-pending-commands", ri.link.pending_commands);
  field_int("link-refcount", link_refcount(st, ri));
  if (ri.failover_in_progress) field("failover-state", failover_state_str(ri.fo_state));
  field_int("last-ping-sent", ri.link.act_ping_time ? now - ri.link.act_ping_time : 0);
  field_int("last-ok-ping-reply", now - ri.link.last_avail_time);
  field_int("last-ping-reply", now - ri.link.last_pong_time);
  if (ri.s_down) field_int("s-down-time", now - ri.s_down_since_time);
  if (ri.o_down) field_int("o-down-time", now - ri.o_down_since_time);
  field_int("down-after-milliseconds", ri.down_after_ms);

  if (ri.is_master() || ri.is_replica()) {
    field_int("info-refresh", ri.info_refresh ? now - ri.info_refresh : 0);
    field("role-reported", ri.role_reported == reported_role::master ? "master" : "slave");
    field_int("role-reported-time", now - ri.role_reported_time);
  }
  if (ri.is_master()) {
    field_int("config-epoch", static_cast<int64_t>(ri.config_epoch));
    field_int("num-slaves", static_cast<int64_t>(ri.replicas.size()));
    field_int("num-other-sentinels", static_cast<int64_t>(ri.sentinels.size()));
    field_int("quorum", ri.quorum);
    field_int("failover-timeout", ri.failover_timeout_ms);
    field_int("parallel-syncs", ri.parallel_syncs);
    if (ri.notification_script) field("notification-script", *ri.notification_script);
    if (ri.client_reconfig_script) field("client-reconfig-script", *ri.client_reconfig_script);
  }
  if (ri.is_replica()) {
    field_int("master-link-down-time", ri.master_link_down_time);
    field("master-link-status", ri.slave_master_link_up ? "ok" : "err");
    field("master-host", ri.slave_master_host ? *ri.slave_master_host : "?");
    field_int("master-port", ri.slave_master_port);
    field_int("slave-priority", ri.slave_priority);
    field_int("slave-repl-offset", static_cast<int64_t>(ri.slave_repl_offset));
    field_int("replica-announced", ri.replica_announced ? 1 : 0);
  }
  if (ri.is_sentinel()) {
    field_int("last-hello-message", now - ri.last_hello_time);
    field("voted-leader", ri.leader.empty() ? "?" : ri.leader);
    field_int("voted-leader-epoch", static_cast<int64_t>(ri.leader_epoch));
  }
  out.end_deferred_map(mark, fields);
}

// addReplyDictOfRedisInstances (replicas not announced are left out).
void write_instances(const sentinel_state& st, const std::vector<std::unique_ptr<instance>>& v,
                     reply_writer& out, int64_t now) {
  size_t mark = out.begin_deferred();
  size_t n = 0;
  for (auto& ri : v) {
    if (ri->is_replica() && !ri->replica_announced) continue;
    write_instance(st, *ri, out, now);
    ++n;
  }
  out.end_deferred_array(mark, n);
}

void write_debug_info(const sentinel_timing& t, reply_writer& out) {
  const std::pair<const char*, int64_t> rows[] = {
      {"INFO-PERIOD", t.info_period},
      {"PING-PERIOD", t.ping_period},
      {"ASK-PERIOD", t.ask_period},
      {"PUBLISH-PERIOD", t.publish_period},
      {"DEFAULT-DOWN-AFTER", t.default_down_after},
      {"DEFAULT-FAILOVER-TIMEOUT", t.default_failover_timeout},
      {"TILT-TRIGGER", t.tilt_trigger},
      {"TILT-PERIOD", t.tilt_period},
      {"SLAVE-RECONF-TIMEOUT", t.slave_reconf_timeout},
      {"MIN-LINK-RECONNECT-PERIOD", t.min_link_reconnect_period},
      {"ELECTION-TIMEOUT", t.election_timeout},
      {"SCRIPT-MAX-RUNTIME", t.script_max_runtime},
      {"SCRIPT-RETRY-DELAY", t.script_retry_delay},
  };
  out.map(std::size(rows));
  for (auto& [k, v] : rows) {
    out.bulk(k);
    out.bulk_int(v);
  }
}

void write_config_get(const sentinel_conf& c, std::string_view pattern, reply_writer& out) {
  size_t mark = out.begin_deferred();
  size_t n = 0;
  auto row = [&](const char* k, std::string_view v) {
    if (!glob_match(pattern, k, true)) return;
    out.bulk(k);
    out.bulk(v);
    ++n;
  };
  row("resolve-hostnames", c.resolve_hostnames ? "yes" : "no");
  row("announce-hostnames", c.announce_hostnames ? "yes" : "no");
  row("announce-ip", c.announce_ip ? *c.announce_ip : "");
  if (glob_match(pattern, "announce-port", true)) {
    out.bulk("announce-port");
    out.bulk_int(c.announce_port);
    ++n;
  }
  row("sentinel-user", c.sentinel_user ? *c.sentinel_user : "");
  row("sentinel-pass", c.sentinel_pass ? *c.sentinel_pass : "");
  out.end_deferred_map(mark, n);
}

void write_info_cache(const sentinel_state& st, const std::vector<std::string_view>& names,
                      reply_writer& out, int64_t now) {
  std::vector<const instance*> ms;
  if (names.empty()) {
    for (auto& m : st.masters()) ms.push_back(m.get());
  } else {
    for (std::string_view n : names) {
      const instance* m = st.master(n);
      if (m && std::find(ms.begin(), ms.end(), m) == ms.end()) ms.push_back(m);
    }
  }
  out.array(ms.size() * 2);
  auto entry = [&](int64_t age, const instance& ri) {
    out.array(2);
    out.integer(age);
    if (ri.info_text)
      out.bulk(*ri.info_text);
    else
      out.null();
  };
  for (const instance* m : ms) {
    out.bulk(m->name);
    out.array(m->replicas.size() + 1);
    entry(m->info_refresh ? now - m->info_refresh : 0, *m);
    // Redis tests the master's info_refresh for the replicas' ages too.
    for (auto& r : m->replicas) entry(m->info_refresh ? now - r->info_refresh : 0, *r);
  }
}

void write_ckquorum(const instance& m, reply_writer& out) {
  int64_t usable = 1;
  int64_t voters = static_cast<int64_t>(m.sentinels.size()) + 1;
  for (auto& s : m.sentinels)
    if (!s->s_down && !s->o_down) ++usable;
  bool noquorum = usable < static_cast<int64_t>(m.quorum);
  bool noauth = usable < voters / 2 + 1;
  if (!noquorum && !noauth) {
    out.simple("OK " + std::to_string(usable) +
               " usable Sentinels. Quorum and failover authorization can be reached");
    return;
  }
  std::string e = "NOQUORUM " + std::to_string(usable) + " usable Sentinels. ";
  if (noquorum) e += "Not enough available Sentinels to reach the specified quorum for this master";
  if (noauth) {
    if (noquorum) e += ". ";
    e += "Not enough available Sentinels to reach the majority and authorize a failover";
  }
  out.error(e);
}

}  // namespace

// --- sentinel_state's administration -------------------------------------------

void sentinel_state::close_link(instance& ri) {
  // instanceLinkCloseConnection: the next ticks reconnect.
  ri.link.disconnected = true;
  ri.link.pending_commands = 0;
  out_.disconnect.push_back(ri.id);
}

void sentinel_state::drop_links(instance& m) {
  close_link(m);
  for (auto& r : m.replicas) close_link(*r);
}

std::optional<std::string> sentinel_state::monitor_master(std::string_view name,
                                                          const std::string& host, int64_t port,
                                                          int64_t quorum, int64_t now_ms) {
  now_ = now_ms;
  if (quorum <= 0) return "ERR Quorum must be 1 or greater.";
  // anetResolve: IP literals only unless resolve-hostnames.
  auto ip = opts_.resolve ? opts_.resolve(host, conf_.resolve_hostnames)
                          : default_resolve(host, conf_.resolve_hostnames);
  if (!ip) return "ERR Invalid IP address or hostname specified";
  // createSentinelRedisInstance takes an int port and an unsigned quorum.
  int p = static_cast<int>(port);
  if (p < 0 || p > 65535) return "ERR Invalid port number.";
  if (master(name)) return "ERR Duplicate master name.";
  auto m = make_instance(instance_kind::master, std::string(name), {host, *ip, p}, nullptr);
  m->quorum = static_cast<unsigned>(static_cast<uint64_t>(quorum));
  m->down_after_ms = opts_.timing.default_down_after;
  m->failover_timeout_ms = opts_.timing.default_failover_timeout;
  instance& mr = *m;
  masters_.push_back(std::move(m));
  save();
  event(log_level::warning, "+monitor", &mr,
        " quorum " + std::to_string(static_cast<int>(mr.quorum)), true);
  // Connect at once (the ticks would within a ping period).
  mr.link.last_reconn_time = now_;
  out_.connect.push_back(mr.id);
  return std::nullopt;
}

bool sentinel_state::remove_master(std::string_view name, int64_t now_ms) {
  now_ = now_ms;
  for (size_t i = 0; i < masters_.size(); ++i) {
    instance& m = *masters_[i];
    if (m.name != name) continue;
    event(log_level::warning, "-monitor", &m, "", true);
    out_.disconnect.push_back(m.id);
    for (auto& r : m.replicas) out_.disconnect.push_back(r->id);
    for (auto& s : m.sentinels) out_.disconnect.push_back(s->id);
    masters_.erase(masters_.begin() + static_cast<std::ptrdiff_t>(i));
    save();
    return true;
  }
  return false;
}

int sentinel_state::reset_masters(std::string_view pattern, int64_t now_ms) {
  now_ = now_ms;
  int n = 0;
  for (auto& mp : masters_) {
    instance& m = *mp;
    if (!glob_match(pattern, m.name, false)) continue;
    // sentinelResetMaster with SENTINEL_GENERATE_EVENT.
    for (auto& r : m.replicas) out_.disconnect.push_back(r->id);
    m.replicas.clear();
    for (auto& s : m.sentinels) out_.disconnect.push_back(s->id);
    m.sentinels.clear();
    close_link(m);
    clear_master_flags(m);
    event(log_level::warning, "+reset-master", &m, "", true);
    ++n;
  }
  return n;
}

std::optional<std::string> sentinel_state::set_master_options(
    std::string_view name, const std::vector<std::string_view>& a, int64_t now_ms) {
  now_ = now_ms;
  instance* mp = master_mut(name);
  if (!mp) return "ERR No such master with that name";
  instance& m = *mp;
  int changes = 0;
  std::optional<std::string> err;
  auto executable = [&](const std::string& p) {
    return executable_ ? executable_(p) : access(p.c_str(), X_OK) == 0;
  };
  for (size_t j = 0; j < a.size() && !err; ++j) {
    size_t more = a.size() - 1 - j;
    std::string_view option = a[j];
    size_t old_j = j;
    bool redacted = false;
    auto number = [&](bool allow_zero) -> std::optional<int64_t> {
      auto v = ll(a[++j]);
      if (!v || *v < 0 || (*v == 0 && !allow_zero)) {
        err = set_bad_arg(a[j], option);
        return std::nullopt;
      }
      return v;
    };
    auto script = [&](std::optional<std::string>& slot, const char* bad) {
      std::string value(a[++j]);
      if (conf_.deny_scripts_reconfig) {
        err = deny_scripts_text;
        return;
      }
      if (!value.empty() && !executable(value)) {
        err = std::string("ERR ") + bad;
        return;
      }
      slot = value.empty() ? std::nullopt : std::optional<std::string>(value);
      ++changes;
    };
    auto text = [&](std::optional<std::string>& slot) {
      std::string value(a[++j]);
      slot = value.empty() ? std::nullopt : std::optional<std::string>(value);
      drop_links(m);
      ++changes;
    };
    if (iequals(option, "down-after-milliseconds") && more > 0) {
      auto v = number(false);
      if (!v) break;
      m.down_after_ms = *v;
      // sentinelPropagateDownAfterPeriod
      for (auto& r : m.replicas) r->down_after_ms = *v;
      for (auto& s : m.sentinels) s->down_after_ms = *v;
      ++changes;
    } else if (iequals(option, "failover-timeout") && more > 0) {
      auto v = number(false);
      if (!v) break;
      m.failover_timeout_ms = *v;
      ++changes;
    } else if (iequals(option, "parallel-syncs") && more > 0) {
      auto v = number(false);
      if (!v) break;
      m.parallel_syncs = static_cast<int>(static_cast<uint32_t>(*v));  // an int in Redis
      ++changes;
    } else if (iequals(option, "notification-script") && more > 0) {
      script(m.notification_script, "Notification script seems non existing or non executable");
    } else if (iequals(option, "client-reconfig-script") && more > 0) {
      script(m.client_reconfig_script,
             "Client reconfiguration script seems non existing or non executable");
    } else if (iequals(option, "auth-pass") && more > 0) {
      text(m.auth_pass);
      redacted = true;
    } else if (iequals(option, "auth-user") && more > 0) {
      text(m.auth_user);
    } else if (iequals(option, "quorum") && more > 0) {
      auto v = number(false);
      if (!v) break;
      m.quorum = static_cast<unsigned>(static_cast<uint64_t>(*v));  // an unsigned int in Redis
      ++changes;
    } else if (iequals(option, "rename-command") && more > 1) {
      std::string_view from = a[++j];
      std::string_view to = a[++j];
      if (from.empty() || to.empty()) {
        err = set_bad_arg(!to.empty() ? a[j - 1] : a[j], option);
        break;
      }
      auto& rc = m.renamed_commands;
      rc.erase(std::remove_if(rc.begin(), rc.end(),
                              [&](const renamed_command& r) { return iequals(r.from, from); }),
               rc.end());
      if (!iequals(from, to)) rc.push_back({std::string(from), std::string(to)});
      ++changes;
    } else if (iequals(option, "master-reboot-down-after-period") && more > 0) {
      auto v = number(true);
      if (!v) break;
      m.master_reboot_down_after_ms = *v;
      ++changes;
    } else {
      err = "ERR Unknown option or number of arguments for SENTINEL SET '" + std::string(option) +
            "'";
      break;
    }
    if (err) break;
    size_t numargs = j - old_j + 1;
    std::string msg;
    if (numargs == 2)
      msg = " " + std::string(a[old_j]) + " " + (redacted ? "******" : std::string(a[old_j + 1]));
    else if (numargs == 3)
      msg = " " + std::string(a[old_j]) + " " + std::string(a[old_j + 1]) + " " +
            std::string(a[old_j + 2]);
    else
      msg = " " + std::string(a[old_j]);
    event(log_level::warning, "+set", &m, msg, true);
  }
  if (changes) save();
  return err;
}

std::optional<std::string> sentinel_state::config_set(std::string_view o, std::string_view val,
                                                      int64_t now_ms) {
  now_ = now_ms;
  bool drop = false;
  auto bad = [&] {
    return "ERR Invalid value '" + std::string(val) + "' to SENTINEL CONFIG SET '" +
           std::string(o) + "'";
  };
  if (iequals(o, "resolve-hostnames")) {
    int v = yesno(val);
    if (v < 0) return bad();
    conf_.resolve_hostnames = v;
  } else if (iequals(o, "announce-hostnames")) {
    int v = yesno(val);
    if (v < 0) return bad();
    conf_.announce_hostnames = v;
  } else if (iequals(o, "announce-ip")) {
    // Redis keeps "" as an empty address (and announces it); here it clears.
    conf_.announce_ip = val.empty() ? std::nullopt : std::optional<std::string>(val);
  } else if (iequals(o, "announce-port")) {
    auto v = ll(val);
    if (!v || *v < 0 || *v > 65535) return bad();
    conf_.announce_port = static_cast<int>(*v);
  } else if (iequals(o, "sentinel-user")) {
    conf_.sentinel_user = val.empty() ? std::nullopt : std::optional<std::string>(val);
    drop = true;
  } else if (iequals(o, "sentinel-pass")) {
    conf_.sentinel_pass = val.empty() ? std::nullopt : std::optional<std::string>(val);
    drop = true;
  } else {
    return "ERR Invalid argument '" + std::string(o) + "' to SENTINEL CONFIG SET";
  }
  save();
  // sentinelDropConnections: the links to the other sentinels (those up).
  if (drop)
    for (auto& m : masters_)
      for (auto& si : m->sentinels)
        if (!si->link.disconnected) close_link(*si);
  return std::nullopt;
}

std::optional<std::string> sentinel_state::debug_set(const std::vector<std::string_view>& a) {
  sentinel_timing& t = opts_.timing;
  const std::pair<const char*, int64_t*> params[] = {
      {"info-period", &t.info_period},
      {"ping-period", &t.ping_period},
      {"ask-period", &t.ask_period},
      {"publish-period", &t.publish_period},
      {"default-down-after", &t.default_down_after},
      {"tilt-trigger", &t.tilt_trigger},
      {"tilt-period", &t.tilt_period},
      {"slave-reconf-timeout", &t.slave_reconf_timeout},
      {"min-link-reconnect-period", &t.min_link_reconnect_period},
      {"default-failover-timeout", &t.default_failover_timeout},
      {"election-timeout", &t.election_timeout},
      {"script-max-runtime", &t.script_max_runtime},
      {"script-retry-delay", &t.script_retry_delay},
  };
  for (size_t j = 0; j < a.size(); ++j) {
    std::string_view option = a[j];
    int64_t* slot = nullptr;
    if (j + 1 < a.size())
      for (auto& [n, p] : params)
        if (iequals(option, n)) slot = p;
    if (!slot)
      return "ERR Unknown option or number of arguments for SENTINEL DEBUG '" +
             std::string(option) + "'";
    auto v = ll(a[++j]);
    if (!v || *v <= 0)
      return "ERR Invalid argument '" + std::string(a[j]) + "' for SENTINEL DEBUG '" +
             std::string(option) + "'";
    *slot = *v;
  }
  return std::nullopt;
}

// --- the command ----------------------------------------------------------------

bool sentinel_admin_command(sentinel_state& st, const std::vector<std::string_view>& args,
                            reply_writer& out, int64_t now) {
  if (args.empty()) return false;
  std::string sub = lower(args[0]);
  const subcommand* sc = nullptr;
  for (auto& s : subcommands)
    if (sub == s.name) sc = &s;
  if (!sc) return false;
  int64_t argc = static_cast<int64_t>(args.size()) + 1;  // with SENTINEL
  if ((sc->arity > 0 && argc != sc->arity) || (sc->arity < 0 && argc < -sc->arity)) {
    out.error("ERR wrong number of arguments for 'sentinel|" + sub + "' command");
    return true;
  }
  auto master_or_error = [&](std::string_view name) -> const instance* {
    const instance* m = st.master(name);
    if (!m) out.error("ERR No such master with that name");
    return m;
  };
  auto reply_result = [&](const std::optional<std::string>& err) {
    if (err)
      out.error(*err);
    else
      out.ok();
  };

  if (sub == "help") {
    out.array(std::size(help_lines));
    for (const char* l : help_lines) out.simple(l);
  } else if (sub == "masters") {
    write_instances(st, st.masters(), out, now);
  } else if (sub == "master") {
    if (const instance* m = master_or_error(args[1])) write_instance(st, *m, out, now);
  } else if (sub == "replicas" || sub == "slaves") {
    if (const instance* m = master_or_error(args[1])) write_instances(st, m->replicas, out, now);
  } else if (sub == "sentinels") {
    if (const instance* m = master_or_error(args[1])) write_instances(st, m->sentinels, out, now);
  } else if (sub == "ckquorum") {
    if (const instance* m = master_or_error(args[1])) write_ckquorum(*m, out);
  } else if (sub == "reset") {
    out.integer(st.reset_masters(args[1], now));
  } else if (sub == "monitor") {
    // The quorum is read first, then the port ("long"s).
    auto quorum = ll(args[4]);
    if (!quorum) {
      out.error("ERR Invalid quorum");
      return true;
    }
    auto port = ll(args[3]);
    if (!port) {
      out.error("ERR Invalid port");
      return true;
    }
    reply_result(st.monitor_master(args[1], std::string(args[2]), *port, *quorum, now));
  } else if (sub == "remove") {
    if (!st.remove_master(args[1], now))
      out.error("ERR No such master with that name");
    else
      out.ok();
  } else if (sub == "set") {
    std::vector<std::string_view> opts(args.begin() + 2, args.end());
    reply_result(st.set_master_options(args[1], opts, now));
  } else if (sub == "config") {
    if (iequals(args[1], "set") && args.size() == 4) {
      reply_result(st.config_set(args[2], args[3], now));
    } else if (iequals(args[1], "get") && args.size() == 3) {
      write_config_get(st.global_conf(), args[2], out);
    } else {
      out.error("ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.");
    }
  } else if (sub == "info-cache") {
    std::vector<std::string_view> names(args.begin() + 1, args.end());
    write_info_cache(st, names, out, now);
  } else if (sub == "simulate-failure") {
    unsigned flags = 0;
    for (size_t j = 1; j < args.size(); ++j) {
      if (iequals(args[j], "crash-after-election")) {
        flags |= 1;
      } else if (iequals(args[j], "crash-after-promotion")) {
        flags |= 2;
      } else if (iequals(args[j], "help")) {
        st.set_simulate_failure_flags(flags);
        out.array(2);
        out.bulk("crash-after-election");
        out.bulk("crash-after-promotion");
        return true;
      } else {
        st.set_simulate_failure_flags(flags);
        out.error("ERR Unknown failure simulation specified");
        return true;
      }
    }
    st.set_simulate_failure_flags(flags);
    out.ok();
  } else if (sub == "debug") {
    if (args.size() == 1) {
      write_debug_info(st.timing(), out);
    } else {
      std::vector<std::string_view> opts(args.begin() + 1, args.end());
      reply_result(st.debug_set(opts));
    }
  }
  return true;
}

std::string sentinel_info_section(const sentinel_state& st) {
  std::string s = "# Sentinel\r\n";
  s += "sentinel_masters:" + std::to_string(st.masters().size()) + "\r\n";
  s += "sentinel_tilt:" + std::string(st.tilt() ? "1" : "0") + "\r\n";
  s += "sentinel_tilt_since_seconds:" +
       std::to_string(st.tilt() ? (st.now() - st.tilt_start_time()) / 1000 : -1) + "\r\n";
  s += "sentinel_running_scripts:" + std::to_string(st.running_scripts()) + "\r\n";
  s += "sentinel_scripts_queue_length:" + std::to_string(st.scripts_queue_length()) + "\r\n";
  s += "sentinel_simulate_failure_flags:" + std::to_string(st.simulate_failure_flags()) + "\r\n";
  int id = 0;
  for (auto& mp : st.masters()) {
    const instance& m = *mp;
    const char* status = m.o_down ? "odown" : m.s_down ? "sdown" : "ok";
    s += "master" + std::to_string(id++) + ":name=" + m.name + ",status=" + status +
         ",address=" + announced(st.global_conf(), m.addr) + ":" + std::to_string(m.addr.port) +
         ",slaves=" + std::to_string(m.replicas.size()) +
         ",sentinels=" + std::to_string(m.sentinels.size() + 1) + "\r\n";
  }
  return s;
}

}  // namespace troupe::sentinel
