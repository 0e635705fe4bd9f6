// Key placement identical to nutcracker's: a real nutcracker (twemproxy 0.5.0)
// in front of three real redis-server backends writes ~2000 keys; every key is
// then looked up on the backends and must sit where topology/proxy's ring,
// built from the same YAML file, says it does. Covers ketama and modula with
// the hash functions, weights, named servers, hash tags, and an ejected backend.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/server_process.hpp"
#include "topology/proxy/pool_config.hpp"
#include "topology/proxy/proxy_ring.hpp"

using troupe::resp_client;
using troupe::resp_value;
using troupe::proxy::pool_config;
using troupe::proxy::proxy_ring;
using troupe::test::server_process;

namespace {

constexpr const char* proxy_placement_nutcracker = "/usr/sbin/nutcracker";

bool proxy_placement_have_nutcracker() {
  return access(proxy_placement_nutcracker, X_OK) == 0;
}

// A nutcracker process with one pool, on ports of its own.
class proxy_placement_nutcracker_process {
 public:
  explicit proxy_placement_nutcracker_process(std::string yaml_body)
      : body_(std::move(yaml_body)) {}
  ~proxy_placement_nutcracker_process() { stop(); }

  // Starts and waits until a PING through it answers; false on failure.
  bool start() {
    for (int attempt = 0; attempt < 5; attempt++) {
      int base = troupe::test::free_port_block(2);
      port_ = base;
      dir_ = troupe::test::temp_dir("nutcracker");
      yaml_ = "alpha:\n  listen: 127.0.0.1:" + std::to_string(port_) + "\n" + body_;
      std::ofstream(dir_ + "/pool.yml") << yaml_;
      std::string stats = std::to_string(base + 1);
      std::vector<std::string> argv = {proxy_placement_nutcracker,
                                       "-c",
                                       dir_ + "/pool.yml",
                                       "-s",
                                       stats,
                                       "-a",
                                       "127.0.0.1",
                                       "-p",
                                       dir_ + "/nutcracker.pid",
                                       "-o",
                                       dir_ + "/nutcracker.log"};
      pid_ = troupe::test::spawn_logged(argv, dir_ + "/stderr.log");
      auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (std::chrono::steady_clock::now() < deadline) {
        int status;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          break;  // died (a port taken?): try other ports
        }
        resp_client c;
        if (c.connect("127.0.0.1", port_, 1000)) {
          // nutcracker answers PING itself; the pool is up once it does.
          resp_value r = c.call({"PING"});
          if (!r.is_error()) return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      stop();
    }
    return false;
  }

  void stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

  int port() const { return port_; }
  const std::string& yaml() const { return yaml_; }
  std::string log_text() const { return troupe::test::read_file(dir_ + "/nutcracker.log"); }

 private:
  std::string body_;
  std::string yaml_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// Keys of every shape: short, long, numeric, tagged, and binary with bytes
// >= 0x80 (nutcracker widens some through a signed char).
std::vector<std::string> proxy_placement_keys(size_t n, bool tagged) {
  std::vector<std::string> keys;
  std::mt19937 rng(1234567);
  for (size_t i = 0; i < n; i++) {
    std::string k;
    switch (i % 5) {
      case 0:
        k = "key:" + std::to_string(i);
        break;
      case 1:
        k = "user:" + std::to_string(i * 7919) + ":profile:settings:long:name";
        break;
      case 2:
        k = std::to_string(i);
        break;
      case 3: {
        size_t len = 1 + rng() % 40;
        for (size_t j = 0; j < len; j++) k.push_back(static_cast<char>(rng() % 256));
        k += "#" + std::to_string(i);  // unique
        break;
      }
      default:
        // Short, and every tenth one long (several blocks of jenkins and murmur).
        k = std::string(i % 10 == 4 ? 50 + i % 250 : 1 + i % 13, static_cast<char>('a' + i % 26)) +
            std::to_string(i);
    }
    if (tagged && i % 3 == 0) k = "pre{" + std::to_string(i % 50) + "}post" + std::to_string(i);
    if (tagged && i % 3 == 1) k = "{}" + k;  // an empty tag: the whole key counts
    if (tagged && i % 6 == 2) k = "no-close{" + std::to_string(i);  // the whole key
    if (tagged && i % 6 == 5) k = "}x{" + std::to_string(i % 7) + "}{y}" + std::to_string(i);
    keys.push_back(std::move(k));
  }
  return keys;
}

class ProxyPlacementTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!proxy_placement_have_nutcracker()) return;
    for (int i = 0; i < 3; i++) {
      backends_.push_back(std::make_unique<server_process>(std::vector<std::string>{},
                                                           server_process::kind::redis));
      if (!backends_.back()->start()) backends_.clear();
    }
  }
  static void TearDownTestSuite() { backends_.clear(); }

  void SetUp() override {
    if (!proxy_placement_have_nutcracker()) GTEST_SKIP() << "nutcracker is not installed";
    ASSERT_EQ(backends_.size(), 3u) << "redis-server backends did not start";
    for (auto& b : backends_) ASSERT_EQ(b->call({"FLUSHALL"}).str, "OK");
  }

  static std::string server_lines(const std::vector<server_process*>& bs,
                                  const std::vector<int>& weights,
                                  const std::vector<std::string>& names) {
    std::string s = "  servers:\n";
    for (size_t i = 0; i < bs.size(); i++) {
      s += "   - 127.0.0.1:" + std::to_string(bs[i]->port()) + ":" + std::to_string(weights[i]);
      if (!names.empty()) s += " " + names[i];
      s += "\n";
    }
    return s;
  }

  // Writes the keys through nutcracker, pipelined.
  static void write_through(int port, const std::vector<std::string>& keys) {
    resp_client c;
    ASSERT_TRUE(c.connect("127.0.0.1", port, 5000)) << c.error();
    const size_t batch = 200;
    for (size_t i = 0; i < keys.size(); i += batch) {
      size_t end = std::min(keys.size(), i + batch);
      for (size_t j = i; j < end; j++) c.append({"SET", keys[j], "v"});
      ASSERT_TRUE(c.flush());
      for (size_t j = i; j < end; j++) {
        resp_value r = c.read_reply();
        ASSERT_EQ(r.str, "OK") << "key #" << j << ": " << r.to_string();
      }
    }
  }

  // Which backend holds each key (EXISTS on each), -1 for none, -2 for several.
  static std::vector<int> where_are(const std::vector<server_process*>& bs,
                                    const std::vector<std::string>& keys) {
    std::vector<int> at(keys.size(), -1);
    for (size_t b = 0; b < bs.size(); b++) {
      resp_client c;
      EXPECT_TRUE(c.connect("127.0.0.1", bs[b]->port(), 5000));
      for (const auto& k : keys) c.append({"EXISTS", k});
      EXPECT_TRUE(c.flush());
      for (size_t i = 0; i < keys.size(); i++) {
        resp_value r = c.read_reply();
        if (r.integer == 1) at[i] = at[i] == -1 ? static_cast<int>(b) : -2;
      }
    }
    return at;
  }

  // The whole check: nutcracker with this pool body, ~2000 keys, every key on
  // the backend our ring names.
  static void check_placement(const std::string& body, bool tagged = false, size_t nkeys = 2000) {
    std::vector<server_process*> bs;
    for (auto& b : backends_) bs.push_back(b.get());
    proxy_placement_nutcracker_process nc(body);
    ASSERT_TRUE(nc.start()) << "nutcracker did not start:\n" << nc.log_text();
    std::vector<pool_config> pools;
    ASSERT_EQ(troupe::proxy::parse_nutcracker_yaml(nc.yaml(), pools), "") << nc.yaml();
    ASSERT_EQ(pools.size(), 1u);
    proxy_ring ring(pools[0]);
    auto keys = proxy_placement_keys(nkeys, tagged);
    ASSERT_NO_FATAL_FAILURE(write_through(nc.port(), keys));
    auto at = where_are(bs, keys);
    size_t mismatches = 0;
    std::map<int, size_t> per_backend;
    for (size_t i = 0; i < keys.size(); i++) {
      per_backend[at[i]]++;
      int want = static_cast<int>(ring.server_for(keys[i]));
      if (at[i] != want && ++mismatches <= 5) {
        ADD_FAILURE() << "key #" << i << " is on backend " << at[i] << ", the ring says " << want;
      }
    }
    EXPECT_EQ(mismatches, 0u) << "pool:\n" << nc.yaml();
    // The keys were spread: every backend got some.
    for (size_t b = 0; b < bs.size(); b++) EXPECT_GT(per_backend[int(b)], 0u) << "backend " << b;
  }

  static std::vector<std::unique_ptr<server_process>> backends_;
};

std::vector<std::unique_ptr<server_process>> ProxyPlacementTest::backends_;

std::vector<server_process*> proxy_placement_ptrs(
    const std::vector<std::unique_ptr<server_process>>& v) {
  std::vector<server_process*> out;
  for (auto& b : v) out.push_back(b.get());
  return out;
}

}  // namespace

TEST_F(ProxyPlacementTest, KetamaFnv1a64) {
  check_placement("  hash: fnv1a_64\n  distribution: ketama\n  redis: true\n" +
                  server_lines(proxy_placement_ptrs(backends_), {1, 1, 1}, {}));
}

TEST_F(ProxyPlacementTest, KetamaMurmur) {
  check_placement("  hash: murmur\n  distribution: ketama\n  redis: true\n" +
                  server_lines(proxy_placement_ptrs(backends_), {1, 1, 1}, {}));
}

TEST_F(ProxyPlacementTest, KetamaMd5) {
  check_placement("  hash: md5\n  distribution: ketama\n  redis: true\n" +
                  server_lines(proxy_placement_ptrs(backends_), {1, 1, 1}, {}));
}

TEST_F(ProxyPlacementTest, KetamaWeighted) {
  check_placement("  hash: fnv1a_64\n  distribution: ketama\n  redis: true\n" +
                  server_lines(proxy_placement_ptrs(backends_), {1, 2, 3}, {}));
}

TEST_F(ProxyPlacementTest, KetamaUnevenWeightsRoundDownInSinglePrecision) {
  check_placement("  hash: murmur\n  distribution: ketama\n  redis: true\n" +
                  server_lines(proxy_placement_ptrs(backends_), {3, 7, 13}, {}));
}

TEST_F(ProxyPlacementTest, KetamaNamedServers) {
  // Names of different lengths: nutcracker orders its servers by name.
  check_placement("  hash: fnv1a_64\n  distribution: ketama\n  redis: true\n" +
                  server_lines(proxy_placement_ptrs(backends_), {1, 2, 1},
                               {"redis-zeta", "b", "cache-alpha-long"}));
}

TEST_F(ProxyPlacementTest, KetamaHashTag) {
  check_placement("  hash: fnv1a_64\n  hash_tag: \"{}\"\n  distribution: ketama\n  redis: true\n" +
                      server_lines(proxy_placement_ptrs(backends_), {1, 1, 1}, {}),
                  true);
}

TEST_F(ProxyPlacementTest, KetamaOtherHashes) {
  for (const char* h : {"one_at_a_time", "crc32a", "fnv1_64", "hsieh", "jenkins", "fnv1_32"}) {
    SCOPED_TRACE(h);
    check_placement(std::string("  hash: ") + h + "\n  distribution: ketama\n  redis: true\n" +
                        server_lines(proxy_placement_ptrs(backends_), {1, 1, 1}, {}),
                    false, 600);
    for (auto& b : backends_) ASSERT_EQ(b->call({"FLUSHALL"}).str, "OK");
  }
}

TEST_F(ProxyPlacementTest, ModulaHashes) {
  for (const char* h : {"crc32a", "one_at_a_time", "hsieh", "jenkins", "fnv1a_32", "fnv1_64",
                        "crc16", "crc32", "murmur", "md5", "fnv1a_64", "fnv1_32"}) {
    SCOPED_TRACE(h);
    check_placement(std::string("  hash: ") + h + "\n  distribution: modula\n  redis: true\n" +
                        server_lines(proxy_placement_ptrs(backends_), {1, 1, 1}, {}),
                    false, 600);
    for (auto& b : backends_) ASSERT_EQ(b->call({"FLUSHALL"}).str, "OK");
  }
}

TEST_F(ProxyPlacementTest, ModulaWeightedNamedOrder) {
  check_placement("  hash: crc32a\n  distribution: modula\n  redis: true\n" +
                  server_lines(proxy_placement_ptrs(backends_), {2, 1, 3}, {"ccc", "a", "bb"}));
}

// nutcracker with auto_eject_hosts and a killed backend: once it has ejected
// the backend, keys go where our ring sends them after record_failure reached
// the limit.
TEST_F(ProxyPlacementTest, KetamaEjectedBackend) {
  std::vector<std::unique_ptr<server_process>> own;
  for (int i = 0; i < 3; i++) {
    own.push_back(
        std::make_unique<server_process>(std::vector<std::string>{}, server_process::kind::redis));
    ASSERT_TRUE(own.back()->start());
  }
  auto bs = proxy_placement_ptrs(own);
  proxy_placement_nutcracker_process nc(
      "  hash: fnv1a_64\n  distribution: ketama\n  redis: true\n  auto_eject_hosts: true\n"
      "  server_failure_limit: 1\n  server_retry_timeout: 600000\n  timeout: 2000\n" +
      server_lines(bs, {1, 1, 1}, {}));
  ASSERT_TRUE(nc.start()) << nc.log_text();
  std::vector<pool_config> pools;
  ASSERT_EQ(troupe::proxy::parse_nutcracker_yaml(nc.yaml(), pools), "");
  proxy_ring ring(pools[0]);

  // A key of backend 1, written while it is up: nutcracker then holds a
  // connection to it.
  std::string probe;
  for (int i = 0; probe.empty(); i++) {
    std::string k = "probe" + std::to_string(i);
    if (ring.server_for(k) == 1) probe = k;
  }
  resp_client c;
  ASSERT_TRUE(c.connect("127.0.0.1", nc.port(), 5000));
  ASSERT_EQ(c.call({"SET", probe, "v"}).str, "OK");
  own[1]->kill_now();

  // nutcracker counts a failure when the backend's connection closes or a
  // request to it fails; with the limit at 1 it then ejects it. Probe until
  // the key lands on a live backend.
  bool ejected = false;
  for (int i = 0; i < 100 && !ejected; i++) {
    resp_value r = c.call({"SET", probe, "w"});
    if (r.str == "OK") {
      ejected = true;
      break;
    }
    if (!c.connected() || r.str.rfind("IO ", 0) == 0) {
      c.close();
      ASSERT_TRUE(c.connect("127.0.0.1", nc.port(), 5000));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(ejected) << nc.log_text();
  EXPECT_TRUE(ring.record_failure(1, 1000));
  ASSERT_TRUE(ring.is_ejected(1));

  auto keys = proxy_placement_keys(1500, false);
  ASSERT_NO_FATAL_FAILURE(write_through(nc.port(), keys));
  std::vector<server_process*> live = {bs[0], bs[2]};
  auto at = where_are(live, keys);
  size_t mismatches = 0;
  for (size_t i = 0; i < keys.size(); i++) {
    size_t want = ring.server_for(keys[i]);
    int want_live = want == 0 ? 0 : want == 2 ? 1 : -3;
    if (at[i] != want_live && ++mismatches <= 5) {
      ADD_FAILURE() << "key #" << i << " is on live backend " << at[i] << ", the ring says "
                    << want;
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

// The ejected backend comes back: once server_retry_timeout has passed and it
// answers again, nutcracker puts it back on the ring and every key is where the
// full ring (our ring after maybe_restore) says.
TEST_F(ProxyPlacementTest, KetamaEjectedBackendComesBack) {
  std::vector<std::unique_ptr<server_process>> own;
  for (int i = 0; i < 3; i++) {
    own.push_back(
        std::make_unique<server_process>(std::vector<std::string>{}, server_process::kind::redis));
    ASSERT_TRUE(own.back()->start());
  }
  auto bs = proxy_placement_ptrs(own);
  proxy_placement_nutcracker_process nc(
      "  hash: murmur\n  distribution: ketama\n  redis: true\n  auto_eject_hosts: true\n"
      "  server_failure_limit: 1\n  server_retry_timeout: 1500\n  timeout: 2000\n" +
      server_lines(bs, {1, 2, 1}, {}));
  ASSERT_TRUE(nc.start()) << nc.log_text();
  std::vector<pool_config> pools;
  ASSERT_EQ(troupe::proxy::parse_nutcracker_yaml(nc.yaml(), pools), "");
  proxy_ring ring(pools[0]);
  std::vector<std::string> probes;
  for (int i = 0; probes.size() < 50; i++) {
    std::string k = "probe" + std::to_string(i);
    if (ring.server_for(k) == 1) probes.push_back(k);
  }
  resp_client c;
  ASSERT_TRUE(c.connect("127.0.0.1", nc.port(), 5000));
  ASSERT_EQ(c.call({"SET", probes[0], "v"}).str, "OK");
  int port1 = own[1]->port();
  own[1]->kill_now();
  // Ejected: a key of backend 1 is written elsewhere.
  bool ejected = false;
  for (int i = 0; i < 100 && !ejected; i++) {
    resp_value r = c.call({"SET", probes[0], "w"});
    ejected = r.str == "OK";
    if (!ejected && (!c.connected() || r.str.rfind("IO ", 0) == 0)) {
      c.close();
      ASSERT_TRUE(c.connect("127.0.0.1", nc.port(), 5000));
    }
    if (!ejected) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(ejected) << nc.log_text();
  ASSERT_TRUE(ring.record_failure(1, 0));
  // While it is out, placement follows the ring without it.
  {
    auto keys = proxy_placement_keys(300, false);
    ASSERT_NO_FATAL_FAILURE(write_through(nc.port(), keys));
    std::vector<server_process*> live = {bs[0], bs[2]};
    auto at = where_are(live, keys);
    for (size_t i = 0; i < keys.size(); i++) {
      size_t want = ring.server_for(keys[i]);
      ASSERT_EQ(at[i], want == 0 ? 0 : want == 2 ? 1 : -3) << "key #" << i;
    }
  }
  // Backend 1 again, on its port.
  server_process again({"--port", std::to_string(port1)}, server_process::kind::redis);
  ASSERT_TRUE(again.start());
  // nutcracker takes it back after the retry timeout: poll until a fresh key of
  // backend 1 lands there.
  bool back = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (size_t n = 1; !back && std::chrono::steady_clock::now() < deadline; n = n % 49 + 1) {
    resp_value r = c.call({"SET", probes[n], "x"});
    if (!c.connected() || r.str.rfind("IO ", 0) == 0) {
      c.close();
      ASSERT_TRUE(c.connect("127.0.0.1", nc.port(), 5000));
    }
    back = again.call({"EXISTS", probes[n]}).integer == 1;
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(back) << nc.log_text();
  EXPECT_FALSE(ring.maybe_restore(1500));  // not strictly after the retry time yet
  EXPECT_TRUE(ring.maybe_restore(1501));
  ASSERT_FALSE(ring.is_ejected(1));
  for (auto& b : own) b->call({"FLUSHALL"});
  again.call({"FLUSHALL"});
  auto keys = proxy_placement_keys(1500, false);
  ASSERT_NO_FATAL_FAILURE(write_through(nc.port(), keys));
  std::vector<server_process*> all = {bs[0], &again, bs[2]};
  auto at = where_are(all, keys);
  size_t mismatches = 0;
  for (size_t i = 0; i < keys.size(); i++) {
    int want = static_cast<int>(ring.server_for(keys[i]));
    if (at[i] != want && ++mismatches <= 5) {
      ADD_FAILURE() << "key #" << i << " is on backend " << at[i] << ", the ring says " << want;
    }
  }
  EXPECT_EQ(mismatches, 0u);
}

// The same files accepted and refused: `nutcracker -t` against
// parse_nutcracker_yaml, over valid pools and one broken directive at a time.
TEST(ProxyConfigDifferential, SameVerdictAsNutcrackerTestConf) {
  if (!proxy_placement_have_nutcracker()) GTEST_SKIP() << "nutcracker is not installed";
  const std::string head = "alpha:\n  listen: 127.0.0.1:22121\n";
  const std::string srv = "  servers:\n   - 127.0.0.1:6379:1\n   - 127.0.0.1:6380:2 second\n";
  std::vector<std::string> bodies = {
      head + srv,
      head + "  hash: murmur\n  distribution: modula\n  hash_tag: \"{}\"\n" + srv,
      head + "  redis: true\n  redis_auth: pw\n  redis_db: 2\n" + srv,
      head + "  redis_auth: pw\n" + srv,
      head + "  hash: FNV1A_64\n" + srv,
      head + "  hash: rcrc32\n" + srv,
      head + "  distribution: Ketama\n" + srv,
      head + "  hash_tag: \"{\"\n" + srv,
      head + "  hash_tag: \"{}}\"\n" + srv,
      head + "  timeout: -1\n" + srv,
      head + "  timeout: 1.5\n" + srv,
      head + "  timeout: 2147483647\n" + srv,
      head + "  redis: yes\n" + srv,
      head + "  redis: True\n" + srv,
      head + "  server_connections: 0\n" + srv,
      head + "  server_failure_limit: 0\n  server_retry_timeout: 0\n" + srv,
      head +
          "  client_connections: 10\n  backlog: 10\n  preconnect: true\n  tcpkeepalive: false\n" +
          srv,
      head + "  hash: md5\n  hash: md5\n" + srv,
      head + "  unknown_directive: 1\n" + srv,
      head + "  servers:\n   - 127.0.0.1:6379:0\n",
      head + "  servers:\n   - 127.0.0.1:6379\n",
      head + "  servers:\n   - 127.0.0.1:70000:1\n",
      head + "  servers:\n   - 127.0.0.1:6379:1 a b\n",
      head + "  servers:\n   - 127.0.0.1:6379:1 a\n   - 127.0.0.1:6380:1 a\n",
      head + "  servers:\n   - 127.0.0.1:6379:1\n   - 127.0.0.1:6379:3\n",
      head + "  servers:\n   - 127.0.0.1:6379:1\n   - 127.0.0.1:6380:1 127.0.0.1:6379\n",
      head + "  servers:\n   - /tmp/redis.sock:1\n",
      head + "  servers:\n   - /tmp/a:b:1\n",
      head + "  servers:\n   - host.example:11211:1\n   - host.example:11212:1\n",
      head + "  servers: [127.0.0.1:6379:1]\n",
      head,
      "alpha:\n" + srv,
      "alpha:\n  listen: 127.0.0.1\n" + srv,
      "alpha:\n  listen: 127.0.0.1:0\n" + srv,
      "alpha:\n  listen: /tmp/nc-test.sock 0600\n" + srv,
      "alpha:\n  listen: /tmp/nc-test.sock 2000\n" + srv,
      head + srv + "beta:\n  listen: 127.0.0.1:22121\n" + srv,
      head + srv + "beta:\n  listen: 127.0.0.1:22122\n" + srv,
      head + srv + "alpha:\n  listen: 127.0.0.1:22122\n" + srv,
      head + "  nested:\n    more: 1\n" + srv,
      "- a\n",
      "alpha: 1\n",
      "---\n" + head + srv,
      head + srv + "...\n",
      "%YAML 1.1\n---\n" + head + srv,
      "# a comment\n" + head + "  # another\n" + srv + "\n\n",
      head + "  hash: \"md5\"\n  hash_tag: '{}'\n" + srv,
      head + "  servers:\n  - 127.0.0.1:6379:1\n  - 127.0.0.1:6380:1\n",
      head + "  hash: !!str md5\n" + srv,
      head + "  hash: &h md5\n" + srv,
  };
  std::string dir = troupe::test::temp_dir("nutcracker-conf");
  for (const auto& body : bodies) {
    std::string file = dir + "/pool.yml";
    std::ofstream(file, std::ios::trunc) << body;
    int status = -1;
    std::string out = troupe::test::run_command(
        std::string(proxy_placement_nutcracker) + " -t -c " + file + " 2>&1", &status);
    bool nutcracker_ok = out.find("syntax is ok") != std::string::npos;
    std::vector<pool_config> pools;
    std::string err = troupe::proxy::parse_nutcracker_yaml(body, pools);
    EXPECT_EQ(err.empty(), nutcracker_ok) << "file:\n"
                                          << body << "nutcracker: " << out << "ours: " << err;
  }
}

// The issue's acceptance check: the same pool file for nutcracker and Troupe's
// proxy (troupe-server pool.yml --proxy); keys written through nutcracker are
// all read back through Troupe's proxy, and keys written through Troupe's proxy
// all read back through nutcracker.
TEST_F(ProxyPlacementTest, TroupeProxyAndNutcrackerAgree) {
  struct agree_case {
    std::string body;
    bool tagged;
  };
  auto bs = proxy_placement_ptrs(backends_);
  std::vector<agree_case> cases = {
      {"  hash: fnv1a_64\n  distribution: ketama\n  redis: true\n" +
           server_lines(bs, {1, 2, 3}, {}),
       false},
      {"  hash: murmur\n  hash_tag: \"{}\"\n  distribution: ketama\n  redis: true\n" +
           server_lines(bs, {1, 1, 1}, {"redis-zeta", "b", "cache-alpha-long"}),
       true},
      {"  hash: crc16\n  distribution: modula\n  redis: true\n" +
           server_lines(bs, {2, 1, 3}, {"ccc", "a", "bb"}),
       false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body);
    for (auto& b : backends_) ASSERT_EQ(b->call({"FLUSHALL"}).str, "OK");
    proxy_placement_nutcracker_process nc(c.body);
    ASSERT_TRUE(nc.start()) << nc.log_text();
    std::string dir = troupe::test::temp_dir("troupe-proxy-pool");
    std::string file = dir + "/pool.yml";
    std::ofstream(file) << nc.yaml();
    server_process troupe_proxy({"--proxy"}, server_process::kind::troupe, file);
    ASSERT_TRUE(troupe_proxy.start()) << troupe_proxy.log_text();

    auto keys = proxy_placement_keys(1000, c.tagged);
    std::vector<std::string> first(keys.begin(), keys.begin() + 500);
    std::vector<std::string> second(keys.begin() + 500, keys.end());
    ASSERT_NO_FATAL_FAILURE(write_through(nc.port(), first));
    ASSERT_NO_FATAL_FAILURE(write_through(troupe_proxy.port(), second));
    auto read_all = [](int port, const std::vector<std::string>& ks) {
      resp_client rc;
      EXPECT_TRUE(rc.connect("127.0.0.1", port, 5000));
      for (const auto& k : ks) rc.append({"GET", k});
      EXPECT_TRUE(rc.flush());
      size_t found = 0;
      for (size_t i = 0; i < ks.size(); i++) found += rc.read_reply().str == "v";
      return found;
    };
    EXPECT_EQ(read_all(troupe_proxy.port(), first), first.size());
    EXPECT_EQ(read_all(nc.port(), second), second.size());
  }
}

// Both proxies with auto_eject_hosts and a killed backend: once each has
// ejected it, keys written through one are read back through the other.
TEST_F(ProxyPlacementTest, TroupeProxyAndNutcrackerAgreeAfterEjection) {
  std::vector<std::unique_ptr<server_process>> own;
  for (int i = 0; i < 3; i++) {
    own.push_back(
        std::make_unique<server_process>(std::vector<std::string>{}, server_process::kind::redis));
    ASSERT_TRUE(own.back()->start());
  }
  auto bs = proxy_placement_ptrs(own);
  proxy_placement_nutcracker_process nc(
      "  hash: fnv1a_64\n  distribution: ketama\n  redis: true\n  auto_eject_hosts: true\n"
      "  server_failure_limit: 1\n  server_retry_timeout: 600000\n  timeout: 2000\n" +
      server_lines(bs, {1, 2, 3}, {}));
  ASSERT_TRUE(nc.start()) << nc.log_text();
  std::string dir = troupe::test::temp_dir("troupe-proxy-pool");
  std::string file = dir + "/pool.yml";
  std::ofstream(file) << nc.yaml();
  server_process troupe_proxy({"--proxy"}, server_process::kind::troupe, file);
  ASSERT_TRUE(troupe_proxy.start()) << troupe_proxy.log_text();
  std::vector<pool_config> pools;
  ASSERT_EQ(troupe::proxy::parse_nutcracker_yaml(nc.yaml(), pools), "");
  proxy_ring ring(pools[0]);
  std::string probe;
  for (int i = 0; probe.empty(); i++) {
    std::string k = "probe" + std::to_string(i);
    if (ring.server_for(k) == 1) probe = k;
  }
  // Both proxies hold a connection to backend 1 before it dies.
  resp_client a, b;
  ASSERT_TRUE(a.connect("127.0.0.1", nc.port(), 5000));
  ASSERT_TRUE(b.connect("127.0.0.1", troupe_proxy.port(), 5000));
  ASSERT_EQ(a.call({"SET", probe, "v"}).str, "OK");
  ASSERT_EQ(b.call({"SET", probe, "v"}).str, "OK");
  own[1]->kill_now();
  auto wait_ejected = [&](resp_client& c, int port) {
    for (int i = 0; i < 200; i++) {
      resp_value r = c.call({"SET", probe, "w"});
      if (r.str == "OK") return true;
      if (!c.connected() || r.str.rfind("IO ", 0) == 0) {
        c.close();
        if (!c.connect("127.0.0.1", port, 5000)) return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  };
  ASSERT_TRUE(wait_ejected(a, nc.port())) << nc.log_text();
  ASSERT_TRUE(wait_ejected(b, troupe_proxy.port())) << troupe_proxy.log_text();
  auto keys = proxy_placement_keys(1000, false);
  std::vector<std::string> first(keys.begin(), keys.begin() + 500);
  std::vector<std::string> second(keys.begin() + 500, keys.end());
  ASSERT_NO_FATAL_FAILURE(write_through(nc.port(), first));
  ASSERT_NO_FATAL_FAILURE(write_through(troupe_proxy.port(), second));
  auto read_all = [](int port, const std::vector<std::string>& ks) {
    resp_client rc;
    EXPECT_TRUE(rc.connect("127.0.0.1", port, 5000));
    for (const auto& k : ks) rc.append({"GET", k});
    EXPECT_TRUE(rc.flush());
    size_t found = 0;
    for (size_t i = 0; i < ks.size(); i++) found += rc.read_reply().str == "v";
    return found;
  };
  EXPECT_EQ(read_all(troupe_proxy.port(), first), first.size());
  EXPECT_EQ(read_all(nc.port(), second), second.size());
}
