// Durability across a Sentinel failover, with real processes: a Troupe master,
// two replicas and three Troupe Sentinels; kill -9 of the master while both
// replicas stall (DEBUG SLEEP), so the master acknowledges writes it cannot
// hand them. Two writers run at once through the Sentinels:
// - plain: a write counts as acknowledged when SET answers OK. These writes
//   can be lost (Redis Sentinel loses them too); the count is reported.
// - the recipe: min-replicas-to-write 1, min-replicas-max-lag 10 on the
//   servers, and SET + WAIT 1 <timeout> pipelined on one connection, a write
//   acknowledged only when WAIT answers >= 1. None of these may be lost: the
//   Sentinels promote the replica with the highest replication offset, which
//   holds every write a replica acknowledged.
// Then the clients: redis-py's redis.sentinel.Sentinel and ioredis with
// `sentinels: [...]` find the master through Troupe Sentinels, follow
// +switch-master after kill -9, and write again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "support/dataset_compare.hpp"
#include "support/sentinel_reads.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

std::unique_ptr<server_process> start_sentinel(int master_port) {
  std::string dir = temp_dir("sentinel-durability");
  std::string path = dir + "/sentinel.conf";
  std::ofstream(path) << "sentinel monitor mymaster 127.0.0.1 " << master_port
                      << " 2\n"
                         "sentinel down-after-milliseconds mymaster 2000\n"
                         "sentinel failover-timeout mymaster 10000\n"
                         "sentinel parallel-syncs mymaster 1\n";
  auto s = std::make_unique<server_process>(std::vector<std::string>{"--sentinel"},
                                            server_process::kind::troupe, path);
  if (!s->start()) return nullptr;
  return s;
}

std::string addr_of(const server_process& s) {
  return master_addr_text(s.call({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"}));
}

std::string value_of(const std::string& key) {
  return key + ":" + std::string(1000, 'x');
}

// The master, two replicas and three Sentinels that agree on them.
struct group {
  std::unique_ptr<server_process> master;
  std::vector<std::unique_ptr<server_process>> replicas;
  std::vector<std::unique_ptr<server_process>> sentinels;
  int master_port = 0;

  ::testing::AssertionResult start(const std::vector<std::string>& extra) {
    master_port = free_port_block(1);
    std::vector<std::string> args{
        "--port", std::to_string(master_port),  "--save", "", "--enable-debug-command",
        "yes",    "--repl-diskless-sync-delay", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    master = std::make_unique<server_process>(args);
    if (!master->start()) return ::testing::AssertionFailure() << "master";
    for (int i = 0; i < 2; i++) {
      std::vector<std::string> r{"--save",      "",          "--enable-debug-command",   "yes",
                                 "--replicaof", "127.0.0.1", std::to_string(master_port)};
      r.insert(r.end(), extra.begin(), extra.end());
      replicas.push_back(std::make_unique<server_process>(r));
      if (!replicas.back()->start()) return ::testing::AssertionFailure() << "replica " << i;
    }
    for (auto& r : replicas)
      if (!wait_for([&] { return info_field(*r, "replication", "master_link_status") == "up"; }))
        return ::testing::AssertionFailure() << "replica link";
    for (int i = 0; i < 3; i++) {
      sentinels.push_back(start_sentinel(master_port));
      if (!sentinels.back()) return ::testing::AssertionFailure() << "sentinel " << i;
    }
    for (auto& s : sentinels)
      if (!wait_for(
              [&] {
                std::string m = info_field(*s, "sentinel", "master0");
                return m.find("status=ok") != std::string::npos &&
                       m.find(",slaves=2,sentinels=3") != std::string::npos;
              },
              20000))
        return ::testing::AssertionFailure() << info_field(*s, "sentinel", "master0");
    return ::testing::AssertionSuccess();
  }

  std::string ports() const {
    std::string out;
    for (auto& s : sentinels) out += (out.empty() ? "" : ",") + std::to_string(s->port());
    return out;
  }

  // The replica the three Sentinels agree on, once it says role:master.
  server_process* promoted() const {
    std::set<std::string> seen;
    for (auto& s : sentinels) seen.insert(addr_of(*s));
    if (seen.size() != 1) return nullptr;
    for (auto& r : replicas)
      if ("127.0.0.1:" + std::to_string(r->port()) == *seen.begin() &&
          info_field(*r, "replication", "role") == "master")
        return r.get();
    return nullptr;
  }
};

// A client of the Sentinels: asks them for the master, writes unique keys in
// pipelined batches, and asks again when the connection breaks or the server
// is no master. `wait` pairs each SET with WAIT 1 1000 (same connection).
class writer {
 public:
  writer(std::vector<int> sentinel_ports, std::string prefix, bool wait)
      : sentinels_(std::move(sentinel_ports)), prefix_(std::move(prefix)), wait_(wait) {
    thread_ = std::thread([this] { run(); });
  }
  ~writer() { finish(); }
  size_t acked() const { return acked_count_.load(); }
  size_t errors() const { return errors_.load(); }
  // A pause between batches (0: none): keeps the data set small after the
  // failover, where the other replica has to resync from the new master.
  void pace(int ms) { pause_ms_ = ms; }
  // Stops and returns every acknowledged key.
  const std::vector<std::string>& finish() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return acked_;
  }

 private:
  int resolve() {
    for (int p : sentinels_) {
      resp_client c;
      if (!c.connect("127.0.0.1", p, 500)) continue;
      resp_value v = c.call({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"});
      if (v.type == resp_value::kind::array && v.elements.size() == 2)
        return std::atoi(v.elements[1].str.c_str());
    }
    return 0;
  }

  void run() {
    uint64_t seq = 0;
    while (!stop_) {
      int port = resolve();
      resp_client c;
      if (port <= 0 || !c.connect("127.0.0.1", port, 500)) {
        // Retry pacing of a client, not a wait in the test.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      c.set_timeout(3000);
      resp_value role = c.call({"ROLE"});
      if (role.elements.empty() || role.elements[0].str != "master") {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      bool broken = false;
      while (!stop_ && !broken) {
        std::vector<std::string> keys;
        for (int i = 0; i < 16; i++) {
          keys.push_back(prefix_ + ":" + std::to_string(seq++));
          c.append({"SET", keys.back(), value_of(keys.back())});
          if (wait_) c.append({"WAIT", "1", "1000"});
        }
        if (int ms = pause_ms_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
        if (!c.flush()) break;
        for (auto& k : keys) {
          resp_value set = c.read_reply();
          bool ok = set.type == resp_value::kind::simple && set.str == "OK";
          if (set.is_error() && set.str.rfind("IO ", 0) == 0) broken = true;
          if (wait_ && !broken) {
            resp_value w = c.read_reply();
            if (w.is_error() && w.str.rfind("IO ", 0) == 0) broken = true;
            ok = ok && w.type == resp_value::kind::integer && w.integer >= 1;
          }
          if (broken) break;
          if (ok) {
            acked_.push_back(k);
            acked_count_++;
          } else {
            errors_++;
            // READONLY: the server became a replica; ask the Sentinels again.
            if (set.is_error()) broken = true;
          }
        }
      }
    }
  }

  std::vector<int> sentinels_;
  std::string prefix_;
  bool wait_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> acked_count_{0}, errors_{0};
  std::atomic<int> pause_ms_{0};
  std::vector<std::string> acked_;
  std::thread thread_;
};

// The acknowledged keys missing on `s` (or with another value).
std::vector<std::string> lost_on(const server_process& s, const std::vector<std::string>& keys) {
  std::vector<std::string> lost;
  resp_client c = s.client();
  for (size_t i = 0; i < keys.size(); i += 500) {
    std::vector<std::string> cmd{"MGET"};
    for (size_t j = i; j < std::min(keys.size(), i + 500); j++) cmd.push_back(keys[j]);
    resp_value v = c.call(cmd);
    for (size_t j = i; j < std::min(keys.size(), i + 500); j++) {
      const resp_value* e = j - i < v.elements.size() ? &v.elements[j - i] : nullptr;
      if (!e || e->type != resp_value::kind::bulk || e->str != value_of(keys[j]))
        lost.push_back(keys[j]);
    }
  }
  return lost;
}

std::vector<int> sentinel_ports(const group& g) {
  std::vector<int> out;
  for (auto& s : g.sentinels) out.push_back(s->port());
  return out;
}

}  // namespace

TEST(SentinelDurability, WaitRecipeLosesNoAcknowledgedWriteOnKill9) {
  group g;
  ASSERT_TRUE(g.start({"--min-replicas-to-write", "1", "--min-replicas-max-lag", "10"}));
  writer plain(sentinel_ports(g), "plain", false);
  writer waited(sentinel_ports(g), "wait", true);
  ASSERT_TRUE(wait_for([&] { return plain.acked() >= 2000 && waited.acked() >= 200; }, 20000))
      << plain.acked() << " " << waited.acked();

  // Both replicas stall for 1.5 s (less than down-after, so the Sentinels keep
  // them as candidates); the master keeps acknowledging plain writes it
  // cannot hand them. It is killed once 3000 more plain writes (about 3 MB)
  // were acknowledged, or 1 s into the stall on a slow machine.
  std::vector<resp_client> sleepers(2);
  for (size_t i = 0; i < 2; i++) {
    ASSERT_TRUE(sleepers[i].connect("127.0.0.1", g.replicas[i]->port()));
    sleepers[i].append({"DEBUG", "SLEEP", "1.5"});
    ASSERT_TRUE(sleepers[i].flush());
  }
  size_t at_stall = plain.acked();
  wait_for([&] { return plain.acked() >= at_stall + 3000; }, 1000);
  g.master->kill_now();
  plain.pace(10);
  size_t plain_at_kill = plain.acked(), waited_at_kill = waited.acked();

  server_process* promoted = nullptr;
  ASSERT_TRUE(wait_for([&] { return (promoted = g.promoted()) != nullptr; }, 30000))
      << g.sentinels[0]->log_text();
  // Both writers follow the failover and write again.
  ASSERT_TRUE(wait_for(
      [&] { return plain.acked() >= plain_at_kill + 200 && waited.acked() >= waited_at_kill + 20; },
      20000))
      << plain.acked() << " " << waited.acked();
  const std::vector<std::string>& plain_keys = plain.finish();
  const std::vector<std::string>& waited_keys = waited.finish();

  std::vector<std::string> plain_lost = lost_on(*promoted, plain_keys);
  std::vector<std::string> waited_lost = lost_on(*promoted, waited_keys);
  std::cout << "plain SET: " << plain_keys.size() << " acknowledged, " << plain_lost.size()
            << " lost; SET + WAIT 1: " << waited_keys.size() << " acknowledged, "
            << waited_lost.size() << " lost\n";
  RecordProperty("plain_acknowledged", std::to_string(plain_keys.size()));
  RecordProperty("plain_lost", std::to_string(plain_lost.size()));
  RecordProperty("wait_acknowledged", std::to_string(waited_keys.size()));
  EXPECT_TRUE(waited_lost.empty()) << waited_lost.size() << " lost, first " << waited_lost[0];
  EXPECT_GT(waited_keys.size(), 200u);
}

namespace {

// Runs a client script in the background; its output goes to a file.
struct script {
  std::string out;
  pid_t pid = -1;
  script(const std::string& cmd) {
    out = temp_dir("sentinel-client") + "/out.txt";
    pid = std::atoi(run_command(cmd + " > " + out + " 2>&1 & echo $!").c_str());
  }
  ~script() {
    if (pid > 0) ::kill(pid, SIGKILL);
  }
  std::string text() const { return read_file(out); }
};

void client_follows_failover(const std::string& cmd_prefix) {
  group g;
  ASSERT_TRUE(g.start({}));
  script client(cmd_prefix + " " + g.ports() + " 50");
  std::string first = "writing to the master on port " + std::to_string(g.master_port);
  ASSERT_TRUE(wait_for([&] { return client.text().find(first) != std::string::npos; }, 20000))
      << client.text();
  g.master->kill_now();
  server_process* promoted = nullptr;
  ASSERT_TRUE(wait_for([&] { return (promoted = g.promoted()) != nullptr; }, 30000));
  EXPECT_TRUE(wait_for(
      [&] { return client.text().find("followed the failover") != std::string::npos; }, 20000))
      << client.text();
  std::string text = client.text();
  EXPECT_NE(text.find("writing to the master on port " + std::to_string(promoted->port())),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("+switch-master mymaster 127.0.0.1 " + std::to_string(g.master_port) +
                      " 127.0.0.1 " + std::to_string(promoted->port())),
            std::string::npos)
      << text;
  // The write went to the new master.
  EXPECT_FALSE(promoted->call({"GET", "sentinel:counter"}).is_nil());
}

}  // namespace

TEST(SentinelDurability, RedisPySentinelFollowsAFailover) {
  client_follows_failover("/usr/bin/python3 " + std::string(TROUPE_SOURCE_DIR) +
                          "/examples/clients/python_sentinel.py");
}

TEST(SentinelDurability, IoredisSentinelFollowsAFailover) {
  std::string dir = std::string(TROUPE_SOURCE_DIR) + "/examples/clients/node";
  int status = -1;
  run_command("cd " + dir + " && node -e 'require(\"ioredis\")' 2>/dev/null", &status);
  if (status != 0) GTEST_SKIP() << "ioredis is not installed in examples/clients/node";
  client_follows_failover("cd " + dir + " && exec node sentinel_client.js");
}
