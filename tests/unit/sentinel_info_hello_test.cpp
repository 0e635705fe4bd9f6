// info_parse and hello: INFO replies as redis-server 7.0.15 gives them, read
// as Sentinel reads them; the hello payload as redis-sentinel 7.0.15 publishes it.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "topology/sentinel/hello.hpp"
#include "topology/sentinel/info_parse.hpp"

using namespace troupe::sentinel;

namespace {

std::string crlf(std::string s) {
  std::string r;
  for (char c : s) {
    if (c == '\n') r += '\r';
    r += c;
  }
  return r;
}

const std::string master_info = crlf(
    "# Server\n"
    "redis_version:7.0.15\n"
    "run_id:4e2b1a7c0f9d7e3b8c6a5d4e3f2a1b0c9d8e7f6a\n"
    "tcp_port:36702\n"
    "\n"
    "# Replication\n"
    "role:master\n"
    "connected_slaves:2\n"
    "slave0:ip=127.0.0.1,port=36703,state=online,offset=73064,lag=1\n"
    "slave1:ip=::1,port=36704,state=wait_bgsave,offset=0,lag=0\n"
    "master_failover_state:no-failover\n"
    "master_replid:ac07abad5003ab828a2741d09b48b38ddd702024\n"
    "master_repl_offset:73064\n");

const std::string replica_info = crlf(
    "# Server\n"
    "run_id:0123456789abcdef0123456789abcdef01234567\n"
    "# Replication\n"
    "role:slave\n"
    "master_host:127.0.0.1\n"
    "master_port:36702\n"
    "master_link_status:up\n"
    "master_last_io_seconds_ago:1\n"
    "master_sync_in_progress:0\n"
    "slave_read_repl_offset:73064\n"
    "slave_repl_offset:73064\n"
    "slave_priority:100\n"
    "slave_read_only:1\n"
    "replica_announced:1\n"
    "connected_slaves:0\n");

}  // namespace

TEST(sentinel_info, master_reply) {
  instance_info i = parse_info(master_info, true);
  EXPECT_EQ(i.run_id, "4e2b1a7c0f9d7e3b8c6a5d4e3f2a1b0c9d8e7f6a");
  EXPECT_EQ(i.role, reported_role::master);
  ASSERT_EQ(i.replicas.size(), 2u);
  EXPECT_EQ(i.replicas[0].ip, "127.0.0.1");
  EXPECT_EQ(i.replicas[0].port, 36703);
  EXPECT_EQ(i.replicas[1].ip, "::1");
  EXPECT_EQ(i.replicas[1].port, 36704);
  EXPECT_EQ(i.master_link_down_ms, 0);
  EXPECT_FALSE(i.master_host);
  // Known as a replica: slaveN lines are not looked at.
  EXPECT_TRUE(parse_info(master_info, false).replicas.empty());
}

TEST(sentinel_info, replica_reply) {
  instance_info i = parse_info(replica_info, false);
  EXPECT_EQ(i.role, reported_role::slave);
  EXPECT_EQ(i.master_host, "127.0.0.1");
  EXPECT_EQ(i.master_port, 36702);
  EXPECT_EQ(i.master_link_up, true);
  EXPECT_EQ(i.replica_priority, 100);
  EXPECT_EQ(i.repl_offset, 73064u);
  EXPECT_EQ(i.replica_announced, true);
  instance_info down = parse_info(crlf("role:slave\nmaster_host:10.0.0.1\nmaster_port:6379\n"
                                       "master_link_status:down\n"
                                       "master_link_down_since_seconds:42\n"
                                       "slave_priority:0\nreplica_announced:0\n"),
                                  false);
  EXPECT_EQ(down.master_link_up, false);
  EXPECT_EQ(down.master_link_down_ms, 42000);
  EXPECT_EQ(down.replica_priority, 0);
  EXPECT_EQ(down.replica_announced, false);
}

TEST(sentinel_info, fields_as_redis_matches_them) {
  // Replication fields before role:slave are ignored, as in sentinel.c.
  instance_info early = parse_info(crlf("master_host:1.2.3.4\nrole:slave\nmaster_port:7\n"), false);
  EXPECT_FALSE(early.master_host);
  EXPECT_EQ(early.master_port, 7);
  // A short run_id line is not a run id; a long one gives its first 40 characters.
  EXPECT_FALSE(parse_info("run_id:abc", false).run_id);
  EXPECT_EQ(parse_info("run_id:" + std::string(50, 'a'), false).run_id, std::string(40, 'a'));
  // The old slaveN form, and lines without an ip or port.
  instance_info old = parse_info(crlf("slave0:10.0.0.2,6380,online\nslave1:10.0.0.3,6381\n"
                                      "slave2:port=1\nslave3:ip=1.1.1.1\nslaveX:ip=1,port=2\n"),
                                 true);
  ASSERT_EQ(old.replicas.size(), 1u);
  EXPECT_EQ(old.replicas[0].ip, "10.0.0.2");
  EXPECT_EQ(old.replicas[0].port, 6380);
  // Only \r\n ends a line.
  EXPECT_EQ(parse_info("role:master\nrun_id:" + std::string(40, 'b'), false).run_id, std::nullopt);
  EXPECT_EQ(parse_info("role:slave\r\nmaster_link_status:UP", false).master_link_up, true);
  // Extreme numbers saturate instead of overflowing.
  EXPECT_EQ(
      parse_info("master_link_down_since_seconds:99999999999999999999", false).master_link_down_ms,
      INT64_MAX / 1000 * 1000);
  EXPECT_EQ(parse_info("master_link_down_since_seconds:-1", false).master_link_down_ms, -1000);
  EXPECT_EQ(parse_info(crlf("role:slave\nslave_repl_offset:-1\n"), false).repl_offset, UINT64_MAX);
}

TEST(sentinel_info, hostile_input_does_not_crash) {
  std::mt19937_64 rng(12);
  const std::string pieces[] = {"\r\n",
                                "slave0:",
                                "ip=",
                                "port=",
                                ",",
                                "role:slave",
                                "role:master",
                                "master_host:",
                                "master_port:",
                                "run_id:",
                                "slave_priority:",
                                ":",
                                "master_link_down_since_seconds:",
                                "\0",
                                "99999999999999999999",
                                "-",
                                "slave_repl_offset:",
                                "replica_announced:"};
  for (int n = 0; n < 2000; ++n) {
    std::string s;
    int len = static_cast<int>(rng() % 40);
    for (int i = 0; i < len; ++i) {
      if (rng() % 4 == 0)
        s += static_cast<char>(rng() % 256);
      else
        s += pieces[rng() % std::size(pieces)];
    }
    (void)parse_info(s, true);
    (void)parse_info(s, false);
    (void)parse_hello(s);
  }
  (void)parse_info(std::string(1 << 20, 's'), true);
  (void)parse_info("", true);
}

TEST(sentinel_hello, format_and_parse) {
  hello_message h{"127.0.0.1", 36712,      "8f9934d4ff2c216bdb7665ba8b65c7ffd7f8af0a",
                  8,           "mymaster", "127.0.0.1",
                  36701,       0};
  // As redis-sentinel 7.0.15 published it (seen with MONITOR on the master).
  EXPECT_EQ(
      format_hello(h),
      "127.0.0.1,36712,8f9934d4ff2c216bdb7665ba8b65c7ffd7f8af0a,8,mymaster,127.0.0.1,36701,0");
  EXPECT_EQ(parse_hello(format_hello(h)), h);
  EXPECT_FALSE(parse_hello("a,b,c"));
  EXPECT_FALSE(parse_hello("1,2,3,4,5,6,7,8,9"));
  EXPECT_FALSE(parse_hello(""));
  auto odd = parse_hello("x,notaport,id,-1,,y,99999999999,18446744073709551616");
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->port, 0);
  EXPECT_EQ(odd->current_epoch, UINT64_MAX);
  EXPECT_EQ(odd->master_name, "");
  EXPECT_EQ(odd->master_config_epoch, UINT64_MAX);
}

namespace {
std::string fixture_text(const std::string& name) {
  std::ifstream f(std::string(TROUPE_SOURCE_DIR) + "/tests/unit/fixtures/sentinel/" + name,
                  std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
}  // namespace

TEST(sentinel_info, whole_replies_of_redis_7_0) {
  // INFO (all default sections) of a master with one replica and of that
  // replica, as redis-server 7.0.15 sent them.
  std::string m = fixture_text("info-master-7.0.15.txt");
  ASSERT_NE(m.find("\r\n"), std::string::npos);
  instance_info mi = parse_info(m, true);
  EXPECT_EQ(mi.run_id, "f2180e331c6430dbf8536a9d8ce0f0fa90253e2f");
  EXPECT_EQ(mi.role, reported_role::master);
  ASSERT_EQ(mi.replicas.size(), 1u);
  EXPECT_EQ(mi.replicas[0].ip, "127.0.0.1");
  EXPECT_EQ(mi.replicas[0].port, 36703);
  instance_info ri = parse_info(fixture_text("info-replica-7.0.15.txt"), false);
  EXPECT_EQ(ri.run_id, "1f3212af955d94f1972576e68a8ca598d0da0245");
  EXPECT_EQ(ri.role, reported_role::slave);
  EXPECT_EQ(ri.master_host, "127.0.0.1");
  EXPECT_EQ(ri.master_port, 36702);
  EXPECT_EQ(ri.master_link_up, true);
  EXPECT_EQ(ri.master_link_down_ms, 0);
  EXPECT_EQ(ri.replica_priority, 100);
  EXPECT_EQ(ri.repl_offset, 262784u);
  EXPECT_EQ(ri.replica_announced, true);
  EXPECT_TRUE(ri.replicas.empty());
}
