// A Troupe replica of a real redis-server 7.0 master, over real sockets: full
// sync of every type (disk-framed and diskless payloads, loaded from disk or
// from the socket), live writes, partial resync after the master kills the
// link, REPLICAOF / SLAVEOF / ROLE, READONLY, MASTERDOWN, LOADING, promotion,
// restart from its own RDB, a master killed during a full sync, and a fake
// master sending a cut or corrupt RDB. Where Redis defines the answer a real
// redis-server replica of the same master answers beside it.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// A master with no wait before a diskless sync (Redis's default waits 5 s).
std::vector<std::string> master_args(std::vector<std::string> more = {}) {
  std::vector<std::string> a = {"--repl-diskless-sync-delay", "0"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

std::vector<std::string> replica_of(const server_process& m, std::vector<std::string> more = {}) {
  std::vector<std::string> a = {"--replicaof", "127.0.0.1", std::to_string(m.port())};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

bool link_up(const server_process& r) {
  return info_field(r, "replication", "master_link_status") == "up";
}

// The replica has applied everything the master has written.
bool caught_up(const server_process& m, const server_process& r) {
  std::string mo = info_field(m, "replication", "master_repl_offset");
  return !mo.empty() && link_up(r) && info_field(r, "replication", "slave_repl_offset") == mo;
}

int64_t stat_of(const server_process& s, const std::string& field) {
  return std::stoll("0" + info_field(s, "stats", field));
}

// Every type in its small and big encodings, TTLs, several databases.
void fill(const server_process& s, const std::string& tag = "") {
  resp_client c = s.client();
  c.call({"MSET", "int" + tag, "12345", "short" + tag, "hello", "long" + tag, std::string(300, 'x'),
          "bin" + tag, std::string("a\0b\r\n", 5)});
  c.call({"SET", "ttl" + tag, "v", "EX", "1000"});
  c.call({"RPUSH", "small-list" + tag, "a", "b", "c"});
  for (int i = 0; i < 300; ++i)
    c.append({"RPUSH", "big-list" + tag, "item-" + std::to_string(i) + std::string(20, 'l')});
  for (int i = 0; i < 600; ++i) c.append({"HSET", "big-hash" + tag, "f" + std::to_string(i), "v"});
  for (int i = 0; i < 600; ++i) c.append({"SADD", "big-set" + tag, "m" + std::to_string(i)});
  for (int i = 0; i < 600; ++i) c.append({"SADD", "big-intset" + tag, std::to_string(i * 7)});
  for (int i = 0; i < 200; ++i)
    c.append({"ZADD", "big-zset" + tag, std::to_string(i) + ".5", "z" + std::to_string(i)});
  c.flush();
  for (int i = 0; i < 2300; ++i) c.read_reply();
  c.call({"HSET", "small-hash" + tag, "a", "1", "b", "2"});
  c.call({"SADD", "int-set" + tag, "1", "2", "3"});
  c.call({"SADD", "str-set" + tag, "x", "y"});
  c.call({"ZADD", "small-zset" + tag, "1.5", "a", "-2", "b", "inf", "c"});
  c.call({"PFADD", "hll" + tag, "a", "b", "c"});  // a string to everyone but PFCOUNT
  c.call({"HSET", "ttl-hash" + tag, "a", "1"});
  c.call({"PEXPIRE", "ttl-hash" + tag, "500000"});
  c.call({"SELECT", "5"});
  c.call({"SET", "in-db5" + tag, "yes"});
  c.call({"SELECT", "15"});
  c.call({"RPUSH", "in-db15" + tag, "1", "2"});
}

void expect_same_data(const server_process& master, const server_process& replica) {
  dataset_dump m = dump_dataset(master), r = dump_dataset(replica);
  EXPECT_GT(m.size(), 10u);
  EXPECT_EQ(dataset_difference(m, r), "");
}

struct pair_fixture {
  server_process master{master_args(), server_process::kind::redis};
  std::unique_ptr<server_process> replica;
  bool start(std::vector<std::string> replica_args = {}) {
    if (!master.start()) return false;
    fill(master);
    replica = std::make_unique<server_process>(replica_of(master, replica_args));
    return replica->start() && wait_for([&] { return caught_up(master, *replica); });
  }
};

}  // namespace

TEST(replication_replica, full_sync_of_every_type_from_a_diskless_master) {
  pair_fixture p;
  ASSERT_TRUE(p.start()) << (p.replica ? p.replica->log_text() : "");
  expect_same_data(p.master, *p.replica);
  // ROLE and INFO as a synced replica.
  resp_value role = p.replica->call({"ROLE"});
  ASSERT_EQ(role.elements.size(), 5u);
  EXPECT_EQ(role.elements[0].str, "slave");
  EXPECT_EQ(role.elements[1].str, "127.0.0.1");
  EXPECT_EQ(role.elements[2].integer, p.master.port());
  EXPECT_EQ(role.elements[3].str, "connected");
  EXPECT_EQ(std::to_string(role.elements[4].integer),
            info_field(p.master, "replication", "master_repl_offset"));
  EXPECT_EQ(info_field(*p.replica, "replication", "role"), "slave");
  EXPECT_EQ(info_field(*p.replica, "replication", "master_replid"),
            info_field(p.master, "replication", "master_replid"));
  // The master sees an online replica that acknowledges its offset.
  EXPECT_TRUE(wait_for([&] {
    std::string line = info_field(p.master, "replication", "slave0");
    return line.find("state=online") != std::string::npos &&
           line.find("offset=" + info_field(p.master, "replication", "master_repl_offset")) !=
               std::string::npos;
  }));
}

TEST(replication_replica, full_sync_from_a_disk_based_master_and_to_the_socket) {
  // $<length> framing (the master saves to disk first), loaded from disk...
  server_process master(master_args({"--repl-diskless-sync", "no"}), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  fill(master);
  server_process disk(replica_of(master));
  ASSERT_TRUE(disk.start());
  ASSERT_TRUE(wait_for([&] { return caught_up(master, disk); })) << disk.log_text();
  expect_same_data(master, disk);
  // ...and loaded straight from the socket (an empty replica, on-empty-db).
  server_process socket(replica_of(master, {"--repl-diskless-load", "on-empty-db"}));
  ASSERT_TRUE(socket.start());
  ASSERT_TRUE(wait_for([&] { return caught_up(master, socket); })) << socket.log_text();
  expect_same_data(master, socket);
  EXPECT_NE(socket.log_text().find("from the socket"), std::string::npos);
  // A disk-loaded replica keeps the master's RDB as its own dump file.
  EXPECT_FALSE(read_file(disk.dir() + "/dump.rdb").empty());
}

TEST(replication_replica, swapdb_serves_the_old_data_until_the_new_is_in) {
  server_process master(master_args(), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  fill(master);
  server_process replica({"--repl-diskless-load", "swapdb"});
  ASSERT_TRUE(replica.start());
  replica.call({"SET", "old-only", "1"});
  EXPECT_EQ(replica.call({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).str, "OK");
  ASSERT_TRUE(wait_for([&] { return caught_up(master, replica); })) << replica.log_text();
  expect_same_data(master, replica);
  EXPECT_TRUE(replica.call({"GET", "old-only"}).is_nil());
}

TEST(replication_replica, live_writes_are_followed) {
  pair_fixture p;
  ASSERT_TRUE(p.start()) << (p.replica ? p.replica->log_text() : "");
  resp_client c = p.master.client();
  c.call({"SET", "k", "v"});
  c.call({"INCRBY", "n", "5"});
  c.call({"EXPIRE", "k", "100"});
  c.call({"MULTI"});
  c.call({"LPUSH", "tx-list", "a", "b"});
  c.call({"HSET", "tx-hash", "f", "v"});
  c.call({"EXEC"});
  c.call({"SPOP", "big-set"});  // propagated as SREM
  c.call({"ZINCRBY", "big-zset", "2.25", "z7"});
  c.call({"SELECT", "7"});
  c.call({"SET", "in-db7", "x"});
  c.call({"FLUSHDB"});
  c.call({"SET", "after-flush", "y"});
  c.call({"SELECT", "0"});
  c.call({"DEL", "small-list"});
  c.call({"RENAME", "big-hash", "renamed-hash"});
  ASSERT_TRUE(wait_for([&] { return caught_up(p.master, *p.replica); }));
  expect_same_data(p.master, *p.replica);
  // A key expired on the master is deleted on the replica by the master's DEL.
  // (Set after the comparison: on a slow run it could expire in the middle of it.)
  c.call({"SET", "gone-soon", "v", "PX", "50"});
  ASSERT_TRUE(wait_for([&] {
    p.master.call({"GET", "gone-soon"});  // the master expires it on access
    return caught_up(p.master, *p.replica) &&
           p.replica->call({"DBSIZE"}).integer == p.master.call({"DBSIZE"}).integer;
  }));
}

TEST(replication_replica, a_replica_with_several_reactors_follows_too) {
  pair_fixture p;
  ASSERT_TRUE(p.start({"--threads", "2", "--shards", "4"}))
      << (p.replica ? p.replica->log_text() : "");
  expect_same_data(p.master, *p.replica);
  // Clients on both reactors read while the stream is applied.
  std::atomic<bool> stop{false};
  std::atomic<int64_t> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&] {
      resp_client c = p.replica->client();
      while (!stop) {
        resp_value v = c.call({"GET", "counter"});
        if (!v.is_error()) ++reads;
      }
    });
  resp_client c = p.master.client();
  for (int i = 0; i < 2000; ++i) c.append({"INCR", "counter"});
  for (int i = 0; i < 200; ++i) c.append({"MSET", "{t}a" + std::to_string(i), "1", "{t}b", "2"});
  c.flush();
  for (int i = 0; i < 2200; ++i) c.read_reply();
  p.master.call({"CLIENT", "KILL", "TYPE", "replica"});
  p.master.call({"INCR", "counter"});
  ASSERT_TRUE(wait_for([&] { return caught_up(p.master, *p.replica); }));
  stop = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(p.replica->call({"GET", "counter"}).str, "2001");
  expect_same_data(p.master, *p.replica);
}

TEST(replication_replica, partial_resync_after_the_master_kills_the_link) {
  pair_fixture p;
  ASSERT_TRUE(p.start()) << (p.replica ? p.replica->log_text() : "");
  int64_t full = stat_of(p.master, "sync_full");
  int64_t partial = stat_of(p.master, "sync_partial_ok");
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(p.master.call({"CLIENT", "KILL", "TYPE", "replica"}).integer, 1);
    // Writes while the link is down, a transaction among them.
    resp_client c = p.master.client();
    for (int i = 0; i < 50; ++i) c.call({"INCR", "gap-counter"});
    c.call({"MULTI"});
    c.call({"SET", "gap-a", std::to_string(round)});
    c.call({"SET", "gap-b", std::to_string(round)});
    c.call({"EXEC"});
    ASSERT_TRUE(wait_for([&] { return caught_up(p.master, *p.replica); }));
  }
  EXPECT_EQ(stat_of(p.master, "sync_partial_ok"), partial + 2);
  EXPECT_EQ(stat_of(p.master, "sync_full"), full);
  expect_same_data(p.master, *p.replica);
  EXPECT_NE(p.replica->log_text().find("Successful partial resynchronization"), std::string::npos);
}

TEST(replication_replica, client_kill_type_master_on_the_replica_resumes_partially) {
  pair_fixture p;
  ASSERT_TRUE(p.start()) << (p.replica ? p.replica->log_text() : "");
  int64_t partial = stat_of(p.master, "sync_partial_ok");
  std::string list = p.replica->call({"CLIENT", "LIST", "TYPE", "master"}).str;
  EXPECT_NE(list.find("flags=M"), std::string::npos) << list;
  EXPECT_EQ(p.replica->call({"CLIENT", "KILL", "TYPE", "master"}).integer, 1);
  p.master.call({"SET", "after-kill", "1"});
  ASSERT_TRUE(wait_for([&] { return caught_up(p.master, *p.replica); }));
  EXPECT_EQ(p.replica->call({"GET", "after-kill"}).str, "1");
  EXPECT_EQ(stat_of(p.master, "sync_partial_ok"), partial + 1);
}

TEST(replication_replica, info_replication_has_redis_fields_in_redis_order) {
  server_process master(master_args(), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  server_process redis(replica_of(master), server_process::kind::redis);
  server_process troupe(replica_of(master));
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(troupe.start());
  ASSERT_TRUE(wait_for([&] { return caught_up(master, redis) && caught_up(master, troupe); }));
  auto names = [](const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while ((pos = text.find("\r\n", pos)) != std::string::npos) {
      pos += 2;
      size_t colon = text.find(':', pos);
      if (colon == std::string::npos) break;
      out.push_back(text.substr(pos, colon - pos));
    }
    return out;
  };
  EXPECT_EQ(names(troupe.call({"INFO", "replication"}).str),
            names(redis.call({"INFO", "replication"}).str));
  // Down: the link-down fields appear, for both.
  master.kill_now();
  ASSERT_TRUE(wait_for([&] { return !link_up(redis) && !link_up(troupe); }));
  EXPECT_EQ(names(troupe.call({"INFO", "replication"}).str),
            names(redis.call({"INFO", "replication"}).str));
  EXPECT_EQ(info_field(troupe, "replication", "master_link_status"), "down");
  EXPECT_EQ(info_field(troupe, "replication", "master_last_io_seconds_ago"), "-1");
  EXPECT_EQ(troupe.call({"ROLE"}).elements[4].integer, -1);
}

TEST(replication_replica, replicaof_replies_as_redis) {
  server_process master(master_args(), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  server_process redis({}, server_process::kind::redis);
  server_process troupe;
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(troupe.start());
  std::string port = std::to_string(master.port());
  std::vector<std::vector<std::string>> commands = {
      {"REPLICAOF", "NO", "ONE"},
      {"REPLICAOF", "127.0.0.1", "abc"},
      {"REPLICAOF", "127.0.0.1", "70000"},
      {"REPLICAOF", "127.0.0.1", "-1"},
      {"REPLICAOF", "127.0.0.1"},
      {"REPLICAOF", "127.0.0.1", port},
      {"SYNCED"},  // (not a command: wait until both are synced)
      {"REPLICAOF", "127.0.0.1", port},
      {"SLAVEOF", "127.0.0.1", port},
      {"SET", "k", "v"},
      {"ROLE"},
      {"REPLICAOF", "no", "one"},
      {"REPLICAOF", "no", "one"},
      {"SET", "k", "v"},
      {"SLAVEOF", "127.0.0.1", port},
      {"SYNCED"},
      {"SLAVEOF", "NO", "ONE"},
      {"COMMAND", "INFO", "replicaof", "slaveof", "role"},
  };
  for (auto& cmd : commands) {
    if (cmd[0] == "SYNCED") {
      // While a sync loads both answer -LOADING; compare once it is done.
      ASSERT_TRUE(wait_for([&] { return link_up(redis) && link_up(troupe); }));
      continue;
    }
    resp_value r = redis.call(cmd), t = troupe.call(cmd);
    if (cmd[0] == "ROLE") {  // the link's progress differs: compare the shape
      ASSERT_EQ(t.elements.size(), 5u);
      EXPECT_EQ(t.elements[0].str, r.elements[0].str);
      EXPECT_EQ(t.elements[1].str, r.elements[1].str);
      EXPECT_EQ(t.elements[2].integer, r.elements[2].integer);
      continue;
    }
    EXPECT_EQ(t.to_string(), r.to_string()) << cmd[0] << " " << (cmd.size() > 1 ? cmd[1] : "");
  }
  // The config follows the role (CONFIG GET, CONFIG REWRITE).
  troupe.call({"REPLICAOF", "127.0.0.1", port});
  EXPECT_EQ(troupe.call({"CONFIG", "GET", "replicaof"}).elements[1].str, "127.0.0.1 " + port);
  ASSERT_TRUE(wait_for([&] { return link_up(troupe); }));  // REPLICAOF waits out a load
  EXPECT_EQ(troupe.call({"REPLICAOF", "NO", "ONE"}).str, "OK");
  EXPECT_EQ(troupe.call({"CONFIG", "GET", "replicaof"}).elements[1].str, "");
}

TEST(replication_replica, readonly_and_masterdown_as_redis) {
  server_process master(master_args(), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  master.call({"SET", "k", "v"});
  std::vector<std::string> extra = {"--replica-serve-stale-data", "no"};
  server_process redis(replica_of(master, extra), server_process::kind::redis);
  server_process troupe(replica_of(master, extra));
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(troupe.start());
  ASSERT_TRUE(wait_for([&] { return caught_up(master, redis) && caught_up(master, troupe); }));
  auto same = [&](const std::vector<std::string>& cmd) {
    resp_value r = redis.call(cmd), t = troupe.call(cmd);
    EXPECT_EQ(t.to_string(), r.to_string()) << cmd[0];
  };
  for (auto cmd : std::vector<std::vector<std::string>>{{"SET", "k", "w"},
                                                        {"DEL", "k"},
                                                        {"GET", "k"},
                                                        {"FLUSHALL"},
                                                        {"EXPIRE", "k", "5"},
                                                        {"PUBLISH", "c", "m"}})
    same(cmd);
  {
    // READONLY inside MULTI aborts the transaction, as in Redis.
    resp_client rc = redis.client(), tc = troupe.client();
    for (auto cmd : std::vector<std::vector<std::string>>{{"MULTI"}, {"SET", "a", "1"}, {"EXEC"}})
      EXPECT_EQ(tc.call(cmd).to_string(), rc.call(cmd).to_string());
  }
  // The master goes: only "stale" commands are served.
  master.kill_now();
  ASSERT_TRUE(wait_for([&] { return !link_up(redis) && !link_up(troupe); }));
  for (auto cmd : std::vector<std::vector<std::string>>{{"GET", "k"},
                                                        {"PING"},
                                                        {"DBSIZE"},
                                                        {"SET", "k", "w"},
                                                        {"ECHO", "x"},
                                                        {"SELECT", "1"},
                                                        {"TIME"},
                                                        {"CONFIG", "GET", "replica-read-only"}}) {
    resp_value r = redis.call(cmd), t = troupe.call(cmd);
    if (cmd[0] == "TIME")
      EXPECT_EQ(t.elements.size(), r.elements.size());
    else
      EXPECT_EQ(t.to_string(), r.to_string()) << cmd[0];
  }
  EXPECT_EQ(info_field(troupe, "replication", "role"), "slave");
  // With stale data allowed again, reads work on the old data.
  same({"CONFIG", "SET", "replica-serve-stale-data", "yes"});
  same({"GET", "k"});
  // A writable replica takes writes (its own: no journal of them).
  same({"CONFIG", "SET", "replica-read-only", "no"});
  same({"SET", "local", "1"});
  same({"GET", "local"});
}

TEST(replication_replica, replicaof_no_one_promotes_and_keeps_the_history_resumable) {
  pair_fixture p;
  ASSERT_TRUE(p.start()) << (p.replica ? p.replica->log_text() : "");
  server_process& r = *p.replica;
  std::string replid = info_field(r, "replication", "master_replid");
  std::string offset = info_field(r, "replication", "master_repl_offset");
  EXPECT_EQ(r.call({"REPLICAOF", "NO", "ONE"}).str, "OK");
  EXPECT_EQ(info_field(r, "replication", "role"), "master");
  EXPECT_EQ(info_field(r, "replication", "master_replid2"), replid);
  EXPECT_NE(info_field(r, "replication", "master_replid"), replid);
  EXPECT_EQ(info_field(r, "replication", "second_repl_offset"),
            std::to_string(std::stoll(offset) + 1));
  resp_value role = r.call({"ROLE"});
  ASSERT_EQ(role.elements.size(), 3u);
  EXPECT_EQ(role.elements[0].str, "master");
  // A master now: writes are its own, the old master's are not followed (it
  // has no replica left to send them to).
  EXPECT_EQ(r.call({"SET", "mine", "1"}).str, "OK");
  ASSERT_TRUE(
      wait_for([&] { return info_field(p.master, "replication", "connected_slaves") == "0"; }));
  p.master.call({"SET", "theirs", "1"});
  p.master.call({"SET", "mine", "2"});
  EXPECT_EQ(r.call({"GET", "mine"}).str, "1");
  EXPECT_TRUE(r.call({"GET", "theirs"}).is_nil());
  // Following the old master again: a full sync (its history is not ours any more).
  int64_t full = stat_of(p.master, "sync_full");
  EXPECT_EQ(r.call({"REPLICAOF", "127.0.0.1", std::to_string(p.master.port())}).str, "OK");
  ASSERT_TRUE(wait_for([&] { return caught_up(p.master, r); }));
  EXPECT_EQ(stat_of(p.master, "sync_full"), full + 1);
  expect_same_data(p.master, r);
}

TEST(replication_replica, restart_from_its_own_rdb_resumes_partially) {
  server_process master(master_args(), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  fill(master);
  auto replica = std::make_unique<server_process>(replica_of(master));
  ASSERT_TRUE(replica->start());
  ASSERT_TRUE(wait_for([&] { return caught_up(master, *replica); }));
  master.call({"SELECT", "3"});  // a fresh connection each call: SELECT is per call
  resp_client c = master.client();
  c.call({"SELECT", "3"});
  c.call({"SET", "db3-before", "1"});
  ASSERT_TRUE(wait_for([&] { return caught_up(master, *replica); }));
  EXPECT_EQ(replica->call({"SAVE"}).str, "OK");
  std::string dir = replica->dir();
  int port = replica->port();
  replica->kill_now();
  // Writes while the replica is away, still in database 3 without a new SELECT.
  c.call({"SET", "db3-after", "2"});
  c.call({"INCR", "db3-counter"});
  int64_t full = stat_of(master, "sync_full");
  int64_t partial = stat_of(master, "sync_partial_ok");
  // The same directory (its dump.rdb), on a fresh port.
  (void)port;
  std::vector<std::string> args = replica_of(master, {"--dir", dir});
  server_process again(args);
  ASSERT_TRUE(again.start()) << again.log_text();
  ASSERT_TRUE(wait_for([&] { return caught_up(master, again); })) << again.log_text();
  EXPECT_EQ(stat_of(master, "sync_partial_ok"), partial + 1);
  EXPECT_EQ(stat_of(master, "sync_full"), full);
  expect_same_data(master, again);
  resp_client rc = again.client();
  rc.call({"SELECT", "3"});
  EXPECT_EQ(rc.call({"GET", "db3-after"}).str, "2");
}

TEST(replication_replica, loading_answers_loading_and_never_a_part_of_the_data) {
  // A slow master (a delay per key saved) gives time to look at the replica
  // while the RDB streams into its loader.
  server_process master(master_args({"--rdb-key-save-delay", "200"}), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  resp_client c = master.client();
  for (int i = 0; i < 5000; ++i) c.append({"SET", "key:" + std::to_string(i), "v"});
  c.flush();
  for (int i = 0; i < 5000; ++i) c.read_reply();
  // Started first, then pointed at the master: a server that is loading
  // answers PING with LOADING, which start() would wait out.
  server_process replica({"--repl-diskless-load", "on-empty-db"});
  ASSERT_TRUE(replica.start());
  ASSERT_EQ(replica.call({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).str, "OK");
  bool saw_loading = false, saw_info_loading = false;
  // Both sections from one INFO, so that they describe the same moment (the
  // load may end between two calls).
  auto field_of = [](const std::string& text, const std::string& name) {
    size_t at = ("\n" + text).find("\n" + name + ":");
    if (at == std::string::npos) return std::string();
    size_t start = at + name.size() + 1;
    return text.substr(start, text.find('\r', start) - start);
  };
  ASSERT_TRUE(wait_for(
      [&] {
        std::string info = replica.call({"INFO", "persistence", "replication"}).str;
        if (field_of(info, "loading") == "1") {
          saw_info_loading = true;
          EXPECT_EQ(field_of(info, "master_sync_in_progress"), "1");
        }
        resp_value r = replica.call({"DBSIZE"});
        if (r.is_error()) {
          EXPECT_EQ(r.str, "LOADING Redis is loading the dataset in memory");
          saw_loading = true;
          return false;
        }
        // Never a part of the data: nothing, or everything.
        EXPECT_TRUE(r.integer == 0 || r.integer == 5000) << r.integer;
        return r.integer == 5000;
      },
      30000));
  EXPECT_TRUE(saw_loading);
  EXPECT_TRUE(saw_info_loading);
  EXPECT_EQ(info_field(replica, "persistence", "loading"), "0");
}

TEST(replication_replica, master_killed_during_a_full_sync) {
  server_process master(master_args({"--rdb-key-save-delay", "500"}), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  resp_client c = master.client();
  for (int i = 0; i < 4000; ++i) c.append({"SET", "key:" + std::to_string(i), "v"});
  c.flush();
  for (int i = 0; i < 4000; ++i) c.read_reply();
  for (std::string mode : {"disabled", "on-empty-db"}) {
    server_process replica({"--repl-diskless-load", mode});
    ASSERT_TRUE(replica.start());
    ASSERT_EQ(replica.call({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).str, "OK");
    ASSERT_TRUE(wait_for([&] {
      return info_field(replica, "replication", "master_sync_in_progress") == "1" &&
             std::stoll("0" + info_field(replica, "replication", "master_sync_read_bytes")) > 0;
    }));
    // The master dies in the middle of the transfer.
    server_process* m = &master;
    m->kill_now();
    ASSERT_TRUE(wait_for(
        [&] { return info_field(replica, "replication", "master_sync_in_progress") == "0"; }));
    // Alive, not serving a part of the data, and trying again.
    EXPECT_EQ(replica.call({"PING"}).str, "PONG");
    EXPECT_EQ(replica.call({"DBSIZE"}).integer, 0) << mode;
    EXPECT_EQ(info_field(replica, "persistence", "loading"), "0");
    std::string log = replica.log_text();
    EXPECT_TRUE(wait_for([&] {
      std::string l = replica.log_text();
      size_t first = l.find("Connecting to MASTER");
      return first != std::string::npos &&
             l.find("Connecting to MASTER", l.rfind("Full resync")) != std::string::npos;
    })) << log;
    // The master comes back (another process, same data): the replica syncs.
    ASSERT_TRUE(master.start());
    resp_client c2 = master.client();
    for (int i = 0; i < 4000; ++i) c2.append({"SET", "key:" + std::to_string(i), "v"});
    c2.flush();
    for (int i = 0; i < 4000; ++i) c2.read_reply();
    c2.call({"CONFIG", "SET", "rdb-key-save-delay", "0"});
    EXPECT_EQ(replica.call({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).str, "OK");
    ASSERT_TRUE(wait_for([&] { return caught_up(master, replica); })) << replica.log_text();
    EXPECT_EQ(replica.call({"DBSIZE"}).integer, 4000);
    c2.call({"CONFIG", "SET", "rdb-key-save-delay", "500"});
  }
}

// -- a fake master: the handshake right, the payload wrong ----------------------------------

namespace {

// Listens on a free port; each connection gets the handshake answers, then
// `payload` after +FULLRESYNC, then is closed (or held open if `hold`).
class fake_master {
 public:
  // `psync_error`: answered to PSYNC instead of +FULLRESYNC and the payload.
  fake_master(std::string payload, bool hold = false, std::string psync_error = "")
      : payload_(std::move(payload)), hold_(hold), psync_error_(std::move(psync_error)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    socklen_t len = sizeof(sa);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    listen(fd_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~fake_master() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  int syncs() const { return syncs_.load(); }
  // Set before a replica connects: words after +FULLRESYNC's offset (" frames"),
  // and bytes sent `delay_ms` after the payload (a slow network).
  void fullresync_suffix(std::string s) { suffix_ = std::move(s); }
  void tail(std::string bytes, int delay_ms) {
    tail_ = std::move(bytes);
    delay_ms_ = delay_ms;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      timeval tv{2, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      std::string in;
      char buf[4096];
      bool synced = false;
      while (!synced && !stop_) {
        ssize_t n = recv(c, buf, sizeof(buf), 0);
        if (n <= 0) break;
        in.append(buf, size_t(n));
        // Each command of the handshake is one RESP array: answer per command.
        for (;;) {
          size_t end = command_end(in);
          if (end == 0) break;
          std::string cmd = in.substr(0, end);
          in.erase(0, end);
          std::string reply = "+OK\r\n";
          if (cmd.find("PING") != std::string::npos) reply = "+PONG\r\n";
          if (cmd.find("PSYNC") != std::string::npos) {
            reply = psync_error_.empty()
                        ? "+FULLRESYNC " + std::string(40, 'f') + " 0" + suffix_ + "\r\n" + payload_
                        : "-" + psync_error_ + "\r\n";
            synced = true;
            ++syncs_;
          }
          send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
        }
      }
      if (synced && !tail_.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_));
        send(c, tail_.data(), tail_.size(), MSG_NOSIGNAL);
      }
      if (hold_) {
        while (!stop_ && recv(c, buf, sizeof(buf), 0) > 0) {
        }
      }
      close(c);
    }
  }
  // The length of the first complete RESP array in `s`, 0 if incomplete.
  static size_t command_end(const std::string& s) {
    if (s.empty() || s[0] != '*') return 0;
    size_t pos = s.find("\r\n");
    if (pos == std::string::npos) return 0;
    int n = atoi(s.c_str() + 1);
    pos += 2;
    for (int i = 0; i < n; ++i) {
      size_t nl = s.find("\r\n", pos);
      if (nl == std::string::npos) return 0;
      size_t len = size_t(atoi(s.c_str() + pos + 1));
      pos = nl + 2 + len + 2;
      if (pos > s.size()) return 0;
    }
    return pos;
  }

  std::string payload_;
  bool hold_;
  std::string psync_error_;
  std::string suffix_, tail_;
  int delay_ms_ = 0;
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> syncs_{0};
  std::thread thread_;
};

// A real RDB of a few keys, as redis-server writes it.
std::string real_rdb() {
  server_process redis({}, server_process::kind::redis);
  if (!redis.start()) return "";
  fill(redis);
  redis.call({"SAVE"});
  return read_file(redis.dir() + "/dump.rdb");
}

void expect_survives_and_retries(fake_master& fake, const std::string& why,
                                 std::vector<std::string> replica_args = {}) {
  std::vector<std::string> args = {"--replicaof", "127.0.0.1", std::to_string(fake.port())};
  args.insert(args.end(), replica_args.begin(), replica_args.end());
  server_process replica(args);
  ASSERT_TRUE(replica.start());
  replica.call({"CONFIG", "SET", "repl-timeout", "1"});
  // It tries again and again, and stays up and empty.
  ASSERT_TRUE(wait_for([&] { return fake.syncs() >= 3; }, 20000)) << replica.log_text();
  EXPECT_TRUE(replica.running());
  // Between two attempts (a retried load may answer LOADING for an instant).
  EXPECT_TRUE(wait_for([&] {
    resp_value n = replica.call({"DBSIZE"});
    return !n.is_error() && n.integer == 0;
  }));
  EXPECT_TRUE(replica.running());
  EXPECT_NE(info_field(replica, "replication", "master_link_status"), "up");
  EXPECT_NE(replica.log_text().find(why), std::string::npos) << replica.log_text();
}

}  // namespace

TEST(replication_replica, a_cut_rdb_from_a_fake_master_is_retried_without_a_crash) {
  std::string rdb = real_rdb();
  ASSERT_GT(rdb.size(), 1000u);
  {
    // The announced length, then half of it, then the connection closes.
    fake_master fake("$" + std::to_string(rdb.size()) + "\r\n" + rdb.substr(0, rdb.size() / 2));
    expect_survives_and_retries(fake, "I/O error with MASTER");
  }
  {
    // The same, loaded from the socket as it arrives.
    fake_master fake("$" + std::to_string(rdb.size()) + "\r\n" + rdb.substr(0, rdb.size() / 2));
    expect_survives_and_retries(fake, "I/O error with MASTER", {"--repl-diskless-load", "swapdb"});
  }
  {
    // EOF framing cut before its end mark.
    fake_master fake("$EOF:" + std::string(40, 'e') + "\r\n" + rdb.substr(0, rdb.size() / 3));
    expect_survives_and_retries(fake, "I/O error with MASTER");
  }
}

TEST(replication_replica, a_corrupt_rdb_from_a_fake_master_is_retried_without_a_crash) {
  std::string rdb = real_rdb();
  ASSERT_GT(rdb.size(), 1000u);
  std::string bad = rdb;
  for (size_t i = 200; i < 260; ++i) bad[i] = char(0xff);  // damage inside the data
  {
    fake_master fake("$" + std::to_string(bad.size()) + "\r\n" + bad, true);
    expect_survives_and_retries(fake, "Failed trying to load the MASTER synchronization DB");
  }
  {
    std::string mark(40, 'm');
    fake_master fake("$EOF:" + mark + "\r\n" + bad + mark, true);
    expect_survives_and_retries(fake, "Failed trying to load the MASTER synchronization DB",
                                {"--repl-diskless-load", "on-empty-db"});
  }
  {
    // Not an RDB at all, with a bad header line.
    fake_master fake("this is not an RDB\r\n", true);
    expect_survives_and_retries(fake, "Bad protocol from MASTER");
  }
}

// A framed full sync (Troupe to Troupe) whose end frame comes after the
// replica has loaded the RDB: the end frame is not taken for a command of the
// stream (it was once: the replica ran "E0", answered its master an error and
// counted 4 bytes its master never sent, so its offset ran ahead).
TEST(replication_replica, a_late_end_frame_is_not_part_of_the_stream) {
  std::string rdb = real_rdb();
  ASSERT_GT(rdb.size(), 1000u);
  std::string mark(40, 'm');
  std::string framed = "$EOF:" + mark + "\r\n" + rdb + mark;
  fake_master fake("R" + std::to_string(framed.size()) + "\r\n" + framed, true);
  fake.fullresync_suffix(" frames");
  std::string set = "*3\r\n$3\r\nSET\r\n$4\r\nlate\r\n$1\r\n1\r\n";
  // Long after the replica has loaded so small an RDB (it answers LOADING
  // until then, so start() returns after).
  fake.tail("E0\r\n" + set, 500);
  server_process replica({"--replicaof", "127.0.0.1", std::to_string(fake.port())});
  ASSERT_TRUE(replica.start());
  ASSERT_TRUE(wait_for(
      [&] {
        return replica.call({"GET", "late"}).str == "1";
      },
      20000))
      << replica.log_text();
  EXPECT_EQ(replica.log_text().find("CRITICAL"), std::string::npos) << replica.log_text();
  EXPECT_EQ(info_field(replica, "replication", "master_repl_offset"), std::to_string(set.size()));
  EXPECT_TRUE(link_up(replica));
}

TEST(replication_replica, a_silent_master_times_out_and_is_retried) {
  {
    // +FULLRESYNC, then nothing: the transfer times out.
    fake_master fake("", true);
    expect_survives_and_retries(fake, "Timeout receiving bulk data from MASTER");
  }
  {
    // A whole RDB, then a stream without a byte (not even PINGs).
    std::string rdb = real_rdb();
    fake_master fake("$" + std::to_string(rdb.size()) + "\r\n" + rdb, true);
    server_process replica(
        {"--replicaof", "127.0.0.1", std::to_string(fake.port()), "--repl-timeout", "1"});
    ASSERT_TRUE(replica.start());
    ASSERT_TRUE(wait_for([&] { return fake.syncs() >= 2 && link_up(replica); }, 20000))
        << replica.log_text();
    EXPECT_NE(replica.log_text().find("MASTER timeout: no data nor PING received"),
              std::string::npos);
    EXPECT_EQ(replica.call({"PING"}).str, "PONG");
  }
}

TEST(replication_replica, a_master_that_cannot_sync_yet_is_asked_again) {
  for (std::string err : {"LOADING Redis is loading the dataset in memory",
                          "NOMASTERLINK Can't SYNC while not connected with my master"}) {
    fake_master fake("", false, err);
    expect_survives_and_retries(fake,
                                "Master is currently unable to PSYNC but should be in the future");
  }
}

TEST(replication_replica, masterauth_and_masteruser_authenticate_the_link) {
  server_process master(master_args({"--requirepass", "s3cret"}), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  {
    resp_client c = master.client();
    c.call({"AUTH", "s3cret"});
    c.call({"SET", "k", "v"});
    c.call({"ACL", "SETUSER", "repl", "on", ">r3pl", "+psync", "+replconf", "+ping"});
  }
  auto synced = [&](server_process& r) {
    return wait_for([&] { return link_up(r) && r.call({"GET", "k"}).str == "v"; });
  };
  server_process replica(replica_of(master, {"--masterauth", "s3cret"}));
  ASSERT_TRUE(replica.start());
  EXPECT_TRUE(synced(replica)) << replica.log_text();
  server_process as_user(replica_of(master, {"--masteruser", "repl", "--masterauth", "r3pl"}));
  ASSERT_TRUE(as_user.start());
  EXPECT_TRUE(synced(as_user)) << as_user.log_text();
  // A wrong password: said in the log, retried, never synced.
  server_process wrong(replica_of(master, {"--masterauth", "nope"}));
  ASSERT_TRUE(wrong.start());
  EXPECT_TRUE(wait_for(
      [&] { return wrong.log_text().find("Unable to AUTH to MASTER") != std::string::npos; }));
  EXPECT_FALSE(link_up(wrong));
}

TEST(replication_replica, wait_is_answered_and_the_aof_of_a_replica_reloads) {
  server_process master(master_args(), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  fill(master);
  auto replica = std::make_unique<server_process>(replica_of(master, {"--appendonly", "yes"}));
  ASSERT_TRUE(replica->start());
  ASSERT_TRUE(wait_for([&] { return caught_up(master, *replica); }));
  // After a full sync the replica's AOF starts over from a rewrite (an RDB
  // base, which names the history at its cut).
  ASSERT_TRUE(wait_for([&] { return info_field(*replica, "persistence", "aof_rewrites") == "1"; }));
  // WAIT makes the master ask REPLCONF GETACK in the stream: the replica's
  // acknowledgement answers it.
  resp_client c = master.client();
  c.call({"SET", "acked", "1"});
  EXPECT_EQ(c.call({"WAIT", "1", "5000"}).integer, 1);
  c.call({"INCR", "after-wait"});
  ASSERT_TRUE(wait_for([&] { return caught_up(master, *replica); }));
  // The AOF (its base, then the master's stream, GETACK included) loads at the
  // next start; the commands after the base are not applied a second time
  // (an AOF names no offset to resume from: the replica resyncs in full).
  std::string dir = replica->dir();
  EXPECT_EQ(replica->stop(), 0);
  server_process again(replica_of(master, {"--appendonly", "yes", "--dir", dir}));
  ASSERT_TRUE(again.start()) << again.log_text();
  // The resync from the master may already be loading (-LOADING for an
  // instant); the key is there before and after it.
  std::string acked;
  ASSERT_TRUE(wait_for([&] {
    acked = again.call({"GET", "acked"}).str;
    return acked.rfind("LOADING", 0) != 0;
  }));
  EXPECT_EQ(acked, "1");
  ASSERT_TRUE(wait_for([&] { return caught_up(master, again); })) << again.log_text();
  expect_same_data(master, again);
}

TEST(replication_replica, info_during_a_transfer_has_redis_fields_in_redis_order) {
  // A master that announces 1000 bytes and sends 9: both replicas stay in the transfer.
  fake_master fake("$1000\r\nREDIS0010", true);
  std::vector<std::string> args = {"--replicaof", "127.0.0.1", std::to_string(fake.port())};
  server_process redis(args, server_process::kind::redis);
  server_process troupe(args);
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(troupe.start());
  auto in_transfer = [](const server_process& s) {
    return info_field(s, "replication", "master_sync_read_bytes") == "9";
  };
  ASSERT_TRUE(wait_for([&] { return in_transfer(redis) && in_transfer(troupe); }));
  std::string r = redis.call({"INFO", "replication"}).str;
  std::string t = troupe.call({"INFO", "replication"}).str;
  auto lines_until = [](const std::string& text, const std::string& last) {
    // From role to replica_announced (the ids and the backlog differ).
    size_t pos = text.find("role:");
    size_t end = text.find(last);
    return text.substr(pos, end - pos);
  };
  std::string rs = lines_until(r, "replica_announced"), ts = lines_until(t, "replica_announced");
  // Values that do not depend on timing or ports are Redis's own.
  EXPECT_EQ(info_field(troupe, "replication", "master_sync_total_bytes"), "1000");
  EXPECT_EQ(info_field(troupe, "replication", "master_sync_left_bytes"), "991");
  EXPECT_EQ(info_field(troupe, "replication", "master_sync_perc"), "0.90");
  EXPECT_EQ(info_field(troupe, "replication", "master_sync_in_progress"), "1");
  EXPECT_EQ(info_field(troupe, "replication", "slave_repl_offset"),
            info_field(redis, "replication", "slave_repl_offset"));
  auto names = [](const std::string& text) {
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t colon = text.find(':', pos), nl = text.find("\r\n", pos);
      if (colon == std::string::npos || nl == std::string::npos) break;
      out += text.substr(pos, colon - pos) + ",";
      pos = nl + 2;
    }
    return out;
  };
  EXPECT_EQ(names(ts), names(rs));
  EXPECT_EQ(troupe.call({"ROLE"}).elements[3].str, redis.call({"ROLE"}).elements[3].str);
}

TEST(replication_replica, a_promoted_redis_master_switches_ids_with_continue) {
  // Redis M -> Redis R -> Troupe T. R's promotion gives it a new replication
  // id; T resumes from R with a partial resync (+CONTINUE <new id>) and keeps
  // the old id as its replid2, as PSYNC2 says.
  server_process m(master_args(), server_process::kind::redis);
  ASSERT_TRUE(m.start());
  fill(m);
  server_process r(replica_of(m, master_args()), server_process::kind::redis);
  ASSERT_TRUE(r.start());
  ASSERT_TRUE(wait_for([&] { return caught_up(m, r); }));
  server_process t(replica_of(r));
  ASSERT_TRUE(t.start());
  m.call({"SET", "through-the-chain", "1"});
  ASSERT_TRUE(wait_for([&] { return caught_up(m, r) && caught_up(r, t); })) << t.log_text();
  std::string old_id = info_field(r, "replication", "master_replid");
  EXPECT_EQ(info_field(t, "replication", "master_replid"), old_id);
  int64_t partial = stat_of(r, "sync_partial_ok");
  int64_t full = stat_of(r, "sync_full");
  EXPECT_EQ(r.call({"REPLICAOF", "NO", "ONE"}).str, "OK");
  std::string new_id = info_field(r, "replication", "master_replid");
  ASSERT_NE(new_id, old_id);
  r.call({"SET", "after-promotion", "1"});
  ASSERT_TRUE(wait_for([&] {
    return info_field(t, "replication", "master_replid") == new_id && caught_up(r, t);
  })) << t.log_text();
  EXPECT_EQ(info_field(t, "replication", "master_replid2"), old_id);
  EXPECT_EQ(info_field(t, "replication", "second_repl_offset"),
            info_field(r, "replication", "second_repl_offset"));
  EXPECT_EQ(stat_of(r, "sync_partial_ok"), partial + 1);
  EXPECT_EQ(stat_of(r, "sync_full"), full);
  EXPECT_NE(t.log_text().find("Master replication ID changed to " + new_id), std::string::npos);
  expect_same_data(r, t);
}

// RESTORE-ASKING (what MIGRATE sends in a cluster) runs on a master without
// cluster mode and is propagated; the replica applies it like RESTORE (it
// used to be a command Troupe lacked: logged, skipped, the stream going on).
TEST(replication_replica, restore_asking_in_the_stream_is_applied) {
  pair_fixture p;
  ASSERT_TRUE(p.start()) << (p.replica ? p.replica->log_text() : "");
  resp_client c = p.master.client();
  c.call({"SET", "src", "v"});
  std::string payload = c.call({"DUMP", "src"}).str;
  EXPECT_EQ(c.call({"RESTORE-ASKING", "dst", "0", payload}).str, "OK");
  c.call({"SET", "after-it", "1"});
  ASSERT_TRUE(wait_for([&] { return caught_up(p.master, *p.replica); }));
  EXPECT_EQ(p.replica->call({"GET", "after-it"}).str, "1");
  EXPECT_EQ(p.replica->call({"GET", "dst"}).str, "v");
  EXPECT_EQ(p.replica->log_text().find("sending an error to its master"), std::string::npos)
      << p.replica->log_text();
}

TEST(replication_replica, becoming_a_replica_unblocks_blocked_clients_as_redis) {
  server_process master(master_args(), server_process::kind::redis);
  ASSERT_TRUE(master.start());
  for (auto kind : {server_process::kind::redis, server_process::kind::troupe}) {
    server_process node({}, kind);
    ASSERT_TRUE(node.start());
    resp_client blocked = node.client();
    blocked.append({"BLPOP", "q", "0"});
    ASSERT_TRUE(blocked.flush());
    ASSERT_TRUE(wait_for([&] { return info_field(node, "clients", "blocked_clients") == "1"; }));
    EXPECT_EQ(node.call({"REPLICAOF", "127.0.0.1", std::to_string(master.port())}).str, "OK");
    EXPECT_EQ(blocked.read_reply().to_string(),
              "(error) UNBLOCKED force unblock from blocking operation, instance state changed "
              "(master -> replica?)");
  }
}
