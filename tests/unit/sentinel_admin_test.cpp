// SENTINEL's administration subcommands and INFO's Sentinel section against
// redis-sentinel 7.0.15: the field lists and their order, the error texts and
// the events are those a real redis-sentinel 7.0.15 gave here (monitoring a
// redis-server 7.0.15 master on 36701 with a replica, a second sentinel);
// HELP, DEBUG and CONFIG GET replies are compared byte for byte with its
// replies (tests/unit/fixtures/sentinel/*.resp). The state is fed real INFO
// replies of redis-server 7.0.15 (a master on 36702, its replica on 36703).
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "protocol/resp/reply_writer.hpp"
#include "protocol/resp/resp_value.hpp"
#include "topology/sentinel/sentinel_admin.hpp"

using namespace troupe;
using namespace troupe::sentinel;

namespace {

const std::string me = "a652b80455d9c07eedac27f3d7d237ed4d2b679a";
const std::string s2id = "8f9934d4ff2c216bdb7665ba8b65c7ffd7f8af0a";
const std::string s3id = "d9c9ac95e6b35e500fa4a3d93fe1487973bcddd0";
const std::string master_runid = "f2180e331c6430dbf8536a9d8ce0f0fa90253e2f";
const std::string replica_runid = "1f3212af955d94f1972576e68a8ca598d0da0245";

std::string fixture_file(const std::string& name) {
  std::ifstream f(std::string(TROUPE_SOURCE_DIR) + "/tests/unit/fixtures/sentinel/" + name,
                  std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

instance_addr addr(const std::string& ip, int port) {
  return {ip, ip, port};
}

sentinel_conf base_conf() {
  sentinel_conf c;
  c.myid = me;
  master_conf m;
  m.name = "m";
  m.addr = addr("127.0.0.1", 36702);
  m.quorum = 2;
  m.known_replicas = {addr("127.0.0.1", 36703)};
  c.masters.push_back(m);
  return c;
}

struct fixture {
  sentinel_state st;
  int64_t now = 1000000;
  int resp = 2;
  explicit fixture(sentinel_conf c = base_conf(), sentinel_options o = {})
      : st(
            c, std::move(o), [] { return uint64_t{0}; }, 1000000) {}

  const instance& m(const std::string& name = "m") const { return *st.master(name); }
  const instance& replica() const { return *m().replicas.at(0); }

  // The master and its replica up, PINGs answered, their INFO received.
  void feed() {
    st.link_up(m().id, "127.0.0.1", now);
    st.link_up(replica().id, "127.0.0.1", now);
    now += 10;
    st.ping_reply(m().id, "PONG", now);
    st.ping_reply(replica().id, "PONG", now);
    now += 10;
    st.info_reply(m().id, fixture_file("info-master-7.0.15.txt"), now);
    st.info_reply(replica().id, fixture_file("info-replica-7.0.15.txt"), now);
    st.take_output();
  }
  // A hello from another sentinel, as the master's pub/sub link delivers it.
  void hello_from(const std::string& runid, int port) {
    st.hello_received(
        m().id, "127.0.0.1," + std::to_string(port) + "," + runid + ",0,m,127.0.0.1,36702,0", now);
  }

  // Runs SENTINEL <args>: the reply's bytes ("" when not handled here).
  std::string raw(const std::vector<std::string>& args, bool* handled = nullptr) {
    std::vector<std::string_view> v(args.begin(), args.end());
    std::string buf;
    reply_writer w(buf);
    w.set_resp(resp);
    bool h = sentinel_admin_command(st, v, w, now);
    if (handled) *handled = h;
    return buf;
  }
  resp_value run(const std::vector<std::string>& args) {
    std::string buf = raw(args);
    reply_parser p;
    size_t pos = 0;
    resp_value v;
    EXPECT_EQ(p.parse(buf.data(), buf.size(), pos, v), reply_parser::result::value) << buf;
    EXPECT_EQ(pos, buf.size()) << buf;
    return v;
  }
  std::string error(const std::vector<std::string>& args) {
    resp_value v = run(args);
    EXPECT_TRUE(v.is_error()) << v.to_string();
    return v.str;
  }
};

// A flat key/value reply (RESP2 array or RESP3 map) as pairs.
std::vector<std::pair<std::string, std::string>> pairs(const resp_value& v) {
  std::vector<std::pair<std::string, std::string>> r;
  EXPECT_EQ(v.elements.size() % 2, 0u);
  for (size_t i = 0; i + 1 < v.elements.size(); i += 2)
    r.emplace_back(v.elements[i].str, v.elements[i + 1].str);
  return r;
}
std::vector<std::string> keys(const resp_value& v) {
  std::vector<std::string> k;
  for (auto& [a, b] : pairs(v)) k.push_back(a);
  return k;
}
std::string field(const resp_value& v, const std::string& key) {
  for (auto& [a, b] : pairs(v))
    if (a == key) return b;
  return "<missing " + key + ">";
}

std::vector<std::string> event_texts(const sentinel_output& o) {
  std::vector<std::string> r;
  for (auto& e : o.events) r.push_back(e.type + " " + e.message);
  return r;
}

bool contains(const std::vector<uint64_t>& v, uint64_t id) {
  return std::find(v.begin(), v.end(), id) != v.end();
}

// The field lists redis-sentinel 7.0.15 gave (SENTINEL MASTER / REPLICAS /
// SENTINELS), in order.
const std::vector<std::string> redis_master_keys = {"name",
                                                    "ip",
                                                    "port",
                                                    "runid",
                                                    "flags",
                                                    "link-pending-commands",
                                                    "link-refcount",
                                                    "last-ping-sent",
                                                    "last-ok-ping-reply",
                                                    "last-ping-reply",
                                                    "down-after-milliseconds",
                                                    "info-refresh",
                                                    "role-reported",
                                                    "role-reported-time",
                                                    "config-epoch",
                                                    "num-slaves",
                                                    "num-other-sentinels",
                                                    "quorum",
                                                    "failover-timeout",
                                                    "parallel-syncs"};
const std::vector<std::string> redis_replica_keys = {"name",
                                                     "ip",
                                                     "port",
                                                     "runid",
                                                     "flags",
                                                     "link-pending-commands",
                                                     "link-refcount",
                                                     "last-ping-sent",
                                                     "last-ok-ping-reply",
                                                     "last-ping-reply",
                                                     "down-after-milliseconds",
                                                     "info-refresh",
                                                     "role-reported",
                                                     "role-reported-time",
                                                     "master-link-down-time",
                                                     "master-link-status",
                                                     "master-host",
                                                     "master-port",
                                                     "slave-priority",
                                                     "slave-repl-offset",
                                                     "replica-announced"};
const std::vector<std::string> redis_sentinel_keys = {"name",
                                                      "ip",
                                                      "port",
                                                      "runid",
                                                      "flags",
                                                      "link-pending-commands",
                                                      "link-refcount",
                                                      "last-ping-sent",
                                                      "last-ok-ping-reply",
                                                      "last-ping-reply",
                                                      "down-after-milliseconds",
                                                      "last-hello-message",
                                                      "voted-leader",
                                                      "voted-leader-epoch"};

}  // namespace

TEST(SentinelAdmin, MasterFieldsAsRedis) {
  fixture f;
  f.feed();
  f.now += 500;
  resp_value v = f.run({"MASTER", "m"});
  ASSERT_EQ(v.type, resp_value::kind::array);
  EXPECT_EQ(keys(v), redis_master_keys);
  EXPECT_EQ(field(v, "name"), "m");
  EXPECT_EQ(field(v, "ip"), "127.0.0.1");
  EXPECT_EQ(field(v, "port"), "36702");
  EXPECT_EQ(field(v, "runid"), master_runid);
  EXPECT_EQ(field(v, "flags"), "master");
  EXPECT_EQ(field(v, "link-pending-commands"), "0");
  EXPECT_EQ(field(v, "link-refcount"), "1");
  EXPECT_EQ(field(v, "last-ping-sent"), "0");
  EXPECT_EQ(field(v, "last-ok-ping-reply"), "510");
  EXPECT_EQ(field(v, "last-ping-reply"), "510");
  EXPECT_EQ(field(v, "down-after-milliseconds"), "30000");
  EXPECT_EQ(field(v, "info-refresh"), "500");
  EXPECT_EQ(field(v, "role-reported"), "master");
  EXPECT_EQ(field(v, "role-reported-time"), "520");
  EXPECT_EQ(field(v, "config-epoch"), "0");
  EXPECT_EQ(field(v, "num-slaves"), "1");
  EXPECT_EQ(field(v, "num-other-sentinels"), "0");
  EXPECT_EQ(field(v, "quorum"), "2");
  EXPECT_EQ(field(v, "failover-timeout"), "180000");
  EXPECT_EQ(field(v, "parallel-syncs"), "1");
  // The same reply as MASTERS' one element, RESP2 bytes.
  std::string one = f.raw({"MASTER", "m"});
  EXPECT_EQ(f.raw({"MASTERS"}), "*1\r\n" + one);
  EXPECT_EQ(one.substr(0, 30), "*40\r\n$4\r\nname\r\n$1\r\nm\r\n$2\r\nip\r\n");
}

TEST(SentinelAdmin, ReplicaAndSentinelFieldsAsRedis) {
  fixture f;
  f.feed();
  f.hello_from(s2id, 36710);
  f.now += 100;
  resp_value r = f.run({"REPLICAS", "m"});
  ASSERT_EQ(r.elements.size(), 1u);
  EXPECT_EQ(keys(r.elements[0]), redis_replica_keys);
  EXPECT_EQ(field(r.elements[0], "name"), "127.0.0.1:36703");
  EXPECT_EQ(field(r.elements[0], "runid"), replica_runid);
  EXPECT_EQ(field(r.elements[0], "flags"), "slave");
  EXPECT_EQ(field(r.elements[0], "role-reported"), "slave");
  EXPECT_EQ(field(r.elements[0], "master-link-down-time"), "0");
  EXPECT_EQ(field(r.elements[0], "master-link-status"), "ok");
  EXPECT_EQ(field(r.elements[0], "master-host"), "127.0.0.1");
  EXPECT_EQ(field(r.elements[0], "master-port"), "36702");
  EXPECT_EQ(field(r.elements[0], "slave-priority"), "100");
  EXPECT_EQ(field(r.elements[0], "slave-repl-offset"), "262784");
  EXPECT_EQ(field(r.elements[0], "replica-announced"), "1");
  EXPECT_EQ(f.raw({"SLAVES", "m"}), f.raw({"REPLICAS", "m"}));

  resp_value s = f.run({"SENTINELS", "m"});
  ASSERT_EQ(s.elements.size(), 1u);
  EXPECT_EQ(keys(s.elements[0]), redis_sentinel_keys);
  EXPECT_EQ(field(s.elements[0], "name"), s2id);
  EXPECT_EQ(field(s.elements[0], "runid"), s2id);
  EXPECT_EQ(field(s.elements[0], "port"), "36710");
  EXPECT_EQ(field(s.elements[0], "flags"), "sentinel,disconnected");
  EXPECT_EQ(field(s.elements[0], "last-hello-message"), "100");
  EXPECT_EQ(field(s.elements[0], "voted-leader"), "?");
  EXPECT_EQ(field(s.elements[0], "voted-leader-epoch"), "0");
  EXPECT_EQ(field(f.run({"MASTER", "m"}), "num-other-sentinels"), "1");
}

TEST(SentinelAdmin, DownFlagsAndTimesInRedisOrder) {
  fixture f;
  f.feed();
  // The replica stops answering: SDOWN after down-after (1 s here); its
  // link stays open for min-link-reconnect-period (15 s).
  EXPECT_EQ(f.raw({"SET", "m", "down-after-milliseconds", "1000"}), "+OK\r\n");
  for (int i = 0; i < 30; ++i) {
    f.now += 100;
    for (auto& c : f.st.tick(f.now).commands)
      if (c.target == f.m().id && c.kind == command_kind::ping)
        f.st.ping_reply(c.target, "PONG", f.now);
  }
  ASSERT_TRUE(f.replica().s_down);
  resp_value r = f.run({"REPLICAS", "m"});
  std::vector<std::string> want = redis_replica_keys;
  want.insert(want.begin() + 10, "s-down-time");  // before down-after-milliseconds
  EXPECT_EQ(keys(r.elements[0]), want);
  EXPECT_EQ(field(r.elements[0], "flags"), "s_down,slave");
  EXPECT_EQ(field(r.elements[0], "s-down-time"),
            std::to_string(f.now - f.replica().s_down_since_time));
}

TEST(SentinelAdmin, Resp3UsesMaps) {
  fixture f;
  f.feed();
  f.resp = 3;
  std::string m = f.raw({"MASTER", "m"});
  EXPECT_EQ(m.substr(0, 5), "%20\r\n");
  EXPECT_EQ(f.raw({"MASTERS"}).substr(0, 9), "*1\r\n%20\r\n");
  EXPECT_EQ(f.raw({"REPLICAS", "m"}).substr(0, 9), "*1\r\n%21\r\n");
  EXPECT_EQ(f.raw({"SENTINELS", "m"}), "*0\r\n");
  EXPECT_EQ(f.raw({"DEBUG"}), fixture_file("sentinel-debug-resp3-7.0.15.resp"));
  EXPECT_EQ(f.raw({"CONFIG", "GET", "*"}), fixture_file("sentinel-config-get-resp3-7.0.15.resp"));
  EXPECT_EQ(f.raw({"CONFIG", "GET", "zz"}), "%0\r\n");
  // INFO-CACHE: arrays; no INFO yet is a RESP3 null.
  fixture g;
  g.resp = 3;
  EXPECT_EQ(g.raw({"INFO-CACHE", "m"}),
            "*2\r\n$1\r\nm\r\n*2\r\n*2\r\n:0\r\n_\r\n*2\r\n:0\r\n_\r\n");
}

TEST(SentinelAdmin, HelpDebugConfigGetBytesAsRedis) {
  fixture f;
  EXPECT_EQ(f.raw({"HELP"}), fixture_file("sentinel-help-7.0.15.resp"));
  EXPECT_EQ(f.raw({"help"}), fixture_file("sentinel-help-7.0.15.resp"));
  EXPECT_EQ(f.raw({"DEBUG"}), fixture_file("sentinel-debug-7.0.15.resp"));
  EXPECT_EQ(
      f.raw({"CONFIG", "GET", "*"}),
      "*12\r\n$17\r\nresolve-hostnames\r\n$2\r\nno\r\n$18\r\nannounce-hostnames\r\n$2\r\nno"
      "\r\n$11\r\nannounce-ip\r\n$0\r\n\r\n$13\r\nannounce-port\r\n$1\r\n0\r\n$13\r\nsentinel-"
      "user\r\n$0\r\n\r\n$13\r\nsentinel-pass\r\n$0\r\n\r\n");
  EXPECT_EQ(f.raw({"CONFIG", "GET", "*HOST*"}),
            "*4\r\n$17\r\nresolve-hostnames\r\n$2\r\nno\r\n$18\r\nannounce-hostnames\r\n$2\r\nno"
            "\r\n");
  EXPECT_EQ(f.raw({"config", "get", "zz"}), "*0\r\n");
}

TEST(SentinelAdmin, NotMineAndArity) {
  fixture f;
  bool handled = true;
  for (const char* sub : {"get-master-addr-by-name", "is-master-down-by-addr", "myid", "failover",
                          "flushconfig", "pending-scripts", "foo", ""}) {
    EXPECT_EQ(f.raw({sub, "m"}, &handled), "");
    EXPECT_FALSE(handled) << sub;
  }
  EXPECT_EQ(f.raw({}, &handled), "");
  EXPECT_FALSE(handled);
  // Redis's command table checks each subcommand's arity first.
  EXPECT_EQ(f.error({"masters", "x"}),
            "ERR wrong number of arguments for 'sentinel|masters' command");
  EXPECT_EQ(f.error({"MASTER"}), "ERR wrong number of arguments for 'sentinel|master' command");
  EXPECT_EQ(f.error({"SLAVES"}), "ERR wrong number of arguments for 'sentinel|slaves' command");
  EXPECT_EQ(f.error({"set", "m", "a"}), "ERR wrong number of arguments for 'sentinel|set' command");
  EXPECT_EQ(f.error({"set", "m", "quorum"}),
            "ERR wrong number of arguments for 'sentinel|set' command");
  EXPECT_EQ(f.error({"reset"}), "ERR wrong number of arguments for 'sentinel|reset' command");
  EXPECT_EQ(f.error({"reset", "x", "y"}),
            "ERR wrong number of arguments for 'sentinel|reset' command");
  EXPECT_EQ(f.error({"info-cache"}),
            "ERR wrong number of arguments for 'sentinel|info-cache' command");
  EXPECT_EQ(f.error({"simulate-failure"}),
            "ERR wrong number of arguments for 'sentinel|simulate-failure' command");
  EXPECT_EQ(f.error({"help", "x"}), "ERR wrong number of arguments for 'sentinel|help' command");
  EXPECT_EQ(f.error({"monitor", "a", "127.0.0.1", "1"}),
            "ERR wrong number of arguments for 'sentinel|monitor' command");
  EXPECT_EQ(f.error({"config"}), "ERR wrong number of arguments for 'sentinel|config' command");
  // No such master.
  for (const char* sub : {"master", "replicas", "slaves", "sentinels", "ckquorum", "remove"})
    EXPECT_EQ(f.error({sub, "nosuch"}), "ERR No such master with that name") << sub;
  EXPECT_EQ(f.error({"set", "nosuch", "a", "b"}), "ERR No such master with that name");
}

TEST(SentinelAdmin, Ckquorum) {
  fixture f;
  f.feed();
  EXPECT_EQ(f.error({"CKQUORUM", "m"}),
            "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified "
            "quorum for this master");
  f.hello_from(s2id, 36710);
  EXPECT_EQ(f.raw({"CKQUORUM", "m"}),
            "+OK 2 usable Sentinels. Quorum and failover authorization can be reached\r\n");
  // Three other sentinels, quorum 5: neither the quorum nor the majority.
  f.hello_from(s3id, 36711);
  f.hello_from(std::string(40, 'e'), 36712);
  EXPECT_EQ(f.raw({"set", "m", "quorum", "5"}), "+OK\r\n");
  EXPECT_EQ(f.error({"CKQUORUM", "m"}),
            "NOQUORUM 4 usable Sentinels. Not enough available Sentinels to reach the specified "
            "quorum for this master");
  // The other sentinels never connect: SDOWN after 30 s.
  for (int i = 0; i < 320; ++i) {
    f.now += 100;
    f.st.tick(f.now);
  }
  EXPECT_EQ(f.error({"CKQUORUM", "m"}),
            "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the specified "
            "quorum for this master. Not enough available Sentinels to reach the majority and "
            "authorize a failover");
  EXPECT_EQ(f.raw({"set", "m", "quorum", "1"}), "+OK\r\n");
  EXPECT_EQ(f.error({"CKQUORUM", "m"}),
            "NOQUORUM 1 usable Sentinels. Not enough available Sentinels to reach the majority and "
            "authorize a failover");
}

TEST(SentinelAdmin, MonitorAsRedis) {
  fixture f;
  // Redis's errors, in its order of checks (quorum parsed, port parsed,
  // quorum >= 1, address, port range, duplicate name).
  EXPECT_EQ(f.error({"MONITOR", "m2", "127.0.0.1", "1", "x"}), "ERR Invalid quorum");
  EXPECT_EQ(f.error({"MONITOR", "m2", "127.0.0.1", "x", "x"}), "ERR Invalid quorum");
  EXPECT_EQ(f.error({"MONITOR", "m2", "127.0.0.1", "x", "1"}), "ERR Invalid port");
  EXPECT_EQ(f.error({"MONITOR", "m2", "127.0.0.1", "99999999999999999999", "1"}),
            "ERR Invalid port");
  EXPECT_EQ(f.error({"MONITOR", "m2", "127.0.0.1", "1", "0"}), "ERR Quorum must be 1 or greater.");
  EXPECT_EQ(f.error({"MONITOR", "m2", "127.0.0.1", "1", "-4294967295"}),
            "ERR Quorum must be 1 or greater.");
  EXPECT_EQ(f.error({"MONITOR", "m2", "badhost", "1", "1"}),
            "ERR Invalid IP address or hostname specified");
  EXPECT_EQ(f.error({"MONITOR", "m2", "badhost", "70000", "0"}),
            "ERR Quorum must be 1 or greater.");
  EXPECT_EQ(f.error({"MONITOR", "m2", "127.0.0.1", "70000", "1"}), "ERR Invalid port number.");
  EXPECT_EQ(f.error({"MONITOR", "m2", "127.0.0.1", "-1", "1"}), "ERR Invalid port number.");
  EXPECT_EQ(f.error({"MONITOR", "m", "127.0.0.1", "70000", "1"}), "ERR Invalid port number.");
  EXPECT_EQ(f.error({"MONITOR", "m", "127.0.0.1", "1", "1"}), "ERR Duplicate master name.");
  EXPECT_EQ(f.st.masters().size(), 1u);
  sentinel_output o = f.st.take_output();
  EXPECT_TRUE(o.events.empty());
  EXPECT_FALSE(o.save_config);

  EXPECT_EQ(f.raw({"monitor", "m2", "127.0.0.1", "36799", "2"}), "+OK\r\n");
  o = f.st.take_output();
  EXPECT_EQ(event_texts(o),
            std::vector<std::string>{"+monitor master m2 127.0.0.1 36799 quorum 2"});
  EXPECT_TRUE(o.save_config);
  ASSERT_EQ(o.connect.size(), 1u);
  EXPECT_EQ(o.connect[0], f.m("m2").id);
  resp_value v = f.run({"MASTER", "m2"});
  EXPECT_EQ(keys(v), redis_master_keys);
  EXPECT_EQ(field(v, "flags"), "master,disconnected");
  EXPECT_EQ(field(v, "runid"), "");
  EXPECT_EQ(field(v, "quorum"), "2");
  EXPECT_EQ(field(v, "num-slaves"), "0");
  EXPECT_EQ(field(v, "info-refresh"), "0");
  // The next tick does not open the link twice.
  f.now += 100;
  EXPECT_FALSE(contains(f.st.tick(f.now).connect, f.m("m2").id));
  // The persisted state has it.
  ASSERT_NE(f.st.to_conf().master("m2"), nullptr);
  EXPECT_EQ(f.st.to_conf().master("m2")->addr.port, 36799);

  // Redis keeps an int port and an unsigned quorum: 2^32+1 is port 1, a
  // quorum of 2^32 is 0 (checked on redis-sentinel 7.0.15).
  EXPECT_EQ(f.raw({"MONITOR", "m3", "127.0.0.1", "4294967297", "4294967296"}), "+OK\r\n");
  EXPECT_EQ(f.m("m3").addr.port, 1);
  EXPECT_EQ(f.m("m3").quorum, 0u);
  // The event prints the quorum with %d, the reply as a number (as Redis).
  f.st.take_output();
  EXPECT_EQ(f.raw({"MONITOR", "q2", "127.0.0.1", "36798", "3000000000"}), "+OK\r\n");
  EXPECT_EQ(event_texts(f.st.take_output()),
            std::vector<std::string>{"+monitor master q2 127.0.0.1 36798 quorum -1294967296"});
  EXPECT_EQ(field(f.run({"MASTER", "q2"}), "quorum"), "3000000000");
  EXPECT_EQ(f.raw({"SET", "q2", "parallel-syncs", "2147483648"}), "+OK\r\n");
  EXPECT_EQ(field(f.run({"MASTER", "q2"}), "parallel-syncs"), "-2147483648");
  EXPECT_EQ(f.raw({"REMOVE", "q2"}), "+OK\r\n");
  // DEBUG's defaults apply to new masters; IPv6 literals are addresses.
  EXPECT_EQ(f.raw({"DEBUG", "default-down-after", "5000", "default-failover-timeout", "7"}),
            "+OK\r\n");
  EXPECT_EQ(f.raw({"MONITOR", "m4", "::1", "6379", "1"}), "+OK\r\n");
  v = f.run({"MASTER", "m4"});
  EXPECT_EQ(field(v, "ip"), "::1");
  EXPECT_EQ(field(v, "down-after-milliseconds"), "5000");
  EXPECT_EQ(field(v, "failover-timeout"), "7");
  // Names are not checked (redis-sentinel accepts "a b").
  EXPECT_EQ(f.raw({"MONITOR", "a b", "127.0.0.1", "6379", "1"}), "+OK\r\n");
  EXPECT_EQ(f.st.masters().size(), 5u);
}

TEST(SentinelAdmin, MonitorResolveHostnames) {
  sentinel_options o;
  o.resolve = [](const std::string& host, bool names) -> std::optional<std::string> {
    if (host == "127.0.0.1") return host;
    if (names && host == "localhost") return std::string("127.0.0.1");
    return std::nullopt;
  };
  fixture f(base_conf(), o);
  EXPECT_EQ(f.error({"MONITOR", "z", "localhost", "5", "1"}),
            "ERR Invalid IP address or hostname specified");
  EXPECT_EQ(f.raw({"CONFIG", "SET", "resolve-hostnames", "yes"}), "+OK\r\n");
  EXPECT_EQ(f.raw({"MONITOR", "z", "localhost", "5", "1"}), "+OK\r\n");
  EXPECT_EQ(field(f.run({"MASTER", "z"}), "ip"), "127.0.0.1");
  EXPECT_EQ(f.raw({"CONFIG", "SET", "announce-hostnames", "yes"}), "+OK\r\n");
  EXPECT_EQ(field(f.run({"MASTER", "z"}), "ip"), "localhost");
}

TEST(SentinelAdmin, Remove) {
  fixture f;
  f.feed();
  uint64_t mid = f.m().id, rid = f.replica().id;
  EXPECT_EQ(f.raw({"REMOVE", "m"}), "+OK\r\n");
  sentinel_output o = f.st.take_output();
  EXPECT_EQ(event_texts(o), std::vector<std::string>{"-monitor master m 127.0.0.1 36702"});
  EXPECT_TRUE(o.save_config);
  EXPECT_TRUE(contains(o.disconnect, mid));
  EXPECT_TRUE(contains(o.disconnect, rid));
  EXPECT_EQ(f.st.masters().size(), 0u);
  EXPECT_EQ(f.error({"MASTER", "m"}), "ERR No such master with that name");
  EXPECT_EQ(f.error({"REMOVE", "m"}), "ERR No such master with that name");
  EXPECT_EQ(f.raw({"MASTERS"}), "*0\r\n");
  EXPECT_EQ(f.st.to_conf().masters.size(), 0u);
}

TEST(SentinelAdmin, Reset) {
  sentinel_conf c = base_conf();
  master_conf other;
  other.name = "other";
  other.addr = addr("127.0.0.1", 36800);
  c.masters.push_back(other);
  fixture f(c);
  f.feed();
  f.hello_from(s2id, 36710);
  uint64_t rid = f.replica().id, sid = f.m().sentinels.at(0)->id;
  f.st.take_output();
  EXPECT_EQ(f.raw({"RESET", "zz"}), ":0\r\n");
  EXPECT_TRUE(f.st.take_output().events.empty());
  EXPECT_EQ(f.raw({"RESET", "M"}), ":0\r\n");  // case-sensitive
  EXPECT_EQ(f.raw({"RESET", "m"}), ":1\r\n");
  sentinel_output o = f.st.take_output();
  EXPECT_EQ(event_texts(o), std::vector<std::string>{"+reset-master master m 127.0.0.1 36702"});
  EXPECT_FALSE(o.save_config);  // Redis does not flush the config on RESET
  EXPECT_TRUE(contains(o.disconnect, f.m().id));
  EXPECT_TRUE(contains(o.disconnect, rid));
  EXPECT_TRUE(contains(o.disconnect, sid));
  resp_value v = f.run({"MASTER", "m"});
  EXPECT_EQ(field(v, "flags"), "master,disconnected");
  EXPECT_EQ(field(v, "runid"), "");
  EXPECT_EQ(field(v, "num-slaves"), "0");
  EXPECT_EQ(field(v, "num-other-sentinels"), "0");
  EXPECT_EQ(field(v, "link-pending-commands"), "0");
  EXPECT_EQ(field(v, "role-reported-time"), "0");
  EXPECT_EQ(f.raw({"REPLICAS", "m"}), "*0\r\n");
  // The link is reopened by the ticks, the replicas learned again from INFO.
  f.now += 1000;
  EXPECT_TRUE(contains(f.st.tick(f.now).connect, f.m().id));
  f.st.link_up(f.m().id, "127.0.0.1", f.now);
  f.st.info_reply(f.m().id, fixture_file("info-master-7.0.15.txt"), f.now);
  EXPECT_EQ(field(f.run({"MASTER", "m"}), "num-slaves"), "1");
  EXPECT_EQ(field(f.run({"MASTER", "m"}), "runid"), master_runid);
  // Glob patterns.
  EXPECT_EQ(f.raw({"RESET", "*"}), ":2\r\n");
  EXPECT_EQ(f.raw({"RESET", "o[s-u]h?r"}), ":1\r\n");
}

TEST(SentinelAdmin, SetEveryOption) {
  fixture f;
  f.feed();
  f.hello_from(s2id, 36710);
  f.st.take_output();
  EXPECT_EQ(f.raw({"SET", "m", "quorum", "4294967297", "parallel-syncs", "4294967297",
                   "down-after-milliseconds", "5000", "auth-pass", "sec", "auth-user", "u",
                   "failover-timeout", "1000", "rename-command", "CONFIG", "CFG",
                   "master-reboot-down-after-period", "0"}),
            "+OK\r\n");
  sentinel_output o = f.st.take_output();
  // The events redis-sentinel 7.0.15 published for the same command.
  EXPECT_EQ(event_texts(o), (std::vector<std::string>{
                                "+set master m 127.0.0.1 36702 quorum 4294967297",
                                "+set master m 127.0.0.1 36702 parallel-syncs 4294967297",
                                "+set master m 127.0.0.1 36702 down-after-milliseconds 5000",
                                "+set master m 127.0.0.1 36702 auth-pass ******",
                                "+set master m 127.0.0.1 36702 auth-user u",
                                "+set master m 127.0.0.1 36702 failover-timeout 1000",
                                "+set master m 127.0.0.1 36702 rename-command CONFIG CFG",
                                "+set master m 127.0.0.1 36702 master-reboot-down-after-period 0",
                            }));
  EXPECT_TRUE(o.save_config);
  // auth-pass / auth-user drop the master's and replicas' links.
  EXPECT_TRUE(contains(o.disconnect, f.m().id));
  EXPECT_TRUE(contains(o.disconnect, f.replica().id));
  EXPECT_TRUE(f.m().link.disconnected);
  // Redis stores the quorum as unsigned int, parallel-syncs as int.
  EXPECT_EQ(f.m().quorum, 1u);
  EXPECT_EQ(f.m().parallel_syncs, 1);
  EXPECT_EQ(f.m().down_after_ms, 5000);
  EXPECT_EQ(f.replica().down_after_ms, 5000);  // propagated
  EXPECT_EQ(f.m().sentinels.at(0)->down_after_ms, 5000);
  EXPECT_EQ(f.m().auth_pass, "sec");
  EXPECT_EQ(f.m().auth_user, "u");
  EXPECT_EQ(f.m().failover_timeout_ms, 1000);
  ASSERT_EQ(f.m().renamed_commands.size(), 1u);
  EXPECT_EQ(f.m().renamed_commands[0].to, "CFG");
  sentinel_conf saved = f.st.to_conf();
  EXPECT_EQ(saved.master("m")->auth_pass, "sec");
  EXPECT_EQ(saved.master("m")->down_after_ms, 5000);

  // rename-command replaces an older renaming; renaming to itself removes it.
  EXPECT_EQ(f.raw({"SET", "m", "rename-command", "config", "CONF2"}), "+OK\r\n");
  ASSERT_EQ(f.m().renamed_commands.size(), 1u);
  EXPECT_EQ(f.m().renamed_commands[0].to, "CONF2");
  EXPECT_EQ(f.raw({"SET", "m", "rename-command", "Config", "CONFIG"}), "+OK\r\n");
  EXPECT_TRUE(f.m().renamed_commands.empty());
  // Empty values clear auth-pass / auth-user.
  EXPECT_EQ(f.raw({"SET", "m", "auth-pass", "", "auth-user", ""}), "+OK\r\n");
  EXPECT_FALSE(f.m().auth_pass);
  EXPECT_FALSE(f.m().auth_user);
  EXPECT_EQ(f.raw({"set", "m", "MASTER-REBOOT-DOWN-AFTER-PERIOD", "30000"}), "+OK\r\n");
  EXPECT_EQ(f.m().master_reboot_down_after_ms, 30000);
}

TEST(SentinelAdmin, SetErrorsAsRedis) {
  fixture f;
  EXPECT_EQ(f.error({"SET", "m", "foo", "1"}),
            "ERR Unknown option or number of arguments for SENTINEL SET 'foo'");
  EXPECT_EQ(f.error({"SET", "m", "rename-command", "a"}),
            "ERR Unknown option or number of arguments for SENTINEL SET 'rename-command'");
  EXPECT_EQ(f.error({"SET", "m", "quorum", "-1"}),
            "ERR Invalid argument '-1' for SENTINEL SET 'quorum'");
  EXPECT_EQ(f.error({"SET", "m", "quorum", "99999999999999999999"}),
            "ERR Invalid argument '99999999999999999999' for SENTINEL SET 'quorum'");
  for (const char* opt : {"down-after-milliseconds", "failover-timeout", "parallel-syncs"}) {
    EXPECT_EQ(f.error({"SET", "m", opt, "0"}),
              "ERR Invalid argument '0' for SENTINEL SET '" + std::string(opt) + "'");
    EXPECT_EQ(f.error({"SET", "m", opt, " 1"}),
              "ERR Invalid argument ' 1' for SENTINEL SET '" + std::string(opt) + "'");
  }
  EXPECT_EQ(f.error({"SET", "m", "master-reboot-down-after-period", "-1"}),
            "ERR Invalid argument '-1' for SENTINEL SET 'master-reboot-down-after-period'");
  EXPECT_EQ(f.error({"SET", "m", "rename-command", "", "x"}),
            "ERR Invalid argument '' for SENTINEL SET 'rename-command'");
  EXPECT_EQ(f.error({"SET", "m", "rename-command", "a", ""}),
            "ERR Invalid argument '' for SENTINEL SET 'rename-command'");
  EXPECT_EQ(f.error({"SET", "m", "rename-command", "", "x"}),
            "ERR Invalid argument '' for SENTINEL SET 'rename-command'");
  const std::string denied =
      "ERR Reconfiguration of scripts path is denied for security reasons. Check the "
      "deny-scripts-reconfig configuration directive in your Sentinel configuration";
  EXPECT_EQ(f.error({"SET", "m", "notification-script", "/bin/true"}), denied);
  EXPECT_EQ(f.error({"SET", "m", "client-reconfig-script", ""}), denied);
  sentinel_output o = f.st.take_output();
  EXPECT_TRUE(o.events.empty());
  EXPECT_FALSE(o.save_config);
  EXPECT_EQ(f.m().quorum, 2u);

  // The options before the bad one stay set (and are saved), as in Redis.
  EXPECT_EQ(f.error({"SET", "m", "quorum", "3", "parallel-syncs", "0"}),
            "ERR Invalid argument '0' for SENTINEL SET 'parallel-syncs'");
  EXPECT_EQ(f.m().quorum, 3u);
  o = f.st.take_output();
  EXPECT_EQ(event_texts(o), std::vector<std::string>{"+set master m 127.0.0.1 36702 quorum 3"});
  EXPECT_TRUE(o.save_config);
  EXPECT_EQ(f.error({"SET", "m", "quorum", "1", "parallel-syncs"}),
            "ERR Unknown option or number of arguments for SENTINEL SET 'parallel-syncs'");
  EXPECT_EQ(f.m().quorum, 1u);
  EXPECT_TRUE(f.st.take_output().save_config);
}

TEST(SentinelAdmin, SetScriptsWhenAllowed) {
  sentinel_conf c = base_conf();
  c.deny_scripts_reconfig = false;
  fixture f(c);
  f.st.set_executable_check([](const std::string& p) { return p == "/ok.sh"; });
  EXPECT_EQ(f.error({"SET", "m", "notification-script", "/missing.sh"}),
            "ERR Notification script seems non existing or non executable");
  EXPECT_EQ(f.error({"SET", "m", "client-reconfig-script", "/missing.sh"}),
            "ERR Client reconfiguration script seems non existing or non executable");
  EXPECT_EQ(
      f.raw({"SET", "m", "notification-script", "/ok.sh", "client-reconfig-script", "/ok.sh"}),
      "+OK\r\n");
  resp_value v = f.run({"MASTER", "m"});
  std::vector<std::string> want = redis_master_keys;
  want.push_back("notification-script");
  want.push_back("client-reconfig-script");
  EXPECT_EQ(keys(v), want);
  EXPECT_EQ(field(v, "notification-script"), "/ok.sh");
  EXPECT_EQ(event_texts(f.st.take_output()),
            (std::vector<std::string>{"+set master m 127.0.0.1 36702 notification-script /ok.sh",
                                      "+set master m 127.0.0.1 36702 client-reconfig-script "
                                      "/ok.sh"}));
  // An empty path removes the script.
  EXPECT_EQ(f.raw({"SET", "m", "notification-script", ""}), "+OK\r\n");
  EXPECT_FALSE(f.m().notification_script);
}

TEST(SentinelAdmin, ConfigSetAndGet) {
  fixture f;
  f.feed();
  EXPECT_EQ(f.error({"CONFIG", "SET", "a", "b"}),
            "ERR Invalid argument 'a' to SENTINEL CONFIG SET");
  EXPECT_EQ(f.error({"CONFIG", "SET", "announce-port", "70000"}),
            "ERR Invalid value '70000' to SENTINEL CONFIG SET 'announce-port'");
  EXPECT_EQ(f.error({"CONFIG", "SET", "announce-port", "-1"}),
            "ERR Invalid value '-1' to SENTINEL CONFIG SET 'announce-port'");
  EXPECT_EQ(f.error({"CONFIG", "SET", "announce-port", "99999999999999999999"}),
            "ERR Invalid value '99999999999999999999' to SENTINEL CONFIG SET 'announce-port'");
  EXPECT_EQ(f.error({"CONFIG", "SET", "resolve-hostnames", "maybe"}),
            "ERR Invalid value 'maybe' to SENTINEL CONFIG SET 'resolve-hostnames'");
  EXPECT_EQ(f.error({"CONFIG", "SET", "announce-hostnames", ""}),
            "ERR Invalid value '' to SENTINEL CONFIG SET 'announce-hostnames'");
  const std::string only =
      "ERR Only SENTINEL CONFIG GET <option> / SET <option> <value> are supported.";
  EXPECT_EQ(f.error({"CONFIG", "GET"}), only);
  EXPECT_EQ(f.error({"CONFIG", "x"}), only);
  EXPECT_EQ(f.error({"CONFIG", "SET", "announce-port", "1", "announce-ip", "2"}), only);
  EXPECT_EQ(f.error({"CONFIG", "GET", "a", "b"}), only);
  EXPECT_FALSE(f.st.take_output().save_config);

  EXPECT_EQ(f.raw({"CONFIG", "SET", "announce-port", "26380"}), "+OK\r\n");
  EXPECT_EQ(f.raw({"config", "set", "ANNOUNCE-IP", "10.0.0.1"}), "+OK\r\n");
  EXPECT_EQ(f.raw({"CONFIG", "SET", "resolve-hostnames", "YES"}), "+OK\r\n");
  sentinel_output o = f.st.take_output();
  EXPECT_TRUE(o.save_config);
  EXPECT_TRUE(o.disconnect.empty());
  EXPECT_TRUE(o.events.empty());
  EXPECT_EQ(
      f.raw({"CONFIG", "GET", "announce-*"}),
      "*6\r\n$18\r\nannounce-hostnames\r\n$2\r\nno\r\n$11\r\nannounce-ip\r\n$8\r\n10.0.0.1\r\n"
      "$13\r\nannounce-port\r\n$5\r\n26380\r\n");
  EXPECT_EQ(f.st.to_conf().announce_port, 26380);
  EXPECT_EQ(f.st.to_conf().announce_ip, "10.0.0.1");
  EXPECT_TRUE(f.st.to_conf().resolve_hostnames);
  // sentinel-user / sentinel-pass drop the links to the other sentinels
  // (those up), to be reopened with the new credentials.
  f.hello_from(s2id, 36710);
  f.hello_from(s3id, 36711);
  const instance& s2 = *f.m().sentinels.at(0);
  f.st.link_up(s2.id, "127.0.0.1", f.now);
  f.st.take_output();
  EXPECT_EQ(f.raw({"CONFIG", "SET", "sentinel-pass", "pw"}), "+OK\r\n");
  o = f.st.take_output();
  EXPECT_EQ(o.disconnect, std::vector<uint64_t>{s2.id});
  EXPECT_TRUE(s2.link.disconnected);
  EXPECT_TRUE(o.save_config);
  // The next tick reconnects it, and the link sends AUTH with the new password.
  f.now += 1000;
  EXPECT_TRUE(contains(f.st.tick(f.now).connect, s2.id));
  f.st.link_up(s2.id, "127.0.0.1", f.now);
  o = f.st.take_output();
  ASSERT_FALSE(o.commands.empty());
  EXPECT_EQ(o.commands[0].argv, (std::vector<std::string>{"AUTH", "pw"}));
  EXPECT_EQ(f.raw({"CONFIG", "SET", "sentinel-user", "su"}), "+OK\r\n");
  EXPECT_EQ(f.st.take_output().disconnect, std::vector<uint64_t>{s2.id});
  EXPECT_EQ(f.raw({"CONFIG", "GET", "SENTINEL-PASS"}),
            "*2\r\n$13\r\nsentinel-pass\r\n$2\r\npw\r\n");
  EXPECT_EQ(f.raw({"CONFIG", "SET", "sentinel-pass", ""}), "+OK\r\n");
  EXPECT_FALSE(f.st.global_conf().sentinel_pass);
  EXPECT_EQ(f.raw({"CONFIG", "GET", "sentinel-?ass"}), "*2\r\n$13\r\nsentinel-pass\r\n$0\r\n\r\n");
}

TEST(SentinelAdmin, Debug) {
  fixture f;
  EXPECT_EQ(f.error({"DEBUG", "foo"}),
            "ERR Unknown option or number of arguments for SENTINEL DEBUG 'foo'");
  EXPECT_EQ(f.error({"DEBUG", "info-period"}),
            "ERR Unknown option or number of arguments for SENTINEL DEBUG 'info-period'");
  EXPECT_EQ(f.error({"DEBUG", "info-period", "0"}),
            "ERR Invalid argument '0' for SENTINEL DEBUG 'info-period'");
  EXPECT_EQ(f.error({"DEBUG", "info-period", "abc", "ping-period", "5"}),
            "ERR Invalid argument 'abc' for SENTINEL DEBUG 'info-period'");
  EXPECT_EQ(f.error({"DEBUG", "ping-period", "-5"}),
            "ERR Invalid argument '-5' for SENTINEL DEBUG 'ping-period'");
  EXPECT_EQ(f.raw({"DEBUG"}), fixture_file("sentinel-debug-7.0.15.resp"));
  EXPECT_EQ(f.raw({"DEBUG",
                   "INFO-PERIOD",
                   "100",
                   "ping-period",
                   "50",
                   "ask-period",
                   "60",
                   "publish-period",
                   "70",
                   "default-down-after",
                   "80",
                   "tilt-trigger",
                   "90",
                   "tilt-period",
                   "110",
                   "slave-reconf-timeout",
                   "120",
                   "min-link-reconnect-period",
                   "130",
                   "default-failover-timeout",
                   "140",
                   "election-timeout",
                   "150",
                   "script-max-runtime",
                   "160",
                   "script-retry-delay",
                   "9223372036854775807"}),
            "+OK\r\n");
  const sentinel_timing& t = f.st.timing();
  EXPECT_EQ(t.info_period, 100);
  EXPECT_EQ(t.ping_period, 50);
  EXPECT_EQ(t.ask_period, 60);
  EXPECT_EQ(t.publish_period, 70);
  EXPECT_EQ(t.default_down_after, 80);
  EXPECT_EQ(t.tilt_trigger, 90);
  EXPECT_EQ(t.tilt_period, 110);
  EXPECT_EQ(t.slave_reconf_timeout, 120);
  EXPECT_EQ(t.min_link_reconnect_period, 130);
  EXPECT_EQ(t.default_failover_timeout, 140);
  EXPECT_EQ(t.election_timeout, 150);
  EXPECT_EQ(t.script_max_runtime, 160);
  EXPECT_EQ(t.script_retry_delay, INT64_MAX);
  resp_value v = f.run({"DEBUG"});
  EXPECT_EQ(field(v, "PING-PERIOD"), "50");
  EXPECT_EQ(field(v, "SCRIPT-RETRY-DELAY"), "9223372036854775807");
  // Partial: the options before the bad one are set.
  EXPECT_EQ(f.error({"DEBUG", "info-period", "5", "ping-period", "x"}),
            "ERR Invalid argument 'x' for SENTINEL DEBUG 'ping-period'");
  EXPECT_EQ(f.st.timing().info_period, 5);
  // The state uses them: with info-period 5 ms, INFO goes out on every tick.
  f.st.link_up(f.m().id, "127.0.0.1", f.now);
  f.st.info_reply(f.m().id, fixture_file("info-master-7.0.15.txt"), f.now);
  f.st.take_output();
  f.now += 10;
  bool info_sent = false;
  for (auto& c : f.st.tick(f.now).commands)
    info_sent = info_sent || (c.target == f.m().id && c.kind == command_kind::info);
  EXPECT_TRUE(info_sent);
}

TEST(SentinelAdmin, SimulateFailure) {
  fixture f;
  EXPECT_EQ(f.raw({"SIMULATE-FAILURE", "help"}),
            "*2\r\n$20\r\ncrash-after-election\r\n$21\r\ncrash-after-promotion\r\n");
  EXPECT_EQ(f.error({"SIMULATE-FAILURE", "foo"}), "ERR Unknown failure simulation specified");
  EXPECT_EQ(f.raw({"simulate-failure", "CRASH-AFTER-ELECTION", "crash-after-promotion"}),
            "+OK\r\n");
  EXPECT_EQ(f.st.simulate_failure_flags(), 3u);
  // Each call starts from none; flags given before HELP stay set, as in Redis.
  EXPECT_EQ(f.raw({"SIMULATE-FAILURE", "crash-after-election", "help"}).substr(0, 4), "*2\r\n");
  EXPECT_EQ(f.st.simulate_failure_flags(), 1u);
  EXPECT_NE(sentinel_info_section(f.st).find("sentinel_simulate_failure_flags:1\r\n"),
            std::string::npos);
  EXPECT_EQ(f.error({"SIMULATE-FAILURE", "crash-after-promotion", "x"}),
            "ERR Unknown failure simulation specified");
  EXPECT_EQ(f.st.simulate_failure_flags(), 2u);
}

TEST(SentinelAdmin, InfoCache) {
  sentinel_conf c = base_conf();
  master_conf other;
  other.name = "other";
  other.addr = addr("127.0.0.1", 36800);
  c.masters.push_back(other);
  fixture f(c);
  f.feed();
  f.now += 1500;
  resp_value v = f.run({"INFO-CACHE", "m"});
  ASSERT_EQ(v.elements.size(), 2u);
  EXPECT_EQ(v.elements[0].str, "m");
  const resp_value& list = v.elements[1];
  ASSERT_EQ(list.elements.size(), 2u);  // the master, then its replica
  EXPECT_EQ(list.elements[0].elements[0].integer, 1500);
  EXPECT_EQ(list.elements[0].elements[1].str, fixture_file("info-master-7.0.15.txt"));
  EXPECT_EQ(list.elements[1].elements[0].integer, 1500);
  EXPECT_EQ(list.elements[1].elements[1].str, fixture_file("info-replica-7.0.15.txt"));
  // Unknown names are ignored, a name given twice counts once; no names: all.
  EXPECT_EQ(f.raw({"INFO-CACHE", "nosuch"}), "*0\r\n");
  EXPECT_EQ(f.raw({"INFO-CACHE", "m", "nosuch", "m"}), f.raw({"INFO-CACHE", "m"}));
  EXPECT_EQ(f.raw({"INFO-CACHE", "other"}), "*2\r\n$5\r\nother\r\n*1\r\n*2\r\n:0\r\n$-1\r\n");
}

TEST(SentinelAdmin, InfoSection) {
  sentinel_conf c = base_conf();
  master_conf other;
  other.name = "other";
  other.addr = addr("127.0.0.1", 36800);
  c.masters.push_back(other);
  fixture f(c);
  f.feed();
  f.hello_from(s2id, 36710);
  EXPECT_EQ(sentinel_info_section(f.st),
            "# Sentinel\r\n"
            "sentinel_masters:2\r\n"
            "sentinel_tilt:0\r\n"
            "sentinel_tilt_since_seconds:-1\r\n"
            "sentinel_running_scripts:0\r\n"
            "sentinel_scripts_queue_length:0\r\n"
            "sentinel_simulate_failure_flags:0\r\n"
            "master0:name=m,status=ok,address=127.0.0.1:36702,slaves=1,sentinels=2\r\n"
            "master1:name=other,status=ok,address=127.0.0.1:36800,slaves=0,sentinels=1\r\n");
  f.st.set_script_counts(2, 7);
  // A clock jump: TILT.
  f.now += 5000;
  f.st.tick(f.now);
  ASSERT_TRUE(f.st.tilt());
  for (int i = 0; i < 2; ++i) {
    f.now += 1500;
    f.st.tick(f.now);
  }
  std::string s = sentinel_info_section(f.st);
  EXPECT_NE(s.find("sentinel_tilt:1\r\nsentinel_tilt_since_seconds:3\r\n"), std::string::npos) << s;
  EXPECT_NE(s.find("sentinel_running_scripts:2\r\nsentinel_scripts_queue_length:7\r\n"),
            std::string::npos);
}

TEST(SentinelAdmin, HostileInputNeverCrashes) {
  const std::vector<std::string> subs = {"masters",
                                         "master",
                                         "replicas",
                                         "slaves",
                                         "sentinels",
                                         "ckquorum",
                                         "reset",
                                         "monitor",
                                         "remove",
                                         "set",
                                         "config",
                                         "info-cache",
                                         "simulate-failure",
                                         "debug",
                                         "help",
                                         "get",
                                         "quorum",
                                         "rename-command",
                                         "down-after-milliseconds",
                                         "auth-pass",
                                         "notification-script",
                                         "announce-port",
                                         "info-period",
                                         "m",
                                         "*"};
  const std::vector<std::string> tokens = {"m",
                                           "",
                                           "*",
                                           "-1",
                                           "0",
                                           "1",
                                           "-9223372036854775808",
                                           "9223372036854775807",
                                           "18446744073709551616",
                                           "4294967296",
                                           "1e3",
                                           " 5",
                                           "+5",
                                           "007",
                                           "127.0.0.1",
                                           "::1",
                                           "yes",
                                           "no",
                                           std::string("a\0b", 3),
                                           std::string(1000, 'x'),
                                           "[",
                                           "\\",
                                           "quorum",
                                           "parallel-syncs",
                                           "get",
                                           "set",
                                           "help",
                                           "announce-ip",
                                           "rename-command",
                                           "sentinel-user"};
  std::mt19937 rng(12345);
  for (int round = 0; round < 4000; ++round) {
    fixture f;
    if (round % 3 == 0) f.feed();
    f.resp = 2 + round % 2;
    for (int cmd = 0; cmd < 4; ++cmd) {
      std::vector<std::string> args{subs[rng() % subs.size()]};
      size_t n = rng() % 8;
      for (size_t i = 0; i < n; ++i) args.push_back(tokens[rng() % tokens.size()]);
      bool handled = false;
      std::string buf = f.raw(args, &handled);
      if (!handled) {
        EXPECT_EQ(buf, "");
        continue;
      }
      reply_parser p;
      size_t pos = 0;
      resp_value v;
      ASSERT_EQ(p.parse(buf.data(), buf.size(), pos, v), reply_parser::result::value) << buf;
      EXPECT_EQ(pos, buf.size());
      f.now += 100;
      f.st.tick(f.now);
    }
    (void)sentinel_info_section(f.st);
  }
}

TEST(SentinelAdmin, MasterRebootPeriodIsPersisted) {
  fixture f;
  EXPECT_EQ(f.raw({"SET", "m", "master-reboot-down-after-period", "5", "auth-user", "u"}),
            "+OK\r\n");
  // Written after auth-user, before config-epoch (rewriteConfigSentinelOption).
  std::string text = rewrite_config_text("port 26379\n", sentinel_rewrite_plan(f.st.to_conf()));
  EXPECT_NE(text.find("sentinel auth-user m u\nsentinel master-reboot-down-after-period m 5\n"
                      "sentinel config-epoch m 0\n"),
            std::string::npos)
      << text;
  // Read back (atoi, as Redis: "5x" is 5), and refused when negative.
  sentinel_conf back;
  ASSERT_FALSE(apply_sentinel_lines(back, sentinel_lines_of(text)));
  EXPECT_EQ(back.master("m")->master_reboot_down_after_ms, 5);
  sentinel_state st2(
      back, {}, [] { return uint64_t{0}; }, 0);
  EXPECT_EQ(st2.master("m")->master_reboot_down_after_ms, 5);
  sentinel_conf c;
  auto e = apply_sentinel_lines(c, sentinel_lines_of("sentinel monitor m 127.0.0.1 6379 2\n"
                                                     "sentinel master-reboot-down-after-period "
                                                     "m -1\n"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "negative time parameter.");
  e = apply_sentinel_lines(c, sentinel_lines_of("sentinel master-reboot-down-after-period x 5\n"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->message, "No such master with specified name.");
  // Back to 0: the line goes.
  EXPECT_EQ(f.raw({"SET", "m", "master-reboot-down-after-period", "0"}), "+OK\r\n");
  EXPECT_EQ(rewrite_config_text(text, sentinel_rewrite_plan(f.st.to_conf())).find("reboot"),
            std::string::npos);
}

TEST(SentinelAdmin, UnannouncedReplicasAreNotListed) {
  fixture f;
  f.feed();
  std::string info = fixture_file("info-replica-7.0.15.txt");
  size_t at = info.find("replica_announced:1\r\n");
  ASSERT_NE(at, std::string::npos);
  info[at + 18] = '0';
  f.st.info_reply(f.replica().id, info, f.now);
  EXPECT_EQ(f.raw({"REPLICAS", "m"}), "*0\r\n");
  // Still counted by MASTER, INFO and INFO-CACHE, as in Redis.
  EXPECT_EQ(field(f.run({"MASTER", "m"}), "num-slaves"), "1");
  EXPECT_NE(sentinel_info_section(f.st).find(",slaves=1,"), std::string::npos);
  EXPECT_EQ(f.run({"INFO-CACHE", "m"}).elements.at(1).elements.size(), 2u);
}
