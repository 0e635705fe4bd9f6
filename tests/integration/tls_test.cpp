// TLS: a CA and certificates made at run time (openssl CLI), Troupe on a
// tls-port, and stock clients over it: redis-cli --tls, redis-benchmark --tls,
// redis-py with ssl. tls-auth-clients yes/optional/no, CONFIG SET reloading the
// certificates, clients that do not speak TLS or stop half way through the
// handshake, and replication over TLS between Troupe and redis-server either
// way. Where Redis defines the behaviour the same check runs against
// redis-server with the same certificates.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"
#include "support/tls_certs.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

tls_certs* certs = nullptr;

// A server (Troupe or redis-server) with a plain port (how server_process
// checks it is up) and a TLS port.
struct tls_server {
  int tls_port = free_port();
  server_process proc;
  tls_server(std::vector<std::string> extra = {},
             server_process::kind k = server_process::kind::troupe)
      : proc(with(certs->server_args(tls_port), extra), k) {}
  static std::vector<std::string> with(std::vector<std::string> a,
                                       const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }
  // redis-cli over TLS; `tls_options` as tls_certs::cli_options.
  std::string cli(const std::string& tls_options, const std::string& args,
                  int* status = nullptr) const {
    return run_command("redis-cli -h 127.0.0.1 -p " + std::to_string(tls_port) + " " + tls_options +
                           " " + args + " 2>&1",
                       status);
  }
};

int connect_raw(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Reads until the peer closes (true) or `ms` pass without it (false).
bool closed_by_peer(int fd, int ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  char buf[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;  // EOF or reset
  }
  return false;
}

class tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    certs = new tls_certs();
    ASSERT_TRUE(certs->make()) << certs->error;
  }
  static void TearDownTestSuite() {
    run_command("rm -rf " + certs->dir);
    delete certs;
    certs = nullptr;
  }
};

TEST_F(tls, redis_cli_with_client_certificate) {
  tls_server s;
  ASSERT_TRUE(s.proc.start()) << s.proc.log_text();
  EXPECT_EQ(s.cli(certs->cli_options(), "PING"), "PONG\n");
  EXPECT_EQ(s.cli(certs->cli_options(), "SET greeting 'hello over tls'"), "OK\n");
  EXPECT_EQ(s.cli(certs->cli_options(), "GET greeting"), "hello over tls\n");
  // The same data through the plain port: one keyspace.
  EXPECT_EQ(s.proc.call({"GET", "greeting"}).str, "hello over tls");
  // A pipe of many commands and a big value cross record boundaries.
  std::string input;
  for (int i = 0; i < 2000; ++i) input += "SET k" + std::to_string(i) + " v\n";
  std::string big(1 << 20, 'x');
  std::ofstream(certs->dir + "/big.txt") << "SET big " << big << "\nSTRLEN big\n";
  run_command("cat " + certs->dir + "/big.txt | redis-cli -p " + std::to_string(s.tls_port) + " " +
              certs->cli_options() + " > /dev/null");
  EXPECT_EQ(s.proc.call({"STRLEN", "big"}).integer, 1 << 20);
  EXPECT_EQ(s.cli(certs->cli_options(), "GETRANGE big 0 4"), "xxxxx\n");
  // A reply bigger than the socket takes at once: SSL_write goes on when it drains.
  EXPECT_EQ(run_command("redis-cli -p " + std::to_string(s.tls_port) + " " + certs->cli_options() +
                        " GET big | wc -c"),
            std::to_string((1 << 20) + 1) + "\n");
  std::string many = run_command("redis-cli -p " + std::to_string(s.tls_port) + " " +
                                 certs->cli_options() + " --pipe <<'EOF'\n" + input + "EOF\n");
  EXPECT_NE(many.find("errors: 0, replies: 2000"), std::string::npos) << many;
  EXPECT_EQ(s.proc.call({"EXISTS", "k0", "k1999"}).integer, 2);
}

// tls-auth-clients yes (the default): no certificate, or one from a CA the
// server does not trust, is refused; redis-server refuses the same clients.
TEST_F(tls, auth_clients_yes_refuses_clients_without_a_trusted_certificate) {
  tls_server troupe_srv;
  tls_server redis_srv({}, server_process::kind::redis);
  ASSERT_TRUE(troupe_srv.proc.start()) << troupe_srv.proc.log_text();
  ASSERT_TRUE(redis_srv.proc.start());
  std::string rogue = "--tls --cacert " + certs->ca_cert + " --cert " + certs->rogue_cert +
                      " --key " + certs->rogue_key;
  for (const tls_server* s : {&troupe_srv, &redis_srv}) {
    EXPECT_EQ(s->cli(certs->cli_options(), "PING"), "PONG\n");
    EXPECT_EQ(s->cli(certs->cli_options(false), "PING").find("PONG"), std::string::npos);
    EXPECT_EQ(s->cli(rogue, "PING").find("PONG"), std::string::npos);
  }
  // The refused handshakes left the server working.
  EXPECT_EQ(troupe_srv.cli(certs->cli_options(), "PING"), "PONG\n");
}

TEST_F(tls, auth_clients_optional_and_no) {
  tls_server s({"--tls-auth-clients", "optional"});
  ASSERT_TRUE(s.proc.start()) << s.proc.log_text();
  std::string rogue = "--tls --cacert " + certs->ca_cert + " --cert " + certs->rogue_cert +
                      " --key " + certs->rogue_key;
  EXPECT_EQ(s.cli(certs->cli_options(false), "PING"), "PONG\n");
  EXPECT_EQ(s.cli(certs->cli_options(), "PING"), "PONG\n");
  // optional: a certificate that is shown is still checked.
  EXPECT_EQ(s.cli(rogue, "PING").find("PONG"), std::string::npos);
  // no: not even asked for (read when a client is accepted: CONFIG SET is live).
  EXPECT_EQ(s.proc.call({"CONFIG", "SET", "tls-auth-clients", "no"}).str, "OK");
  EXPECT_EQ(s.cli(certs->cli_options(false), "PING"), "PONG\n");
  EXPECT_EQ(s.cli(rogue, "PING"), "PONG\n");
  EXPECT_EQ(s.proc.call({"CONFIG", "SET", "tls-auth-clients", "yes"}).str, "OK");
  EXPECT_EQ(s.cli(certs->cli_options(false), "PING").find("PONG"), std::string::npos);
  // The server still checks the certificate chain of the server side: a client
  // that trusts another CA refuses Troupe.
  EXPECT_EQ(s.cli("--tls --cacert " + certs->rogue_ca_cert, "PING").find("PONG"),
            std::string::npos);
}

TEST_F(tls, redis_py_with_ssl) {
  // Debian's python3 and its python3-redis (tools/install-deps), not whatever
  // python3 comes first in PATH.
  ASSERT_EQ(run_command("/usr/bin/python3 -c 'import redis' 2>&1"), "");
  tls_server s;
  ASSERT_TRUE(s.proc.start()) << s.proc.log_text();
  std::string script = certs->dir + "/client.py";
  std::ofstream(script) << "import redis, sys\n"
                           "r = redis.Redis(host='127.0.0.1', port=int(sys.argv[1]), ssl=True,\n"
                           "    ssl_ca_certs=sys.argv[2], ssl_certfile=sys.argv[3],\n"
                           "    ssl_keyfile=sys.argv[4])\n"
                           "r.set('py', 'snake')\n"
                           "p = r.pipeline()\n"
                           "for i in range(1000): p.incr('counter')\n"
                           "p.execute()\n"
                           "print(r.get('py').decode(), r.get('counter').decode(),\n"
                           "      r.connection_pool.get_connection('x').__class__.__name__)\n";
  int status = 0;
  std::string out =
      run_command("/usr/bin/python3 " + script + " " + std::to_string(s.tls_port) + " " +
                      certs->ca_cert + " " + certs->client_cert + " " + certs->client_key + " 2>&1",
                  &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out, "snake 1000 SSLConnection\n");
}

TEST_F(tls, redis_benchmark_over_tls) {
  tls_server s;
  ASSERT_TRUE(s.proc.start()) << s.proc.log_text();
  int status = 0;
  std::string out = run_command("redis-benchmark -h 127.0.0.1 -p " + std::to_string(s.tls_port) +
                                    " " + certs->cli_options() +
                                    " -c 20 -n 20000 -r 1000 -t set,get,lpush -P 4 -q 2>&1",
                                &status);
  EXPECT_EQ(status, 0) << out;
  for (auto t : {"SET:", "GET:", "LPUSH:"}) EXPECT_NE(out.find(t), std::string::npos) << out;
  EXPECT_EQ(out.find("rror"), std::string::npos) << out;
  EXPECT_GT(s.proc.call({"DBSIZE"}).integer, 0);
}

// Clients that do not finish a handshake: they cost a socket, never the
// reactor. Each is checked while a real TLS client is served beside it.
TEST_F(tls, hostile_handshakes_do_not_stall_the_server) {
  tls_server s({"--threads", "1"});
  ASSERT_TRUE(s.proc.start()) << s.proc.log_text();

  // 1. Not TLS at all: a RESP command, then random bytes. The server drops them.
  int plain = connect_raw(s.tls_port);
  ASSERT_GE(plain, 0);
  const char ping[] = "*1\r\n$4\r\nPING\r\n";
  ASSERT_EQ(send(plain, ping, sizeof ping - 1, 0), ssize_t(sizeof ping - 1));
  EXPECT_TRUE(closed_by_peer(plain, 5000));
  close(plain);
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    int fd = connect_raw(s.tls_port);
    ASSERT_GE(fd, 0);
    std::string junk(size_t(1 + rng() % 20000), '\0');
    for (auto& c : junk) c = char(rng());
    if (round % 2 == 0) junk[0] = 0x16;  // looks like a handshake record at first
    (void)send(fd, junk.data(), junk.size(), MSG_NOSIGNAL);
    EXPECT_TRUE(closed_by_peer(fd, 5000)) << "round " << round;
    close(fd);
  }

  // 2. Connects and never sends; 3. half a ClientHello, then silence. Both stay
  // open while other clients are served.
  int silent = connect_raw(s.tls_port);
  int half = connect_raw(s.tls_port);
  ASSERT_GE(silent, 0);
  ASSERT_GE(half, 0);
  // A handshake record announcing 512 bytes, of which only the start comes.
  const unsigned char hello[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03};
  ASSERT_EQ(send(half, hello, sizeof hello, 0), ssize_t(sizeof hello));
  EXPECT_EQ(s.cli(certs->cli_options(), "PING"), "PONG\n");
  EXPECT_EQ(s.proc.call({"PING"}).str, "PONG");
  // 4. Half a handshake, then the client hangs up.
  close(half);
  for (int i = 0; i < 10; ++i) {
    int fd = connect_raw(s.tls_port);
    ASSERT_GE(fd, 0);
    (void)send(fd, hello, sizeof hello - size_t(i % 5), MSG_NOSIGNAL);
    close(fd);
  }
  EXPECT_EQ(s.cli(certs->cli_options(), "PING"), "PONG\n");
  // The idle-client timeout also covers a client stuck in its handshake.
  EXPECT_EQ(s.proc.call({"CONFIG", "SET", "timeout", "1"}).str, "OK");
  EXPECT_TRUE(closed_by_peer(silent, 10000));
  close(silent);
  EXPECT_TRUE(s.proc.running());
  EXPECT_EQ(s.cli(certs->cli_options(), "PING"), "PONG\n");
}

// CONFIG GET of every tls-* directive matches redis-server's defaults.
TEST_F(tls, config_defaults_match_redis) {
  server_process troupe_srv, redis_srv({}, server_process::kind::redis);
  ASSERT_TRUE(troupe_srv.start());
  ASSERT_TRUE(redis_srv.start());
  auto as_map = [](const resp_value& v) {
    std::map<std::string, std::string> m;
    for (size_t i = 0; i + 1 < v.elements.size(); i += 2)
      m[v.elements[i].str] = v.elements[i + 1].str;
    return m;
  };
  auto t = as_map(troupe_srv.call({"CONFIG", "GET", "tls-*"}));
  auto r = as_map(redis_srv.call({"CONFIG", "GET", "tls-*"}));
  EXPECT_EQ(t, r);
  EXPECT_EQ(t.size(), 20u);
  // Refusals word for word.
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"tls-auth-clients", "maybe"},
                                                        {"tls-session-cache-size", "-1"},
                                                        {"tls-port", "70000"},
                                                        {"tls-replication", "perhaps"}}) {
    EXPECT_EQ(troupe_srv.call({"CONFIG", "SET", name, value}).str,
              redis_srv.call({"CONFIG", "SET", name, value}).str)
        << name;
  }
  // Turning the TLS port on without certificates fails, as in Redis.
  int port = free_port();
  EXPECT_EQ(troupe_srv.call({"CONFIG", "SET", "tls-port", std::to_string(port)}).str,
            redis_srv.call({"CONFIG", "SET", "tls-port", std::to_string(port)}).str);
  EXPECT_EQ(troupe_srv.call({"CONFIG", "GET", "tls-port"}).elements.at(1).str, "0");
}

TEST_F(tls, config_set_turns_tls_on_and_reloads_certificates) {
  server_process s;
  ASSERT_TRUE(s.start());
  int port = free_port();
  resp_value r = s.call({"CONFIG", "SET", "tls-cert-file", certs->server_cert, "tls-key-file",
                         certs->server_key, "tls-ca-cert-file", certs->ca_cert, "tls-port",
                         std::to_string(port)});
  ASSERT_EQ(r.str, "OK");
  std::string base = "redis-cli -h 127.0.0.1 -p " + std::to_string(port) + " ";
  EXPECT_EQ(run_command(base + certs->cli_options() + " PING 2>&1"), "PONG\n");
  // A file that does not load is refused and the old contexts stay.
  r = s.call({"CONFIG", "SET", "tls-cert-file", certs->dir + "/missing.crt"});
  EXPECT_EQ(r.str,
            "ERR CONFIG SET failed (possibly related to argument 'tls-cert-file') - Unable "
            "to update TLS configuration. Check server logs.");
  EXPECT_EQ(s.call({"CONFIG", "GET", "tls-cert-file"}).elements.at(1).str, certs->server_cert);
  EXPECT_EQ(run_command(base + certs->cli_options() + " PING 2>&1"), "PONG\n");
  r = s.call({"CONFIG", "SET", "tls-protocols", "TLSv9"});
  EXPECT_TRUE(r.is_error()) << r.str;
  // A new certificate (from another CA): new clients see it at once.
  ASSERT_EQ(s.call({"CONFIG", "SET", "tls-cert-file", certs->rogue_cert, "tls-key-file",
                    certs->rogue_key})
                .str,
            "OK");
  EXPECT_EQ(run_command(base + certs->cli_options() + " PING 2>&1").find("PONG"),
            std::string::npos);
  std::string rogue_trust = "--tls --cacert " + certs->rogue_ca_cert + " --cert " +
                            certs->client_cert + " --key " + certs->client_key;
  EXPECT_EQ(run_command(base + rogue_trust + " PING 2>&1"), "PONG\n");
  // Setting the same path again reloads the file: the file changed under it.
  run_command("cp " + certs->server_cert + " " + certs->dir + "/live.crt && cp " +
              certs->server_key + " " + certs->dir + "/live.key");
  ASSERT_EQ(s.call({"CONFIG", "SET", "tls-cert-file", certs->dir + "/live.crt", "tls-key-file",
                    certs->dir + "/live.key"})
                .str,
            "OK");
  EXPECT_EQ(run_command(base + certs->cli_options() + " PING 2>&1"), "PONG\n");
  run_command("cp " + certs->rogue_cert + " " + certs->dir + "/live.crt && cp " + certs->rogue_key +
              " " + certs->dir + "/live.key");
  ASSERT_EQ(s.call({"CONFIG", "SET", "tls-cert-file", certs->dir + "/live.crt", "tls-key-file",
                    certs->dir + "/live.key"})
                .str,
            "OK");
  EXPECT_EQ(run_command(base + rogue_trust + " PING 2>&1"), "PONG\n");
  // tls-port 0 closes the TLS port.
  ASSERT_EQ(s.call({"CONFIG", "SET", "tls-port", "0"}).str, "OK");
  EXPECT_TRUE(wait_for([&] {
    int fd = connect_raw(port);
    if (fd >= 0) close(fd);
    return fd < 0;
  }));
}

TEST_F(tls, tls_port_without_certificates_does_not_start) {
  server_process s({"--tls-port", std::to_string(free_port())});
  EXPECT_FALSE(s.start());
  EXPECT_NE(s.log_text().find("Failed to configure TLS"), std::string::npos) << s.log_text();
}

// -- replication over TLS ------------------------------------------------------------

bool link_up(const server_process& r) {
  return info_field(r, "replication", "master_link_status") == "up";
}

bool caught_up(const server_process& m, const server_process& r) {
  std::string mo = info_field(m, "replication", "master_repl_offset");
  return !mo.empty() && link_up(r) && info_field(r, "replication", "slave_repl_offset") == mo;
}

void fill(const server_process& s, int n) {
  resp_client c = s.client();
  for (int i = 0; i < n; ++i)
    c.call({"SET", "key:" + std::to_string(i), std::string(size_t(10 + i % 500), 'v')});
  c.call({"RPUSH", "list", "a", "b", "c"});
  c.call({"HSET", "hash", "f", "v"});
}

void check_replication(tls_server& master, tls_server& replica, bool troupe_master) {
  ASSERT_TRUE(master.proc.start()) << master.proc.log_text();
  fill(master.proc, 3000);
  ASSERT_TRUE(replica.proc.start()) << replica.proc.log_text();
  ASSERT_TRUE(wait_for([&] { return link_up(replica.proc); }, 20000))
      << replica.proc.log_text() << master.proc.log_text();
  // The stream after the sync too.
  fill(master.proc, 100);
  master.proc.call({"INCRBY", "counter", "42"});
  master.proc.call({"SET", "big", std::string(200000, 'z')});
  if (troupe_master) {
    EXPECT_TRUE(wait_for([&] { return caught_up(master.proc, replica.proc); }, 20000));
  }
  EXPECT_TRUE(wait_for([&] { return replica.proc.call({"GET", "counter"}).str == "42"; }));
  EXPECT_TRUE(wait_for([&] { return replica.proc.call({"STRLEN", "big"}).integer == 200000; }));
  EXPECT_EQ(dataset_difference(dump_dataset(master.proc), dump_dataset(replica.proc)), "");
  // The master saw its replica come in on the TLS port (its listening port is
  // the replica's tls-port).
  std::string slave0 = info_field(master.proc, "replication", "slave0");
  EXPECT_NE(slave0.find("port=" + std::to_string(replica.tls_port)), std::string::npos) << slave0;
}

std::vector<std::string> replica_of(const tls_server& m, std::vector<std::string> extra = {}) {
  std::vector<std::string> a = {"--tls-replication", "yes", "--replicaof", "127.0.0.1",
                                std::to_string(m.tls_port)};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

TEST_F(tls, troupe_replica_of_troupe_master_disk_sync) {
  tls_server master({"--repl-diskless-sync", "no"});
  tls_server replica(replica_of(master));
  check_replication(master, replica, true);
}

TEST_F(tls, troupe_replica_of_troupe_master_diskless_sync) {
  tls_server master({"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"});
  tls_server replica(replica_of(master, {"--repl-diskless-load", "swapdb"}));
  check_replication(master, replica, true);
}

TEST_F(tls, troupe_replica_of_redis_master) {
  tls_server master({"--repl-diskless-sync-delay", "0"}, server_process::kind::redis);
  tls_server replica(replica_of(master));
  check_replication(master, replica, false);
}

TEST_F(tls, redis_replica_of_troupe_master) {
  tls_server master({"--repl-diskless-sync", "no"});
  tls_server replica(replica_of(master), server_process::kind::redis);
  check_replication(master, replica, true);
}

TEST_F(tls, replica_with_tls_replication_refused_by_a_plain_master_port) {
  // tls-replication against a port that does not speak TLS: the link never
  // comes up, the replica keeps retrying and keeps serving.
  server_process master;
  ASSERT_TRUE(master.start());
  tls_server replica(
      {"--tls-replication", "yes", "--replicaof", "127.0.0.1", std::to_string(master.port())});
  ASSERT_TRUE(replica.proc.start());
  EXPECT_TRUE(wait_for(
      [&] { return replica.proc.log_text().find("TLS handshake failed") != std::string::npos; }));
  EXPECT_FALSE(link_up(replica.proc));
  EXPECT_EQ(replica.proc.call({"PING"}).str, "PONG");
}

}  // namespace
