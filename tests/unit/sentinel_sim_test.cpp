// Three sentinel_state instances and fake Redis instances wired together in
// memory: the master dies, the sentinels agree (ODOWN), elect one leader,
// which promotes a replica; the others learn the new master from hello
// messages. Checks the pieces work together as Redis Sentinels do.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "topology/sentinel/hello.hpp"
#include "topology/sentinel/sentinel_state.hpp"

using namespace troupe::sentinel;

namespace {

struct fake_redis {
  int port = 0;
  bool alive = true;
  bool master = false;
  int master_port = 0;
  std::string runid;
  uint64_t offset = 100;
  std::vector<std::string> pending;  // SLAVEOF args inside MULTI
  bool in_multi = false;
};

struct sim {
  std::vector<std::unique_ptr<sentinel_state>> sentinels;
  std::map<int, fake_redis> redis;  // by port
  std::vector<int> sentinel_ports = {26381, 26382, 26383};
  std::vector<std::string> ids;
  int64_t now = 5000000;
  std::vector<std::vector<std::string>> events;  // per sentinel: "type message"

  sim() {
    for (int p : {36701, 36702, 36703}) {
      fake_redis r;
      r.port = p;
      r.master = p == 36701;
      r.master_port = 36701;
      r.runid = std::string(40, static_cast<char>('a' + p % 10));
      r.offset = p == 36703 ? 150 : 100;  // 36703 has more data: it wins
      redis[p] = r;
    }
    for (int i = 0; i < 3; ++i) ids.push_back(std::string(40, static_cast<char>('1' + i)));
    for (int i = 0; i < 3; ++i) {
      sentinel_conf c;
      c.myid = ids[static_cast<size_t>(i)];
      master_conf m;
      m.name = "mymaster";
      m.addr = {"127.0.0.1", "127.0.0.1", 36701};
      m.quorum = 2;
      m.down_after_ms = 2000;
      m.failover_timeout_ms = 10000;
      m.known_replicas = {{"127.0.0.1", "127.0.0.1", 36702}, {"127.0.0.1", "127.0.0.1", 36703}};
      for (int j = 0; j < 3; ++j)
        if (j != i)
          m.known_sentinels.push_back(
              {{"127.0.0.1", "127.0.0.1", sentinel_ports[static_cast<size_t>(j)]},
               ids[static_cast<size_t>(j)]});
      c.masters.push_back(m);
      auto rng = std::make_shared<std::mt19937_64>(static_cast<uint64_t>(i + 1));
      sentinels.push_back(std::make_unique<sentinel_state>(
          c, sentinel_options{sentinel_ports[static_cast<size_t>(i)], {}, {}},
          [rng] { return (*rng)(); }, now));
      events.emplace_back();
    }
  }

  std::string info_of(const fake_redis& r) {
    std::string s = "run_id:" + r.runid + "\r\n";
    if (r.master) {
      s += "role:master\r\n";
      int n = 0;
      for (auto& [p, x] : redis)
        if (!x.master && x.alive && x.master_port == r.port)
          s += "slave" + std::to_string(n++) + ":ip=127.0.0.1,port=" + std::to_string(p) +
               ",state=online,offset=" + std::to_string(x.offset) + ",lag=0\r\n";
    } else {
      bool up =
          redis.count(r.master_port) && redis[r.master_port].alive && redis[r.master_port].master;
      s += "role:slave\r\nmaster_host:127.0.0.1\r\nmaster_port:" + std::to_string(r.master_port) +
           "\r\nmaster_link_status:" + (up ? "up" : "down") +
           "\r\nslave_repl_offset:" + std::to_string(r.offset) + "\r\nslave_priority:100\r\n";
    }
    return s;
  }

  sentinel_state& by_port(int port) {
    for (size_t i = 0; i < 3; ++i)
      if (sentinel_ports[i] == port) return *sentinels[i];
    throw std::runtime_error("no sentinel");
  }

  void handle(size_t i, sentinel_output& o) {
    sentinel_state& s = *sentinels[i];
    for (auto& e : o.events) events[i].push_back(e.type + " " + e.message);
    for (uint64_t id : o.connect) {
      const instance* ri = s.find(id);
      if (!ri) continue;
      bool up = ri->is_sentinel() || (redis.count(ri->addr.port) && redis[ri->addr.port].alive);
      if (up) s.link_up(id, "127.0.0.1", now);
    }
    for (auto& c : o.commands) {
      const instance* ri = s.find(c.target);
      if (!ri) continue;
      if (ri->is_sentinel()) {
        sentinel_state& peer = by_port(ri->addr.port);
        if (c.kind == command_kind::ping) s.ping_reply(c.target, "PONG", now);
        if (c.kind == command_kind::hello) {
          peer.hello_publish(c.argv[2], now);
          s.hello_published(c.target, true, now);
        }
        if (c.kind == command_kind::is_master_down) {
          auto r = peer.is_master_down_by_addr(c.argv[2], std::stoi(c.argv[3]),
                                               std::stoull(c.argv[4]), c.argv[5], now);
          s.is_master_down_reply(c.target, r.down ? 1 : 0, r.leader,
                                 static_cast<int64_t>(r.leader_epoch), now);
        }
        continue;
      }
      fake_redis& r = redis[ri->addr.port];
      if (!r.alive) continue;
      switch (c.kind) {
        case command_kind::ping:
          s.ping_reply(c.target, "PONG", now);
          break;
        case command_kind::info:
          s.info_reply(c.target, info_of(r), now);
          break;
        case command_kind::hello:
          s.hello_published(c.target, true, now);
          // Every sentinel subscribed to this instance receives it.
          for (size_t j = 0; j < 3; ++j)
            for (auto& m : sentinels[j]->masters()) {
              if (m->addr.port == r.port) sentinels[j]->hello_received(m->id, c.argv[2], now);
              for (auto& rep : m->replicas)
                if (rep->addr.port == r.port) sentinels[j]->hello_received(rep->id, c.argv[2], now);
            }
          break;
        case command_kind::discard:
          if (c.argv[0] == "MULTI") r.in_multi = true;
          if (c.argv[0] == "SLAVEOF") r.pending = {c.argv[1], c.argv[2]};
          if (c.argv[0] == "EXEC") {
            if (r.pending.size() == 2) {
              if (r.pending[0] == "NO") {
                r.master = true;
              } else {
                r.master = false;
                r.master_port = std::stoi(r.pending[1]);
              }
            }
            r.in_multi = false;
            r.pending.clear();
          }
          s.command_reply(c.target);
          break;
        default:
          break;
      }
    }
  }

  void run(int64_t ms) {
    for (int64_t t = 0; t < ms; t += 100) {
      now += 100;
      for (size_t i = 0; i < 3; ++i) {
        sentinel_output o = sentinels[i]->tick(now);
        handle(i, o);
        sentinel_output extra = sentinels[i]->take_output();
        handle(i, extra);
      }
    }
  }

  int count(const std::string& prefix) {
    int n = 0;
    for (auto& v : events)
      for (auto& e : v)
        if (e.rfind(prefix, 0) == 0) ++n;
    return n;
  }
};

}  // namespace

TEST(sentinel_sim, three_sentinels_fail_over_once_and_agree) {
  sim s;
  s.run(5000);
  // All see each other, the master and the replicas; nobody is down.
  EXPECT_EQ(s.count("+sdown"), 0);
  for (auto& st : s.sentinels) EXPECT_EQ(st->masters()[0]->addr.port, 36701);
  s.redis[36701].alive = false;
  s.run(30000);
  EXPECT_EQ(s.count("+sdown master mymaster 127.0.0.1 36701"), 3);
  EXPECT_GE(s.count("+odown master mymaster 127.0.0.1 36701"), 1);
  EXPECT_EQ(s.count("+elected-leader"), 1);
  EXPECT_EQ(s.count("+promoted-slave slave 127.0.0.1:36703 "), 1);
  EXPECT_EQ(s.count("+failover-end master mymaster"), 1);
  EXPECT_EQ(s.count("+switch-master mymaster 127.0.0.1 36701 127.0.0.1 36703"), 3);
  EXPECT_TRUE(s.redis[36703].master);
  EXPECT_FALSE(s.redis[36702].master);
  EXPECT_EQ(s.redis[36702].master_port, 36703);
  uint64_t epoch = s.sentinels[0]->current_epoch();
  for (auto& st : s.sentinels) {
    const instance& m = *st->masters()[0];
    EXPECT_EQ(m.addr.port, 36703);
    EXPECT_EQ(m.config_epoch, epoch);
    EXPECT_EQ(st->current_epoch(), epoch);
    EXPECT_FALSE(m.failover_in_progress);
    EXPECT_EQ(m.replicas.size(), 2u);  // 36702 and the old master
  }
  // The old master comes back: it is turned into a replica of the new one.
  s.redis[36701].alive = true;
  s.run(30000);
  EXPECT_FALSE(s.redis[36701].master);
  EXPECT_EQ(s.redis[36701].master_port, 36703);
  EXPECT_GE(s.count("+convert-to-slave slave 127.0.0.1:36701 127.0.0.1 36701 @ mymaster "
                    "127.0.0.1 36703"),
            1);
  EXPECT_EQ(s.count("+elected-leader"), 1);
  if (getenv("SIM_DUMP"))
    for (size_t i = 0; i < 3; ++i)
      for (auto& e : s.events[i]) std::cerr << i << " " << e << "\n";
}
