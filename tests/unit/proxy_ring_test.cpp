// topology/proxy: nutcracker's key hashes against published vectors and its
// quirks, the ketama/modula rings, ejection and return of servers, hash tags,
// and the reading of nutcracker YAML files, hostile ones included. (Placement
// against a real nutcracker is tests/integration/proxy_placement_test.)
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "topology/proxy/pool_config.hpp"
#include "topology/proxy/proxy_hash.hpp"
#include "topology/proxy/proxy_ring.hpp"

using troupe::proxy::distribution_kind;
using troupe::proxy::hash_kind;
using troupe::proxy::parse_nutcracker_yaml;
using troupe::proxy::pool_config;
using troupe::proxy::proxy_hash;
using troupe::proxy::proxy_ring;
using troupe::proxy::server_config;

namespace {

pool_config proxy_ring_test_pool(std::vector<std::string> lines, hash_kind h = hash_kind::fnv1a_64,
                                 distribution_kind d = distribution_kind::ketama) {
  pool_config p;
  p.name = "alpha";
  p.hash = h;
  p.distribution = d;
  for (const auto& l : lines) {
    server_config s;
    EXPECT_EQ(troupe::proxy::parse_server_line(l, s), "") << l;
    p.servers.push_back(s);
  }
  return p;
}

std::map<size_t, size_t> proxy_ring_test_points(const proxy_ring& r) {
  std::map<size_t, size_t> n;
  for (const auto& p : r.continuum()) n[p.server]++;
  return n;
}

}  // namespace

TEST(ProxyHash, NamesRoundTrip) {
  const char* names[] = {"one_at_a_time", "md5",     "crc16",    "crc32", "crc32a", "fnv1_64",
                         "fnv1a_64",      "fnv1_32", "fnv1a_32", "hsieh", "murmur", "jenkins"};
  for (const char* n : names) {
    auto k = troupe::proxy::parse_hash_kind(n);
    ASSERT_TRUE(k.has_value()) << n;
    EXPECT_EQ(troupe::proxy::hash_name(*k), n);
  }
  EXPECT_FALSE(troupe::proxy::parse_hash_kind("FNV1A_64").has_value());
  EXPECT_FALSE(troupe::proxy::parse_hash_kind("rcrc32").has_value());
  EXPECT_FALSE(troupe::proxy::parse_hash_kind("").has_value());
}

TEST(ProxyHash, PublishedVectors) {
  // CRC-32 (IEEE) check value.
  EXPECT_EQ(proxy_hash(hash_kind::crc32a, "123456789"), 0xCBF43926u);
  // crc16: the low 16 bits are CRC-16/XMODEM's (check value 0x31C3); nutcracker
  // never masks its 32-bit register, so the high bits carry what was shifted out.
  EXPECT_EQ(proxy_hash(hash_kind::crc16, "123456789") & 0xffffu, 0x31C3u);
  EXPECT_GT(proxy_hash(hash_kind::crc16, "123456789"), 0xffffu);
  EXPECT_EQ(proxy_hash(hash_kind::crc16, "A"), 0x58e5u);
  // libmemcached's crc32: bits 16..30 of the real one.
  EXPECT_EQ(proxy_hash(hash_kind::crc32, "123456789"), (0xCBF43926u >> 16) & 0x7fffu);
  // FNV-1 / FNV-1a 32-bit.
  EXPECT_EQ(proxy_hash(hash_kind::fnv1a_32, ""), 0x811c9dc5u);
  EXPECT_EQ(proxy_hash(hash_kind::fnv1a_32, "a"), 0xe40c292cu);
  EXPECT_EQ(proxy_hash(hash_kind::fnv1_32, "a"), 0x050c5d7eu);
  // FNV-1 64-bit of "a" is 0xaf63bd4c8601b7be: nutcracker keeps the low half.
  EXPECT_EQ(proxy_hash(hash_kind::fnv1_64, "a"), 0x8601b7beu);
  // Jenkins one-at-a-time.
  EXPECT_EQ(proxy_hash(hash_kind::one_at_a_time, "a"), 0xca2e9442u);
  EXPECT_EQ(proxy_hash(hash_kind::one_at_a_time, "The quick brown fox jumps over the lazy dog"),
            0x519e91f5u);
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e: the first 4 bytes, little-endian.
  EXPECT_EQ(proxy_hash(hash_kind::md5, ""), 0xd98c1dd4u);
  // lookup3 with no input returns its initial value (0xdeadbeef + 0 + 13).
  EXPECT_EQ(proxy_hash(hash_kind::jenkins, ""), 0xdeadbefcu);
  EXPECT_EQ(proxy_hash(hash_kind::hsieh, ""), 0u);
}

TEST(ProxyHash, Fnv1a64IsThirtyTwoBitWithTruncatedConstants) {
  // Not FNV-1a 64 (0xaf63dc4c8601ec8c for "a"): 32-bit arithmetic with the
  // 64-bit basis and prime cut to 32 bits.
  uint32_t h = 0x84222325u;
  h = (h ^ 'a') * 0x1b3u;
  EXPECT_EQ(proxy_hash(hash_kind::fnv1a_64, "a"), h);
  EXPECT_EQ(h, 0x8601ec8cu);
}

TEST(ProxyHash, HighBytesAreSignExtendedWhereNutcrackerReadsChar) {
  // fnv1a_32 of "\x80": the byte widens to 0xffffff80 before the xor.
  uint32_t quirk = (0x811c9dc5u ^ 0xffffff80u) * 16777619u;
  uint32_t plain = (0x811c9dc5u ^ 0x80u) * 16777619u;
  EXPECT_EQ(proxy_hash(hash_kind::fnv1a_32, "\x80"), quirk);
  EXPECT_NE(quirk, plain);
  // CRC-32 masks the byte: no difference there.
  EXPECT_EQ(proxy_hash(hash_kind::crc32a, std::string("\xff", 1)), 0xFF000000u);
}

TEST(ProxyHash, EveryKindHashesEveryLengthWithoutTrouble) {
  std::string key;
  std::mt19937 rng(7);
  for (int len = 0; len < 70; len++) {
    for (int k = 0; k <= static_cast<int>(hash_kind::jenkins); k++) {
      (void)proxy_hash(static_cast<hash_kind>(k), key);
    }
    key.push_back(static_cast<char>(rng()));
  }
  // Different keys give different hashes (a sanity check of the mixing).
  for (int k = 0; k <= static_cast<int>(hash_kind::jenkins); k++) {
    std::set<uint32_t> seen;
    for (int i = 0; i < 200; i++)
      seen.insert(proxy_hash(static_cast<hash_kind>(k), "key:" + std::to_string(i)));
    EXPECT_GT(seen.size(), static_cast<hash_kind>(k) == hash_kind::crc32 ? 190u : 198u) << k;
  }
}

TEST(ProxyRing, KetamaHas160PointsPerEqualServer) {
  auto p = proxy_ring_test_pool({"127.0.0.1:7001:1", "127.0.0.1:7002:1", "127.0.0.1:7003:1"});
  proxy_ring r(p);
  EXPECT_EQ(r.server_count(), 3u);
  EXPECT_EQ(r.continuum().size(), 480u);
  for (auto [s, n] : proxy_ring_test_points(r)) EXPECT_EQ(n, 160u) << s;
  for (size_t i = 1; i < r.continuum().size(); i++) {
    EXPECT_LE(r.continuum()[i - 1].value, r.continuum()[i].value);
  }
}

TEST(ProxyRing, KetamaPointsFollowWeightsInSinglePrecision) {
  auto p = proxy_ring_test_pool(
      {"127.0.0.1:7001:3", "127.0.0.1:7002:7", "127.0.0.1:7003:11", "127.0.0.1:7004:13"});
  proxy_ring r(p);
  auto n = proxy_ring_test_points(r);
  EXPECT_EQ(n[0], 56u);
  EXPECT_EQ(n[1], 128u);
  EXPECT_EQ(n[2], 204u);
  EXPECT_EQ(n[3], 244u);
  auto p2 = proxy_ring_test_pool({"127.0.0.1:7001:1", "127.0.0.1:7002:2"});
  auto n2 = proxy_ring_test_points(proxy_ring(p2));
  EXPECT_EQ(n2[0], 104u);
  EXPECT_EQ(n2[1], 212u);
}

TEST(ProxyRing, KetamaPointKeysUseTheNameOrHostPort) {
  // The first digest of a server named "a" is MD5("a-0"); unnamed, of
  // "127.0.0.1:7001-0"; with port 11211, of "127.0.0.1-0".
  auto first_points = [](const std::string& name) {
    unsigned char d[16];
    troupe::proxy::proxy_md5(name + "-0", d);
    std::set<uint32_t> v;
    for (int x = 0; x < 4; x++) {
      v.insert(uint32_t(d[4 * x]) | uint32_t(d[4 * x + 1]) << 8 | uint32_t(d[4 * x + 2]) << 16 |
               uint32_t(d[4 * x + 3]) << 24);
    }
    return v;
  };
  auto has_all = [](const proxy_ring& r, const std::set<uint32_t>& v) {
    size_t found = 0;
    for (const auto& p : r.continuum()) found += v.count(p.value);
    return found == v.size();
  };
  proxy_ring named(proxy_ring_test_pool({"127.0.0.1:7001:1 a", "127.0.0.1:7002:1 b"}));
  EXPECT_TRUE(has_all(named, first_points("a")));
  EXPECT_FALSE(has_all(named, first_points("127.0.0.1:7001")));
  proxy_ring unnamed(proxy_ring_test_pool({"127.0.0.1:7001:1", "127.0.0.1:7002:1"}));
  EXPECT_TRUE(has_all(unnamed, first_points("127.0.0.1:7001")));
  proxy_ring memcached(proxy_ring_test_pool({"10.0.0.1:11211:1", "10.0.0.2:11211:1"}));
  EXPECT_TRUE(has_all(memcached, first_points("10.0.0.1")));
}

TEST(ProxyRing, KetamaLookupIsTheFirstPointAtOrAfterTheHashWithWrap) {
  auto p = proxy_ring_test_pool({"127.0.0.1:7001:1", "127.0.0.1:7002:1", "127.0.0.1:7003:1"});
  proxy_ring r(p);
  const auto& c = r.continuum();
  for (int i = 0; i < 2000; i++) {
    std::string key = "k" + std::to_string(i);
    uint32_t h = proxy_hash(p.hash, key);
    size_t want = c.front().server;
    for (const auto& pt : c) {
      if (pt.value >= h) {
        want = pt.server;
        break;
      }
    }
    ASSERT_EQ(r.server_for(key), want) << key;
  }
}

TEST(ProxyRing, ModulaFollowsNutcrackersServerOrderAndWeights) {
  // nutcracker sorts the servers by name (shorter first): "b" < "cc" < "aaa".
  auto p =
      proxy_ring_test_pool({"127.0.0.1:7001:1 aaa", "127.0.0.1:7002:2 b", "127.0.0.1:7003:1 cc"},
                           hash_kind::crc32a, distribution_kind::modula);
  proxy_ring r(p);
  EXPECT_EQ(r.internal_order(), (std::vector<size_t>{1, 2, 0}));
  // The slots, in that order, each server `weight` times.
  std::vector<size_t> slots = {1, 1, 2, 0};
  for (int i = 0; i < 500; i++) {
    std::string key = "key" + std::to_string(i);
    EXPECT_EQ(r.server_for(key), slots[proxy_hash(hash_kind::crc32a, key) % 4]);
  }
}

TEST(ProxyRing, HugeWeightsAndManyServersStaySmall) {
  auto p = proxy_ring_test_pool(
      {"127.0.0.1:7001:2147483647", "127.0.0.1:7002:2147483647", "127.0.0.1:7003:1"},
      hash_kind::fnv1a_64, distribution_kind::modula);
  proxy_ring m(p);
  EXPECT_EQ(m.continuum().size(), 3u);
  EXPECT_LT(m.server_for("k"), 3u);
  p.distribution = distribution_kind::ketama;
  proxy_ring k(p);
  EXPECT_LE(k.continuum().size(), 480u);
  EXPECT_LT(k.server_for("k"), 3u);
}

TEST(ProxyRing, SingleServerPoolHashesToZero) {
  auto p = proxy_ring_test_pool({"127.0.0.1:7001:5"});
  proxy_ring r(p);
  EXPECT_EQ(r.key_hash("anything"), 0u);
  EXPECT_EQ(r.server_for("anything"), 0u);
}

TEST(ProxyRing, RandomPicksLiveServers) {
  auto p = proxy_ring_test_pool({"127.0.0.1:7001:1", "127.0.0.1:7002:5"}, hash_kind::md5,
                                distribution_kind::random);
  p.auto_eject_hosts = true;
  p.server_failure_limit = 1;
  proxy_ring r(p);
  std::map<size_t, int> seen;
  for (int i = 0; i < 2000; i++) seen[r.server_for("k")]++;
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_GT(seen[0], 700);  // one slot per server: the weight 5 does not count
  EXPECT_TRUE(r.record_failure(0, 1000));
  for (int i = 0; i < 100; i++) EXPECT_EQ(r.server_for("k"), 1u);
}

TEST(ProxyRingHashTag, NutcrackersRule) {
  auto k = [](std::string_view key) { return std::string(proxy_ring::hash_tag_key(key, "{}")); };
  EXPECT_EQ(k("user:{42}:name"), "42");
  EXPECT_EQ(k("{a}{b}"), "a");
  EXPECT_EQ(k("user:{}:x"), "user:{}:x");  // empty tag: the whole key
  EXPECT_EQ(k("user:{42"), "user:{42");    // no closing character
  EXPECT_EQ(k("user:}42{"), "user:}42{");  // closing before opening only
  EXPECT_EQ(k("a{b{c}d"), "b{c");          // first opening, first closing after it
  EXPECT_EQ(k("{}}"), "{}}");              // the first "}" after "{" closes an empty tag
  EXPECT_EQ(std::string(proxy_ring::hash_tag_key("a$b$c", "$$")), "b");
  EXPECT_EQ(std::string(proxy_ring::hash_tag_key("x{y}", "")), "x{y}");
}

TEST(ProxyRingHashTag, TaggedKeysShareAServer) {
  auto p = proxy_ring_test_pool({"127.0.0.1:7001:1", "127.0.0.1:7002:1", "127.0.0.1:7003:1"});
  p.hash_tag = "{}";
  proxy_ring r(p);
  for (int i = 0; i < 50; i++) {
    std::string tag = "t" + std::to_string(i);
    size_t s = r.server_for("{" + tag + "}");
    EXPECT_EQ(r.server_for("a:{" + tag + "}:b"), s);
    EXPECT_EQ(r.server_for("zz{" + tag + "}"), s);
    EXPECT_EQ(r.key_hash("q{" + tag + "}"), proxy_hash(p.hash, tag));
  }
}

TEST(ProxyRingEjection, LimitEjectsRetryRestores) {
  auto p = proxy_ring_test_pool({"127.0.0.1:7001:1", "127.0.0.1:7002:1", "127.0.0.1:7003:1"});
  p.auto_eject_hosts = true;
  p.server_failure_limit = 3;
  p.server_retry_timeout = 500;
  proxy_ring r(p);
  std::vector<size_t> before;
  for (int i = 0; i < 1000; i++) before.push_back(r.server_for("key" + std::to_string(i)));

  EXPECT_FALSE(r.record_failure(1, 100));
  EXPECT_FALSE(r.record_failure(1, 110));
  EXPECT_EQ(r.failure_count(1), 2u);
  EXPECT_FALSE(r.is_ejected(1));
  EXPECT_TRUE(r.record_failure(1, 120));  // the third: ejected until 620
  EXPECT_TRUE(r.is_ejected(1));
  EXPECT_EQ(r.failure_count(1), 0u);
  EXPECT_EQ(r.next_retry(1), 620);
  EXPECT_EQ(r.next_rebuild(), 620);
  EXPECT_EQ(r.live_count(), 2u);
  EXPECT_EQ(r.continuum().size(), 320u);  // 160 x 2 live servers

  // Keys of server 1 moved; the others stayed where they were.
  int moved = 0;
  for (int i = 0; i < 1000; i++) {
    size_t now = r.server_for("key" + std::to_string(i));
    EXPECT_NE(now, 1u);
    if (before[i] != 1) {
      EXPECT_EQ(now, before[i]);
    } else {
      moved++;
    }
  }
  EXPECT_GT(moved, 0);

  EXPECT_FALSE(r.maybe_restore(300));
  EXPECT_FALSE(r.maybe_restore(620));  // nutcracker waits until strictly after
  EXPECT_TRUE(r.maybe_restore(621));
  EXPECT_FALSE(r.is_ejected(1));
  EXPECT_EQ(r.next_rebuild(), 0);
  for (int i = 0; i < 1000; i++) EXPECT_EQ(r.server_for("key" + std::to_string(i)), before[i]);
  EXPECT_FALSE(r.maybe_restore(10000));
}

TEST(ProxyRingEjection, SuccessClearsTheCountAndNoEjectionWithoutAutoEject) {
  auto p = proxy_ring_test_pool({"127.0.0.1:7001:1", "127.0.0.1:7002:1"});
  p.auto_eject_hosts = true;
  p.server_failure_limit = 2;
  proxy_ring r(p);
  EXPECT_FALSE(r.record_failure(0, 1));
  EXPECT_FALSE(r.record_success(0));
  EXPECT_EQ(r.failure_count(0), 0u);
  EXPECT_FALSE(r.record_failure(0, 2));
  EXPECT_FALSE(r.is_ejected(0));

  p.auto_eject_hosts = false;
  proxy_ring keep(p);
  for (int i = 0; i < 10; i++) EXPECT_FALSE(keep.record_failure(0, i));
  EXPECT_FALSE(keep.is_ejected(0));
  EXPECT_EQ(keep.failure_count(0), 0u);
}

TEST(ProxyRingEjection, AllEjectedRoutesNowhereThenComesBack) {
  auto p = proxy_ring_test_pool({"127.0.0.1:7001:1", "127.0.0.1:7002:1"}, hash_kind::murmur,
                                distribution_kind::modula);
  p.auto_eject_hosts = true;
  p.server_failure_limit = 1;
  p.server_retry_timeout = 100;
  proxy_ring r(p);
  EXPECT_TRUE(r.record_failure(0, 1000));
  EXPECT_TRUE(r.record_failure(1, 1050));
  EXPECT_EQ(r.live_count(), 0u);
  EXPECT_EQ(r.server_for("k"), proxy_ring::npos);
  EXPECT_EQ(r.next_rebuild(), 1100);
  EXPECT_TRUE(r.maybe_restore(1101));  // server 0 only
  EXPECT_EQ(r.live_count(), 1u);
  EXPECT_EQ(r.server_for("k"), 0u);
  EXPECT_EQ(r.next_rebuild(), 1150);
  EXPECT_TRUE(r.maybe_restore(1151));
  EXPECT_EQ(r.live_count(), 2u);
  // Extreme times do not overflow.
  EXPECT_TRUE(r.record_failure(0, std::numeric_limits<int64_t>::max() - 5));
  EXPECT_TRUE(r.is_ejected(0));
}

TEST(ProxyServerLine, NutcrackerSplitsFromTheEnd) {
  server_config s;
  ASSERT_EQ(troupe::proxy::parse_server_line("127.0.0.1:6379:2 cache-a", s), "");
  EXPECT_EQ(s.host, "127.0.0.1");
  EXPECT_EQ(s.port, 6379);
  EXPECT_EQ(s.weight, 2u);
  EXPECT_TRUE(s.has_name);
  EXPECT_EQ(s.name, "cache-a");
  EXPECT_EQ(s.pname, "127.0.0.1:6379:2");

  ASSERT_EQ(troupe::proxy::parse_server_line("::1:6380:1", s), "");
  EXPECT_EQ(s.host, "::1");
  EXPECT_EQ(s.port, 6380);
  EXPECT_EQ(s.name, "::1:6380");

  ASSERT_EQ(troupe::proxy::parse_server_line("cache.local:11211:1", s), "");
  EXPECT_EQ(s.name, "cache.local");  // libmemcached: no port when it is 11211

  ASSERT_EQ(troupe::proxy::parse_server_line("/tmp/redis.sock:3", s), "");
  EXPECT_TRUE(s.is_unix());
  EXPECT_EQ(s.host, "/tmp/redis.sock");
  EXPECT_EQ(s.weight, 3u);
  EXPECT_EQ(s.name, "/tmp/redis.sock:");

  EXPECT_NE(troupe::proxy::parse_server_line("127.0.0.1:6379:0", s).find("zero weight"),
            std::string::npos);
  EXPECT_NE(troupe::proxy::parse_server_line("127.0.0.1:6379", s).find("invalid"),
            std::string::npos);
  EXPECT_NE(troupe::proxy::parse_server_line("127.0.0.1:0:1", s).find("invalid port"),
            std::string::npos);
  EXPECT_NE(troupe::proxy::parse_server_line("127.0.0.1:65536:1", s).find("invalid port"),
            std::string::npos);
  EXPECT_NE(troupe::proxy::parse_server_line("127.0.0.1:+6379:1", s).find("invalid port"),
            std::string::npos);
  EXPECT_NE(
      troupe::proxy::parse_server_line("127.0.0.1:6379:1 two words", s).find("invalid weight"),
      std::string::npos);
  EXPECT_NE(
      troupe::proxy::parse_server_line("127.0.0.1:6379:99999999999", s).find("invalid weight"),
      std::string::npos);
  EXPECT_NE(troupe::proxy::parse_server_line("/tmp/a:b:1", s), "");
  EXPECT_NE(troupe::proxy::parse_server_line("", s), "");
}

namespace {

const char* const proxy_yaml_test_good = R"(alpha:
  listen: 127.0.0.1:22121
  hash: fnv1a_64
  hash_tag: "{}"
  distribution: ketama
  auto_eject_hosts: true
  redis: true
  redis_auth: secret
  redis_db: 3
  timeout: 400
  backlog: 1024
  preconnect: true
  server_connections: 2
  server_retry_timeout: 2000
  server_failure_limit: 1
  client_connections: 100
  tcpkeepalive: true
  servers:
   - 127.0.0.1:6379:1 one
   - 127.0.0.1:6380:2 two
beta:
  listen: /tmp/beta.sock 0600
  hash: murmur
  distribution: modula
  servers:
   - 127.0.0.1:6381:1
)";

std::string proxy_yaml_test_error(const std::string& text) {
  std::vector<pool_config> pools;
  std::string err = parse_nutcracker_yaml(text, pools);
  if (!err.empty()) {
    EXPECT_TRUE(pools.empty());
  }
  return err;
}

std::string proxy_yaml_test_pool(const std::string& body) {
  return "alpha:\n  listen: 127.0.0.1:22121\n" + body;
}

}  // namespace

TEST(ProxyYaml, ReadsEveryDirective) {
  std::vector<pool_config> pools;
  ASSERT_EQ(parse_nutcracker_yaml(proxy_yaml_test_good, pools), "");
  ASSERT_EQ(pools.size(), 2u);
  const auto& a = pools[0];
  EXPECT_EQ(a.name, "alpha");
  EXPECT_EQ(a.listen_host, "127.0.0.1");
  EXPECT_EQ(a.listen_port, 22121);
  EXPECT_EQ(a.hash, hash_kind::fnv1a_64);
  EXPECT_EQ(a.hash_tag, "{}");
  EXPECT_EQ(a.distribution, distribution_kind::ketama);
  EXPECT_TRUE(a.auto_eject_hosts);
  EXPECT_TRUE(a.redis);
  EXPECT_EQ(a.redis_auth, "secret");
  EXPECT_EQ(a.redis_db, 3);
  EXPECT_EQ(a.timeout, 400);
  EXPECT_EQ(a.backlog, 1024);
  EXPECT_TRUE(a.preconnect);
  EXPECT_EQ(a.server_connections, 2);
  EXPECT_EQ(a.server_retry_timeout, 2000);
  EXPECT_EQ(a.server_failure_limit, 1);
  EXPECT_EQ(a.client_connections, 100);
  EXPECT_TRUE(a.tcpkeepalive);
  ASSERT_EQ(a.servers.size(), 2u);
  EXPECT_EQ(a.servers[1].name, "two");
  EXPECT_EQ(a.servers[1].weight, 2u);
  const auto& b = pools[1];
  EXPECT_TRUE(b.listen_is_unix());
  EXPECT_EQ(b.listen_host, "/tmp/beta.sock");
  EXPECT_EQ(b.listen_perm, 0600);
  EXPECT_EQ(b.hash, hash_kind::murmur);
  EXPECT_EQ(b.distribution, distribution_kind::modula);
  // Defaults.
  EXPECT_EQ(b.timeout, -1);
  EXPECT_EQ(b.backlog, 512);
  EXPECT_FALSE(b.redis);
  EXPECT_EQ(b.redis_db, 0);
  EXPECT_FALSE(b.auto_eject_hosts);
  EXPECT_EQ(b.server_connections, 1);
  EXPECT_EQ(b.server_retry_timeout, 30000);
  EXPECT_EQ(b.server_failure_limit, 2);
  EXPECT_EQ(b.hash_tag, "");
  EXPECT_EQ(b.servers[0].name, "127.0.0.1:6381");
}

TEST(ProxyYaml, RefusesWhatNutcrackerRefuses) {
  const std::string srv = "  servers:\n   - 127.0.0.1:6379:1\n";
  struct proxy_yaml_case {
    std::string text, needle;
  };
  std::vector<proxy_yaml_case> cases = {
      {proxy_yaml_test_pool("  servers:\n   - 127.0.0.1:6379:0\n"), "zero weight"},
      {proxy_yaml_test_pool("  hash: FNV1A_64\n" + srv), "is not a valid hash"},
      {proxy_yaml_test_pool("  hash: rcrc32\n" + srv), "is not a valid hash"},
      {proxy_yaml_test_pool("  distribution: Ketama\n" + srv), "is not a valid distribution"},
      {proxy_yaml_test_pool("  hash_tag: \"{}x\"\n" + srv), "two characters"},
      {proxy_yaml_test_pool("  hash_tag: \"{\"\n" + srv), "two characters"},
      {proxy_yaml_test_pool("  hash: md5\n  hash: md5\n" + srv), "is a duplicate"},
      {proxy_yaml_test_pool("  foo: 1\n" + srv), "\"foo\" is unknown"},
      {proxy_yaml_test_pool("  timeout: -1\n" + srv), "is not a number"},
      {proxy_yaml_test_pool("  timeout: 1.5\n" + srv), "is not a number"},
      {proxy_yaml_test_pool("  timeout: 2147483648\n" + srv), "is not a number"},
      {proxy_yaml_test_pool("  timeout: 99999999999999999999999999\n" + srv), "is not a number"},
      {proxy_yaml_test_pool("  redis: yes\n" + srv), "\"true\" or \"false\""},
      {proxy_yaml_test_pool("  server_connections: 0\n" + srv), "cannot be 0"},
      {proxy_yaml_test_pool("  redis_auth: x\n" + srv), "only valid for a redis pool"},
      {proxy_yaml_test_pool("  servers:\n   - 127.0.0.1:6379:1 a\n   - 127.0.0.1:6380:1 a\n"),
       "same name 'a'"},
      {proxy_yaml_test_pool("  servers:\n   - 127.0.0.1:6379:1\n   - 127.0.0.1:6379:2\n"),
       "same name '127.0.0.1:6379'"},
      {proxy_yaml_test_pool(
           "  servers:\n   - 127.0.0.1:6379:1\n   - 127.0.0.1:6380:1 127.0.0.1:6379\n"),
       "same name"},
      {proxy_yaml_test_pool(""), "servers"},
      {proxy_yaml_test_pool("  servers: 127.0.0.1:6379:1\n"), "sequence"},
      {proxy_yaml_test_pool("  servers: [127.0.0.1:6379:1]\n"), "flow"},
      {proxy_yaml_test_pool(srv + "  servers:\n   - 127.0.0.1:6380:1\n"), "more than one sequence"},
      {proxy_yaml_test_pool("  hash:\n   - md5\n" + srv), "must be a scalar"},
      {proxy_yaml_test_pool("  timeout:\n" + srv), "has no value"},
      {"alpha:\n" + srv, "\"listen:\" is missing"},
      {"alpha:\n  listen: 127.0.0.1\n" + srv, "invalid \"hostname:port\""},
      {"alpha:\n  listen: 127.0.0.1:0\n" + srv, "invalid port"},
      {"alpha:\n  listen: /tmp/x.sock 1777\n" + srv, "file permission"},
      {"alpha:\n  listen: /tmp/x.sock -1\n" + srv, "file permission"},
      {proxy_yaml_test_pool(srv) + "beta:\n  listen: 127.0.0.1:22121\n" + srv, "same listen"},
      {proxy_yaml_test_pool(srv) + "alpha:\n  listen: 127.0.0.1:22122\n" + srv, "same name"},
      {proxy_yaml_test_pool(srv) + "---\nx: 1\n", "document start"},
      {"---\n" + proxy_yaml_test_pool(srv), "document start"},
      {proxy_yaml_test_pool(srv) + "...\n", "document end"},
      {"%YAML 1.2\n" + proxy_yaml_test_pool(srv), "directives"},
      {"", "document"},
      {"just a scalar\n", "mapping of pools"},
      {"- a\n- b\n", "mapping of pools"},
      {"alpha: 1\n", "mapping of directives"},
      {"alpha:\n", "empty"},
      {proxy_yaml_test_pool("  nested:\n    deeper: 1\n" + srv), "depth"},
      {proxy_yaml_test_pool("  hash: &h md5\n" + srv), "anchors"},
      {proxy_yaml_test_pool("  hash: !!str md5\n" + srv), "tags"},
      {"alpha: {listen: 127.0.0.1:22121}\n", "flow"},
      {"@alpha:\n", "YAML error"},
      {"alpha: x: y\n", "conf: "},
      {"alpha:\n  listen: \"127.0.0.1:22121\n", "conf: "},
  };
  for (const auto& c : cases) {
    std::string err = proxy_yaml_test_error(c.text);
    EXPECT_NE(err.find(c.needle), std::string::npos) << "input:\n" << c.text << "error: " << err;
  }
}

TEST(ProxyYaml, AcceptsWhatNutcrackerAccepts) {
  std::vector<pool_config> pools;
  // A unix permission field that is not octal reads as 0, as strtol does.
  EXPECT_EQ(parse_nutcracker_yaml(
                "alpha:\n  listen: /tmp/x.sock 999\n  servers:\n   - /tmp/r.sock:1\n", pools),
            "");
  ASSERT_EQ(pools.size(), 1u);
  EXPECT_EQ(pools[0].listen_perm, 0);
  // Comments, quoted values, an empty host (resolved later), documents markers absent.
  EXPECT_EQ(parse_nutcracker_yaml("# pool\nalpha: # the pool\n  listen: '0.0.0.0:22121'\n"
                                  "  servers:\n   - \":6379:1\"\n",
                                  pools),
            "");
  ASSERT_EQ(pools.size(), 1u);
  EXPECT_EQ(pools[0].servers[0].host, "");
}

TEST(ProxyYaml, HostileInputsAreErrorsNotCrashes) {
  std::vector<std::string> inputs = {
      std::string(100000, '['),
      std::string(100000, '{'),
      [] {
        std::string s;
        for (int i = 0; i < 5000; i++) s += "- ";
        return s + "x\n";
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 3000; i++) s += std::string(i, ' ') + "a:\n";
        return s;
      }(),
      std::string("\0\0\0\xff\xfe", 5),
      "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n   - \"127.0.0.1:6379:1\\0x\"\n",
      "a: &x [*x, *x]\n",
      "a: *unknown\n",
      "%YAML 1.2\n---\na: 1\n",
      "alpha:\n  listen: 127.0.0.1:22121\n  servers:\n" +
          [] {
            std::string s;
            for (int i = 0; i < 20000; i++)
              s += "   - 10.0.0.1:" + std::to_string(1 + i % 60000) + ":1 n" + std::to_string(i) +
                   "\n";
            return s;
          }(),
      std::string(5u << 20, 'a'),
  };
  for (const auto& in : inputs) {
    std::vector<pool_config> pools;
    std::string err;
    EXPECT_NO_THROW(err = parse_nutcracker_yaml(in, pools));
    EXPECT_NE(err, "") << in.substr(0, 200);
  }
}

TEST(ProxyYaml, RandomGarbleNeverThrows) {
  std::mt19937 rng(20261202);
  const std::string base = proxy_yaml_test_good;
  const char alphabet[] = " \n\t:-{}[]&*!|>'\"#%@`,?0123456789abcxyz\\\x01\xff";
  int accepted = 0;
  for (int round = 0; round < 3000; round++) {
    std::string s = base;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; e++) {
      size_t pos = s.empty() ? 0 : rng() % s.size();
      switch (rng() % 4) {
        case 0:
          if (!s.empty()) s[pos] = alphabet[rng() % (sizeof(alphabet) - 1)];
          break;
        case 1:
          s.insert(pos, 1, alphabet[rng() % (sizeof(alphabet) - 1)]);
          break;
        case 2:
          if (!s.empty()) s.erase(pos, 1 + rng() % 10);
          break;
        case 3:
          s.insert(pos, s.substr(rng() % (s.size() + 1), rng() % 40));
          break;
      }
    }
    std::vector<pool_config> pools;
    std::string err;
    ASSERT_NO_THROW(err = parse_nutcracker_yaml(s, pools)) << s;
    if (err.empty()) {
      accepted++;
      ASSERT_FALSE(pools.empty());
      for (const auto& p : pools) {
        ASSERT_FALSE(p.servers.empty());
        proxy_ring r(p);  // whatever was accepted builds a ring that routes
        size_t idx = r.server_for("some-key");
        ASSERT_LT(idx, p.servers.size());
      }
    }
  }
  EXPECT_GT(accepted, 0);
}
