// sentinel_state: the decisions of redis-sentinel 7.0 (sentinel.c) driven by
// hand: links, replies, hello messages and ticks with a fake clock. Event
// texts are those redis-sentinel 7.0.15 published in a real failover (a
// master on 36701, its replica on 36702, three sentinels).
#include <gtest/gtest.h>

#include "topology/sentinel/sentinel_state.hpp"

using namespace troupe::sentinel;

namespace {

const std::string me = "a652b80455d9c07eedac27f3d7d237ed4d2b679a";
const std::string s2id = "8f9934d4ff2c216bdb7665ba8b65c7ffd7f8af0a";
const std::string s3id = "d9c9ac95e6b35e500fa4a3d93fe1487973bcddd0";

instance_addr addr(const std::string& ip, int port) {
  return {ip, ip, port};
}

sentinel_conf base_conf(unsigned quorum = 2) {
  sentinel_conf c;
  c.myid = me;
  master_conf m;
  m.name = "mymaster";
  m.addr = addr("127.0.0.1", 36701);
  m.quorum = quorum;
  m.down_after_ms = 3000;
  m.failover_timeout_ms = 20000;
  m.known_replicas = {addr("127.0.0.1", 36702), addr("127.0.0.1", 36703)};
  m.known_sentinels = {{addr("127.0.0.1", 36712), s2id}, {addr("127.0.0.1", 36713), s3id}};
  c.masters.push_back(m);
  return c;
}

sentinel_state::random_source zero_rng() {
  return [] { return uint64_t{0}; };
}

std::string master_info(const std::string& runid, const std::vector<int>& replica_ports) {
  std::string s = "# Server\r\nrun_id:" + runid + "\r\n# Replication\r\nrole:master\r\n";
  for (size_t i = 0; i < replica_ports.size(); ++i)
    s += "slave" + std::to_string(i) + ":ip=127.0.0.1,port=" + std::to_string(replica_ports[i]) +
         ",state=online,offset=100,lag=0\r\n";
  return s;
}

std::string replica_info(const std::string& runid, int master_port, bool link_up = true,
                         uint64_t offset = 100, int priority = 100) {
  return "run_id:" + runid +
         "\r\nrole:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:" + std::to_string(master_port) +
         "\r\nmaster_link_status:" + (link_up ? "up" : "down") +
         "\r\nslave_repl_offset:" + std::to_string(offset) +
         "\r\nslave_priority:" + std::to_string(priority) + "\r\n";
}

std::string rid(char c) {
  return std::string(40, c);
}

struct fixture {
  sentinel_state st;
  int64_t now = 1000000;
  explicit fixture(sentinel_conf c = base_conf())
      : st(c, sentinel_options{26379, {}, {}}, zero_rng(), 1000000) {}

  const instance& m() const { return *st.master("mymaster"); }
  const instance& replica(int port) const {
    for (auto& r : m().replicas)
      if (r->addr.port == port) return *r;
    throw std::runtime_error("no replica");
  }
  const instance& sentinel(const std::string& id) const {
    for (auto& s : m().sentinels)
      if (s->runid == id) return *s;
    throw std::runtime_error("no sentinel");
  }
  // Every instance's links up, every instance answering.
  void connect_all() {
    st.link_up(m().id, "127.0.0.1", now);
    for (auto& r : m().replicas) st.link_up(r->id, "127.0.0.1", now);
    for (auto& s : m().sentinels) st.link_up(s->id, "127.0.0.1", now);
    st.take_output();
  }
  // Advance time by `ms` in 100 ms ticks, answering PINGs of the instances
  // in `alive` (ids) and the INFO of replicas with `infos`.
  std::vector<sentinel_output> run(int64_t ms, const std::vector<uint64_t>& alive,
                                   std::function<void(const sentinel_command&)> on_cmd = {}) {
    std::vector<sentinel_output> outs;
    for (int64_t t = 0; t < ms; t += 100) {
      now += 100;
      sentinel_output o = st.tick(now);
      for (auto& c : o.commands) {
        bool up = std::find(alive.begin(), alive.end(), c.target) != alive.end();
        if (c.kind == command_kind::ping && up) st.ping_reply(c.target, "PONG", now);
        if (c.kind == command_kind::hello && up) {
          st.hello_published(c.target, true, now);
          // Our own hello comes back on the pub/sub link of masters and replicas.
          if (!st.find(c.target)->is_sentinel()) st.hello_received(c.target, c.argv[2], now);
        }
        if (on_cmd) on_cmd(c);
      }
      sentinel_output extra = st.take_output();
      for (auto& e : extra.events) o.events.push_back(e);
      for (auto& c : extra.commands) o.commands.push_back(c);
      for (auto& l : extra.log) o.log.push_back(l);
      outs.push_back(std::move(o));
    }
    return outs;
  }
  std::vector<uint64_t> all_ids() const {
    std::vector<uint64_t> v{m().id};
    for (auto& r : m().replicas) v.push_back(r->id);
    for (auto& s : m().sentinels) v.push_back(s->id);
    return v;
  }
};

std::vector<std::string> events_of(const std::vector<sentinel_output>& outs) {
  std::vector<std::string> v;
  for (auto& o : outs)
    for (auto& e : o.events) v.push_back(e.type + " " + e.message);
  return v;
}

std::vector<std::string> events_of(const sentinel_output& o) {
  return events_of(std::vector<sentinel_output>{o});
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::vector<std::string>> commands_to(const std::vector<sentinel_output>& outs,
                                                  uint64_t id, command_kind kind) {
  std::vector<std::vector<std::string>> v;
  for (auto& o : outs)
    for (auto& c : o.commands)
      if (c.target == id && c.kind == kind) v.push_back(c.argv);
  return v;
}

}  // namespace

TEST(sentinel_state, a_new_sentinel_gets_an_id_and_asks_to_connect) {
  sentinel_conf c = base_conf();
  c.myid.clear();
  sentinel_state st(
      c, {}, [] { return uint64_t{7}; }, 0);
  EXPECT_EQ(st.myid(), std::string(40, '7'));
  sentinel_output o = st.take_output();
  EXPECT_TRUE(o.save_config);
  o = st.tick(100);
  EXPECT_EQ(o.connect.size(), 5u);            // master, 2 replicas, 2 sentinels
  EXPECT_TRUE(st.tick(200).connect.empty());  // retried once a second
  EXPECT_EQ(st.tick(1200).connect.size(), 5u);
}

TEST(sentinel_state, periodic_ping_info_and_hello_as_redis_times_them) {
  fixture f;
  f.connect_all();
  auto outs = f.run(10500, f.all_ids());
  uint64_t mid = f.m().id;
  // link_up sent the first PING; then one a second.
  auto pings = commands_to(outs, mid, command_kind::ping);
  EXPECT_GE(pings.size(), 9u);
  EXPECT_LE(pings.size(), 11u);
  // INFO: at once and again every tick until a reply comes (never here),
  // up to 100 commands waiting for a reply on the link.
  EXPECT_GE(commands_to(outs, mid, command_kind::info).size(), 90u);
  EXPECT_EQ(f.m().link.pending_commands, 100u);
  auto hellos = commands_to(outs, mid, command_kind::hello);
  ASSERT_GE(hellos.size(), 4u);
  EXPECT_LE(hellos.size(), 6u);
  EXPECT_EQ(hellos[0],
            (std::vector<std::string>{"PUBLISH", "__sentinel__:hello",
                                      "127.0.0.1,26379," + me + ",0,mymaster,127.0.0.1,36701,0"}));
  // Sentinels get PING and hello, never INFO.
  uint64_t sid = f.sentinel(s2id).id;
  EXPECT_TRUE(commands_to(outs, sid, command_kind::info).empty());
  EXPECT_FALSE(commands_to(outs, sid, command_kind::hello).empty());
  // Answered INFO: the next one 10 s later.
  fixture g;
  g.connect_all();
  int infos = 0;
  g.run(25000, g.all_ids(), [&](const sentinel_command& c) {
    if (c.target == g.m().id && c.kind == command_kind::info) {
      ++infos;
      g.st.info_reply(c.target, master_info(rid('m'), {36702, 36703}), g.now);
    }
  });
  EXPECT_EQ(infos, 3);  // t=0.1, 10.2, 20.3
}

TEST(sentinel_state, sdown_after_down_after_milliseconds_without_a_valid_reply) {
  fixture f;
  f.connect_all();
  uint64_t mid = f.m().id;
  std::vector<uint64_t> all_but_master;
  for (uint64_t id : f.all_ids())
    if (id != mid) all_but_master.push_back(id);
  f.st.ping_reply(mid, "PONG", f.now);
  auto outs = f.run(2900, all_but_master);
  EXPECT_FALSE(f.m().s_down);
  // The first unanswered PING went 1 s after the last reply: down 3 s later.
  outs = f.run(1200, all_but_master);
  EXPECT_FALSE(f.m().s_down);
  outs = f.run(200, all_but_master);
  EXPECT_TRUE(f.m().s_down);
  EXPECT_TRUE(has(events_of(outs), "+sdown master mymaster 127.0.0.1 36701"));
  // Any error reply but LOADING/MASTERDOWN does not count.
  f.st.ping_reply(mid, "ERR something", f.now);
  f.run(100, all_but_master);
  EXPECT_TRUE(f.m().s_down);
  f.st.ping_reply(mid, "LOADING Redis is loading the dataset in memory", f.now);
  outs = f.run(100, f.all_ids());
  EXPECT_FALSE(f.m().s_down);
  EXPECT_TRUE(has(events_of(outs), "-sdown master mymaster 127.0.0.1 36701"));
  // Replicas and sentinels too, with Redis's "@ master" form.
  std::vector<uint64_t> not_s3;
  for (uint64_t id : f.all_ids())
    if (id != f.sentinel(s3id).id) not_s3.push_back(id);
  outs = f.run(4500, not_s3);
  EXPECT_TRUE(has(events_of(outs),
                  "+sdown sentinel " + s3id + " 127.0.0.1 36713 @ mymaster 127.0.0.1 36701"));
}

TEST(sentinel_state, a_master_reporting_itself_replica_for_too_long_is_sdown) {
  fixture f;
  f.connect_all();
  uint64_t mid = f.m().id;
  f.st.info_reply(mid, replica_info(rid('m'), 9999), f.now);
  auto ev = events_of(f.st.take_output());
  EXPECT_TRUE(has(ev, "-role-change master mymaster 127.0.0.1 36701 new reported role is slave"));
  // down-after (3 s) + 2 INFO periods (20 s).
  auto answer = [&](const sentinel_command& c) {
    if (c.kind == command_kind::info && c.target == mid)
      f.st.info_reply(mid, replica_info(rid('m'), 9999), f.now);
  };
  f.run(22900, f.all_ids(), answer);
  EXPECT_FALSE(f.m().s_down);
  f.run(300, f.all_ids(), answer);
  EXPECT_TRUE(f.m().s_down);
}

TEST(sentinel_state, odown_with_quorum_and_the_failover_starts) {
  fixture f;
  f.connect_all();
  uint64_t mid = f.m().id;
  std::vector<uint64_t> others;
  for (uint64_t id : f.all_ids())
    if (id != mid) others.push_back(id);
  auto outs = f.run(3500, others);
  ASSERT_TRUE(f.m().s_down);
  EXPECT_FALSE(f.m().o_down);  // quorum 2: we alone are not enough
  // Asked to the other sentinels, with "*" (no failover yet), once a second.
  auto asks = commands_to(outs, f.sentinel(s2id).id, command_kind::is_master_down);
  ASSERT_FALSE(asks.empty());
  EXPECT_EQ(asks[0], (std::vector<std::string>{"SENTINEL", "is-master-down-by-addr", "127.0.0.1",
                                               "36701", "0", "*"}));
  f.st.is_master_down_reply(f.sentinel(s2id).id, 1, "*", 0, f.now);
  outs = f.run(100, others);
  auto ev = events_of(outs);
  EXPECT_TRUE(f.m().o_down);
  EXPECT_TRUE(has(ev, "+odown master mymaster 127.0.0.1 36701 #quorum 2/2"));
  EXPECT_TRUE(has(ev, "+new-epoch 1"));
  EXPECT_TRUE(has(ev, "+try-failover master mymaster 127.0.0.1 36701"));
  EXPECT_EQ(f.st.current_epoch(), 1u);
  EXPECT_EQ(f.m().fo_state, failover_state::wait_start);
  // Now the request carries our run id, to get votes.
  asks = commands_to(outs, f.sentinel(s3id).id, command_kind::is_master_down);
  ASSERT_FALSE(asks.empty());
  EXPECT_EQ(asks.back(), (std::vector<std::string>{"SENTINEL", "is-master-down-by-addr",
                                                   "127.0.0.1", "36701", "1", me}));
  // The answer is forgotten after 5 ask periods: ODOWN ends.
  outs = f.run(5200, others);
  EXPECT_FALSE(f.m().o_down);
  EXPECT_TRUE(has(events_of(outs), "-odown master mymaster 127.0.0.1 36701"));
}

TEST(sentinel_state, one_vote_per_epoch) {
  fixture f;
  f.connect_all();
  auto r = f.st.is_master_down_by_addr("127.0.0.1", 36701, 5, s2id, f.now);
  EXPECT_FALSE(r.down);
  EXPECT_EQ(r.leader, s2id);
  EXPECT_EQ(r.leader_epoch, 5u);
  EXPECT_EQ(f.st.current_epoch(), 5u);
  auto ev = events_of(f.st.take_output());
  EXPECT_EQ(ev, (std::vector<std::string>{"+new-epoch 5", "+vote-for-leader " + s2id + " 5"}));
  // Same epoch, another candidate: the vote stands.
  r = f.st.is_master_down_by_addr("127.0.0.1", 36701, 5, s3id, f.now);
  EXPECT_EQ(r.leader, s2id);
  // An older epoch: the current vote is told.
  r = f.st.is_master_down_by_addr("127.0.0.1", 36701, 3, s3id, f.now);
  EXPECT_EQ(r.leader, s2id);
  EXPECT_EQ(r.leader_epoch, 5u);
  // A newer epoch: a new vote.
  r = f.st.is_master_down_by_addr("127.0.0.1", 36701, 6, s3id, f.now);
  EXPECT_EQ(r.leader, s3id);
  EXPECT_EQ(r.leader_epoch, 6u);
  // No vote asked ("*"), an unknown master.
  r = f.st.is_master_down_by_addr("127.0.0.1", 36701, 9, "*", f.now);
  EXPECT_EQ(r.leader, "*");
  EXPECT_EQ(r.leader_epoch, 0u);
  EXPECT_EQ(f.st.current_epoch(), 6u);
  r = f.st.is_master_down_by_addr("127.0.0.1", 1, 99, s2id, f.now);
  EXPECT_EQ(r.leader, "*");
  EXPECT_EQ(f.st.current_epoch(), 6u);
  // Extreme epochs do not break it.
  r = f.st.is_master_down_by_addr("127.0.0.1", 36701, UINT64_MAX, s2id, f.now);
  EXPECT_EQ(r.leader_epoch, UINT64_MAX);
  r = f.st.is_master_down_by_addr("127.0.0.1", 36701, UINT64_MAX, s3id, f.now);
  EXPECT_EQ(r.leader, s2id);
}

TEST(sentinel_state, leader_needs_a_majority_and_the_quorum) {
  auto with = [](unsigned quorum, std::vector<std::pair<std::string, uint64_t>> votes) {
    sentinel_conf c = base_conf(quorum);
    c.current_epoch = 4;
    auto f = std::make_unique<fixture>(c);
    f->connect_all();
    f->st.is_master_down_reply(f->sentinel(s2id).id, 1, votes[0].first, votes[0].second, f->now);
    f->st.is_master_down_reply(f->sentinel(s3id).id, 1, votes[1].first, votes[1].second, f->now);
    instance& m = const_cast<instance&>(f->m());
    std::string leader = f->st.get_leader(m, 4);
    return std::make_pair(leader, m.leader);  // the winner, and our vote
  };
  // Both others voted s2: we follow the majority.
  EXPECT_EQ(with(2, {{s2id, 4}, {s2id, 4}}), std::make_pair(s2id, s2id));
  // Nobody voted: we vote for ourselves, 1 of 3 is no majority.
  EXPECT_EQ(with(2, {{"*", 0}, {"*", 0}}), std::make_pair(std::string(), me));
  // One other voted for us: 2 of 3 and the quorum 2.
  EXPECT_EQ(with(2, {{me, 4}, {"*", 0}}), std::make_pair(me, me));
  // ... but not a quorum of 3.
  EXPECT_EQ(with(3, {{me, 4}, {"*", 0}}), std::make_pair(std::string(), me));
  // Votes of another epoch do not count.
  EXPECT_EQ(with(2, {{me, 3}, {me, 3}}), std::make_pair(std::string(), me));
  // Split: s2 and s3 each one vote, we follow the first most voted.
  EXPECT_EQ(with(2, {{s2id, 4}, {s3id, 4}}), std::make_pair(s2id, s2id));
}

TEST(sentinel_state, replica_selection_as_sentinel_select_slave) {
  sentinel_conf c = base_conf();
  c.masters[0].known_replicas.push_back(addr("127.0.0.1", 36704));
  c.masters[0].known_replicas.push_back(addr("127.0.0.1", 36705));
  fixture f(c);
  f.connect_all();
  instance& m = const_cast<instance&>(f.m());
  auto ids = f.all_ids();
  auto info_all = [&](std::function<std::string(int port)> info) {
    for (auto& r : m.replicas) {
      f.st.info_reply(r->id, info(r->addr.port), f.now);
      f.st.ping_reply(r->id, "PONG", f.now);
    }
    f.st.take_output();
  };
  // Same priority and offset: the smallest run id (case-insensitive).
  info_all([](int port) { return replica_info(rid(static_cast<char>('a' + port % 10)), 36701); });
  EXPECT_EQ(f.st.select_slave(m)->addr.port, 36702);
  // The larger offset first.
  info_all([](int port) {
    return replica_info(rid(static_cast<char>('a' + port % 10)), 36701, true,
                        port == 36704 ? 500 : 100);
  });
  EXPECT_EQ(f.st.select_slave(m)->addr.port, 36704);
  // The lower priority first; priority 0 never.
  info_all([](int port) {
    return replica_info(rid(static_cast<char>('a' + port % 10)), 36701, true,
                        port == 36704 ? 500 : 100,
                        port == 36705   ? 10
                        : port == 36703 ? 0
                                        : 100);
  });
  EXPECT_EQ(f.st.select_slave(m)->addr.port, 36705);
  // Exclusions: SDOWN, disconnected, stale INFO, master link down too long.
  m.replicas[3]->s_down = true;  // 36705
  EXPECT_EQ(f.st.select_slave(m)->addr.port, 36704);
  f.st.link_down(m.replicas[2]->id, f.now);  // 36704
  EXPECT_EQ(f.st.select_slave(m)->addr.port, 36702);
  m.replicas[0]->master_link_down_time = 3000 * 10 + 1;  // more than down-after * 10
  EXPECT_EQ(f.st.select_slave(m), nullptr);              // 36703 has priority 0
  m.replicas[0]->master_link_down_time = 3000 * 10;
  EXPECT_EQ(f.st.select_slave(m)->addr.port, 36702);
  // INFO older than 3 INFO periods (master up) or 5 s (master SDOWN).
  f.now += 29000;
  f.st.ping_reply(m.replicas[0]->id, "PONG", f.now);
  EXPECT_EQ(f.st.select_slave(m)->addr.port, 36702);
  m.s_down = true;
  m.s_down_since_time = f.now;
  EXPECT_EQ(f.st.select_slave(m), nullptr);
  m.s_down = false;
  f.now += 1100;
  f.st.ping_reply(m.replicas[0]->id, "PONG", f.now);
  EXPECT_EQ(f.st.select_slave(m), nullptr);
  // No valid PING reply for 5 s.
  f.st.info_reply(m.replicas[0]->id, replica_info(rid('c'), 36701), f.now);
  EXPECT_EQ(f.st.select_slave(m)->addr.port, 36702);
  f.now += 5100;
  f.st.info_reply(m.replicas[0]->id, replica_info(rid('c'), 36701), f.now);
  EXPECT_EQ(f.st.select_slave(m), nullptr);
  (void)ids;
}

// Troupe beyond Redis: the offsets compared are read after the master went
// down. A replica stalled at the crash answers INFO late; Redis would rank it
// on the offset of its INFO from before the crash.
namespace {

struct stale_offsets_run {
  fixture f;
  bool answer_info = false;
  std::vector<std::string> events;  // "<ms since start> <type> <message>"
  int64_t ms = 0;

  stale_offsets_run() {
    f.connect_all();
    f.st.info_reply(f.m().id, master_info(rid('m'), {36702, 36703}), f.now);
    f.st.take_output();
  }
  // The replicas' INFO before the crash: 36702 ahead (200), 36703 behind (100).
  void info_before_the_crash() {
    f.st.info_reply(f.replica(36702).id, replica_info(rid('b'), 36701, true, 200), f.now);
    f.st.info_reply(f.replica(36703).id, replica_info(rid('c'), 36701, true, 100), f.now);
    f.st.take_output();
  }
  // The master is dead; the replicas answer INFO only when answer_info, and
  // then with their final offsets: 36703 got more of the stream (300).
  void step(int64_t step_ms) {
    std::vector<uint64_t> alive;
    for (uint64_t id : f.all_ids())
      if (id != f.m().id) alive.push_back(id);
    auto outs = f.run(step_ms, alive, [&](const sentinel_command& c) {
      const instance* ri = f.st.find(c.target);
      if (!ri) return;
      if (c.kind == command_kind::is_master_down)
        f.st.is_master_down_reply(c.target, 1, c.argv[5], std::stoll(c.argv[4]), f.now);
      if (c.kind == command_kind::info && ri->is_replica() && answer_info)
        f.st.info_reply(c.target,
                        ri->addr.port == 36702 ? replica_info(rid('b'), 36701, false, 200)
                                               : replica_info(rid('c'), 36701, false, 300),
                        f.now);
    });
    for (auto& o : outs) {
      ms += 100;
      for (auto& e : o.events)
        events.push_back(std::to_string(ms) + " " + e.type + " " + e.message);
    }
  }
  int64_t when(const std::string& prefix) const {
    for (auto& e : events) {
      size_t sp = e.find(' ');
      if (e.compare(sp + 1, prefix.size(), prefix) == 0) return std::stoll(e.substr(0, sp));
    }
    return -1;
  }
};

}  // namespace

TEST(sentinel_state, troupe_selects_on_offsets_read_after_the_master_went_down) {
  stale_offsets_run r;
  r.info_before_the_crash();
  // SDOWN after 3 s, ODOWN, election, select-slave: no replica answered INFO
  // since the crash, so the choice waits.
  for (int i = 0; i < 60 && r.when("+failover-state-select-slave") < 0; i++) r.step(100);
  ASSERT_GE(r.when("+failover-state-select-slave"), 0) << ::testing::PrintToString(r.events);
  r.step(1000);
  EXPECT_EQ(r.when("+selected-slave"), -1) << ::testing::PrintToString(r.events);
  // Their INFO comes: 36703 holds more of the stream than its old INFO said.
  r.answer_info = true;
  r.step(1100);
  EXPECT_GE(r.when("+selected-slave slave 127.0.0.1:36703"), 0)
      << ::testing::PrintToString(r.events);
  EXPECT_EQ(r.when("+selected-slave slave 127.0.0.1:36702"), -1);
}

TEST(sentinel_state, troupe_waits_for_settled_offsets_two_seconds_at_most) {
  stale_offsets_run r;
  // The last INFO before the SDOWN (still valid 5 s later), then none at all:
  // after 2 s of select-slave, the choice is Redis's, on those offsets.
  r.step(2500);
  r.info_before_the_crash();
  for (int i = 0; i < 60 && r.when("+failover-state-select-slave") < 0; i++) r.step(100);
  int64_t start = r.when("+failover-state-select-slave");
  ASSERT_GE(start, 0) << ::testing::PrintToString(r.events);
  r.step(2500);
  int64_t selected = r.when("+selected-slave slave 127.0.0.1:36702");
  ASSERT_GE(selected, 0) << ::testing::PrintToString(r.events);
  EXPECT_GE(selected - start, sentinel_state::settle_offsets_max_ms);
  EXPECT_LE(selected - start, sentinel_state::settle_offsets_max_ms + 200);
}

TEST(sentinel_state, a_replica_whose_link_is_down_has_a_settled_offset) {
  stale_offsets_run r;
  // After a kill -9 the replicas see the link go down at once: their INFO
  // from before the SDOWN already says so, and nothing is waited for.
  r.f.st.info_reply(r.f.replica(36702).id, replica_info(rid('b'), 36701, false, 200), r.f.now);
  r.f.st.info_reply(r.f.replica(36703).id, replica_info(rid('c'), 36701, false, 300), r.f.now);
  r.f.st.take_output();
  for (int i = 0; i < 60 && r.when("+selected-slave") < 0; i++) r.step(100);
  EXPECT_GE(r.when("+selected-slave slave 127.0.0.1:36703"), 0)
      << ::testing::PrintToString(r.events);
  EXPECT_LE(r.when("+selected-slave") - r.when("+failover-state-select-slave"), 100);
}

namespace {

// Drives a full failover led by this sentinel: the master dies, s2 and s3
// agree and vote for us, the replicas answer INFO as real ones would.
struct failover_run {
  fixture f;
  std::vector<std::string> events;
  std::vector<sentinel_output> outs;
  bool promoted_is_master = false;  // 36702 answers role:master
  int reconf_port = 0;              // where 36703 replicates from
  bool reconf_link_up = false;
  std::vector<int> stuck;  // replicas that keep replicating from the old master

  explicit failover_run(sentinel_conf c = base_conf()) : f(std::move(c)) {
    f.connect_all();
    // First INFO round: everything healthy.
    f.st.info_reply(f.m().id, master_info(rid('m'), {36702, 36703}), f.now);
    f.st.info_reply(f.replica(36702).id, replica_info(rid('b'), 36701, true, 200), f.now);
    f.st.info_reply(f.replica(36703).id, replica_info(rid('c'), 36701, true, 100), f.now);
    f.st.take_output();
    reconf_port = 36701;
  }

  void step(int64_t ms, bool votes_for_me = true) {
    std::vector<uint64_t> alive;
    for (uint64_t id : f.all_ids())
      if (id != f.m().id) alive.push_back(id);
    auto o = f.run(ms, alive, [&](const sentinel_command& c) {
      const instance* ri = f.st.find(c.target);
      if (!ri) return;
      if (c.kind == command_kind::is_master_down)
        f.st.is_master_down_reply(c.target, 1, votes_for_me ? c.argv[5] : ri->runid,
                                  std::stoll(c.argv[4]), f.now);
      if (c.kind == command_kind::info && ri->is_replica()) {
        int port = ri->addr.port;
        if (port == 36702)
          f.st.info_reply(c.target,
                          promoted_is_master ? master_info(rid('b'), {})
                                             : replica_info(rid('b'), 36701, false, 200),
                          f.now);
        else if (std::find(stuck.begin(), stuck.end(), port) != stuck.end())
          f.st.info_reply(c.target, replica_info(rid('d'), 36701, false, 100), f.now);
        else
          f.st.info_reply(c.target, replica_info(rid('c'), reconf_port, reconf_link_up, 100),
                          f.now);
      }
    });
    for (auto& e : events_of(o)) events.push_back(e);
    for (auto& x : o) outs.push_back(std::move(x));
  }
};

}  // namespace

TEST(sentinel_state, a_full_failover_with_redis_events_and_commands) {
  failover_run r;
  uint64_t promoted_id = r.f.replica(36702).id;
  uint64_t other_id = r.f.replica(36703).id;
  r.step(4000);
  const std::string m = "master mymaster 127.0.0.1 36701";
  const std::string s02 = "slave 127.0.0.1:36702 127.0.0.1 36702 @ mymaster 127.0.0.1 36701";
  const std::string s03 = "slave 127.0.0.1:36703 127.0.0.1 36703 @ mymaster 127.0.0.1 36701";
  std::vector<std::string> want = {
      "+sdown " + m,
      "+odown " + m + " #quorum 3/2",
      "+new-epoch 1",
      "+try-failover " + m,
      "+vote-for-leader " + me + " 1",
      "+elected-leader " + m,
      "+failover-state-select-slave " + m,
      "+selected-slave " + s02,
      "+failover-state-send-slaveof-noone " + s02,
      "+failover-state-wait-promotion " + s02,
  };
  std::vector<std::string> got;
  for (auto& e : r.events)
    if (e.rfind("+role-change", 0) != 0 && e.rfind("-role-change", 0) != 0) got.push_back(e);
  EXPECT_EQ(got, want);
  // The votes are logged as Redis logs them.
  std::vector<std::string> logs;
  for (auto& o : r.outs)
    for (auto& l : o.log) logs.push_back(l);
  EXPECT_TRUE(has(logs, s2id + " voted for " + me + " 1"));
  EXPECT_TRUE(has(logs, s3id + " voted for " + me + " 1"));
  // The transaction Redis sends to turn the replica into a master.
  auto sent = commands_to(r.outs, promoted_id, command_kind::discard);
  EXPECT_EQ(sent, (std::vector<std::vector<std::string>>{{"MULTI"},
                                                         {"SLAVEOF", "NO", "ONE"},
                                                         {"CONFIG", "REWRITE"},
                                                         {"CLIENT", "KILL", "TYPE", "normal"},
                                                         {"CLIENT", "KILL", "TYPE", "pubsub"},
                                                         {"EXEC"}}));
  EXPECT_EQ(r.f.m().fo_state, failover_state::wait_promotion);
  // INFO while a failover runs: every second for replicas.
  r.events.clear();
  r.outs.clear();
  r.promoted_is_master = true;
  r.step(1100);
  EXPECT_TRUE(has(r.events, "+promoted-slave " + s02));
  EXPECT_TRUE(has(r.events, "+failover-state-reconf-slaves " + m));
  EXPECT_TRUE(has(r.events, "+slave-reconf-sent " + s03));
  EXPECT_EQ(r.f.m().config_epoch, 1u);
  auto reconf = commands_to(r.outs, other_id, command_kind::discard);
  ASSERT_EQ(reconf.size(), 6u);
  EXPECT_EQ(reconf[1], (std::vector<std::string>{"SLAVEOF", "127.0.0.1", "36702"}));
  // The hello now tells the new address.
  // (a hello reply in flight may push the forced one to the next period)
  r.step(2200);
  auto hellos = commands_to(r.outs, promoted_id, command_kind::hello);
  ASSERT_FALSE(hellos.empty());
  EXPECT_EQ(hellos.back()[2], "127.0.0.1,26379," + me + ",1,mymaster,127.0.0.1,36702,1");
  r.outs.clear();
  // 36703 replicates from the new master: in progress, then done.
  r.events.clear();
  r.reconf_port = 36702;
  r.step(1100);
  EXPECT_TRUE(has(r.events, "+slave-reconf-inprog " + s03));
  r.reconf_link_up = true;
  r.step(1100);
  EXPECT_TRUE(has(r.events, "+slave-reconf-done " + s03));
  EXPECT_TRUE(has(r.events, "+failover-end " + m));
  EXPECT_TRUE(has(r.events, "+switch-master mymaster 127.0.0.1 36701 127.0.0.1 36702"));
  EXPECT_TRUE(
      has(r.events, "+slave slave 127.0.0.1:36703 127.0.0.1 36703 @ mymaster 127.0.0.1 36702"));
  EXPECT_TRUE(
      has(r.events, "+slave slave 127.0.0.1:36701 127.0.0.1 36701 @ mymaster 127.0.0.1 36702"));
  const instance& nm = r.f.m();
  EXPECT_EQ(nm.addr.port, 36702);
  EXPECT_EQ(nm.fo_state, failover_state::none);
  EXPECT_FALSE(nm.failover_in_progress);
  EXPECT_EQ(nm.config_epoch, 1u);
  EXPECT_EQ(nm.sentinels.size(), 2u);
  // What is written on the next rewrite.
  sentinel_conf out = r.f.st.to_conf();
  auto plan = sentinel_rewrite_plan(out);
  std::vector<std::string> lines;
  for (auto& l : plan.lines) lines.push_back(l.text);
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "sentinel myid " + me,
                       "sentinel monitor mymaster 127.0.0.1 36702 2",
                       "sentinel down-after-milliseconds mymaster 3000",
                       "sentinel failover-timeout mymaster 20000",
                       "sentinel config-epoch mymaster 1",
                       "sentinel leader-epoch mymaster 1",
                       "sentinel known-replica mymaster 127.0.0.1 36703",
                       "sentinel known-replica mymaster 127.0.0.1 36701",
                       "sentinel known-sentinel mymaster 127.0.0.1 36712 " + s2id,
                       "sentinel known-sentinel mymaster 127.0.0.1 36713 " + s3id,
                       "sentinel current-epoch 1",
                   }));
}

TEST(sentinel_state, parallel_syncs_limits_the_replicas_reconfigured_at_once) {
  sentinel_conf c = base_conf();
  c.masters[0].known_replicas.push_back(addr("127.0.0.1", 36704));
  c.masters[0].known_replicas.push_back(addr("127.0.0.1", 36705));
  failover_run r(c);
  r.step(4000);
  r.promoted_is_master = true;
  r.events.clear();
  r.step(1100);
  int sent = 0;
  for (auto& e : r.events)
    if (e.rfind("+slave-reconf-sent ", 0) == 0) ++sent;
  EXPECT_EQ(sent, 1);  // parallel-syncs 1
  // A replica that never moves keeps its slot (Redis checks the 10 s
  // reconf timeout only below parallel-syncs): the failover ends on its
  // timeout, with a best-effort SLAVEOF to the others.
  r.events.clear();
  r.step(10200);
  for (auto& e : r.events) EXPECT_NE(e.rfind("+slave-reconf-sent ", 0), 0u) << e;
  r.step(10000);
  const std::string m = "master mymaster 127.0.0.1 36701";
  EXPECT_TRUE(has(r.events, "+failover-end-for-timeout " + m));
  EXPECT_TRUE(has(r.events, "+failover-end " + m));
  EXPECT_TRUE(has(r.events,
                  "+slave-reconf-sent-be slave 127.0.0.1:36704 127.0.0.1 36704 @ "
                  "mymaster 127.0.0.1 36701"));
  EXPECT_TRUE(has(r.events,
                  "+slave-reconf-sent-be slave 127.0.0.1:36705 127.0.0.1 36705 @ "
                  "mymaster 127.0.0.1 36701"));
  EXPECT_TRUE(has(r.events, "+switch-master mymaster 127.0.0.1 36701 127.0.0.1 36702"));
}

TEST(sentinel_state, a_stuck_replica_is_taken_as_reconfigured_after_10_s) {
  sentinel_conf c = base_conf();
  c.masters[0].parallel_syncs = 2;
  c.masters[0].known_replicas.push_back(addr("127.0.0.1", 36704));
  failover_run r(c);
  r.stuck = {36704};
  r.step(4000);
  r.promoted_is_master = true;
  r.reconf_port = 36702;
  r.reconf_link_up = true;
  r.events.clear();
  r.step(2200);
  int sent = 0;
  for (auto& e : r.events)
    if (e.rfind("+slave-reconf-sent ", 0) == 0) ++sent;
  EXPECT_EQ(sent, 2);
  EXPECT_TRUE(has(r.events,
                  "+slave-reconf-done slave 127.0.0.1:36703 127.0.0.1 36703 @ "
                  "mymaster 127.0.0.1 36701"));
  EXPECT_FALSE(has(r.events, "+failover-end master mymaster 127.0.0.1 36701"));
  r.events.clear();
  r.step(9000);
  EXPECT_TRUE(has(r.events,
                  "-slave-reconf-sent-timeout slave 127.0.0.1:36704 127.0.0.1 36704 @ "
                  "mymaster 127.0.0.1 36701"));
  EXPECT_TRUE(has(r.events, "+failover-end master mymaster 127.0.0.1 36701"));
  EXPECT_FALSE(has(r.events, "+failover-end-for-timeout master mymaster 127.0.0.1 36701"));
}

TEST(sentinel_state, failover_aborts_when_not_elected_or_the_promotion_times_out) {
  {
    failover_run r;
    r.step(4000, false);  // the others vote for themselves
    EXPECT_EQ(r.f.m().fo_state, failover_state::wait_start);
    r.outs.clear();
    r.step(10500, false);
    EXPECT_TRUE(has(r.events, "-failover-abort-not-elected master mymaster 127.0.0.1 36701"));
    EXPECT_EQ(r.f.m().fo_state, failover_state::none);
    // The next try waits twice the failover timeout from the last start.
    r.events.clear();
    r.step(25000, true);
    EXPECT_FALSE(has(r.events, "+try-failover master mymaster 127.0.0.1 36701"));
    int delay_logs = 0;
    for (auto& o : r.outs)
      for (auto& l : o.log)
        if (l.rfind("Next failover delay: I will not start a failover before ", 0) == 0)
          ++delay_logs;
    EXPECT_EQ(delay_logs, 1);  // once per attempt
    r.step(6000, true);
    EXPECT_TRUE(has(r.events, "+try-failover master mymaster 127.0.0.1 36701"));
  }
  {
    failover_run r;
    r.step(4000);
    EXPECT_EQ(r.f.m().fo_state, failover_state::wait_promotion);
    r.step(20200);  // failover-timeout 20 s, the replica never becomes a master
    EXPECT_TRUE(has(r.events, "-failover-abort-slave-timeout master mymaster 127.0.0.1 36701"));
    EXPECT_EQ(r.f.m().promoted_slave, nullptr);
    EXPECT_FALSE(r.f.replica(36702).promoted);
  }
  {
    // Nobody to promote.
    failover_run r;
    r.f.st.link_down(r.f.replica(36702).id, r.f.now);
    r.f.st.link_down(r.f.replica(36703).id, r.f.now);
    r.step(4000);
    EXPECT_TRUE(has(r.events, "-failover-abort-no-good-slave master mymaster 127.0.0.1 36701"));
  }
}

TEST(sentinel_state, sentinel_failover_command) {
  failover_run r;
  EXPECT_EQ(r.f.st.force_failover("nope", r.f.now), "ERR No such master with that name");
  r.f.st.ping_reply(r.f.replica(36702).id, "PONG", r.f.now);
  r.f.st.ping_reply(r.f.replica(36703).id, "PONG", r.f.now);
  EXPECT_EQ(r.f.st.force_failover("mymaster", r.f.now), std::nullopt);
  EXPECT_EQ(r.f.st.force_failover("mymaster", r.f.now), "INPROG Failover already in progress");
  auto ev = events_of(r.f.st.take_output());
  EXPECT_EQ(ev, (std::vector<std::string>{"+new-epoch 1",
                                          "+try-failover master mymaster 127.0.0.1 36701"}));
  // Forced: no election needed, the master is up.
  std::vector<uint64_t> ids = r.f.all_ids();
  auto outs = r.f.run(300, ids);
  EXPECT_TRUE(has(events_of(outs), "+elected-leader master mymaster 127.0.0.1 36701"));
  failover_run none;
  none.f.st.link_down(none.f.replica(36702).id, none.f.now);
  none.f.st.link_down(none.f.replica(36703).id, none.f.now);
  EXPECT_EQ(none.f.st.force_failover("mymaster", none.f.now),
            "NOGOODSLAVE No suitable replica to promote");
}

TEST(sentinel_state, hello_messages_add_sentinels_and_carry_epochs_and_config) {
  fixture f;
  f.connect_all();
  uint64_t mid = f.m().id;
  const std::string s4 = rid('4');
  f.st.hello_received(mid, "127.0.0.1,36714," + s4 + ",0,mymaster,127.0.0.1,36701,0", f.now);
  auto o = f.st.take_output();
  EXPECT_EQ(events_of(o),
            (std::vector<std::string>{"+sentinel sentinel " + s4 +
                                      " 127.0.0.1 36714 @ mymaster 127.0.0.1 36701"}));
  EXPECT_TRUE(o.save_config);
  EXPECT_EQ(f.m().sentinels.size(), 3u);
  // Our own hello, unknown masters, garbage: nothing.
  f.st.hello_received(mid, "127.0.0.1,26379," + me + ",0,mymaster,127.0.0.1,36701,0", f.now);
  f.st.hello_received(mid, "127.0.0.1,36715," + rid('5') + ",0,other,127.0.0.1,1,0", f.now);
  f.st.hello_received(mid, "garbage", f.now);
  f.st.hello_publish(",,,,,,,", f.now);
  EXPECT_TRUE(f.st.take_output().events.empty());
  EXPECT_EQ(f.m().sentinels.size(), 3u);
  // Same run id, new address: the address switches.
  f.st.hello_publish("127.0.0.2,36714," + s4 + ",0,mymaster,127.0.0.1,36701,0", f.now);
  EXPECT_EQ(events_of(f.st.take_output()),
            (std::vector<std::string>{"+sentinel-address-switch master mymaster 127.0.0.1 36701 "
                                      "ip 127.0.0.2 port 36714 for " +
                                      s4}));
  EXPECT_EQ(f.m().sentinels.size(), 3u);
  // A newer epoch, then a newer master config with another address.
  f.st.hello_publish("127.0.0.2,36714," + s4 + ",7,mymaster,127.0.0.1,36702,3", f.now);
  auto ev = events_of(f.st.take_output());
  EXPECT_EQ(ev[0], "+new-epoch 7");
  EXPECT_EQ(ev[1],
            "+config-update-from sentinel " + s4 + " 127.0.0.2 36714 @ mymaster 127.0.0.1 36701");
  EXPECT_EQ(ev[2], "+switch-master mymaster 127.0.0.1 36701 127.0.0.1 36702");
  EXPECT_TRUE(has(ev, "+slave slave 127.0.0.1:36701 127.0.0.1 36701 @ mymaster 127.0.0.1 36702"));
  EXPECT_EQ(f.st.current_epoch(), 7u);
  EXPECT_EQ(f.m().addr.port, 36702);
  EXPECT_EQ(f.m().config_epoch, 3u);
  EXPECT_EQ(f.m().replicas.size(), 2u);  // 36703 and the old master
}

TEST(sentinel_state, info_from_a_master_adds_replicas) {
  fixture f;
  f.connect_all();
  f.st.info_reply(f.m().id, master_info(rid('m'), {36702, 36703, 36709}), f.now);
  auto o = f.st.take_output();
  EXPECT_EQ(events_of(o),
            (std::vector<std::string>{
                "+slave slave 127.0.0.1:36709 127.0.0.1 36709 @ mymaster 127.0.0.1 36701"}));
  EXPECT_TRUE(o.save_config);
  f.st.info_reply(f.m().id, master_info(rid('n'), {}), f.now);
  EXPECT_EQ(events_of(f.st.take_output()),
            (std::vector<std::string>{"+reboot master mymaster 127.0.0.1 36701"}));
}

TEST(sentinel_state, a_replica_turned_master_outside_a_failover_is_converted_back) {
  fixture f;
  f.connect_all();
  std::vector<uint64_t> ids = f.all_ids();
  uint64_t rid2 = f.replica(36702).id;
  f.st.info_reply(f.m().id, master_info(rid('m'), {36702, 36703}), f.now);
  f.st.info_reply(rid2, master_info(rid('b'), {}), f.now);
  auto ev = events_of(f.st.take_output());
  EXPECT_TRUE(has(ev,
                  "-role-change slave 127.0.0.1:36702 127.0.0.1 36702 @ mymaster 127.0.0.1 "
                  "36701 new reported role is master"));
  std::vector<std::string> seen;
  f.run(9000, ids, [&](const sentinel_command& c) {
    if (c.kind != command_kind::info) return;
    if (c.target == f.m().id)
      f.st.info_reply(c.target, master_info(rid('m'), {36702, 36703}), f.now);
    if (c.target == rid2) f.st.info_reply(c.target, master_info(rid('b'), {}), f.now);
  });
  // Converted after 4 publish periods (8 s) since the role change... but
  // INFO comes every 10 s for a healthy master: on the next INFO.
  auto outs = f.run(2000, ids, [&](const sentinel_command& c) {
    if (c.kind != command_kind::info) return;
    if (c.target == f.m().id)
      f.st.info_reply(c.target, master_info(rid('m'), {36702, 36703}), f.now);
    if (c.target == rid2) f.st.info_reply(c.target, master_info(rid('b'), {}), f.now);
  });
  EXPECT_TRUE(has(events_of(outs),
                  "+convert-to-slave slave 127.0.0.1:36702 127.0.0.1 36702 @ "
                  "mymaster 127.0.0.1 36701"));
  auto cmds = commands_to(outs, rid2, command_kind::discard);
  ASSERT_EQ(cmds.size(), 6u);
  EXPECT_EQ(cmds[1], (std::vector<std::string>{"SLAVEOF", "127.0.0.1", "36701"}));
}

TEST(sentinel_state, tilt_on_a_clock_jump_stops_the_acting_half_for_30_s) {
  fixture f;
  f.connect_all();
  f.now += 5000;  // the clock jumps
  auto o = f.st.tick(f.now);
  EXPECT_TRUE(has(events_of(o), "+tilt #tilt mode entered"));
  EXPECT_TRUE(f.st.tilt());
  // Nothing answers, but no SDOWN during TILT; still pings.
  auto outs = f.run(29000, {});
  EXPECT_FALSE(f.m().s_down);
  EXPECT_FALSE(commands_to(outs, f.m().id, command_kind::ping).empty());
  // TILT: is-master-down-by-addr always says up.
  EXPECT_FALSE(f.st.is_master_down_by_addr("127.0.0.1", 36701, 0, "*", f.now).down);
  outs = f.run(1200, {});
  EXPECT_TRUE(has(events_of(outs), "-tilt #tilt mode exited"));
  EXPECT_FALSE(f.st.tilt());
  EXPECT_TRUE(f.m().s_down);
  // Backwards too.
  f.now -= 10;
  EXPECT_TRUE(has(events_of(f.st.tick(f.now)), "+tilt #tilt mode entered"));
}

TEST(sentinel_state, links_setup_auth_and_renamed_commands) {
  sentinel_conf c = base_conf();
  c.masters[0].auth_pass = "pw";
  c.masters[0].auth_user = "bob";
  c.masters[0].renamed_commands = {{"config", "XCONFIG"}, {"SLAVEOF", "XSLAVEOF"}};
  c.sentinel_pass = "sp";
  fixture f(c);
  f.st.link_up(f.m().id, "127.0.0.1", f.now);
  f.st.link_up(f.sentinel(s2id).id, "127.0.0.1", f.now);
  auto o = f.st.take_output();
  std::vector<std::vector<std::string>> setup;
  for (auto& cmd : o.commands) setup.push_back(cmd.argv);
  EXPECT_EQ(setup,
            (std::vector<std::vector<std::string>>{{"AUTH", "bob", "pw"},
                                                   {"CLIENT", "SETNAME", "sentinel-a652b804-cmd"},
                                                   {"PING"},
                                                   {"AUTH", "sp"},
                                                   {"CLIENT", "SETNAME", "sentinel-a652b804-cmd"},
                                                   {"PING"}}));
  failover_run r(c);
  r.step(4000);
  auto sent = commands_to(r.outs, r.f.replica(36702).id, command_kind::discard);
  ASSERT_EQ(sent.size(), 6u);
  EXPECT_EQ(sent[1], (std::vector<std::string>{"XSLAVEOF", "NO", "ONE"}));
  EXPECT_EQ(sent[2], (std::vector<std::string>{"XCONFIG", "REWRITE"}));
}

TEST(sentinel_state, hostile_replies_do_not_crash) {
  fixture f;
  f.connect_all();
  std::string junk;
  for (int i = 0; i < 256; ++i) junk += static_cast<char>(i);
  for (uint64_t id : f.all_ids()) {
    f.st.info_reply(id, junk, f.now);
    f.st.info_reply(id, "role:slave\r\nmaster_port:99999999999\r\nslave0:ip=,port=-5\r\n", f.now);
    f.st.ping_reply(id, "", f.now);
    f.st.hello_received(id, junk, f.now);
    f.st.hello_received(id, "1.2.3.4,-1," + rid('x') + ",1,mymaster,::1,70000,1", f.now);
    f.st.is_master_down_reply(id, INT64_MIN, "", INT64_MIN, f.now);
    f.st.command_reply(id);
  }
  f.st.info_reply(999999, "role:master", f.now);
  f.st.link_up(999999, "", f.now);
  f.st.ping_reply(999999, "PONG", f.now);
  (void)f.st.is_master_down_by_addr("", -1, UINT64_MAX, "", f.now);
  f.run(60000, {});
  SUCCEED();
}
