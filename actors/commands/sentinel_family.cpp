// SENTINEL, served only in sentinel mode (the `only_sentinel` flag: a server
// answers "unknown command" as Redis 7.0 does). GET-MASTER-ADDR-BY-NAME,
// IS-MASTER-DOWN-BY-ADDR, MYID, FAILOVER, FLUSHCONFIG and PENDING-SCRIPTS are
// here; the administration subcommands (MASTERS, MASTER, REPLICAS, SENTINELS,
// CKQUORUM, RESET, SET, MONITOR, REMOVE, CONFIG, SIMULATE-FAILURE, INFO-CACHE,
// DEBUG, HELP) go to topology/sentinel/sentinel_admin.
//
// PUBLISH, ROLE and INFO of a Sentinel are in their own families, which ask
// sentinel_reply_* below when the server is in sentinel mode.
#include <cstring>

#include "actors/commands/command_families.hpp"
#include "actors/sentinel/sentinel_control.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/keyspace/clock.hpp"
#include "topology/sentinel/sentinel_admin.hpp"

namespace troupe {
namespace {

sentinel_control* sentinel_control_of(exec_context& c) {
  return static_cast<server&>(c.srv).sentinel();
}

void sentinel_cmd_sentinel(exec_context&) {}

void sentinel_missing(exec_context& c) {
  c.out.error("ERR This instance has no Sentinel");
}

// SENTINEL GET-MASTER-ADDR-BY-NAME name
void sentinel_cmd_get_master_addr(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return sentinel_missing(c);
  std::string name(c.arg(2));
  auto addr = ctl->command([&](sentinel::sentinel_state& s, int64_t) {
    std::optional<std::pair<std::string, int>> r;
    if (const sentinel::instance* m = s.master(name)) {
      const sentinel::instance_addr& a = s.current_master_addr(*m);
      r.emplace(sentinel::announced(s.global_conf(), a), a.port);
    }
    return r;
  });
  if (!addr) return c.out.null_array();
  c.out.array(2);
  c.out.bulk(addr->first);
  c.out.bulk_int(addr->second);
}

// SENTINEL IS-MASTER-DOWN-BY-ADDR ip port current-epoch runid
void sentinel_cmd_is_master_down(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return sentinel_missing(c);
  auto port = parse_int64(c.arg(3));
  auto epoch = parse_int64(c.arg(4));
  if (!port || *port < INT32_MIN || *port > INT32_MAX || !epoch)
    return c.out.error("ERR value is not an integer or out of range");
  std::string ip(c.arg(2)), runid(c.arg(5));
  auto r = ctl->command([&](sentinel::sentinel_state& s, int64_t now) {
    return s.is_master_down_by_addr(ip, int(*port), uint64_t(*epoch), runid, now);
  });
  c.out.array(3);
  c.out.integer(r.down ? 1 : 0);
  c.out.bulk(r.leader);
  c.out.integer(int64_t(r.leader_epoch));
}

// SENTINEL MYID
void sentinel_cmd_myid(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return sentinel_missing(c);
  c.out.bulk(ctl->command([](sentinel::sentinel_state& s, int64_t) { return s.myid(); }));
}

// SENTINEL FAILOVER name
void sentinel_cmd_failover(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return sentinel_missing(c);
  std::string name(c.arg(2));
  auto err = ctl->command(
      [&](sentinel::sentinel_state& s, int64_t now) { return s.force_failover(name, now); });
  if (err) return c.out.error(*err);
  c.out.ok();
}

// SENTINEL FLUSHCONFIG
void sentinel_cmd_flushconfig(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return sentinel_missing(c);
  std::string err;
  ctl->flush_config(err);  // as Redis: OK whatever happened (the log says)
  c.out.ok();
}

// SENTINEL PENDING-SCRIPTS
void sentinel_cmd_pending_scripts(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return sentinel_missing(c);
  auto jobs = ctl->pending_scripts();
  int64_t now = sentinel_control::now_ms();
  c.out.array(jobs.size());
  for (auto& j : jobs) {
    c.out.map(5);
    c.out.bulk("argv");
    c.out.array(j.argv.size());
    for (auto& a : j.argv) c.out.bulk(a);
    c.out.bulk("flags");
    c.out.bulk(j.pid > 0 ? "running" : "scheduled");
    c.out.bulk("pid");
    c.out.bulk_int(j.pid > 0 ? j.pid : 0);
    if (j.pid > 0) {
      c.out.bulk("run-time");
      c.out.bulk_int(now - j.start_time);
    } else {
      c.out.bulk("run-delay");
      c.out.bulk_int(j.start_time > now ? j.start_time - now : 0);
    }
    c.out.bulk("retry-num");
    c.out.bulk_int(j.retries);
  }
}

// SENTINEL DEBUG-LINK-FILTER [ip port DROP|PASS] (a Troupe extension): fault
// injection on this Sentinel's links to one address (see
// sentinel_control::set_link_filter); without arguments, the dropped ones.
void sentinel_cmd_link_filter(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return sentinel_missing(c);
  if (c.argc() == 2) {
    auto v = ctl->link_filters();
    c.out.array(v.size());
    for (auto& a : v) c.out.bulk(a);
    return;
  }
  if (c.argc() != 5)
    return c.out.error("ERR wrong number of arguments for 'sentinel|debug-link-filter' command");
  auto port = parse_int64(c.arg(3));
  if (!port || *port < 1 || *port > 65535) return c.out.error("ERR Invalid port number");
  bool drop = iequals(c.arg(4), "drop");
  if (!drop && !iequals(c.arg(4), "pass")) return c.out.error("ERR DROP or PASS expected");
  // An address as the Sentinel knows it (the ip fields of SENTINEL MASTER,
  // REPLICAS, SENTINELS): no host name is looked up.
  if (c.arg(2).empty() || c.arg(2).size() > 255) return c.out.error("ERR Invalid IP address");
  std::string ip(c.arg(2));
  if (!ctl->set_link_filter(ip, int(*port), drop)) return c.out.error("ERR too many link filters");
  c.out.ok();
}

// Every other subcommand: the administration replies (sentinel_admin); what
// they change in the state (links, events, the config file) is carried out
// by sentinel_control::command.
void sentinel_cmd_admin(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return sentinel_missing(c);
  std::vector<std::string_view> args(c.argv.begin() + 1, c.argv.end());
  bool handled = ctl->command([&](sentinel::sentinel_state& s, int64_t now) {
    return sentinel::sentinel_admin_command(s, args, c.out, now);
  });
  if (handled) return;
  c.out.error("ERR unknown subcommand '" + std::string(as_c_string(c.arg(1)).substr(0, 128)) +
              "'. Try SENTINEL HELP.");
}

// Redis 7.0's SENTINEL subcommands: all "admin sentinel only_sentinel".
#define SENTINEL_SUB(name, arity, handler, summary, syntax)                                 \
  {                                                                                         \
    "sentinel|" name, arity, "admin sentinel only_sentinel", 0, 0, 0, "", handler, summary, \
        "2.8.4", "O(1)", syntax                                                             \
  }

const command_def sentinel_commands[] = {
    {"sentinel", -2, "admin sentinel only_sentinel", 0, 0, 0, "", sentinel_cmd_sentinel,
     "A container for Sentinel commands", "2.8.4", "Depends on subcommand."},
    SENTINEL_SUB("ckquorum", 3, sentinel_cmd_admin, "Checks for a Redis Sentinel quorum",
                 "master-name"),
    SENTINEL_SUB("config", -3, sentinel_cmd_admin, "Configures Redis Sentinel.",
                 "SET parameter value|GET parameter"),
    SENTINEL_SUB("debug", -2, sentinel_cmd_admin,
                 "Lists or updates the current configurable parameters",
                 "[parameter value [parameter value ...]]"),
    SENTINEL_SUB("debug-link-filter", -2, sentinel_cmd_link_filter,
                 "Drops or passes this Sentinel's links to an address (Troupe: fault injection)",
                 "[ip port DROP|PASS]"),
    SENTINEL_SUB("failover", 3, sentinel_cmd_failover, "Forces a Redis Sentinel failover",
                 "master-name"),
    SENTINEL_SUB("flushconfig", 2, sentinel_cmd_flushconfig,
                 "Rewrites the Redis Sentinel configuration file", ""),
    SENTINEL_SUB("get-master-addr-by-name", 3, sentinel_cmd_get_master_addr,
                 "Returns the port and address of a master instance", "master-name"),
    SENTINEL_SUB("help", 2, sentinel_cmd_admin,
                 "Returns helpful text about the different subcommands", ""),
    SENTINEL_SUB("info-cache", -3, sentinel_cmd_admin,
                 "Returns the cached INFO replies from the deployment", "nodename [nodename ...]"),
    SENTINEL_SUB("is-master-down-by-addr", 6, sentinel_cmd_is_master_down,
                 "Determines whether a master instance is down", "ip port current-epoch runid"),
    SENTINEL_SUB("master", 3, sentinel_cmd_admin, "Returns the state of a master instance",
                 "master-name"),
    SENTINEL_SUB("masters", 2, sentinel_cmd_admin, "Returns a list of monitored masters", ""),
    SENTINEL_SUB("monitor", 6, sentinel_cmd_admin, "Starts monitoring", "name ip port quorum"),
    SENTINEL_SUB("myid", 2, sentinel_cmd_myid, "Returns the Redis Sentinel instance ID", ""),
    SENTINEL_SUB("pending-scripts", 2, sentinel_cmd_pending_scripts,
                 "Returns information about pending scripts", ""),
    SENTINEL_SUB("remove", 3, sentinel_cmd_admin, "Stops monitoring", "master-name"),
    SENTINEL_SUB("replicas", 3, sentinel_cmd_admin, "Returns a list of the monitored replicas",
                 "master-name"),
    SENTINEL_SUB("reset", 3, sentinel_cmd_admin, "Resets masters by name matching a pattern",
                 "pattern"),
    SENTINEL_SUB("sentinels", 3, sentinel_cmd_admin, "Returns a list of Sentinel instances",
                 "master-name"),
    SENTINEL_SUB("set", -5, sentinel_cmd_admin, "Changes the configuration of a monitored master",
                 "master-name option value [option value ...]"),
    SENTINEL_SUB("simulate-failure", -3, sentinel_cmd_admin, "Simulates failover scenarios",
                 "[CRASH-AFTER-ELECTION] [CRASH-AFTER-PROMOTION] [HELP]"),
    SENTINEL_SUB("slaves", 3, sentinel_cmd_admin, "Returns a list of the monitored replicas",
                 "master-name"),
};

#undef SENTINEL_SUB

}  // namespace

// -- the Sentinel's PUBLISH, ROLE and INFO ----------------------------------------------

bool sentinel_publish(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return false;
  if (c.arg(1) != "__sentinel__:hello")
    return c.out.error("ERR Only HELLO messages are accepted by Sentinel instances."), true;
  std::string payload(c.arg(2));
  ctl->command([&](sentinel::sentinel_state& s, int64_t now) { s.hello_publish(payload, now); });
  c.out.integer(1);
  return true;
}

bool sentinel_role(exec_context& c) {
  sentinel_control* ctl = sentinel_control_of(c);
  if (!ctl) return false;
  auto names = ctl->command([](sentinel::sentinel_state& s, int64_t) {
    std::vector<std::string> v;
    for (auto& m : s.masters()) v.push_back(m->name);
    return v;
  });
  c.out.array(2);
  c.out.bulk("sentinel");
  c.out.array(names.size());
  for (auto& n : names) c.out.bulk(n);
  return true;
}

void register_sentinel_family(command_table& t) {
  t.add_all("sentinel", sentinel_commands);
}

}  // namespace troupe
