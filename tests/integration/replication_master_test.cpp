// Troupe as a master, with real redis-server 7.0 processes as its replicas
// (and redis-cli --rdb / --replica, and raw PSYNC clients): full syncs
// diskless and disk-backed with every data type, the live stream, partial
// resync after a killed link, WAIT, min-replicas-to-write, the output-buffer
// limit of a replica that stops reading, and the stream itself compared with
// the one redis-server sends for the same commands.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <regex>
#include <thread>

#include "support/server_process.hpp"
#include "topology/replication/rdb_transfer.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

bool wait_for(const std::function<bool()>& cond, int ms = 30000) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return cond();
}

std::string info(const server_process& s, const std::string& section) {
  return s.call({"INFO", section}).str;
}

// One "name:value" field of an INFO text ("" when absent).
std::string field(const std::string& text, const std::string& name) {
  size_t at = text.find("\r\n" + name + ":");
  size_t start = at == std::string::npos ? (text.rfind(name + ":", 0) == 0 ? 0 : at) : at + 2;
  if (start == std::string::npos) return "";
  start += name.size() + 1;
  return text.substr(start, text.find("\r\n", start) - start);
}

int64_t number(const server_process& s, const std::string& section, const std::string& name) {
  std::string v = field(info(s, section), name);
  return v.empty() ? -1 : std::stoll(v);
}

// A redis-server replica of `master` (its args come first, so tests may add more).
std::unique_ptr<server_process> redis_replica_of(const server_process& master,
                                                 std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--replicaof", "127.0.0.1", std::to_string(master.port())};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = std::make_unique<server_process>(args, server_process::kind::redis);
  return r;
}

bool link_up(const server_process& replica) {
  return field(info(replica, "replication"), "master_link_status") == "up";
}

// The replica has everything the master had written when this was called.
bool caught_up(const server_process& master, const server_process& replica) {
  int64_t target = number(master, "replication", "master_repl_offset");
  return wait_for([&] {
    return link_up(replica) && number(replica, "replication", "slave_repl_offset") >= target;
  });
}

// Every type, small and big encodings, TTLs, two databases.
void fill(resp_client& c, const std::string& tag) {
  c.call({"SELECT", "0"});
  c.call(
      {"MSET", tag + "int", "12345", tag + "short", "hello", tag + "long", std::string(300, 'x')});
  c.call({"SET", tag + "ttl", "v", "EX", "1000"});
  c.call({"RPUSH", tag + "small-list", "a", "b", "c"});
  for (int i = 0; i < 300; ++i) c.append({"RPUSH", tag + "big-list", "item-" + std::to_string(i)});
  for (int i = 0; i < 600; ++i)
    c.append({"HSET", tag + "big-hash", "f" + std::to_string(i), "v" + std::to_string(i)});
  for (int i = 0; i < 600; ++i) c.append({"SADD", tag + "big-set", "m" + std::to_string(i)});
  for (int i = 0; i < 200; ++i)
    c.append({"ZADD", tag + "big-zset", std::to_string(i) + ".5", "z" + std::to_string(i)});
  c.flush();
  for (int i = 0; i < 1700; ++i) c.read_reply();
  c.call({"HSET", tag + "small-hash", "a", "1", "b", "2"});
  c.call({"SADD", tag + "int-set", "1", "2", "3"});
  c.call({"SADD", tag + "str-set", "x", "y"});
  c.call({"ZADD", tag + "small-zset", "1.5", "a", "-2", "b"});
  c.call({"SETBIT", tag + "bits", "100", "1"});
  c.call({"PEXPIRE", tag + "small-hash", "5000000"});
  c.call({"SELECT", "5"});
  c.call({"SET", tag + "in-db5", "yes"});
  c.call({"LPUSH", tag + "list-db5", "1", "2"});
  c.call({"SELECT", "0"});
}

std::vector<std::string> sorted_strings(const resp_value& v) {
  std::vector<std::string> s;
  for (auto& e : v.elements) s.push_back(e.str);
  std::sort(s.begin(), s.end());
  return s;
}

// Compares two servers key by key (SCAN, then a read per type, and the TTLs).
void expect_same_data(const server_process& a, const server_process& b) {
  for (int db : {0, 5}) {
    resp_client ca = a.client(), cb = b.client();
    ca.call({"SELECT", std::to_string(db)});
    cb.call({"SELECT", std::to_string(db)});
    EXPECT_EQ(ca.call({"DBSIZE"}).integer, cb.call({"DBSIZE"}).integer) << "db " << db;
    std::vector<std::string> keys;
    std::string cursor = "0";
    do {
      auto r = ca.call({"SCAN", cursor, "COUNT", "100"});
      ASSERT_EQ(r.elements.size(), 2u);
      cursor = r.elements[0].str;
      for (auto& k : r.elements[1].elements) keys.push_back(k.str);
    } while (cursor != "0");
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    EXPECT_EQ(int64_t(keys.size()), cb.call({"DBSIZE"}).integer);
    for (auto& k : keys) {
      std::string type = ca.call({"TYPE", k}).str;
      ASSERT_EQ(type, cb.call({"TYPE", k}).str) << k;
      std::vector<std::string> get;
      if (type == "string") get = {"GET", k};
      if (type == "list") get = {"LRANGE", k, "0", "-1"};
      if (type == "hash") get = {"HGETALL", k};
      if (type == "set") get = {"SMEMBERS", k};
      if (type == "zset") get = {"ZRANGE", k, "0", "-1", "WITHSCORES"};
      auto va = ca.call(get), vb = cb.call(get);
      if (type == "hash") {
        // Pairs, in any order.
        std::map<std::string, std::string> ma, mb;
        for (size_t i = 0; i + 1 < va.elements.size(); i += 2)
          ma[va.elements[i].str] = va.elements[i + 1].str;
        for (size_t i = 0; i + 1 < vb.elements.size(); i += 2)
          mb[vb.elements[i].str] = vb.elements[i + 1].str;
        EXPECT_EQ(ma, mb) << k;
      } else if (type == "set") {
        EXPECT_EQ(sorted_strings(va), sorted_strings(vb)) << k;
      } else {
        EXPECT_EQ(va.to_string(), vb.to_string()) << k;
      }
      int64_t ta = ca.call({"PTTL", k}).integer, tb = cb.call({"PTTL", k}).integer;
      EXPECT_EQ(ta < 0, tb < 0) << k;
      if (ta >= 0) {
        EXPECT_NEAR(double(ta), double(tb), 5000) << k;
      }
    }
  }
}

// Writes of every kind after the sync: they reach the replica through the stream.
void live_writes(resp_client& c) {
  c.call({"SET", "live:str", "1"});
  c.call({"INCRBYFLOAT", "live:str", "1.5"});
  c.call({"SET", "live:ttl", "v", "EX", "100"});
  c.call({"EXPIRE", "live:str", "500"});
  c.call({"RPUSH", "live:list", "a", "b", "c", "d"});
  c.call({"BLPOP", "live:list", "0"});
  c.call({"BRPOPLPUSH", "live:list", "live:list2", "0"});
  c.call({"SADD", "live:set", "a", "b", "c", "d", "e"});
  c.call({"SPOP", "live:set"});
  c.call({"SPOP", "live:set", "2"});
  c.call({"ZADD", "live:z", "1", "a", "2", "b"});
  c.call({"BZPOPMIN", "live:z", "0"});
  c.call({"HSET", "live:h", "f", "1"});
  c.call({"HINCRBYFLOAT", "live:h", "f", "0.25"});
  c.call({"MULTI"});
  c.call({"SET", "live:m1", "1"});
  c.call({"SELECT", "5"});
  c.call({"SET", "live:m2", "2"});
  c.call({"EXEC"});
  c.call({"SELECT", "0"});
  c.call({"DEL", "short"});
  c.call({"RENAME", "long", "renamed"});
}

// A replica speaking the protocol by hand: REPLCONF, then PSYNC or SYNC; the
// payload is read with the replica side's own parser.
struct raw_replica {
  resp_client c;
  std::string first_line;  // +FULLRESYNC ... / +CONTINUE ... ("" for SYNC)
  std::string rdb;
  std::string stream;  // what came after the payload so far

  bool start(int port, const std::vector<std::string>& sync, bool eof = true) {
    if (!c.connect("127.0.0.1", port, 10000)) return false;
    if (eof && c.call({"REPLCONF", "capa", "eof", "capa", "psync2"}).str != "OK") return false;
    if (!c.send_raw(encode_command(sync))) return false;
    std::string buf;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    if (sync[0] == "PSYNC") {
      for (;;) {
        buf += c.read_raw(50);
        size_t nl;
        while (!buf.empty() && buf[0] == '\n') buf.erase(0, 1);  // keep-alives
        if ((nl = buf.find("\r\n")) != std::string::npos) {
          first_line = buf.substr(0, nl);
          buf.erase(0, nl + 2);
          break;
        }
        if (std::chrono::steady_clock::now() > deadline) return false;
      }
      if (first_line.rfind("+CONTINUE", 0) == 0) {
        stream = buf;
        return true;
      }
    }
    rdb_transfer t;
    for (;;) {
      auto r = t.feed(buf.data(), buf.size());
      if (r.st == rdb_transfer::status::error) return false;
      rdb.append(r.payload);
      if (r.st == rdb_transfer::status::done) {
        stream.assign(r.rest);
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) return false;
      buf = c.read_raw(50);
    }
    // A diskless master starts the stream at the first ACK.
    return c.send_raw(encode_command({"REPLCONF", "ACK", "0"}));
  }
  // Reads the stream for `ms` milliseconds. An ACK first: redis-server drops an
  // ACK that arrives before it has put the replica online, and waits for the next.
  void read_stream(int ms) {
    c.send_raw(encode_command({"REPLCONF", "ACK", "0"}));
    stream += c.read_raw(ms);
  }
};

}  // namespace

TEST(replication_master, redis_replica_full_sync_diskless_then_live_writes) {
  server_process master({"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0"});
  ASSERT_TRUE(master.start());
  resp_client c = master.client();
  fill(c, "");
  auto replica = redis_replica_of(master);
  ASSERT_TRUE(replica->start());
  ASSERT_TRUE(wait_for([&] { return link_up(*replica); })) << replica->log_text();
  EXPECT_NE(replica->log_text().find("receiving streamed RDB from master with EOF"),
            std::string::npos);
  expect_same_data(master, *replica);
  live_writes(c);
  ASSERT_TRUE(caught_up(master, *replica));
  expect_same_data(master, *replica);
  // The master's view of its replica.
  std::string repl = info(master, "replication");
  EXPECT_EQ(field(repl, "connected_slaves"), "1");
  std::regex slave0("ip=127\\.0\\.0\\.1,port=" + std::to_string(replica->port()) +
                    ",state=online,offset=\\d+,lag=\\d+");
  EXPECT_TRUE(std::regex_match(field(repl, "slave0"), slave0)) << repl;
  EXPECT_EQ(field(repl, "repl_backlog_active"), "1");
  EXPECT_EQ(field(repl, "master_replid"), field(info(*replica, "replication"), "master_replid"));
  EXPECT_EQ(number(master, "stats", "sync_full"), 1);
  EXPECT_GT(number(master, "stats", "total_net_repl_output_bytes"), 0);
  // The feed is an actor of its own, on the reactor that accepted the replica,
  // and CLIENT LIST shows the replica as a client (flags S).
  EXPECT_EQ(field(info(master, "troupe"), "actors_replica_feed").rfind("count=1,reactor_0=1", 0),
            0u)
      << info(master, "troupe");
  EXPECT_NE(c.call({"CLIENT", "LIST", "TYPE", "replica"}).str.find("flags=S"), std::string::npos);
  // When the replica goes, so does its feed.
  replica->stop();
  ASSERT_TRUE(
      wait_for([&] { return field(info(master, "troupe"), "actors_replica_feed").empty(); }));
}

TEST(replication_master, redis_replica_full_sync_disk_backed) {
  server_process master({"--repl-diskless-sync", "no"});
  ASSERT_TRUE(master.start());
  resp_client c = master.client();
  fill(c, "");
  auto replica = redis_replica_of(master);
  ASSERT_TRUE(replica->start());
  ASSERT_TRUE(wait_for([&] { return link_up(*replica); })) << master.log_text();
  EXPECT_NE(master.log_text().find("Starting BGSAVE for SYNC with target: disk"),
            std::string::npos);
  // The dump is a BGSAVE like any other.
  EXPECT_EQ(number(master, "persistence", "rdb_saves"), 1);
  expect_same_data(master, *replica);
  live_writes(c);
  ASSERT_TRUE(caught_up(master, *replica));
  expect_same_data(master, *replica);
}

// The link dies and writes happen before the replica comes back: it resumes
// from the backlog (sync_partial_ok + 1, sync_full unchanged) and has them.
TEST(replication_master, partial_resync_after_the_link_is_killed) {
  server_process master({"--repl-diskless-sync-delay", "0"});
  ASSERT_TRUE(master.start());
  resp_client c = master.client();
  fill(c, "");
  auto replica = redis_replica_of(master);
  ASSERT_TRUE(replica->start());
  ASSERT_TRUE(wait_for([&] { return link_up(*replica); }));
  ASSERT_TRUE(caught_up(master, *replica));
  int64_t full = number(master, "stats", "sync_full");
  int64_t partial = number(master, "stats", "sync_partial_ok");
  // Killed on the master's side, with writes in the same pipeline: the replica
  // cannot be back before they are done.
  c.append({"CLIENT", "KILL", "TYPE", "replica"});
  c.append({"SET", "gap:1", "written while the link was down"});
  c.append({"RPUSH", "gap:list", "a", "b"});
  c.append({"DEL", "int"});
  c.flush();
  EXPECT_EQ(c.read_reply().integer, 1);
  for (int i = 0; i < 3; ++i) c.read_reply();
  ASSERT_TRUE(wait_for([&] { return number(master, "stats", "sync_partial_ok") == partial + 1; }))
      << master.log_text();
  ASSERT_TRUE(caught_up(master, *replica));
  EXPECT_EQ(replica->call({"GET", "gap:1"}).str, "written while the link was down");
  EXPECT_EQ(number(master, "stats", "sync_full"), full);
  EXPECT_NE(replica->log_text().find("Successful partial resynchronization with master"),
            std::string::npos);
  // Killed on the replica's side (CLIENT KILL TYPE master), writes during the gap.
  resp_client rc = replica->client();
  EXPECT_EQ(rc.call({"CLIENT", "KILL", "TYPE", "master"}).integer, 1);
  c.call({"SET", "gap:2", "also"});
  ASSERT_TRUE(wait_for([&] { return number(master, "stats", "sync_partial_ok") == partial + 2; }))
      << master.log_text();
  ASSERT_TRUE(caught_up(master, *replica));
  EXPECT_EQ(replica->call({"GET", "gap:2"}).str, "also");
  EXPECT_EQ(number(master, "stats", "sync_full"), full);
  expect_same_data(master, *replica);
}

// WAIT blocks its client, not the server, and counts the replicas that
// acknowledged the client's writes; min-replicas-to-write refuses writes once
// the replica is gone.
TEST(replication_master, wait_and_min_replicas_to_write) {
  server_process master({"--repl-diskless-sync-delay", "0"});
  ASSERT_TRUE(master.start());
  auto replica = redis_replica_of(master);
  ASSERT_TRUE(replica->start());
  ASSERT_TRUE(wait_for([&] { return link_up(*replica); }));
  resp_client c = master.client();
  c.call({"SET", "k", "v"});
  EXPECT_EQ(c.call({"WAIT", "1", "5000"}).integer, 1);
  // Waiting for two replicas: the only one acknowledges, the timeout answers.
  resp_client waiter = master.client();
  waiter.append({"SET", "k2", "v"});
  waiter.append({"WAIT", "2", "1500"});
  waiter.flush();
  EXPECT_EQ(waiter.read_reply().str, "OK");
  // Meanwhile the server serves others.
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  EXPECT_NE(c.call({"CLIENT", "LIST"}).str.find("flags=b"), std::string::npos);
  EXPECT_EQ(number(master, "clients", "blocked_clients"), 1);
  EXPECT_EQ(waiter.read_reply().integer, 1);
  EXPECT_EQ(number(master, "clients", "blocked_clients"), 0);
  // WAIT is about the client's own writes: with the replica frozen, a client
  // that wrote nothing is answered at once, one that just wrote waits its timeout.
  ::kill(replica->pid(), SIGSTOP);
  EXPECT_EQ(c.call({"SET", "k3", "v"}).str, "OK");
  resp_client fresh = master.client();
  EXPECT_EQ(fresh.call({"WAIT", "1", "0"}).integer, 1);
  EXPECT_EQ(c.call({"WAIT", "1", "200"}).integer, 0);
  // CLIENT UNBLOCK ends a WAIT with the count so far (TIMEOUT) or an error, as Redis.
  resp_client stuck = master.client();
  int64_t stuck_id = stuck.call({"CLIENT", "ID"}).integer;
  stuck.call({"SET", "k4", "v"});
  stuck.append({"WAIT", "1", "0"});
  stuck.flush();
  ASSERT_TRUE(wait_for([&] { return number(master, "clients", "blocked_clients") == 1; }));
  EXPECT_EQ(c.call({"CLIENT", "UNBLOCK", std::to_string(stuck_id)}).integer, 1);
  resp_value counted = stuck.read_reply();
  EXPECT_EQ(counted.type, resp_value::kind::integer);
  EXPECT_EQ(counted.integer, 0);
  stuck.append({"WAIT", "1", "0"});
  stuck.flush();
  ASSERT_TRUE(wait_for([&] { return number(master, "clients", "blocked_clients") == 1; }));
  EXPECT_EQ(c.call({"CLIENT", "UNBLOCK", std::to_string(stuck_id), "ERROR"}).integer, 1);
  EXPECT_EQ(stuck.read_reply().str, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
  ::kill(replica->pid(), SIGCONT);
  EXPECT_EQ(c.call({"WAIT", "1", "5000"}).integer, 1);
  // Inside MULTI WAIT answers at once.
  c.call({"MULTI"});
  c.call({"WAIT", "5", "0"});
  auto exec = c.call({"EXEC"});
  ASSERT_EQ(exec.elements.size(), 1u);
  EXPECT_EQ(exec.elements[0].integer, 1);

  EXPECT_EQ(c.call({"CONFIG", "SET", "min-replicas-to-write", "1"}).str, "OK");
  EXPECT_EQ(field(info(master, "replication"), "min_slaves_good_slaves"), "1");
  EXPECT_EQ(c.call({"SET", "k", "still ok"}).str, "OK");
  replica->stop();
  ASSERT_TRUE(wait_for([&] { return number(master, "replication", "connected_slaves") == 0; }));
  auto refused = c.call({"SET", "k", "refused"});
  EXPECT_EQ(refused.str, "NOREPLICAS Not enough good replicas to write.");
  EXPECT_EQ(c.call({"GET", "k"}).str, "still ok");  // reads go on
  EXPECT_EQ(field(info(master, "replication"), "min_slaves_good_slaves"), "0");
  c.call({"MULTI"});
  EXPECT_TRUE(c.call({"SET", "k", "x"}).is_error());
  EXPECT_EQ(c.call({"EXEC"}).str.rfind("EXECABORT", 0), 0u);
  EXPECT_EQ(c.call({"CONFIG", "SET", "min-replicas-to-write", "0"}).str, "OK");
  EXPECT_EQ(c.call({"SET", "k", "again"}).str, "OK");
  // No replica at all: WAIT 0 answers at once, WAIT 1 at its timeout.
  EXPECT_EQ(c.call({"WAIT", "0", "0"}).integer, 0);
  EXPECT_EQ(c.call({"WAIT", "1", "100"}).integer, 0);
}

// The same errors as Redis for malformed WAIT, REPLCONF and PSYNC.
TEST(replication_master, command_errors_match_redis) {
  server_process troupe;
  server_process redis({}, server_process::kind::redis);
  ASSERT_TRUE(troupe.start());
  ASSERT_TRUE(redis.start());
  std::vector<std::vector<std::string>> cmds = {
      {"WAIT", "a", "1"},
      {"WAIT", "1", "a"},
      {"WAIT", "1", "-1"},
      {"WAIT", "1"},
      {"WAIT", "0", "0"},
      {"REPLCONF"},
      {"REPLCONF", "foo"},
      {"REPLCONF", "foo", "bar"},
      {"REPLCONF", "listening-port", "x"},
      {"REPLCONF", "listening-port", "6380"},
      {"REPLCONF", "capa", "eof", "capa", "psync2", "capa", "unknown"},
      {"REPLCONF", "rdb-only", "2"},
      {"REPLCONF", "rdb-only", "1"},
      {"REPLCONF", "rdb-filter-only", "x"},
      {"REPLCONF", "rdb-filter-only", "functions"},
      {"REPLCONF", "ip-address", std::string(60, 'a')},
      {"REPLCONF", "ip-address", std::string(300, 'a')},
      {"PSYNC", "?"},
      {"PSYNC", "?", "notanumber"},
      {"SYNC", "extra"},
      {"ROLE", "extra"},
      {"ROLE"},
  };
  for (auto& cmd : cmds) {
    resp_value t = troupe.call(cmd), r = redis.call(cmd);
    EXPECT_EQ(t.to_string(), r.to_string()) << cmd[0] << " " << (cmd.size() > 1 ? cmd[1] : "");
  }
  // And the same COMMAND INFO (arity, flags, keys, ACL categories).
  for (std::string name : {"sync", "psync", "replconf", "wait", "role"}) {
    resp_value t = troupe.call({"COMMAND", "INFO", name}),
               r = redis.call({"COMMAND", "INFO", name});
    ASSERT_EQ(t.elements.size(), 1u);
    ASSERT_EQ(r.elements.size(), 1u);
    for (size_t i = 0; i < 7; ++i)
      EXPECT_EQ(t.elements[0].elements[i].to_string(), r.elements[0].elements[i].to_string())
          << name << " field " << i;
  }
}

TEST(replication_master, redis_cli_rdb_gets_a_loadable_rdb) {
  for (std::string diskless : {"no", "yes"}) {
    server_process master({"--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0"});
    ASSERT_TRUE(master.start());
    resp_client c = master.client();
    fill(c, "");
    std::string path = master.dir() + "/cli-" + diskless + ".rdb";
    int status = 0;
    std::string out = run_command(
        "timeout 30 redis-cli -p " + std::to_string(master.port()) + " --rdb " + path + " 2>&1",
        &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("Transfer finished with success"), std::string::npos) << out;
    std::string check = run_command("redis-check-rdb " + path + " 2>&1");
    EXPECT_NE(check.find("RDB looks OK"), std::string::npos) << check;
    // A redis-server started on that file holds the master's data.
    std::string dir = temp_dir("rdb-load");
    run_command("cp " + path + " " + dir + "/dump.rdb");
    server_process loaded({"--dir", dir, "--dbfilename", "dump.rdb"}, server_process::kind::redis);
    ASSERT_TRUE(loaded.start());
    expect_same_data(master, loaded);
    // rdb-only: the master closes the link after the RDB, and keeps no replica.
    ASSERT_TRUE(wait_for([&] { return number(master, "replication", "connected_slaves") == 0; }));
  }
}

// redis-cli --replica: the old SYNC, then the stream printed as commands.
TEST(replication_master, redis_cli_replica_mode_prints_the_stream) {
  server_process master({"--repl-diskless-sync-delay", "0"});
  ASSERT_TRUE(master.start());
  std::string out_file = master.dir() + "/replica.out";
  std::string cmd = "timeout 4 redis-cli -p " + std::to_string(master.port()) + " --replica > " +
                    out_file + " 2>&1 &";
  run_command(cmd);
  ASSERT_TRUE(wait_for([&] { return number(master, "replication", "connected_slaves") == 1; }));
  ASSERT_TRUE(wait_for([&] {
    return field(info(master, "replication"), "slave0").find("state=online") != std::string::npos;
  }));
  master.call({"SET", "seen", "by-cli"});
  ASSERT_TRUE(wait_for(
      [&] { return read_file(out_file).find("\"SET\",\"seen\",\"by-cli\"") != std::string::npos; },
      10000))
      << read_file(out_file);
}

// A replica that stops reading is cut off by client-output-buffer-limit
// replica; the master goes on serving, and the replica later syncs again.
TEST(replication_master, a_replica_that_stops_reading_is_disconnected) {
  server_process master({"--repl-diskless-sync-delay", "0", "--client-output-buffer-limit",
                         "replica 1mb 0 0", "--repl-backlog-size", "64kb"});
  ASSERT_TRUE(master.start());
  auto replica = redis_replica_of(master);
  ASSERT_TRUE(replica->start());
  ASSERT_TRUE(wait_for([&] { return link_up(*replica); }));
  ::kill(replica->pid(), SIGSTOP);
  resp_client c = master.client();
  std::string value(10000, 'v');
  // 20 MB of writes: far more than the socket buffers and the 1 MB limit hold.
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 100; ++i) c.append({"SET", "big:" + std::to_string(i), value});
    c.flush();
    for (int i = 0; i < 100; ++i) ASSERT_EQ(c.read_reply().str, "OK");
  }
  ASSERT_TRUE(wait_for([&] { return number(master, "replication", "connected_slaves") == 0; }))
      << master.log_text();
  EXPECT_NE(master.log_text().find("scheduled to be closed ASAP for overcoming of output buffer "
                                   "limits"),
            std::string::npos);
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  // The journal no longer holds the stream for it: memory back to the backlog.
  EXPECT_LT(number(master, "memory", "mem_replication_backlog"), 2 * 1024 * 1024);
  ::kill(replica->pid(), SIGCONT);
  ASSERT_TRUE(wait_for([&] { return link_up(*replica); }));
  ASSERT_TRUE(caught_up(master, *replica));
  EXPECT_EQ(replica->call({"GET", "big:99"}).str, value);
}

// Several replicas waiting together share one snapshot: with
// repl-diskless-sync-max-replicas 2 the sync starts as soon as two wait, long
// before the delay.
TEST(replication_master, waiting_replicas_share_one_snapshot) {
  server_process master({"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "600",
                         "--repl-diskless-sync-max-replicas", "2"});
  ASSERT_TRUE(master.start());
  resp_client c = master.client();
  fill(c, "");
  auto r1 = redis_replica_of(master);
  auto r2 = redis_replica_of(master);
  ASSERT_TRUE(r1->start());
  ASSERT_TRUE(wait_for([&] { return number(master, "replication", "connected_slaves") == 1; }));
  EXPECT_FALSE(link_up(*r1));  // waits for a second replica (or 600 s)
  ASSERT_TRUE(r2->start());
  ASSERT_TRUE(wait_for([&] { return link_up(*r1) && link_up(*r2); })) << master.log_text();
  std::string log = master.log_text();
  size_t first = log.find("Starting BGSAVE for SYNC");
  ASSERT_NE(first, std::string::npos);
  EXPECT_EQ(log.find("Starting BGSAVE for SYNC", first + 1), std::string::npos) << log;
  EXPECT_EQ(number(master, "stats", "sync_full"), 2);
  expect_same_data(master, *r1);
  expect_same_data(master, *r2);
  c.call({"SET", "after", "both"});
  ASSERT_TRUE(caught_up(master, *r1));
  ASSERT_TRUE(caught_up(master, *r2));
  EXPECT_EQ(r2->call({"GET", "after"}).str, "both");
}

// The backlog is created with the first replica (with a new replication id)
// and freed repl-backlog-ttl seconds after the last one left.
TEST(replication_master, backlog_lives_while_replicas_may_come_back) {
  server_process master({"--repl-diskless-sync-delay", "0", "--repl-backlog-ttl", "1"});
  ASSERT_TRUE(master.start());
  EXPECT_EQ(field(info(master, "replication"), "repl_backlog_active"), "0");
  std::string id_before = field(info(master, "replication"), "master_replid");
  raw_replica r;
  ASSERT_TRUE(r.start(master.port(), {"PSYNC", "?", "-1"}));
  EXPECT_EQ(field(info(master, "replication"), "repl_backlog_active"), "1");
  std::string id_after = field(info(master, "replication"), "master_replid");
  EXPECT_NE(id_after, id_before);
  EXPECT_EQ(r.first_line, "+FULLRESYNC " + id_after + " 0");
  EXPECT_EQ(r.rdb.substr(0, 9), "REDIS0010");
  r.c.close();
  ASSERT_TRUE(
      wait_for([&] { return field(info(master, "replication"), "repl_backlog_active") == "0"; }));
  EXPECT_NE(master.log_text().find("Replication backlog freed after 1 seconds"), std::string::npos);
}

// PSYNC with the master's id resumes from the backlog (+CONTINUE with the id
// for a PSYNC2 replica); the old SYNC gets the RDB without a +FULLRESYNC line.
TEST(replication_master, psync_continue_and_old_sync_by_hand) {
  server_process master({"--repl-diskless-sync", "no"});
  ASSERT_TRUE(master.start());
  master.call({"SET", "a", "1"});
  raw_replica first;
  ASSERT_TRUE(first.start(master.port(), {"PSYNC", "?", "-1"}, false));
  std::smatch m;
  ASSERT_TRUE(
      std::regex_match(first.first_line, m, std::regex("\\+FULLRESYNC ([0-9a-f]{40}) (\\d+)")))
      << first.first_line;
  std::string replid = m[1];
  int64_t offset = std::stoll(m[2]);
  master.call({"SET", "b", "2"});
  first.read_stream(300);
  std::string set_b = encode_command({"SET", "b", "2"});
  EXPECT_NE(first.stream.find(set_b), std::string::npos);
  first.c.close();
  master.call({"SET", "c", "3"});
  raw_replica again;
  ASSERT_TRUE(again.start(master.port(), {"PSYNC", replid, std::to_string(offset + 1)}));
  EXPECT_EQ(again.first_line, "+CONTINUE " + replid);
  again.read_stream(300);
  // Everything since the offset: SELECT, SET b, SET c.
  EXPECT_EQ(again.stream.find(encode_command({"SELECT", "0"})), 0u);
  EXPECT_NE(again.stream.find(set_b), std::string::npos);
  EXPECT_NE(again.stream.find(encode_command({"SET", "c", "3"})), std::string::npos);
  // An offset the backlog no longer has, or another id: a full resync.
  raw_replica other;
  ASSERT_TRUE(other.start(master.port(), {"PSYNC", std::string(40, 'f'), "1"}));
  EXPECT_EQ(other.first_line.rfind("+FULLRESYNC " + replid, 0), 0u);
  EXPECT_EQ(number(master, "stats", "sync_partial_err"), 1);
  EXPECT_EQ(number(master, "stats", "sync_partial_ok"), 1);
  raw_replica old;
  ASSERT_TRUE(old.start(master.port(), {"SYNC"}, false));
  EXPECT_EQ(old.first_line, "");
  EXPECT_EQ(old.rdb.substr(0, 9), "REDIS0010");
}

namespace {

// What a master sends after the RDB for a list of commands, through a raw
// replica, with PINGs removed, timestamps and popped members masked.
std::string stream_for(const server_process& master,
                       const std::vector<std::vector<std::string>>& cmds) {
  raw_replica r;
  if (!r.start(master.port(), {"PSYNC", "?", "-1"})) return "no sync";
  resp_client c = master.client();
  for (auto& cmd : cmds) c.call(cmd);
  c.call({"SET", "end-of-test", "1"});
  std::string end = encode_command({"SET", "end-of-test", "1"});
  for (int i = 0; i < 100 && r.stream.find(end) == std::string::npos; ++i) r.read_stream(50);
  std::string s = r.stream;
  for (std::string ping : {encode_command({"PING"}), encode_command({"ping"})})
    for (size_t at; (at = s.find(ping)) != std::string::npos;) s.erase(at, ping.size());
  s = std::regex_replace(s, std::regex("\\$13\r\n1\\d{12}\r\n"), "$13\r\n<ms>\r\n");
  s = std::regex_replace(s, std::regex("(\\$4\r\nSREM\r\n\\$\\d+\r\n[^\r]*\r\n)\\$1\r\n[a-z]\r\n"),
                         "$1<member>");
  return s;
}

}  // namespace

// The stream a replica receives equals redis-server's for the same commands:
// SELECT where the database changes, relative TTLs as absolute ones, SPOP as
// SREM, served blocking pops as their plain forms, MULTI/EXEC kept together,
// FLUSHDB/FLUSHALL/SWAPDB propagated.
TEST(replication_master, the_stream_equals_redis) {
  server_process troupe({"--repl-diskless-sync-delay", "0"});
  server_process redis({"--repl-diskless-sync-delay", "0"}, server_process::kind::redis);
  ASSERT_TRUE(troupe.start());
  ASSERT_TRUE(redis.start());
  std::vector<std::vector<std::string>> cmds = {
      {"SET", "a", "1"},
      {"SET", "b", "2", "EX", "100"},
      {"SETEX", "c", "100", "v"},
      {"EXPIRE", "a", "50"},
      {"PEXPIRE", "b", "50000"},
      {"SET", "d", "1"},
      {"INCRBYFLOAT", "d", "1.5"},
      {"SADD", "s", "a", "b", "c", "d", "e", "f", "g"},
      {"SPOP", "s"},
      {"SPOP", "s", "2"},
      {"SPOP", "s", "100"},
      {"RPUSH", "l", "a", "b", "c"},
      {"BLPOP", "l", "0"},
      {"BRPOP", "l", "0"},
      {"LPUSH", "l2", "x", "y"},
      {"BRPOPLPUSH", "l2", "l3", "0"},
      {"BLMOVE", "l2", "l4", "left", "Right", "0"},
      {"ZADD", "z", "1", "a", "2", "b", "3", "c"},
      {"BZPOPMIN", "z", "0"},
      {"BZPOPMAX", "z", "0"},
      {"SELECT", "3"},
      {"SET", "indb3", "x"},
      {"GETEX", "indb3", "EX", "100"},
      {"GETEX", "indb3", "PERSIST"},
      {"SELECT", "0"},
      {"DEL", "a"},
      {"MULTI"},
      {"SET", "m1", "1"},
      {"SET", "m2", "2"},
      {"EXEC"},
      {"MULTI"},
      {"GET", "m1"},
      {"EXEC"},
      {"INCR", "cnt"},
      {"GETDEL", "m1"},
      {"SETNX", "nx", "1"},
      {"SET", "nx", "2", "NX"},
      {"HSET", "h", "f", "v"},
      {"HINCRBYFLOAT", "h", "g", "1.5"},
      {"EXPIREAT", "nx", "2000000000"},
      {"PERSIST", "nx"},
      {"SET", "ttlk", "v", "PX", "100000"},
      {"RENAME", "ttlk", "ttlk2"},
      {"SWAPDB", "0", "1"},
      {"SWAPDB", "0", "1"},
      {"FLUSHDB"},
      {"FLUSHALL", "ASYNC"},
  };
  std::string expected = stream_for(redis, cmds);
  std::string got = stream_for(troupe, cmds);
  auto readable = [](std::string s) {
    for (size_t at; (at = s.find("\r\n")) != std::string::npos;) s.replace(at, 2, " ");
    return s;
  };
  EXPECT_EQ(readable(got), readable(expected));
}

// INFO replication's master fields and ROLE have Redis's names, order and shape.
TEST(replication_master, info_and_role_have_redis_shape) {
  server_process troupe({"--repl-diskless-sync-delay", "0", "--min-replicas-to-write", "1"});
  server_process redis({"--repl-diskless-sync-delay", "0", "--min-replicas-to-write", "1"},
                       server_process::kind::redis);
  ASSERT_TRUE(troupe.start());
  ASSERT_TRUE(redis.start());
  auto rt = redis_replica_of(troupe);
  auto rr = redis_replica_of(redis);
  ASSERT_TRUE(rt->start());
  ASSERT_TRUE(rr->start());
  auto online = [](const server_process& master) {
    return field(info(master, "replication"), "slave0").find("state=online") != std::string::npos;
  };
  ASSERT_TRUE(wait_for([&] { return online(troupe) && online(redis); }));
  auto names = [](const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t nl = text.find("\r\n", pos);
      std::string line = text.substr(pos, nl - pos);
      pos = nl == std::string::npos ? text.size() : nl + 2;
      if (line.empty() || line[0] == '#') continue;
      out.push_back(line.substr(0, line.find(':')));
    }
    return out;
  };
  EXPECT_EQ(names(info(troupe, "replication")), names(info(redis, "replication")));
  auto shape = [](const std::string& slave0) {
    return std::regex_replace(slave0, std::regex("\\d+"), "N");
  };
  EXPECT_EQ(shape(field(info(troupe, "replication"), "slave0")),
            shape(field(info(redis, "replication"), "slave0")));
  resp_value role_t = troupe.call({"ROLE"}), role_r = redis.call({"ROLE"});
  ASSERT_EQ(role_t.elements.size(), 3u);
  EXPECT_EQ(role_t.elements[0].str, "master");
  EXPECT_EQ(role_t.elements[1].type, role_r.elements[1].type);
  ASSERT_EQ(role_t.elements[2].elements.size(), 1u);
  ASSERT_EQ(role_r.elements[2].elements.size(), 1u);
  auto& one_t = role_t.elements[2].elements[0];
  auto& one_r = role_r.elements[2].elements[0];
  ASSERT_EQ(one_t.elements.size(), one_r.elements.size());
  EXPECT_EQ(one_t.elements[0].str, "127.0.0.1");
  EXPECT_EQ(one_t.elements[1].str, std::to_string(rt->port()));
  for (size_t i = 0; i < one_t.elements.size(); ++i)
    EXPECT_EQ(one_t.elements[i].type, one_r.elements[i].type);
}

// With two reactors the replica's feed and the cron that starts syncs may run
// on different threads, and writes come from both.
TEST(replication_master, two_reactors) {
  for (std::string diskless : {"yes", "no"}) {
    server_process master({"--threads", "2", "--shards", "4", "--repl-diskless-sync", diskless,
                           "--repl-diskless-sync-delay", "0"});
    ASSERT_TRUE(master.start());
    resp_client a = master.client(), b = master.client();
    fill(a, "a:");
    fill(b, "b:");
    auto replica = redis_replica_of(master);
    ASSERT_TRUE(replica->start());
    ASSERT_TRUE(wait_for([&] { return link_up(*replica); })) << master.log_text();
    // Writes from two connections (two reactors) while the replica follows.
    for (int i = 0; i < 2000; ++i) {
      a.append({"INCR", "counter"});
      b.append({"RPUSH", "list:" + std::to_string(i % 7), std::to_string(i)});
    }
    a.flush();
    b.flush();
    for (int i = 0; i < 2000; ++i) {
      a.read_reply();
      b.read_reply();
    }
    live_writes(a);
    ASSERT_TRUE(caught_up(master, *replica));
    expect_same_data(master, *replica);
    EXPECT_EQ(a.call({"WAIT", "1", "5000"}).integer, 1);
    a.append({"CLIENT", "KILL", "TYPE", "replica"});
    a.append({"SET", "gap", "1"});
    a.flush();
    a.read_reply();
    a.read_reply();
    ASSERT_TRUE(wait_for([&] { return number(master, "stats", "sync_partial_ok") == 1; }));
    ASSERT_TRUE(caught_up(master, *replica));
    expect_same_data(master, *replica);
  }
}

// A replica killed in the middle of its full sync costs the master nothing:
// the sync's snapshot finishes, the next replica gets a sync of its own.
TEST(replication_master, a_replica_killed_during_its_full_sync) {
  for (std::string diskless : {"yes", "no"}) {
    server_process master({"--repl-diskless-sync", diskless, "--repl-diskless-sync-delay", "0"});
    ASSERT_TRUE(master.start());
    resp_client c = master.client();
    std::string value(200, 'x');
    for (int round = 0; round < 20; ++round) {
      for (int i = 0; i < 5000; ++i)
        c.append({"SET", "key:" + std::to_string(round * 5000 + i), value});
      c.flush();
      for (int i = 0; i < 5000; ++i) c.read_reply();
    }
    raw_replica doomed;
    ASSERT_TRUE(doomed.c.connect("127.0.0.1", master.port()));
    doomed.c.call({"REPLCONF", "capa", "eof", "capa", "psync2"});
    doomed.c.send_raw(encode_command({"PSYNC", "?", "-1"}));
    doomed.c.read_raw(20);  // the sync has started: the first bytes are here
    doomed.c.close();
    EXPECT_EQ(c.call({"PING"}).str, "PONG");
    ASSERT_TRUE(wait_for([&] { return number(master, "replication", "connected_slaves") == 0; }));
    ASSERT_TRUE(
        wait_for([&] { return number(master, "persistence", "rdb_bgsave_in_progress") == 0; }));
    auto replica = redis_replica_of(master);
    ASSERT_TRUE(replica->start());
    ASSERT_TRUE(wait_for([&] { return link_up(*replica); })) << master.log_text();
    EXPECT_EQ(replica->call({"DBSIZE"}).integer, 100000);
    EXPECT_EQ(number(master, "stats", "sync_full"), 2);
  }
}

// The master's PINGs and GETACKs are in the replication stream (and its
// offsets) but never in the AOF, as in Redis; the AOF still replays to the data.
TEST(replication_master, pings_and_getacks_stay_out_of_the_aof) {
  server_process master({"--appendonly", "yes", "--appendfsync", "always",
                         "--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "1"});
  ASSERT_TRUE(master.start());
  auto replica = redis_replica_of(master);
  ASSERT_TRUE(replica->start());
  ASSERT_TRUE(wait_for([&] { return link_up(*replica); }));
  resp_client c = master.client();
  c.call({"SET", "a", "1"});
  EXPECT_EQ(c.call({"WAIT", "1", "5000"}).integer, 1);
  int64_t before = number(master, "replication", "master_repl_offset");
  // Two PING periods without writes: the offset moves by PINGs alone.
  ASSERT_TRUE(wait_for(
      [&] { return number(master, "replication", "master_repl_offset") >= before + 2 * 14; }));
  c.call({"SET", "b", "2"});
  ASSERT_TRUE(caught_up(master, *replica));
  std::string aof = run_command("cat " + master.dir() + "/appendonlydir/*.incr.aof");
  EXPECT_NE(aof.find("$1\r\nb\r\n"), std::string::npos) << aof;
  EXPECT_EQ(aof.find("PING"), std::string::npos) << aof;
  EXPECT_EQ(aof.find("GETACK"), std::string::npos) << aof;
  replica->stop();
  master.stop();
  ASSERT_TRUE(master.start());
  EXPECT_EQ(master.call({"GET", "b"}).str, "2");
}

// A replica that stops reading in the middle of a diskless RDB: the walk waits
// for it (the RDB never sits whole in memory) until repl-timeout drops it, and
// the master serves clients all along.
TEST(replication_master, a_replica_that_stops_reading_the_rdb_is_disconnected) {
  server_process master(
      {"--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0", "--repl-timeout", "2"});
  ASSERT_TRUE(master.start());
  resp_client c = master.client();
  // 24 MB of values LZF cannot shrink.
  uint64_t x = 88172645463325252ull;
  for (int round = 0; round < 24; ++round) {
    for (int i = 0; i < 1000; ++i) {
      std::string v(1000, ' ');
      for (auto& ch : v) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        ch = char('!' + x % 90);
      }
      c.append({"SET", "key:" + std::to_string(round * 1000 + i), v});
    }
    c.flush();
    for (int i = 0; i < 1000; ++i) c.read_reply();
  }
  resp_client stuck;
  ASSERT_TRUE(stuck.connect("127.0.0.1", master.port()));
  stuck.call({"REPLCONF", "capa", "eof", "capa", "psync2"});
  stuck.send_raw(encode_command({"PSYNC", "?", "-1"}));
  // It never reads: the walk is held back (a bounded part of the RDB in memory)
  // and the master goes on serving.
  ASSERT_TRUE(
      wait_for([&] { return number(master, "persistence", "rdb_bgsave_in_progress") == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(number(master, "persistence", "rdb_bgsave_in_progress"), 1);
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  EXPECT_EQ(c.call({"SET", "during", "the stall"}).str, "OK");
  ASSERT_TRUE(wait_for([&] { return number(master, "replication", "connected_slaves") == 0; }))
      << master.log_text();
  EXPECT_NE(master.log_text().find("Disconnecting timedout replica (full sync)"),
            std::string::npos);
  // Once it is gone, the walk finishes.
  ASSERT_TRUE(
      wait_for([&] { return number(master, "persistence", "rdb_bgsave_in_progress") == 0; }));
  // A replica that reads gets the whole RDB.
  auto replica = redis_replica_of(master);
  ASSERT_TRUE(replica->start());
  ASSERT_TRUE(wait_for([&] { return link_up(*replica); }))
      << master.log_text() << replica->log_text();
  EXPECT_EQ(replica->call({"DBSIZE"}).integer, 24001);
}

// A mixed chain, redis-server -> Troupe -> redis-server: the Troupe replica
// hands its own replica exactly its master's stream, so all three hold the
// same data at the same replication offset, and the bottom link resumes
// partially from the Troupe replica's backlog.
TEST(replication_master, redis_troupe_redis_chain) {
  server_process top({"--repl-diskless-sync-delay", "0"}, server_process::kind::redis);
  ASSERT_TRUE(top.start());
  resp_client c = top.client();
  fill(c, "");
  server_process middle(
      {"--replicaof", "127.0.0.1", std::to_string(top.port()), "--repl-diskless-sync-delay", "0"});
  ASSERT_TRUE(middle.start());
  ASSERT_TRUE(wait_for([&] { return link_up(middle); })) << middle.log_text();
  auto bottom = redis_replica_of(middle);
  ASSERT_TRUE(bottom->start());
  ASSERT_TRUE(wait_for([&] { return link_up(*bottom); })) << middle.log_text();
  live_writes(c);
  ASSERT_TRUE(caught_up(top, middle));
  ASSERT_TRUE(caught_up(top, *bottom));
  EXPECT_EQ(number(middle, "replication", "master_repl_offset"),
            number(*bottom, "replication", "master_repl_offset"));
  expect_same_data(top, *bottom);
  int64_t partial = number(middle, "stats", "sync_partial_ok");
  resp_client bc = bottom->client();
  EXPECT_EQ(bc.call({"CLIENT", "KILL", "TYPE", "master"}).integer, 1);
  c.call({"SET", "after-the-kill", "1"});
  ASSERT_TRUE(wait_for([&] { return number(middle, "stats", "sync_partial_ok") == partial + 1; }))
      << middle.log_text();
  ASSERT_TRUE(caught_up(top, *bottom));
  EXPECT_EQ(bottom->call({"GET", "after-the-kill"}).str, "1");
  expect_same_data(top, *bottom);
}
