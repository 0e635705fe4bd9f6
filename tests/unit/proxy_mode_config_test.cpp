// topology/proxy/proxy_mode_config: the pool from nutcracker's YAML or from a
// Troupe config's `proxy` lines, and the directives a YAML `listen` implies.
#include <gtest/gtest.h>

#include <string>

#include "topology/proxy/proxy_mode_config.hpp"

using namespace troupe::proxy;

TEST(ProxyModeConfig, YamlPoolAndItsListenDirectives) {
  const char* yaml =
      "first:\n  listen: 127.0.0.1:22121\n  redis: true\n  backlog: 1024\n  servers:\n"
      "   - 127.0.0.1:6379:1\n"
      "second:\n  listen: /tmp/proxy.sock 0600\n  redis: true\n  hash: murmur\n  servers:\n"
      "   - 127.0.0.1:6380:2 two\n"
      "mc:\n  listen: 0.0.0.0:11211\n  servers:\n   - 127.0.0.1:11212:1\n";
  pool_config pool;
  std::string directives;
  ASSERT_EQ(pool_from_yaml(yaml, "", pool, directives), "");
  EXPECT_EQ(pool.name, "first");
  EXPECT_EQ(directives, "port 22121\nbind 127.0.0.1\ntcp-backlog 1024\n");
  ASSERT_EQ(pool_from_yaml(yaml, "second", pool, directives), "");
  EXPECT_EQ(pool.hash, hash_kind::murmur);
  EXPECT_EQ(directives,
            "port 0\nunixsocket \"/tmp/proxy.sock\"\nunixsocketperm 600\ntcp-backlog 512\n");
  EXPECT_NE(pool_from_yaml(yaml, "nope", pool, directives).find("no pool named"),
            std::string::npos);
  // A memcached pool is nutcracker's business.
  EXPECT_NE(pool_from_yaml(yaml, "mc", pool, directives).find("redis: true"), std::string::npos);
  EXPECT_TRUE(is_yaml_file_name("conf/pool.yml"));
  EXPECT_TRUE(is_yaml_file_name("pool.yaml"));
  EXPECT_FALSE(is_yaml_file_name("proxy.conf"));
}

TEST(ProxyModeConfig, ProxyLinesOfATroupeConfig) {
  const char* conf =
      "port 22121\n# a comment, with an apostrophe: it's\nproxy hash fnv1a_32\nproxy hash_tag "
      "\"{}\"\n"
      "proxy distribution modula\nproxy auto_eject_hosts true\nproxy server_retry_timeout 500\n"
      "proxy server 127.0.0.1:7001:1 a\nproxy server 127.0.0.1:7002:3 b\nsave \"\"\n";
  pool_config pool;
  ASSERT_EQ(pool_from_proxy_lines(conf, "127.0.0.1:22121", pool), "");
  EXPECT_EQ(pool.hash, hash_kind::fnv1a_32);
  EXPECT_EQ(pool.hash_tag, "{}");
  EXPECT_EQ(pool.distribution, distribution_kind::modula);
  EXPECT_TRUE(pool.auto_eject_hosts);
  EXPECT_EQ(pool.server_retry_timeout, 500);
  ASSERT_EQ(pool.servers.size(), 2u);
  EXPECT_EQ(pool.servers[1].port, 7002);
  EXPECT_EQ(pool.servers[1].weight, 3u);
  EXPECT_EQ(pool.servers[1].name, "b");
  EXPECT_EQ(pool.listen_port, 22121);

  // Errors name the problem; nothing throws.
  EXPECT_NE(pool_from_proxy_lines("port 1\n", "127.0.0.1:1", pool), "");
  EXPECT_NE(
      pool_from_proxy_lines("proxy hash nosuch\nproxy server 127.0.0.1:1:1\n", "127.0.0.1:1", pool),
      "");
  EXPECT_NE(
      pool_from_proxy_lines("proxy server 127.0.0.1:1:1\nproxy listen x\n", "127.0.0.1:1", pool),
      "");
  EXPECT_NE(
      pool_from_proxy_lines("proxy \"we\"ird x\nproxy server 127.0.0.1:1:1\n", "127.0.0.1:1", pool),
      "");
  EXPECT_NE(
      pool_from_proxy_lines("proxy server \"127.0.0.1:1:1\n  evil: 1\"\n", "127.0.0.1:1", pool),
      "");
}
