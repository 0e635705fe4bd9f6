// Proxy mode over real sockets: troupe-server --proxy in front of real
// redis-server backends, driven by resp_client, redis-cli and redis-py.
// (Key placement against nutcracker itself: proxy_placement_test.cpp.)
//
//  - commands: forwarded, split and merged (MGET/MSET/DEL/EXISTS/TOUCH/UNLINK),
//    answered locally, refused with a clear error; a long mixed pipeline comes
//    back in the client's order;
//  - the pool in a Troupe config (`proxy ...` lines) and the backends' AUTH;
//  - failures: a killed backend is ejected and its keys go elsewhere, then it
//    comes back after server_retry_timeout; a backend killed mid-pipeline
//    fails only its own requests; a stalled backend does not hold up clients
//    whose keys live elsewhere, and past `timeout` its requests fail.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/dataset_compare.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"

using namespace troupe::test;
using troupe::resp_client;
using troupe::resp_value;

namespace {

using kind = server_process::kind;

struct proxy_pool_rig {
  std::vector<std::unique_ptr<server_process>> backends;
  std::unique_ptr<server_process> proxy;
  std::string dir = temp_dir("troupe-proxy");
  int port = 0;

  // `pool_extra`: more YAML keys of the pool (two-space indented lines).
  int admin_port = free_port();

  explicit proxy_pool_rig(const std::string& pool_extra = "", int count = 3,
                          std::vector<std::string> proxy_args = {}) {
    for (int i = 0; i < count; ++i) {
      std::vector<std::string> args = {"--enable-debug-command", "yes"};
      backends.push_back(std::make_unique<server_process>(args, kind::redis));
      EXPECT_TRUE(backends.back()->start());
    }
    std::string yaml =
        "alpha:\n  listen: 127.0.0.1:1\n  redis: true\n  hash: fnv1a_64\n"
        "  distribution: ketama\n" +
        pool_extra + "  servers:\n";
    for (int i = 0; i < count; ++i)
      yaml += "   - 127.0.0.1:" + std::to_string(backends[size_t(i)]->port()) + ":1 b" +
              std::to_string(i) + "\n";
    std::ofstream(dir + "/pool.yml") << yaml;
    std::vector<std::string> args = {"--proxy", "--admin-port", std::to_string(admin_port)};
    args.insert(args.end(), proxy_args.begin(), proxy_args.end());
    proxy = std::make_unique<server_process>(args, kind::troupe, dir + "/pool.yml");
    EXPECT_TRUE(proxy->start()) << proxy->log_text();
    port = proxy->port();
  }
  resp_value call(const std::vector<std::string>& args) { return proxy->call(args); }
  // The backend holding `key` (by EXISTS), or -1.
  int holder(const std::string& key) {
    for (size_t i = 0; i < backends.size(); ++i)
      if (backends[i]->running() && backends[i]->call({"EXISTS", key}).integer == 1) return int(i);
    return -1;
  }
  // A key (prefix + n) that lives on backend b, found by writing through the proxy.
  std::string key_on(int b, const std::string& prefix) {
    for (int n = 0; n < 1000; ++n) {
      std::string k = prefix + std::to_string(n);
      call({"SET", k, "probe"});
      if (holder(k) == b) return k;
    }
    ADD_FAILURE() << "no key of backend " << b;
    return "";
  }
};

// Sends DEBUG SLEEP `seconds` to a backend through `direct`; true once a PING
// through `probe` (another connection to it) goes unanswered for `silence_ms`.
bool put_to_sleep(resp_client& direct, resp_client& probe, const std::string& seconds,
                  int silence_ms) {
  direct.append({"DEBUG", "SLEEP", seconds});
  if (!direct.flush()) return false;
  return wait_for(
      [&] {
        probe.append({"PING"});
        probe.flush();
        return probe.read_raw(silence_ms).empty();
      },
      5000);
}

std::string proxy_info(proxy_pool_rig& r, const std::string& field) {
  std::string info = r.call({"INFO", "proxy"}).str;
  auto at = info.find(field + ":");
  if (at == std::string::npos) return "";
  auto end = info.find("\r\n", at);
  return info.substr(at + field.size() + 1, end - at - field.size() - 1);
}

}  // namespace

TEST(Proxy, ForwardsSplitsAndRefuses) {
  proxy_pool_rig r("  hash_tag: \"{}\"\n");
  EXPECT_EQ(r.call({"PING"}).str, "PONG");
  EXPECT_EQ(r.call({"ECHO", "hi"}).str, "hi");
  EXPECT_EQ(r.call({"SET", "foo", "bar"}).str, "OK");
  EXPECT_EQ(r.call({"GET", "foo"}).str, "bar");
  EXPECT_EQ(r.proxy->cli({"get", "foo"}), "bar\n");

  // MSET over many keys lands on every backend; MGET gives them back in order.
  std::vector<std::string> mset = {"MSET"}, mget = {"MGET"};
  // (Keys that differ only in their last byte hash close together with
  // fnv1a_64, under nutcracker too: these differ more.)
  for (int i = 0; i < 60; ++i) {
    mset.push_back("k" + std::to_string(i * 7919));
    mset.push_back("v" + std::to_string(i * 7919));
    mget.push_back("k" + std::to_string(i * 7919));
    if (i % 7 == 0) mget.push_back("missing" + std::to_string(i));
  }
  EXPECT_EQ(r.call(mset).str, "OK");
  std::set<int> holders;
  for (int i = 0; i < 60; ++i) holders.insert(r.holder("k" + std::to_string(i * 7919)));
  EXPECT_EQ(holders, (std::set<int>{0, 1, 2}));
  resp_value got = r.call(mget);
  ASSERT_EQ(got.elements.size(), mget.size() - 1);
  for (size_t i = 1; i < mget.size(); ++i) {
    if (mget[i].rfind("missing", 0) == 0)
      EXPECT_TRUE(got.elements[i - 1].is_nil()) << mget[i];
    else
      EXPECT_EQ(got.elements[i - 1].str, "v" + mget[i].substr(1)) << mget[i];
  }
  std::vector<std::string> k;
  for (int i = 0; i < 6; ++i) k.push_back("k" + std::to_string(i * 7919));
  EXPECT_EQ(r.call({"EXISTS", k[1], k[2], k[3], "nope", k[1]}).integer, 4);
  EXPECT_EQ(r.call({"TOUCH", k[1], k[2], "nope"}).integer, 2);
  EXPECT_EQ(r.call({"DEL", k[1], k[2], k[3], "nope"}).integer, 3);
  EXPECT_EQ(r.call({"UNLINK", k[4], k[5], k[4]}).integer, 2);
  EXPECT_EQ(r.call({"EXISTS", k[1], k[2], k[3], k[4], k[5]}).integer, 0);

  // Keys of one hash tag stay together, so multi-key commands work on them.
  EXPECT_EQ(r.call({"SADD", "{u}a", "x", "y"}).integer, 2);
  EXPECT_EQ(r.call({"SADD", "{u}b", "y", "z"}).integer, 2);
  EXPECT_EQ(r.call({"SINTERSTORE", "{u}c", "{u}a", "{u}b"}).integer, 1);
  EXPECT_EQ(r.call({"EVAL", "return redis.call('get', KEYS[1])", "1", "foo"}).str, "bar");

  // What a proxy cannot serve: a clear error, and the connection goes on.
  resp_client c;
  ASSERT_TRUE(c.connect("127.0.0.1", r.port));
  std::string a = r.key_on(0, "a"), b = r.key_on(1, "b");
  for (auto cmd :
       std::vector<std::vector<std::string>>{{"KEYS", "*"},
                                             {"MULTI"},
                                             {"BLPOP", "x", "0"},
                                             {"SUBSCRIBE", "ch"},
                                             {"SCAN", "0"},
                                             {"EVAL", "return 1", "0"},
                                             {"XREAD", "BLOCK", "0", "STREAMS", "s", "$"},
                                             {"SUNION", a, b},
                                             {"RENAME", a, b}}) {
    resp_value v = c.call(cmd);
    EXPECT_TRUE(v.is_error()) << cmd[0] << " " << v.str;
    EXPECT_NE(v.str.find("proxy"), std::string::npos) << v.str;
  }
  EXPECT_EQ(c.call({"NOSUCH", "x"}).str,
            "ERR unknown command 'NOSUCH', with args beginning with: 'x' ");
  EXPECT_EQ(c.call({"GET"}).str, "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(c.call({"SELECT", "0"}).str, "OK");
  EXPECT_TRUE(c.call({"SELECT", "1"}).is_error());
  EXPECT_EQ(c.call({"GET", "foo"}).str, "bar");

  // INFO: the pool and each backend.
  EXPECT_EQ(proxy_info(r, "proxy_pool"), "alpha");
  EXPECT_EQ(proxy_info(r, "proxy_servers"), "3");
  EXPECT_NE(proxy_info(r, "backend0").find("status=up"), std::string::npos);
  EXPECT_NE(proxy_info(r, "backend2").find("name=b2"), std::string::npos);
  // Proxy mode gathers for 100 µs unless the config says otherwise.
  EXPECT_EQ(proxy_info(r, "proxy_reactor_coalesce_us"), "100");
  // The same figures on the admin endpoint, and its actors in /topology.
  http_reply metrics = http_get(r.admin_port, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("troupe_proxy_backend_up{addr=\"127.0.0.1:" +
                              std::to_string(r.backends[0]->port()) + "\",name=\"b0\"} 1"),
            std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find("troupe_proxy_requests_total "), std::string::npos);
  http_reply topology = http_get(r.admin_port, "/topology");
  EXPECT_NE(topology.body.find("proxy_router"), std::string::npos);
  EXPECT_NE(topology.body.find("proxy_backend"), std::string::npos);
  EXPECT_NE(topology.body.find("proxy_client"), std::string::npos);
}

// A long pipeline mixing forwarded, split, local and refused requests comes
// back whole and in order.
TEST(Proxy, PipelineRepliesInOrder) {
  proxy_pool_rig r;
  resp_client c;
  ASSERT_TRUE(c.connect("127.0.0.1", r.port));
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    std::string k = "p" + std::to_string(i);
    switch (i % 5) {
      case 0:
        c.append({"SET", k, std::to_string(i)});
        break;
      case 1:
        c.append({"INCR", "counter" + std::to_string(i % 17)});
        break;
      case 2:
        c.append({"PING", std::to_string(i)});
        break;
      case 3:
        c.append({"MGET", "p" + std::to_string(i - 3), "p" + std::to_string(i - 8), "x"});
        break;
      case 4:
        c.append({"KEYS", std::to_string(i)});
        break;
    }
  }
  // And an inline command at the end.
  ASSERT_TRUE(c.flush());
  ASSERT_TRUE(c.send_raw("PING inline\r\n"));
  std::map<int, int64_t> counters;
  for (int i = 0; i < n; ++i) {
    resp_value v = c.read_reply();
    switch (i % 5) {
      case 0:
        ASSERT_EQ(v.str, "OK") << i;
        break;
      case 1:
        ASSERT_EQ(v.integer, ++counters[i % 17]) << i;
        break;
      case 2:
        ASSERT_EQ(v.str, std::to_string(i)) << i;
        break;
      case 3:
        ASSERT_EQ(v.elements.size(), 3u) << i;
        ASSERT_EQ(v.elements[0].str, std::to_string(i - 3)) << i;
        if (i >= 8) {
          ASSERT_EQ(v.elements[1].str, std::to_string(i - 8)) << i;
        }
        ASSERT_TRUE(v.elements[2].is_nil()) << i;
        break;
      case 4:
        ASSERT_TRUE(v.is_error()) << i;
        break;
    }
  }
  EXPECT_EQ(c.read_reply().str, "inline");
  // QUIT: its OK, then the connection ends (what follows is not served).
  ASSERT_TRUE(c.send_raw("QUIT\r\nPING\r\n"));
  EXPECT_EQ(c.read_reply().str, "OK");
  EXPECT_EQ(c.read_raw(2000), "");
}

// redis-py through the proxy: commands, a pipeline, MGET/MSET.
TEST(Proxy, RedisPyClient) {
  proxy_pool_rig r;
  std::string script = r.dir + "/client.py";
  std::ofstream(script) << "import redis, sys\n"
                           "r = redis.Redis(port=int(sys.argv[1]))\n"
                           "assert r.ping()\n"
                           "r.mset({'a%d' % i: i for i in range(200)})\n"
                           "assert r.mget(['a%d' % i for i in range(200)]) == "
                           "[str(i).encode() for i in range(200)]\n"
                           "p = r.pipeline(transaction=False)\n"
                           "for i in range(100): p.incr('n%d' % (i % 10))\n"
                           "out = p.execute()\n"
                           "assert out[-1] == 10, out\n"
                           "assert r.delete(*['a%d' % i for i in range(200)]) == 200\n"
                           "print('ok')\n";
  int status = -1;
  std::string out =
      run_command("/usr/bin/python3 " + script + " " + std::to_string(r.port) + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "ok\n");
}

// The pool as `proxy` lines of a Troupe config, with a password on the backends.
TEST(Proxy, TroupeConfigAndBackendAuth) {
  std::vector<std::unique_ptr<server_process>> backends;
  for (int i = 0; i < 2; ++i) {
    backends.push_back(std::make_unique<server_process>(
        std::vector<std::string>{"--requirepass", "s3cret"}, kind::redis));
    ASSERT_TRUE(backends.back()->start());
  }
  std::string dir = temp_dir("troupe-proxy-conf");
  std::ofstream conf(dir + "/proxy.conf");
  conf << "proxy hash murmur\nproxy distribution ketama\nproxy redis_auth s3cret\n"
       << "reactor-coalesce-us 20\n";
  for (auto& b : backends) conf << "proxy server 127.0.0.1:" << b->port() << ":1\n";
  conf.close();
  server_process proxy({"--proxy"}, kind::troupe, dir + "/proxy.conf");
  ASSERT_TRUE(proxy.start()) << proxy.log_text();
  resp_client c;
  ASSERT_TRUE(c.connect("127.0.0.1", proxy.port()));
  // The proxy asks its clients for the pool's password, as nutcracker does.
  EXPECT_EQ(c.call({"GET", "x"}).str, "NOAUTH Authentication required.");
  EXPECT_TRUE(c.call({"AUTH", "wrong"}).is_error());
  EXPECT_EQ(c.call({"AUTH", "s3cret"}).str, "OK");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(c.call({"SET", "c" + std::to_string(i), "v"}).str, "OK");
  int64_t total = 0;
  for (auto& b : backends) {
    resp_client d;
    ASSERT_TRUE(d.connect("127.0.0.1", b->port()));
    d.call({"AUTH", "s3cret"});
    total += d.call({"DBSIZE"}).integer;
  }
  EXPECT_EQ(total, 20);
  std::string info = c.call({"INFO", "proxy"}).str;
  EXPECT_NE(info.find("proxy_hash:murmur"), std::string::npos) << info;
  // The config's own reactor-coalesce-us wins over proxy mode's default.
  EXPECT_NE(info.find("proxy_reactor_coalesce_us:20\r\n"), std::string::npos) << info;
}

// A killed backend is ejected after server_failure_limit failures; its keys go
// to the others meanwhile, and it is back after server_retry_timeout.
TEST(Proxy, EjectsAKilledBackendAndTakesItBack) {
  proxy_pool_rig r(
      "  auto_eject_hosts: true\n  server_failure_limit: 2\n  server_retry_timeout: 1500\n");
  std::string k = r.key_on(1, "e");
  int port = r.backends[1]->port();
  r.backends[1]->kill_now();
  // Failures reach the client until the limit, then the key is served elsewhere.
  int errors = 0;
  ASSERT_TRUE(wait_for(
      [&] {
        resp_value v = r.call({"SET", k, "moved"});
        if (v.is_error()) {
          ++errors;
          EXPECT_NE(v.str.find(std::to_string(port)), std::string::npos) << v.str;
        }
        return v.str == "OK";
      },
      10000));
  EXPECT_GE(errors, 1);
  EXPECT_LE(errors, 2);
  EXPECT_NE(r.holder(k), 1);
  EXPECT_NE(proxy_info(r, "backend1").find("status=ejected"), std::string::npos);
  EXPECT_EQ(proxy_info(r, "proxy_servers_ejected"), "1");
  // Back on its port: after the retry timeout, its keys go to it again.
  server_process again({"--port", std::to_string(port)}, kind::redis);
  ASSERT_TRUE(again.start());
  ASSERT_TRUE(wait_for(
      [&] {
        r.call({"SET", k, "home"});
        return again.call({"GET", k}).str == "home";
      },
      10000))
      << r.call({"INFO", "proxy"}).str;
  EXPECT_NE(proxy_info(r, "backend1").find("status=up"), std::string::npos);
  EXPECT_NE(proxy_info(r, "backend1").find("ejections=1"), std::string::npos);
}

// With `threads 2` every reactor's router shares the ejection: failures seen
// on one reactor eject the server for all, once, and the other reactor's
// clients never meet the dead server.
TEST(Proxy, ReactorsShareTheEjection) {
  proxy_pool_rig r(
      "  auto_eject_hosts: true\n  server_failure_limit: 2\n  server_retry_timeout: 60000\n", 3,
      {"--threads", "2"});
  std::string k = r.key_on(1, "e");
  // Connections are spread over the two reactors.
  std::vector<std::unique_ptr<resp_client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<resp_client>());
    ASSERT_TRUE(clients.back()->connect("127.0.0.1", r.port));
  }
  r.backends[1]->kill_now();
  int errors = 0;
  ASSERT_TRUE(wait_for(
      [&] {
        resp_value v = clients[0]->call({"SET", k, "moved"});
        errors += v.is_error();
        return v.str == "OK";
      },
      10000));
  EXPECT_LE(errors, 2);
  for (auto& c : clients) EXPECT_EQ(c->call({"SET", k, "elsewhere"}).str, "OK");
  EXPECT_NE(proxy_info(r, "backend1").find("ejections=1,"), std::string::npos)
      << proxy_info(r, "backend1");
  EXPECT_EQ(proxy_info(r, "proxy_servers_ejected"), "1");
}

// A backend killed in the middle of a client's pipeline: every request gets
// its reply, in order; only the dead backend's requests fail.
TEST(Proxy, BackendKilledMidPipeline) {
  proxy_pool_rig r;
  std::vector<std::string> keys;
  std::vector<int> owner;
  for (int b = 0; b < 3; ++b)
    for (int j = 0; j < 3; ++j) {
      keys.push_back(r.key_on(b, "m" + std::to_string(b) + "_" + std::to_string(j) + "_"));
      owner.push_back(b);
    }
  resp_client c;
  ASSERT_TRUE(c.connect("127.0.0.1", r.port));
  c.set_timeout(20000);
  const int n = 20000;
  for (int i = 0; i < n; ++i) c.append({"SET", keys[size_t(i) % keys.size()], std::to_string(i)});
  ASSERT_TRUE(c.flush());
  // Some replies are back: the dead backend dies while the rest are in flight.
  for (int i = 0; i < 100; ++i) ASSERT_EQ(c.read_reply().str, "OK");
  r.backends[2]->kill_now();
  int failed = 0;
  for (int i = 100; i < n; ++i) {
    resp_value v = c.read_reply();
    ASSERT_TRUE(v.str == "OK" || v.is_error()) << i << " " << v.str << c.error();
    if (v.is_error()) {
      ++failed;
      ASSERT_EQ(owner[size_t(i) % keys.size()], 2) << i << " " << v.str;
    }
  }
  EXPECT_GT(failed, 0);
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
}

// A stalled backend: clients whose keys live elsewhere are answered meanwhile;
// past the pool's `timeout` the stalled backend's requests fail.
TEST(Proxy, StalledBackendDoesNotHoldOthers) {
  proxy_pool_rig r("  timeout: 500\n");
  std::string slow = r.key_on(0, "s"), fast = r.key_on(1, "f");
  resp_client waiting, other;
  ASSERT_TRUE(waiting.connect("127.0.0.1", r.port));
  ASSERT_TRUE(other.connect("127.0.0.1", r.port));
  // DEBUG SLEEP on the backend itself: it stops answering for 3 s.
  resp_client direct;
  ASSERT_TRUE(direct.connect("127.0.0.1", r.backends[0]->port()));
  resp_client probe;
  ASSERT_TRUE(probe.connect("127.0.0.1", r.backends[0]->port()));
  ASSERT_TRUE(put_to_sleep(direct, probe, "3", 300));
  waiting.append({"GET", slow});
  ASSERT_TRUE(waiting.flush());
  // The other client is served while the first one's request waits.
  EXPECT_EQ(other.call({"SET", fast, "x"}).str, "OK");
  EXPECT_EQ(waiting.read_raw(0), "");
  // Past the timeout the waiting request fails (well before the sleep ends).
  waiting.set_timeout(10000);
  resp_value v = waiting.read_reply();
  EXPECT_TRUE(v.is_error()) << v.str;
  EXPECT_NE(v.str.find("timed out"), std::string::npos) << v.str;
  EXPECT_NE(proxy_info(r, "backend0").find("timeouts=1"), std::string::npos);
}

// While a batch is in flight to a backend, the requests for it that come
// meanwhile wait in the proxy and leave together once that batch is answered
// (proxy_backend::want_flush); a big one leaves at once. None may be left
// behind, and each client's replies keep its order.
TEST(Proxy, RequestsHeldBehindABusyBatchAllLeave) {
  proxy_pool_rig r;
  std::string first = r.key_on(0, "h"), counter = r.key_on(0, "c"), big = r.key_on(0, "b");
  EXPECT_EQ(r.call({"DEL", counter}).integer, 1);
  resp_client direct, probe, a, b, c;
  ASSERT_TRUE(direct.connect("127.0.0.1", r.backends[0]->port()));
  ASSERT_TRUE(probe.connect("127.0.0.1", r.backends[0]->port()));
  for (auto* cl : {&a, &b, &c}) {
    ASSERT_TRUE(cl->connect("127.0.0.1", r.port));
    cl->set_timeout(10000);
  }
  // Puts the backend to sleep, then has a's GET written to it: the batch in
  // flight (the proxy answers INFO only after a pass's writes to its backends).
  auto busy_batch = [&] {
    ASSERT_TRUE(put_to_sleep(direct, probe, "0.5", 100));
    std::string before = proxy_info(r, "backend0");
    a.append({"GET", first});
    ASSERT_TRUE(a.flush());
    ASSERT_TRUE(wait_for([&] { return proxy_info(r, "backend0") != before; }, 5000));
  };
  // Held behind it: a pipeline from b, answered in order once a's batch is.
  busy_batch();
  for (int i = 0; i < 200; ++i) b.append({"INCR", counter});
  ASSERT_TRUE(b.flush());
  EXPECT_EQ(a.read_reply().str, "probe");
  for (int i = 1; i <= 200; ++i) {
    resp_value v = b.read_reply();
    ASSERT_EQ(v.integer, i) << v.str;
  }
  // A value far past the hold limit, and a small request after it.
  busy_batch();
  std::string value(256 * 1024, 'v');
  c.append({"SET", big, value});
  c.append({"INCR", counter});
  ASSERT_TRUE(c.flush());
  EXPECT_EQ(a.read_reply().str, "probe");
  EXPECT_EQ(c.read_reply().str, "OK");
  EXPECT_EQ(c.read_reply().integer, 201);
  EXPECT_EQ(r.call({"GET", big}).str, value);
  direct.read_reply();
  direct.read_reply();
}

namespace {

// A backend that answers every read with `reply`: garbage, a reply nobody
// asked for, or a bulk header announcing more than it will ever send.
class fake_backend {
 public:
  explicit fake_backend(std::string reply) : reply_(std::move(reply)) {
    port_ = free_port_block(1);
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(uint16_t(port_));
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
    listen(fd_, 16);
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        while (recv(c, buf, sizeof buf, 0) > 0) {
          ssize_t w = send(c, reply_.data(), reply_.size(), MSG_NOSIGNAL);
          (void)w;
        }
        ::close(c);
      }
    });
  }
  ~fake_backend() {
    shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  std::string reply_;
  int port_ = 0, fd_ = -1;
  std::thread thread_;
};

}  // namespace

// Garbage from a backend fails that backend's requests with an error; the
// proxy keeps serving every other key.
TEST(Proxy, GarbageFromABackend) {
  for (std::string garbage :
       {std::string("?what\r\n"), std::string("+OK\r\n+OK\r\n"), std::string("$99999999999\r\nabc"),
        std::string("*9\r\n*9\r\n"), std::string(200, '*') + "1\r\n"}) {
    fake_backend bad(garbage);
    server_process good({}, kind::redis);
    ASSERT_TRUE(good.start());
    std::string dir = temp_dir("troupe-proxy-garbage");
    std::ofstream(dir + "/pool.yml")
        << "p:\n  listen: 127.0.0.1:1\n  redis: true\n  timeout: 300\n  servers:\n"
        << "   - 127.0.0.1:" << good.port() << ":1 good\n"
        << "   - 127.0.0.1:" << bad.port() << ":1 bad\n";
    server_process proxy({"--proxy"}, kind::troupe, dir + "/pool.yml");
    ASSERT_TRUE(proxy.start());
    resp_client c;
    ASSERT_TRUE(c.connect("127.0.0.1", proxy.port()));
    c.set_timeout(5000);
    int errors = 0;
    for (int i = 0; i < 30; ++i) {
      resp_value v = c.call({"SET", "g" + std::to_string(i * 7919), "v"});
      if (v.is_error()) ++errors;
      ASSERT_TRUE(v.str == "OK" || v.is_error()) << c.error();
    }
    // The bad backend's requests failed (a surplus reply only breaks the link
    // after the request it followed was answered).
    if (garbage != "+OK\r\n+OK\r\n") {
      EXPECT_EQ(good.call({"DBSIZE"}).integer + errors, 30) << garbage;
      EXPECT_GT(errors, 0) << garbage;
    }
    EXPECT_TRUE(proxy.running()) << garbage;
    EXPECT_EQ(c.call({"PING"}).str, "PONG");
  }
}

// What a hostile client sends gets Redis's protocol errors; the proxy lives on;
// clients past maxclients are told so, as Redis tells them.
TEST(Proxy, HostileClientInput) {
  proxy_pool_rig r("", 3, {"--maxclients", "3"});
  {
    std::vector<resp_client> held(3);
    for (auto& h : held) {
      ASSERT_TRUE(h.connect("127.0.0.1", r.port));
      ASSERT_EQ(h.call({"PING"}).str, "PONG");
    }
    resp_client extra;
    ASSERT_TRUE(extra.connect("127.0.0.1", r.port));
    EXPECT_EQ(extra.read_reply().str, "ERR max number of clients reached");
  }
  // Closed clients leave room again.
  ASSERT_TRUE(wait_for([&] { return r.call({"PING"}).str == "PONG"; }, 5000));
  for (std::string bad : {std::string("*99999999999\r\n"), std::string("*2\r\n$-5\r\n"),
                          std::string("*1\r\n$999999999999\r\n"), std::string("\x00\xff\r\n", 4),
                          std::string("*-1\r\n*1\r\n$4\r\nPING\r\n"), std::string(70000, 'a')}) {
    resp_client c;
    ASSERT_TRUE(c.connect("127.0.0.1", r.port));
    ASSERT_TRUE(c.send_raw(bad));
    c.read_raw(200);
  }
  // A split request over many keys, and one with a huge count of keys.
  std::vector<std::string> mget = {"MGET"};
  for (int i = 0; i < 20000; ++i) mget.push_back("h" + std::to_string(i));
  resp_value v = r.call(mget);
  EXPECT_EQ(v.elements.size(), 20000u);
  EXPECT_EQ(r.call({"EXISTS", "a", "b"}).integer, 0);
  EXPECT_TRUE(r.proxy->running());
  EXPECT_EQ(r.call({"PING"}).str, "PONG");
}
