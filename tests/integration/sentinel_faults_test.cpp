// Troupe Sentinels under network faults, over real sockets: SENTINEL
// DEBUG-LINK-FILTER (a Troupe extension) cuts a Sentinel's links to an address
// as a partition would, in a group of Sentinels inside one process
// (--local-sentinels 3) and across processes.
//   - a Sentinel cut off from everything: the other two still reach quorum 2
//     and fail over a killed master; healed, the lone one learns the new master
//   - the master unreachable from one Sentinel only (1 of 3, quorum 2): +sdown
//     there, but no +odown and no failover anywhere
//   - a failover that cannot promote (the only replica has replica-priority 0):
//     -failover-abort-no-good-slave, then, once the replica is eligible, a
//     retry no sooner than failover-timeout * 2 after the first try, with a
//     newer epoch, that succeeds (the same checks on redis-sentinel 7.0 too)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "support/cluster_nodes.hpp"
#include "support/dataset_compare.hpp"
#include "support/sentinel_reads.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

using clock_type = std::chrono::steady_clock;

std::string write_conf(const std::string& text) {
  std::string path = temp_dir("sentinel-faults") + "/sentinel.conf";
  std::ofstream(path) << text;
  return path;
}

std::string monitor_conf(int master_port, int down_after_ms, int failover_timeout_ms) {
  return "sentinel monitor mymaster 127.0.0.1 " + std::to_string(master_port) +
         " 2\nsentinel down-after-milliseconds mymaster " + std::to_string(down_after_ms) +
         "\nsentinel failover-timeout mymaster " + std::to_string(failover_timeout_ms) +
         "\nsentinel parallel-syncs mymaster 1\n";
}

resp_value call_at(int port, const std::vector<std::string>& args) {
  resp_client c;
  if (!c.connect("127.0.0.1", port, 5000)) {
    resp_value v;
    v.type = resp_value::kind::error;
    v.str = "IO connect";
    return v;
  }
  return c.call(args);
}

std::string addr_at(int port) {
  return master_addr_text(call_at(port, {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"}));
}

std::map<std::string, std::string> master_fields(int port) {
  resp_value m = call_at(port, {"SENTINEL", "MASTER", "mymaster"});
  std::map<std::string, std::string> f;
  for (size_t i = 0; i + 1 < m.elements.size(); i += 2)
    f[m.elements[i].str] = m.elements[i + 1].str;
  return f;
}

std::string master0_at(int port) {
  resp_value v = call_at(port, {"INFO", "sentinel"});
  return info_field(v.str, "master0");
}

bool filter(int sentinel_port, int port, const char* rule) {
  return call_at(sentinel_port,
                 {"SENTINEL", "DEBUG-LINK-FILTER", "127.0.0.1", std::to_string(port), rule})
             .str == "OK";
}

// Everything a Sentinel publishes on its event channels (PSUBSCRIBE *), with
// the time it arrived.
class event_log {
 public:
  struct event {
    clock_type::time_point at;
    std::string channel, message;
  };
  explicit event_log(int port) {
    ok_ = client_.connect("127.0.0.1", port, 5000) &&
          client_.call({"PSUBSCRIBE", "*"}).elements.size() == 3;
    client_.set_timeout(100);
    reader_ = std::thread([this] {
      while (!stop_) {
        resp_value v = client_.read_reply();
        if (v.is_error()) {
          if (v.str == "IO timeout") continue;
          return;
        }
        if (v.elements.size() == 4 && v.elements[0].str == "pmessage") {
          std::lock_guard<std::mutex> g(mutex_);
          events_.push_back({clock_type::now(), v.elements[2].str, v.elements[3].str});
        }
      }
    });
  }
  ~event_log() {
    stop_ = true;
    reader_.join();
  }
  bool ok() const { return ok_; }
  std::vector<event> events() const {
    std::lock_guard<std::mutex> g(mutex_);
    return events_;
  }
  // The first event on `channel` whose message starts with `prefix`.
  std::optional<event> first(const std::string& channel, const std::string& prefix = "") const {
    std::lock_guard<std::mutex> g(mutex_);
    for (auto& e : events_)
      if (e.channel == channel && e.message.rfind(prefix, 0) == 0) return e;
    return std::nullopt;
  }
  bool seen(const std::string& channel, const std::string& prefix = "") const {
    return first(channel, prefix).has_value();
  }
  std::string text() const {
    std::string s;
    for (auto& e : events()) s += e.channel + " " + e.message + "\n";
    return s;
  }

 private:
  resp_client client_;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<event> events_;
  std::thread reader_;
};

// A master (on a port below the ephemeral range: nothing takes it while it is
// down) and its replicas, Troupe servers.
struct data_nodes {
  std::unique_ptr<server_process> master;
  std::vector<std::unique_ptr<server_process>> replicas;
  int master_port = 0;

  bool start(int replica_count, std::vector<std::string> replica_args = {}) {
    master_port = free_port_block(1);
    master = std::make_unique<server_process>(
        std::vector<std::string>{"--port", std::to_string(master_port), "--save", ""});
    if (!master->start()) return false;
    for (int i = 0; i < replica_count; i++) {
      std::vector<std::string> args{"--save", "", "--replicaof", "127.0.0.1",
                                    std::to_string(master_port)};
      args.insert(args.end(), replica_args.begin(), replica_args.end());
      replicas.push_back(std::make_unique<server_process>(args));
      if (!replicas.back()->start()) return false;
    }
    for (auto& r : replicas)
      if (!wait_for([&] { return info_field(*r, "replication", "master_link_status") == "up"; }))
        return false;
    return true;
  }
  std::string master_addr() const { return "127.0.0.1:" + std::to_string(master_port); }
};

// Faster periods than Redis's defaults (SENTINEL DEBUG), so discovery and
// the failover steps take a fraction of the usual time.
bool speed_up(int sentinel_port) {
  return call_at(sentinel_port, {"SENTINEL", "DEBUG", "ping-period", "200", "publish-period", "300",
                                 "info-period", "1000", "ask-period", "300"})
             .str == "OK";
}

// Every Sentinel knows the replicas and the two other Sentinels.
bool discovered(const std::vector<int>& ports, int replicas) {
  std::string want = ",slaves=" + std::to_string(replicas) + ",sentinels=3";
  return wait_for(
      [&] {
        for (int p : ports) {
          std::string m = master0_at(p);
          if (m.find("status=ok") == std::string::npos || m.find(want) == std::string::npos)
            return false;
        }
        return true;
      },
      20000);
}

// A group of 3 Sentinels inside one troupe-server (--local-sentinels 3).
struct local_group {
  std::unique_ptr<server_process> proc;
  std::string conf;
  std::vector<int> ports;

  bool start(const std::string& conf_text) {
    int base = free_port_block(3);
    conf = write_conf(conf_text);
    proc = std::make_unique<server_process>(
        std::vector<std::string>{"--port", std::to_string(base), "--sentinel", "--local-sentinels",
                                 "3"},
        server_process::kind::troupe, conf);
    if (!proc->start()) return false;
    ports = {base, base + 1, base + 2};
    for (int p : ports)
      if (!wait_for([&] { return call_at(p, {"PING"}).str == "PONG"; }) || !speed_up(p))
        return false;
    return true;
  }
  std::string log_text() const { return proc->log_text(); }
};

// Three Sentinels as separate processes (Troupe's or redis-sentinel).
struct process_group {
  std::vector<std::unique_ptr<server_process>> procs;
  std::vector<int> ports;

  bool start(const std::string& conf_text, server_process::kind k = server_process::kind::troupe) {
    for (int i = 0; i < 3; i++) {
      procs.push_back(std::make_unique<server_process>(std::vector<std::string>{"--sentinel"}, k,
                                                       write_conf(conf_text)));
      if (!procs.back()->start()) return false;
      ports.push_back(procs.back()->port());
      if (!speed_up(ports.back())) return false;
    }
    return true;
  }
  std::string log_text() const {
    std::string s;
    for (auto& p : procs) s += "-- sentinel " + std::to_string(p->port()) + "\n" + p->log_text();
    return s;
  }
};

}  // namespace

// --local-sentinels: three Sentinels on consecutive ports, each with its own
// identity and its own file (<config-file>.<port>), the given file untouched.
// SENTINEL DEBUG-LINK-FILTER's arguments and listing.
TEST(SentinelFaults, LocalGroupAndLinkFilterCommand) {
  int dead_port = free_port_block(1);
  local_group g;
  ASSERT_TRUE(g.start(monitor_conf(dead_port, 1000, 5000)));
  std::set<std::string> ids;
  for (int p : g.ports) {
    ids.insert(call_at(p, {"SENTINEL", "MYID"}).str);
    EXPECT_EQ(info_field(call_at(p, {"INFO", "server"}).str, "tcp_port"), std::to_string(p));
    std::string file = g.conf + "." + std::to_string(p);
    EXPECT_EQ(info_field(call_at(p, {"INFO", "server"}).str, "config_file"), file);
    std::string text = read_file(file);
    EXPECT_NE(text.find("sentinel myid " + call_at(p, {"SENTINEL", "MYID"}).str), std::string::npos)
        << text;
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(read_file(g.conf).find("sentinel myid"), std::string::npos);

  int s = g.ports[0];
  auto err = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"SENTINEL", "DEBUG-LINK-FILTER"});
    return call_at(s, args).str;
  };
  EXPECT_EQ(call_at(s, {"SENTINEL", "DEBUG-LINK-FILTER"}).elements.size(), 0u);
  EXPECT_EQ(err({"127.0.0.1", "0", "DROP"}), "ERR Invalid port number");
  EXPECT_EQ(err({"127.0.0.1", "65536", "DROP"}), "ERR Invalid port number");
  EXPECT_EQ(err({"127.0.0.1", "-1", "DROP"}), "ERR Invalid port number");
  EXPECT_EQ(err({"127.0.0.1", "99999999999999999999999", "DROP"}), "ERR Invalid port number");
  EXPECT_EQ(err({"127.0.0.1", "1", "MAYBE"}), "ERR DROP or PASS expected");
  EXPECT_EQ(err({"", "1", "DROP"}), "ERR Invalid IP address");
  EXPECT_EQ(err({std::string(100000, 'x'), "1", "DROP"}), "ERR Invalid IP address");
  EXPECT_EQ(err({"127.0.0.1", "1"}),
            "ERR wrong number of arguments for 'sentinel|debug-link-filter' command");
  EXPECT_EQ(err({"127.0.0.1", "1", "DROP", "x"}),
            "ERR wrong number of arguments for 'sentinel|debug-link-filter' command");
  EXPECT_EQ(err({"127.0.0.1", "7000", "drop"}), "OK");
  EXPECT_EQ(err({"::1", "7001", "DROP"}), "OK");
  resp_value list = call_at(s, {"SENTINEL", "DEBUG-LINK-FILTER"});
  ASSERT_EQ(list.elements.size(), 2u) << list.to_string();
  EXPECT_EQ(list.elements[0].str, "127.0.0.1:7000");
  EXPECT_EQ(list.elements[1].str, "[::1]:7001");
  EXPECT_EQ(err({"127.0.0.1", "7000", "PASS"}), "OK");
  EXPECT_EQ(err({"127.0.0.1", "7000", "PASS"}), "OK");  // not there: nothing to do
  EXPECT_EQ(call_at(s, {"SENTINEL", "DEBUG-LINK-FILTER"}).elements.size(), 1u);
  // At most 4096 addresses (one is there already).
  {
    resp_client c;
    ASSERT_TRUE(c.connect("127.0.0.1", s));
    for (int port = 1; port < 4096; port++)
      c.append({"SENTINEL", "DEBUG-LINK-FILTER", "10.0.0.1", std::to_string(port), "DROP"});
    ASSERT_TRUE(c.flush());
    for (int port = 1; port < 4096; port++) ASSERT_EQ(c.read_reply().str, "OK") << port;
    EXPECT_EQ(c.call({"SENTINEL", "DEBUG-LINK-FILTER", "10.0.0.1", "5000", "DROP"}).str,
              "ERR too many link filters");
    EXPECT_EQ(c.call({"SENTINEL", "DEBUG-LINK-FILTER", "10.0.0.1", "1", "DROP"}).str, "OK");
    EXPECT_EQ(c.call({"SENTINEL", "DEBUG-LINK-FILTER"}).elements.size(), 4096u);
    for (int port = 1; port < 4096; port++)
      c.append({"SENTINEL", "DEBUG-LINK-FILTER", "10.0.0.1", std::to_string(port), "PASS"});
    ASSERT_TRUE(c.flush());
    for (int port = 1; port < 4096; port++) ASSERT_EQ(c.read_reply().str, "OK") << port;
  }
  // The other Sentinels of the process have their own filters.
  EXPECT_EQ(call_at(g.ports[1], {"SENTINEL", "DEBUG-LINK-FILTER"}).elements.size(), 0u);
  // The group keeps serving after all that.
  EXPECT_EQ(call_at(s, {"PING"}).str, "PONG");
  EXPECT_TRUE(g.proc->running());
}

// (a) One Sentinel of the in-process group partitioned away from everything
// (its links to the master, the replica and the two other Sentinels dropped,
// theirs to it too): the other two still reach quorum 2 and fail over a
// killed master; the lone one never sees +odown. Healed, it learns the new
// master from the others' hellos.
TEST(SentinelFaults, PartitionedSentinelLeavesAWorkingMajority) {
  data_nodes d;
  ASSERT_TRUE(d.start(1));
  local_group g;
  ASSERT_TRUE(g.start(monitor_conf(d.master_port, 1000, 3000)));
  ASSERT_TRUE(discovered(g.ports, 1)) << g.proc->log_text();
  std::vector<std::unique_ptr<event_log>> logs;
  for (int p : g.ports) {
    logs.push_back(std::make_unique<event_log>(p));
    ASSERT_TRUE(logs.back()->ok());
  }

  int lone = g.ports[0];
  int replica_port = d.replicas[0]->port();
  for (int p : {d.master_port, replica_port, g.ports[1], g.ports[2]})
    ASSERT_TRUE(filter(lone, p, "DROP"));
  for (int i = 1; i < 3; i++) ASSERT_TRUE(filter(g.ports[size_t(i)], lone, "DROP"));
  // The partition as each side sees it: the lone one finds the master down,
  // the others find the lone one down.
  ASSERT_TRUE(wait_for([&] { return logs[0]->seen("+sdown", "master mymaster"); }, 10000))
      << logs[0]->text();
  for (int i = 1; i < 3; i++)
    ASSERT_TRUE(wait_for([&] { return logs[size_t(i)]->seen("+sdown", "sentinel "); }, 10000))
        << logs[size_t(i)]->text();
  EXPECT_FALSE(logs[1]->seen("+sdown", "master mymaster")) << logs[1]->text();

  d.master->kill_now();
  std::string new_addr = "127.0.0.1:" + std::to_string(replica_port);
  EXPECT_TRUE(wait_for(
      [&] {
        return addr_at(g.ports[1]) == new_addr && addr_at(g.ports[2]) == new_addr &&
               info_field(*d.replicas[0], "replication", "role") == "master";
      },
      30000))
      << logs[1]->text() << logs[2]->text() << g.proc->log_text();
  for (int i = 1; i < 3; i++) EXPECT_TRUE(logs[size_t(i)]->seen("+odown", "master mymaster"));
  // The lone one could not ask anyone: its view is its own.
  EXPECT_FALSE(logs[0]->seen("+odown")) << logs[0]->text();
  EXPECT_FALSE(logs[0]->seen("+try-failover")) << logs[0]->text();
  EXPECT_EQ(addr_at(lone), d.master_addr());

  // Healed: it hears of the switch through the new master's hello channel.
  for (int p : {d.master_port, replica_port, g.ports[1], g.ports[2]})
    ASSERT_TRUE(filter(lone, p, "PASS"));
  for (int i = 1; i < 3; i++) ASSERT_TRUE(filter(g.ports[size_t(i)], lone, "PASS"));
  EXPECT_TRUE(wait_for([&] { return addr_at(lone) == new_addr; }, 20000))
      << logs[0]->text() << g.proc->log_text();
  EXPECT_TRUE(g.proc->running());
}

// (b) The master unreachable from one Sentinel only (1 of 3, quorum 2), three
// separate processes: that one reports +sdown and asks the others, who still
// see the master: no +odown and no failover anywhere for two more
// down-after periods, and the master stays the master.
TEST(SentinelFaults, MasterDownForAMinorityIsNotFailedOver) {
  const int down_after = 1000;
  data_nodes d;
  ASSERT_TRUE(d.start(1));
  process_group g;
  ASSERT_TRUE(g.start(monitor_conf(d.master_port, down_after, 3000)));
  const std::vector<int>& ports = g.ports;
  ASSERT_TRUE(discovered(ports, 1));
  std::vector<std::unique_ptr<event_log>> logs;
  for (int p : ports) {
    logs.push_back(std::make_unique<event_log>(p));
    ASSERT_TRUE(logs.back()->ok());
  }

  ASSERT_TRUE(filter(ports[0], d.master_port, "DROP"));
  ASSERT_TRUE(wait_for([&] { return logs[0]->seen("+sdown", "master mymaster"); }, 10000))
      << logs[0]->text();
  // It is down for that one alone, which keeps asking the others.
  auto sdown_only = [&] {
    std::string flags = master_fields(ports[0])["flags"];
    return flags.find("s_down") != std::string::npos && flags.find("o_down") == std::string::npos;
  };
  EXPECT_TRUE(sdown_only()) << master_fields(ports[0])["flags"];
  // Two more down-after periods: any +odown or failover step fails at once.
  auto forbidden = [&] {
    for (auto& l : logs)
      for (const char* e : {"+odown", "+try-failover", "+elected-leader", "+switch-master"})
        if (l->seen(e)) return true;
    return false;
  };
  EXPECT_FALSE(wait_for(forbidden, 2 * down_after + 500));
  for (auto& l : logs) EXPECT_FALSE(l->seen("+odown")) << l->text();
  EXPECT_TRUE(sdown_only()) << master_fields(ports[0])["flags"];
  for (size_t i = 1; i < 3; i++) {
    EXPECT_EQ(master_fields(ports[i])["flags"], "master");
    EXPECT_FALSE(logs[i]->seen("+sdown", "master mymaster")) << logs[i]->text();
  }
  for (int p : ports) EXPECT_EQ(addr_at(p), d.master_addr());
  EXPECT_EQ(info_field(*d.master, "replication", "role"), "master");
  EXPECT_EQ(info_field(*d.replicas[0], "replication", "role"), "slave");

  // Healed: the master is back for that one too.
  ASSERT_TRUE(filter(ports[0], d.master_port, "PASS"));
  EXPECT_TRUE(wait_for([&] { return logs[0]->seen("-sdown", "master mymaster"); }, 10000))
      << logs[0]->text();
  EXPECT_EQ(master_fields(ports[0])["flags"], "master");
}

// (c) A failover that cannot promote anyone (the only replica has
// replica-priority 0): -failover-abort-no-good-slave. Once the replica is
// eligible, the failover is tried again, not before failover-timeout * 2
// after the first try (as Redis 7.0's sentinelStartFailoverIfNeeded), with a
// newer epoch, and succeeds. Run on the in-process group and, as the
// reference for these expectations, on three redis-sentinel processes.
template <class Group>
static void aborted_failover_is_retried(Group& g, std::function<bool(Group&, int)> start) {
  const int failover_timeout = 2000;
  data_nodes d;
  ASSERT_TRUE(d.start(1, {"--replica-priority", "0"}));
  ASSERT_TRUE(start(g, d.master_port));
  ASSERT_TRUE(discovered(g.ports, 1)) << g.log_text();
  std::vector<std::unique_ptr<event_log>> logs;
  for (int p : g.ports) {
    logs.push_back(std::make_unique<event_log>(p));
    ASSERT_TRUE(logs.back()->ok());
  }
  auto first_of = [&](const std::string& channel) {
    std::optional<event_log::event> best;
    for (auto& l : logs)
      if (auto e = l->first(channel); e && (!best || e->at < best->at)) best = e;
    return best;
  };
  auto all_text = [&] {
    std::string s;
    for (auto& l : logs) s += "--\n" + l->text();
    return s;
  };

  d.master->kill_now();
  ASSERT_TRUE(
      wait_for([&] { return first_of("-failover-abort-no-good-slave").has_value(); }, 20000))
      << all_text() << g.log_text();
  auto first_try = first_of("+try-failover");
  ASSERT_TRUE(first_try);
  auto abort = first_of("-failover-abort-no-good-slave");
  // The epoch of the aborted try: the highest one announced before the abort.
  uint64_t aborted_epoch = 0;
  for (auto& l : logs)
    for (auto& e : l->events())
      if (e.channel == "+new-epoch" && e.at <= abort->at)
        aborted_epoch = std::max<uint64_t>(aborted_epoch, std::stoull(e.message));
  ASSERT_GT(aborted_epoch, 0u) << all_text();
  EXPECT_EQ(info_field(*d.replicas[0], "replication", "role"), "slave");

  ASSERT_EQ(d.replicas[0]->call({"CONFIG", "SET", "replica-priority", "100"}).str, "OK");
  std::string new_addr = "127.0.0.1:" + std::to_string(d.replicas[0]->port());
  EXPECT_TRUE(wait_for(
      [&] {
        for (int p : g.ports)
          if (addr_at(p) != new_addr) return false;
        return info_field(*d.replicas[0], "replication", "role") == "master";
      },
      30000))
      << all_text() << g.log_text();
  // The retry: after the abort, and not before failover-timeout * 2 from the
  // first try (every Sentinel's next-try clock starts at its own try or vote).
  std::optional<event_log::event> retry;
  for (auto& l : logs)
    for (auto& e : l->events())
      if (e.channel == "+try-failover" && e.at > abort->at && (!retry || e.at < retry->at))
        retry = e;
  ASSERT_TRUE(retry) << all_text();
  auto gap =
      std::chrono::duration_cast<std::chrono::milliseconds>(retry->at - first_try->at).count();
  EXPECT_GE(gap, 2 * failover_timeout - 200) << all_text();
  // The switch carries the newer epoch, on every Sentinel.
  for (int p : g.ports) {
    std::string epoch = master_fields(p)["config-epoch"];
    ASSERT_FALSE(epoch.empty());
    EXPECT_GT(std::stoull(epoch), aborted_epoch) << all_text();
  }
  bool switched = false;
  for (auto& l : logs)
    if (l->seen("+switch-master", "mymaster 127.0.0.1 " + std::to_string(d.master_port) +
                                      " 127.0.0.1 " + std::to_string(d.replicas[0]->port())))
      switched = true;
  EXPECT_TRUE(switched) << all_text();
}

TEST(SentinelFaults, AbortedFailoverIsRetriedWithANewEpoch) {
  local_group g;
  aborted_failover_is_retried<local_group>(
      g, [](local_group& g, int port) { return g.start(monitor_conf(port, 1000, 2000)); });
}

// The reference: redis-sentinel 7.0 over the same Troupe data nodes.
TEST(SentinelFaults, AbortedFailoverIsRetriedWithANewEpochRedisSentinels) {
  process_group g;
  aborted_failover_is_retried<process_group>(g, [](process_group& g, int port) {
    return g.start(monitor_conf(port, 1000, 2000), server_process::kind::redis);
  });
}
