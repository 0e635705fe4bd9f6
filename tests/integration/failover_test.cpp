// FAILOVER and CLIENT PAUSE against running servers: the errors are Redis's
// (a redis-server pair answers beside a Troupe pair), a failover between two
// Troupe nodes loses no acknowledged write while a client writes without a
// pause, Redis and Troupe hand over to each other in both directions, a
// replica that cannot catch up makes the failover time out (or, with FORCE,
// switch anyway), ABORT undoes it, and paused clients' commands wait and then
// run in order.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <thread>

#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

using kind = server_process::kind;

std::vector<std::string> node_args(std::vector<std::string> more = {}) {
  std::vector<std::string> a = {"--repl-diskless-sync-delay", "0", "--save", ""};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

std::vector<std::string> replica_of(const server_process& m) {
  return node_args({"--replicaof", "127.0.0.1", std::to_string(m.port())});
}

std::string reply_text(const resp_value& v) {
  if (v.type == resp_value::kind::error) return "-" + v.str;
  if (v.type == resp_value::kind::integer) return std::to_string(v.integer);
  return v.str;
}

std::string role_of(const server_process& s) {
  return info_field(s, "replication", "role");
}

bool caught_up(const server_process& m, const server_process& r) {
  std::string mo = info_field(m, "replication", "master_repl_offset");
  return !mo.empty() && info_field(r, "replication", "master_link_status") == "up" &&
         info_field(r, "replication", "slave_repl_offset") == mo &&
         info_field(m, "replication", "slave0").find("state=online") != std::string::npos;
}

// `a` is now the replica of `b` and has what `b` has.
bool switched(const server_process& a, const server_process& b) {
  return role_of(a) == "slave" && role_of(b) == "master" && caught_up(b, a) &&
         info_field(a, "replication", "master_port") == std::to_string(b.port());
}

int64_t stat_of(const server_process& s, const std::string& field) {
  return std::stoll("0" + info_field(s, "stats", field));
}

// A master and one replica of the given kinds.
struct group {
  server_process master;
  std::unique_ptr<server_process> replica;
  group(kind master_kind, kind replica_kind)
      : master(node_args(), master_kind), replica_kind_(replica_kind) {}
  bool start() {
    if (!master.start()) return false;
    replica = std::make_unique<server_process>(replica_of(master), replica_kind_);
    return replica->start() && wait_for([&] { return caught_up(master, *replica); });
  }
  std::string target() const { return std::to_string(replica->port()); }

 private:
  kind replica_kind_;
};

// Sends `cmd` on `c` and reports whether a reply came within `ms` (a reply
// that does come is read, so the connection stays in step).
bool replied_within(resp_client& c, int ms) {
  c.set_timeout(ms);
  std::string bytes = c.read_raw(ms);
  c.set_timeout(5000);
  return !bytes.empty();
}

}  // namespace

TEST(failover, errors_are_redis_errors) {
  const std::vector<std::vector<std::string>> on_master = {
      {"FAILOVER", "ABORT"},
      {"FAILOVER", "TIMEOUT", "0"},
      {"FAILOVER", "TIMEOUT", "-5"},
      {"FAILOVER", "TIMEOUT", "soon"},
      {"FAILOVER", "FORCE"},
      {"FAILOVER", "FORCE", "TIMEOUT", "10"},
      {"FAILOVER", "TO", "127.0.0.1", "1"},
      {"FAILOVER", "TO", "127.0.0.1", "port"},
      {"FAILOVER", "TO", "127.0.0.1"},
      {"FAILOVER", "ABORT", "TIMEOUT", "5"},
      {"FAILOVER", "TIMEOUT", "5", "TIMEOUT", "6"},
      {"FAILOVER", "FORCE", "FORCE"},
      {"FAILOVER", "BOGUS"},
      {"CLIENT", "PAUSE"},
      {"CLIENT", "PAUSE", "-1"},
      {"CLIENT", "PAUSE", "soon"},
      {"CLIENT", "PAUSE", "10", "bogus"},
      {"CLIENT", "PAUSE", "10", "write", "extra"},
      {"CLIENT", "PAUSE", "9223372036854775807"},
      {"CLIENT", "UNPAUSE", "x"},
      {"CLIENT", "UNPAUSE"},
  };
  std::vector<std::string> answers[2];
  int i = 0;
  for (kind k : {kind::redis, kind::troupe}) {
    group g(k, k);
    ASSERT_TRUE(g.start()) << g.master.log_text();
    for (auto& cmd : on_master) answers[i].push_back(reply_text(g.master.call(cmd)));
    answers[i].push_back(reply_text(g.replica->call({"FAILOVER"})));
    // A master without replicas.
    g.replica->stop();
    EXPECT_TRUE(wait_for([&] { return info_field(g.master, "replication", "slave0").empty(); }));
    answers[i].push_back(reply_text(g.master.call({"FAILOVER"})));
    answers[i].push_back(info_field(g.master, "replication", "master_failover_state"));
    ++i;
  }
  ASSERT_EQ(answers[0].size(), answers[1].size());
  for (size_t j = 0; j < answers[0].size(); ++j)
    EXPECT_EQ(answers[1][j], answers[0][j]) << "answer " << j;
}

TEST(failover, troupe_pair_switches_roles_and_loses_no_acknowledged_write) {
  group g(kind::troupe, kind::troupe);
  ASSERT_TRUE(g.start());
  std::string old_replid = info_field(g.master, "replication", "master_replid");
  // A client writes as fast as it can, through the failover, until refused.
  std::atomic<int64_t> acknowledged{0};
  std::string refusal;
  std::thread writer([&] {
    resp_client c = g.master.client();
    for (;;) {
      resp_value v = c.call({"INCR", "counter"});
      if (v.type != resp_value::kind::integer) {
        refusal = reply_text(v);
        return;
      }
      acknowledged = v.integer;
    }
  });
  ASSERT_TRUE(wait_for([&] { return acknowledged.load() >= 500; }));
  EXPECT_EQ(reply_text(g.master.call({"FAILOVER", "TO", "127.0.0.1", g.target()})), "OK");
  writer.join();
  // The writer's next write after the switch is refused by the new replica.
  EXPECT_EQ(refusal.rfind("-READONLY", 0), 0u) << refusal;
  ASSERT_TRUE(wait_for([&] { return switched(g.master, *g.replica); }))
      << g.master.log_text() << g.replica->log_text();
  // Every acknowledged INCR is on the new master.
  EXPECT_EQ(g.replica->call({"GET", "counter"}).str, std::to_string(acknowledged.load()));
  EXPECT_EQ(g.master.call({"GET", "counter"}).str, std::to_string(acknowledged.load()));
  // The old master resumed from its own history (PSYNC2): no full sync.
  EXPECT_EQ(stat_of(*g.replica, "sync_full"), 0);
  EXPECT_EQ(stat_of(*g.replica, "sync_partial_ok"), 1);
  EXPECT_EQ(info_field(*g.replica, "replication", "master_replid2"), old_replid);
  EXPECT_EQ(info_field(g.master, "replication", "master_failover_state"), "no-failover");
  EXPECT_NE(g.master.log_text().find("is synced, failing over."), std::string::npos);
  EXPECT_NE(g.replica->log_text().find("MASTER MODE enabled (failover request from"),
            std::string::npos);
  // And back again, to any replica.
  EXPECT_EQ(reply_text(g.replica->call({"FAILOVER"})), "OK");
  ASSERT_TRUE(wait_for([&] { return switched(*g.replica, g.master); }));
  EXPECT_EQ(reply_text(g.master.call({"INCR", "counter"})), std::to_string(acknowledged + 1));
}

TEST(failover, a_redis_master_hands_over_to_a_troupe_replica) {
  group g(kind::redis, kind::troupe);
  ASSERT_TRUE(g.start());
  for (int i = 0; i < 100; ++i) g.master.call({"RPUSH", "list", std::to_string(i)});
  EXPECT_EQ(reply_text(g.master.call({"FAILOVER"})), "OK");
  ASSERT_TRUE(wait_for([&] { return switched(g.master, *g.replica); })) << g.replica->log_text();
  EXPECT_EQ(stat_of(*g.replica, "sync_partial_ok"), 1);
  EXPECT_EQ(stat_of(*g.replica, "sync_full"), 0);
  EXPECT_EQ(dataset_difference(dump_dataset(g.master), dump_dataset(*g.replica)), "");
  EXPECT_EQ(reply_text(g.replica->call({"RPUSH", "list", "new"})), "101");
  EXPECT_TRUE(wait_for([&] { return g.master.call({"LLEN", "list"}).integer == 101; }));
}

TEST(failover, a_troupe_master_hands_over_to_a_redis_replica) {
  group g(kind::troupe, kind::redis);
  ASSERT_TRUE(g.start());
  for (int i = 0; i < 100; ++i) g.master.call({"HSET", "hash", std::to_string(i), "v"});
  EXPECT_EQ(reply_text(g.master.call({"FAILOVER", "TO", "127.0.0.1", g.target()})), "OK");
  ASSERT_TRUE(wait_for([&] { return switched(g.master, *g.replica); })) << g.master.log_text();
  EXPECT_EQ(stat_of(*g.replica, "sync_partial_ok"), 1);
  EXPECT_EQ(dataset_difference(dump_dataset(g.master), dump_dataset(*g.replica)), "");
  EXPECT_EQ(reply_text(g.master.call({"HSET", "hash", "x", "y"})).rfind("-READONLY", 0), 0u);
}

TEST(failover, a_replica_that_cannot_catch_up_times_out_or_is_forced) {
  group g(kind::troupe, kind::troupe);
  ASSERT_TRUE(g.start());
  // The replica stops (it acknowledges nothing) and the master writes on.
  ASSERT_EQ(kill(g.replica->pid(), SIGSTOP), 0);
  EXPECT_EQ(reply_text(g.master.call({"SET", "behind", "1"})), "OK");
  EXPECT_EQ(
      reply_text(g.master.call({"FAILOVER", "TO", "127.0.0.1", g.target(), "TIMEOUT", "200"})),
      "OK");
  EXPECT_EQ(info_field(g.master, "replication", "master_failover_state"), "waiting-for-sync");
  EXPECT_EQ(reply_text(g.master.call({"FAILOVER"})), "-ERR FAILOVER already in progress.");
  ASSERT_TRUE(wait_for([&] {
    return info_field(g.master, "replication", "master_failover_state") == "no-failover";
  }));
  EXPECT_EQ(role_of(g.master), "master");
  EXPECT_NE(g.master.log_text().find("aborted: Replica never caught up before timeout"),
            std::string::npos);
  EXPECT_EQ(reply_text(g.master.call({"SET", "after", "1"})), "OK");  // writes again
  // With FORCE the roles switch when the time is up, caught up or not.
  EXPECT_EQ(reply_text(g.master.call(
                {"FAILOVER", "TO", "127.0.0.1", g.target(), "TIMEOUT", "200", "FORCE"})),
            "OK");
  ASSERT_TRUE(wait_for([&] {
    return info_field(g.master, "replication", "master_failover_state") == "failover-in-progress";
  }));
  ASSERT_EQ(kill(g.replica->pid(), SIGCONT), 0);
  ASSERT_TRUE(wait_for([&] { return switched(g.master, *g.replica); })) << g.master.log_text();
  EXPECT_NE(g.master.log_text().find("time out exceeded, failing over."), std::string::npos);
}

TEST(failover, abort_lets_the_held_writes_run) {
  group g(kind::troupe, kind::troupe);
  ASSERT_TRUE(g.start());
  ASSERT_EQ(kill(g.replica->pid(), SIGSTOP), 0);
  EXPECT_EQ(reply_text(g.master.call({"SET", "k", "1"})), "OK");
  EXPECT_EQ(reply_text(g.master.call({"FAILOVER"})), "OK");
  // A write waits (no reply), a read does not.
  resp_client writer = g.master.client();
  writer.append({"SET", "k", "2"});
  writer.flush();
  EXPECT_FALSE(replied_within(writer, 200));
  EXPECT_EQ(g.master.call({"GET", "k"}).str, "1");
  EXPECT_EQ(reply_text(g.master.call({"FAILOVER", "ABORT"})), "OK");
  EXPECT_EQ(reply_text(writer.read_reply()), "OK");
  EXPECT_EQ(g.master.call({"GET", "k"}).str, "2");
  EXPECT_EQ(role_of(g.master), "master");
  EXPECT_NE(g.master.log_text().find("aborted: Failover manually aborted"), std::string::npos);
  ASSERT_EQ(kill(g.replica->pid(), SIGCONT), 0);
  EXPECT_TRUE(wait_for([&] { return caught_up(g.master, *g.replica); }));
}

// CLIENT PAUSE on redis-server and on Troupe, the same client script.
TEST(client_pause, paused_commands_wait_and_run_in_order) {
  for (kind k : {kind::redis, kind::troupe}) {
    SCOPED_TRACE(k == kind::redis ? "redis" : "troupe");
    server_process s(node_args(), k);
    ASSERT_TRUE(s.start());
    resp_client admin = s.client(), c = s.client();
    EXPECT_EQ(reply_text(s.call({"SET", "k", "old"})), "OK");
    EXPECT_EQ(reply_text(s.call({"SET", "short", "v", "PX", "30"})), "OK");
    EXPECT_EQ(reply_text(admin.call({"CLIENT", "PAUSE", "100000", "WRITE"})), "OK");
    // Reads go on; a write waits, and so does what is pipelined behind it.
    EXPECT_EQ(c.call({"GET", "k"}).str, "old");
    c.append({"SET", "k", "new"});
    c.append({"GET", "k"});
    c.flush();
    EXPECT_FALSE(replied_within(c, 200));
    // Inside MULTI, a write waits before it is even queued.
    resp_client tx = s.client();
    EXPECT_EQ(reply_text(tx.call({"MULTI"})), "OK");
    tx.append({"INCR", "n"});
    tx.flush();
    EXPECT_FALSE(replied_within(tx, 50));
    // A key whose time has passed reads as gone but is not deleted while paused.
    ASSERT_TRUE(wait_for([&] { return s.call({"GET", "short"}).type == resp_value::kind::nil; }));
    EXPECT_EQ(s.call({"DBSIZE"}).integer, 2);
    EXPECT_EQ(reply_text(admin.call({"CLIENT", "UNPAUSE"})), "OK");
    EXPECT_EQ(reply_text(c.read_reply()), "OK");
    EXPECT_EQ(c.read_reply().str, "new");
    EXPECT_EQ(reply_text(tx.read_reply()), "QUEUED");
    resp_value exec = tx.call({"EXEC"});
    ASSERT_EQ(exec.elements.size(), 1u);
    EXPECT_EQ(exec.elements[0].integer, 1);
    EXPECT_EQ(s.call({"GET", "n"}).str, "1");
    // PAUSE ALL holds reads too, and ends by itself.
    EXPECT_EQ(reply_text(admin.call({"CLIENT", "PAUSE", "300", "ALL"})), "OK");
    c.append({"GET", "k"});
    c.flush();
    EXPECT_FALSE(replied_within(c, 50));
    EXPECT_EQ(c.read_reply().str, "new");  // within the client's 5 s read timeout
  }
}
