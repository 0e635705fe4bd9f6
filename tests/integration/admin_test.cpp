// The admin endpoint over real HTTP: /health, /info (JSON), /metrics parsed by
// the Prometheus client library's own parser with redis_exporter's names,
// /topology with the actors and the remote peers of a replication pair,
// /slowlog, authentication with requirepass, the default port derived from the
// data port (and a start that survives it being taken), hostile requests, and
// the dashboard rendered by headless Chromium with live data in its DOM.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <regex>
#include <thread>

#include "support/http_client.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// Runs a python3 script with `input` on its stdin; returns its stdout.
std::string python(const std::string& script, const std::string& input) {
  char path[] = "/tmp/troupe-admin-XXXXXX";
  int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  ssize_t w = write(fd, input.data(), input.size());
  EXPECT_EQ(size_t(w), input.size());
  close(fd);
  std::string cmd = "/usr/bin/python3 -c '" + script + "' < " + path + " 2>&1";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  unlink(path);
  return out;
}

TEST(admin, health_info_and_slowlog) {
  int admin = free_port();
  server_process s({"--admin-port", std::to_string(admin), "--slowlog-log-slower-than", "0"});
  ASSERT_TRUE(s.start());
  s.call({"SET", "k", "v"});
  http_reply h = http_get(admin, "/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_NE(h.body.find("\"status\":\"ok\""), std::string::npos) << h.body;
  http_reply info = http_get(admin, "/info");
  ASSERT_EQ(info.status, 200);
  EXPECT_NE(info.headers.find("application/json"), std::string::npos);
  std::string checked = python(
      "import json,sys; d=json.load(sys.stdin); "
      "print(d[\"Server\"][\"tcp_port\"], d[\"Keyspace\"][\"db0\"][\"keys\"], "
      "\"Troupe\" in d, \"cmdstat_set\" in d[\"Commandstats\"])",
      info.body);
  EXPECT_EQ(checked, std::to_string(s.port()) + " 1 True True\n");
  http_reply slow = http_get(admin, "/slowlog");
  EXPECT_NE(slow.body.find("\"args\":[\"SET\",\"k\",\"v\"]"), std::string::npos) << slow.body;
  EXPECT_EQ(http_get(admin, "/nothing").status, 404);
  EXPECT_EQ(
      http_get(admin, "", "", "POST /info HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").status,
      405);
}

TEST(admin, metrics_parse_with_the_prometheus_client_under_redis_exporter_names) {
  int admin = free_port();
  server_process s({"--admin-port", std::to_string(admin)});
  ASSERT_TRUE(s.start());
  resp_client held = s.client();  // connected_clients counts it
  for (int i = 0; i < 5; ++i) s.call({"SET", "k" + std::to_string(i), "v", "EX", "100"});
  s.call({"GET", "k1"});
  s.call({"GET", "missing"});
  http_reply m = http_get(admin, "/metrics");
  ASSERT_EQ(m.status, 200);
  std::string out = python(
      "import sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "v={}\n"
      "for f in text_string_to_metric_families(sys.stdin.read()):\n"
      "  for s in f.samples:\n"
      "    v[(s.name, tuple(sorted(s.labels.items())))]=s.value\n"
      "def g(n, **l): return v.get((n, tuple(sorted(l.items()))))\n"
      "print(g(\"redis_up\"), g(\"redis_db_keys\", db=\"db0\"), "
      "g(\"redis_db_keys_expiring\", db=\"db0\"), g(\"redis_commands_total\", cmd=\"set\"), "
      "g(\"redis_keyspace_hits_total\"), g(\"redis_keyspace_misses_total\"), "
      "g(\"redis_connected_clients\") >= 1, g(\"redis_memory_used_bytes\") > 0, "
      "g(\"redis_aof_enabled\"), g(\"troupe_actors\", type=\"shard\"), "
      "g(\"redis_latency_percentiles_usec_count\", cmd=\"set\"), "
      "any(k[0]==\"redis_instance_info\" and (\"role\",\"master\") in k[1] for k in v))\n",
      m.body);
  EXPECT_EQ(out, "1.0 5.0 5.0 5.0 1.0 1.0 True True 0.0 4.0 5.0 True\n") << m.body.substr(0, 3000);
}

TEST(admin, topology_shows_actors_and_the_replication_peers) {
  int admin_m = free_port(), admin_r = free_port();
  server_process master(
      {"--admin-port", std::to_string(admin_m), "--repl-diskless-sync-delay", "0"});
  ASSERT_TRUE(master.start());
  server_process replica({"--admin-port", std::to_string(admin_r), "--replicaof", "127.0.0.1",
                          std::to_string(master.port())});
  ASSERT_TRUE(replica.start());
  bool linked = false;
  for (int i = 0; i < 200 && !linked; ++i) {
    linked = replica.call({"INFO", "replication"}).str.find("master_link_status:up") !=
             std::string::npos;
    if (!linked) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(linked);
  http_reply t = http_get(admin_m, "/topology");
  ASSERT_EQ(t.status, 200);
  std::string summary = python(
      "import json,sys; d=json.load(sys.stdin); types=sorted(set(a[\"type\"] for a in "
      "d[\"actors\"])); "
      "print(\",\".join(t for t in types if t in (\"shard\",\"listener\",\"admin_endpoint\","
      "\"replica_feed\",\"lazy_freer\")), [r[\"kind\"] for r in d[\"remote\"]])",
      t.body);
  EXPECT_EQ(summary, "admin_endpoint,lazy_freer,listener,replica_feed,shard ['replica']\n")
      << t.body;
  http_reply rt = http_get(admin_r, "/topology");
  EXPECT_NE(rt.body.find("\"kind\":\"master\",\"addr\":\"127.0.0.1:" +
                         std::to_string(master.port()) + "\",\"link\":\"up\""),
            std::string::npos)
      << rt.body;
  EXPECT_NE(rt.body.find("\"type\":\"master_link\""), std::string::npos);
}

TEST(admin, requirepass_means_basic_authentication) {
  int admin = free_port();
  server_process s({"--admin-port", std::to_string(admin), "--requirepass", "s3cret"});
  ASSERT_TRUE(s.start());
  http_reply none = http_get(admin, "/metrics");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.headers.find("WWW-Authenticate: Basic"), std::string::npos) << none.headers;
  // "default:wrong" and "default:s3cret" in base64.
  EXPECT_EQ(http_get(admin, "/metrics", "Authorization: Basic ZGVmYXVsdDp3cm9uZw==\r\n").status,
            401);
  EXPECT_EQ(http_get(admin, "/metrics", "Authorization: Basic ZGVmYXVsdDpzM2NyZXQ=\r\n").status,
            200);
  // An ACL user who may not run INFO may not read the endpoint either
  // ("nosy:pw" and "reader:pw" in base64).
  resp_client c = s.client();
  c.call({"AUTH", "s3cret"});
  c.call({"ACL", "SETUSER", "nosy", "on", ">pw", "+@all", "-info"});
  c.call({"ACL", "SETUSER", "reader", "on", ">pw", "+info"});
  EXPECT_EQ(http_get(admin, "/metrics", "Authorization: Basic bm9zeTpwdw==\r\n").status, 401);
  EXPECT_EQ(http_get(admin, "/metrics", "Authorization: Basic cmVhZGVyOnB3\r\n").status, 200);
}

TEST(admin, the_default_port_is_derived_and_a_taken_one_is_only_a_warning) {
  // Hold the port the server will derive: it must start anyway, and log why.
  int data = free_port();
  int derived = data + 30000 <= 65535 ? data + 30000 : data - 30000;
  int blocker = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(derived));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int one = 1;
  setsockopt(blocker, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  bool held =
      bind(blocker, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 && listen(blocker, 1) == 0;
  server_process t({"--port", std::to_string(data)});
  ASSERT_TRUE(t.start());
  EXPECT_EQ(t.call({"PING"}).str, "PONG");
  if (held) {
    bool warned = false;
    for (int i = 0; i < 100 && !warned; ++i) {
      warned = t.log_text().find("Admin endpoint not started") != std::string::npos;
      if (!warned) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(warned) << t.log_text();
  }
  close(blocker);
  // With the port free, the derived port answers.
  server_process u({"--port", std::to_string(data)});
  t.stop();
  ASSERT_TRUE(u.start());
  http_reply h;
  for (int i = 0; i < 100 && h.status == 0; ++i) {
    h = http_get(derived, "/health");
    if (h.status == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(h.status, 200);
}

TEST(admin, hostile_requests_leave_it_serving) {
  int admin = free_port();
  server_process s({"--admin-port", std::to_string(admin)});
  ASSERT_TRUE(s.start());
  http_get(admin, "", "", "GARBAGE\r\n\r\n");
  http_get(admin, "", "", "GET / HTTP/1.1\r\nX: " + std::string(100000, 'a') + "\r\n\r\n");
  http_get(admin, "", "", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  // A client that connects and says nothing does not hold it up.
  int idle = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(admin));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(idle, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  EXPECT_EQ(http_get(admin, "/health").status, 200);
  close(idle);
  EXPECT_EQ(s.call({"PING"}).str, "PONG");
}

TEST(admin, the_dashboard_shows_live_data_in_headless_chromium) {
  const char* chromium = "/usr/bin/chromium";
  if (access(chromium, X_OK) != 0) GTEST_SKIP() << "chromium is not installed";
  int admin = free_port();
  server_process s({"--admin-port", std::to_string(admin)});
  ASSERT_TRUE(s.start());
  s.call({"SET", "dash", "board"});
  std::string cmd = std::string(chromium) +
                    " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                    "--virtual-time-budget=3000 --dump-dom http://127.0.0.1:" +
                    std::to_string(admin) + "/ 2>/dev/null";
  std::string dom;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[8192];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) dom.append(buf, n);
    pclose(p);
  }
  EXPECT_TRUE(std::regex_search(dom, std::regex(R"(<span id="status"[^>]*>live )"))) << dom;
  EXPECT_TRUE(std::regex_search(dom, std::regex(R"(id="ops-value">\d+<)"))) << dom;
  EXPECT_NE(dom.find("<td>db0</td><td>1</td>"), std::string::npos);
  EXPECT_NE(dom.find("data-type=\"shard\""), std::string::npos);
  EXPECT_NE(dom.find("data-type=\"admin_endpoint\""), std::string::npos);
}

}  // namespace
