// maxmemory and eviction against running servers: the directives, -OOM and
// which commands it stops (also inside MULTI), OBJECT FREQ/IDLETIME and which
// commands touch a key, compared with a real redis-server 7.0 where Redis defines
// the answer; then what each policy evicts, used_memory kept under the limit,
// evictions as DEL for replicas and the AOF, the "evicted" event, a replica that
// does not evict, and a big CONFIG SET maxmemory drop worked off in the background.
#include <gtest/gtest.h>

#include <dirent.h>

#include <set>
#include <string>
#include <vector>

#include "support/dataset_compare.hpp"
#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

const std::string oom = "OOM command not allowed when used memory > 'maxmemory'.";
const std::string value_1k(1000, 'v');

int64_t info_int(const server_process& s, const std::string& section, const std::string& field) {
  return std::stoll("0" + info_field(s, section, field));
}

// Pipelines SET prefix:i for i in [from, to) with `value`; returns the errors.
std::vector<std::string> set_range(resp_client& c, const std::string& prefix, int from, int to,
                                   const std::string& value,
                                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> errors;
  for (int i = from; i < to; i += 100) {
    int n = std::min(100, to - i);
    for (int j = 0; j < n; ++j) {
      std::vector<std::string> args = {"SET", prefix + std::to_string(i + j), value};
      args.insert(args.end(), extra.begin(), extra.end());
      c.append(args);
    }
    c.flush();
    for (int j = 0; j < n; ++j) {
      resp_value r = c.read_reply();
      if (r.is_error()) errors.push_back(r.str);
    }
  }
  return errors;
}

// How many of prefix:i, i in [0, n), exist.
int count_present(resp_client& c, const std::string& prefix, int n) {
  int present = 0;
  for (int i = 0; i < n; ++i)
    present += int(c.call({"EXISTS", prefix + std::to_string(i)}).integer);
  return present;
}

// Lowers maxmemory to what is used now minus `bytes` and waits until the
// background passes brought used_memory under it.
void squeeze(server_process& s, int64_t bytes) {
  int64_t used = info_int(s, "memory", "used_memory");
  s.call({"CONFIG", "SET", "maxmemory", std::to_string(used - bytes)});
  ASSERT_TRUE(wait_for(
      [&] { return info_int(s, "memory", "used_memory") <= info_int(s, "memory", "maxmemory"); }));
}

class eviction : public differential_suite<eviction> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"CONFIG", "SET", "maxmemory", "0"});
    d->same({"CONFIG", "SET", "maxmemory-policy", "noeviction"});
    d->same({"FLUSHALL"});
  }
  void TearDown() override { d->same({"CONFIG", "SET", "maxmemory", "0"}); }
};

}  // namespace

TEST_F(eviction, directives_defaults_bounds_and_info_like_redis) {
  for (const char* name :
       {"maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity",
        "lfu-log-factor", "lfu-decay-time", "lazyfree-lazy-eviction", "replica-ignore-maxmemory"})
    d->same({"CONFIG", "GET", name});
  d->same({"CONFIG", "SET", "maxmemory-policy", "bogus"});
  d->same({"CONFIG", "SET", "maxmemory-samples", "0"});
  d->same({"CONFIG", "SET", "maxmemory-eviction-tenacity", "101"});
  d->same({"CONFIG", "SET", "lfu-log-factor", "-1"});
  d->same({"CONFIG", "SET", "lfu-decay-time", "-1"});
  d->same({"CONFIG", "SET", "maxmemory", "-1"});
  d->same({"CONFIG", "SET", "maxmemory", "12potatoes"});
  for (const char* policy : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                             "allkeys-lru", "allkeys-lfu", "allkeys-random", "NOEVICTION"}) {
    d->same({"CONFIG", "SET", "maxmemory-policy", policy});
    d->same({"CONFIG", "GET", "maxmemory-policy"});
    EXPECT_EQ(info_field(d->troupe(), "memory", "maxmemory_policy"),
              info_field(d->redis(), "memory", "maxmemory_policy"));
  }
  d->same({"CONFIG", "SET", "maxmemory", "100mb", "maxmemory-samples", "10", "lfu-log-factor", "20",
           "lfu-decay-time", "5", "maxmemory-eviction-tenacity", "20"});
  for (const char* name : {"maxmemory", "maxmemory-samples", "maxmemory-eviction-tenacity",
                           "lfu-log-factor", "lfu-decay-time"})
    d->same({"CONFIG", "GET", name});
  for (const char* field : {"maxmemory", "maxmemory_human"})
    EXPECT_EQ(info_field(d->troupe(), "memory", field), info_field(d->redis(), "memory", field));
  EXPECT_EQ(info_field(d->troupe(), "memory", "maxmemory"), "104857600");
  for (const char* field :
       {"evicted_keys", "total_eviction_exceeded_time", "current_eviction_exceeded_time"})
    EXPECT_NE(info_field(d->troupe(), "stats", field), "") << field;
  d->same({"CONFIG", "SET", "maxmemory-samples", "5", "lfu-log-factor", "10", "lfu-decay-time", "1",
           "maxmemory-eviction-tenacity", "10"});
}

TEST_F(eviction, object_freq_and_idletime_follow_the_policy_like_redis) {
  d->same({"SET", "k", "v"});
  d->same({"OBJECT", "FREQ", "k"});  // error: no LFU policy
  d->same({"OBJECT", "FREQ", "missing"});
  d->same({"OBJECT", "IDLETIME", "missing"});
  d->same({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  d->same({"OBJECT", "IDLETIME", "k"});  // error: LFU keeps no idle time
  d->same({"SET", "fresh", "v"});
  d->same({"OBJECT", "FREQ", "fresh"});  // a new key starts at 5
  d->same({"OBJECT", "FREQ", "fresh"});  // asking does not count as an access
  d->same({"GET", "fresh"});             // the first hit always counts
  d->same({"OBJECT", "FREQ", "fresh"});
  // Commands that do not touch (Redis's LOOKUP_NOTOUCH).
  d->same({"EXISTS", "fresh"});
  d->same({"TYPE", "fresh"});
  d->same({"TTL", "fresh"});
  d->same({"OBJECT", "ENCODING", "fresh"});
  d->same({"OBJECT", "FREQ", "fresh"});
  // RESTORE FREQ sets the counter under LFU.
  std::string payload = d->troupe_client().call({"DUMP", "fresh"}).str;
  d->same({"RESTORE", "restored", "0", payload, "FREQ", "255"});
  d->same({"OBJECT", "FREQ", "restored"});
  d->same({"SET", "restored", "x"});  // an overwrite keeps the counter (and this access)
  d->same({"CONFIG", "SET", "maxmemory-policy", "volatile-lfu"});
  d->same({"OBJECT", "FREQ", "restored"});
  d->same({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  d->same({"OBJECT", "FREQ", "restored"});
  d->same({"MULTI"});
  d->same({"OBJECT", "FREQ", "restored"});
  d->same({"EXEC"});
}

// The LRU clock reads the time from the start: keys written before the first
// cron tick (hz 1 makes that window a second wide) are not idle for the age
// of the clock once it ticks (the sanitizer run that hit it saw 14 days).
TEST(eviction_clock, keys_written_before_the_first_cron_tick_are_fresh) {
  server_process s({"--hz", "1", "--dynamic-hz", "no", "--maxmemory-policy", "allkeys-lru"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  std::string clock = info_field(s, "server", "lru_clock");
  EXPECT_EQ(c.call({"SET", "k", "v"}).str, "OK");
  EXPECT_EQ(c.call({"RESTORE", "old", "0", c.call({"DUMP", "k"}).str, "IDLETIME", "1000"}).str,
            "OK");
  // Once the cron has moved the clock (a second at most, at hz 1).
  ASSERT_TRUE(wait_for([&] { return info_field(s, "server", "lru_clock") != clock; }, 5000));
  EXPECT_LT(c.call({"OBJECT", "IDLETIME", "k"}).integer, 5);
  int64_t idle = c.call({"OBJECT", "IDLETIME", "old"}).integer;
  EXPECT_GE(idle, 1000);
  EXPECT_LT(idle, 1005);
}

TEST_F(eviction, idletime_is_kept_by_restore_and_reset_only_by_touching_commands) {
  d->same({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  d->same({"SET", "src", "v"});
  std::string payload = d->troupe_client().call({"DUMP", "src"}).str;
  d->same({"RESTORE", "old", "0", payload, "IDLETIME", "100000"});
  auto idle = [&](server_process& s) { return s.call({"OBJECT", "IDLETIME", "old"}).integer; };
  for (server_process* s : {&d->troupe(), &d->redis()}) {
    EXPECT_GE(idle(*s), 100000);
    EXPECT_LT(idle(*s), 100100);
    for (std::vector<std::string> cmd : {std::vector<std::string>{"EXISTS", "old"},
                                         {"TYPE", "old"},
                                         {"TTL", "old"},
                                         {"PTTL", "old"},
                                         {"OBJECT", "ENCODING", "old"},
                                         {"OBJECT", "FREQ", "old"}})
      s->call(cmd);
    EXPECT_GE(idle(*s), 100000) << "a command that must not touch reset the idle time";
    s->call({"GET", "old"});
    EXPECT_LT(idle(*s), 100);
  }
  // Under LFU, RESTORE IDLETIME is ignored and IDLETIME is an error.
  d->same({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"});
  d->same({"RESTORE", "old2", "0", payload, "IDLETIME", "100000"});
  d->same({"OBJECT", "IDLETIME", "old2"});
  d->same({"OBJECT", "FREQ", "old2"});
}

TEST_F(eviction, noeviction_refuses_denyoom_commands_and_serves_the_rest_like_redis) {
  d->same({"RPUSH", "list", "a", "b", "c"});
  d->same({"SET", "str", "hello"});
  d->same({"SET", "counter", "1"});
  // One byte: any dataset is over it, on both servers.
  d->same({"CONFIG", "SET", "maxmemory", "1"});
  d->same({"SET", "one", "more"});
  d->same({"INCR", "counter"});
  d->same({"APPEND", "str", "x"});
  d->same({"LPUSH", "list", "z"});
  d->same({"GET", "str"});
  d->same({"LRANGE", "list", "0", "-1"});
  d->same({"EXPIRE", "str", "1000"});  // a write that does not grow memory
  d->same({"PERSIST", "str"});
  d->same({"LPOP", "list"});
  d->same({"DBSIZE"});
  d->same({"PING"});
  d->same({"DEL", "counter"});
  EXPECT_EQ(d->troupe_client().call({"SET", "x", "y"}).str, oom);
  EXPECT_EQ(info_int(d->troupe(), "stats", "evicted_keys"), 0);
  d->same({"CONFIG", "SET", "maxmemory", "0"});
  d->same({"SET", "one", "more"});
}

TEST_F(eviction, oom_inside_multi_and_at_exec_like_redis) {
  d->same({"CONFIG", "SET", "maxmemory", "1"});
  // MULTI itself passes; inside it every command but EXEC/DISCARD is refused.
  d->same({"MULTI"});
  d->same({"SET", "a", "1"});
  d->same({"GET", "a"});
  d->same({"EXEC"});
  d->same({"MULTI"});
  d->same({"GET", "a"});
  d->same({"DISCARD"});
  // Queued while memory was fine, then over the limit at EXEC: a transaction
  // with a denyoom command is discarded, a read-only one runs.
  d->same({"CONFIG", "SET", "maxmemory", "0"});
  d->same({"MULTI"});
  d->same({"SET", "a", "1"});
  d->same({"GET", "a"});
  d->redis().call({"CONFIG", "SET", "maxmemory", "1"});
  d->troupe().call({"CONFIG", "SET", "maxmemory", "1"});
  d->same({"EXEC"});
  d->same({"CONFIG", "SET", "maxmemory", "0"});
  d->same({"MULTI"});
  d->same({"GET", "a"});
  d->redis().call({"CONFIG", "SET", "maxmemory", "1"});
  d->troupe().call({"CONFIG", "SET", "maxmemory", "1"});
  d->same({"EXEC"});
  d->same({"EXISTS", "a"});
}

TEST_F(eviction, volatile_policies_without_volatile_keys_answer_oom_like_redis) {
  d->same({"SET", "a", "1"});
  d->same({"SET", "b", "2"});
  for (const char* policy : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    d->same({"CONFIG", "SET", "maxmemory-policy", policy});
    d->same({"CONFIG", "SET", "maxmemory", "1"});
    d->same({"SET", "c", "3"});
    d->same({"DBSIZE"});
    d->same({"CONFIG", "SET", "maxmemory", "0"});
  }
  // With volatile keys, those go first, then -OOM with the others still there.
  d->same({"SET", "v1", "x", "EX", "1000"});
  d->same({"SET", "v2", "x", "EX", "1000"});
  d->same({"CONFIG", "SET", "maxmemory-policy", "volatile-ttl"});
  d->same({"CONFIG", "SET", "maxmemory", "1"});
  d->same({"SET", "c", "3"});
  d->same({"EXISTS", "v1", "v2", "a", "b"});
}

TEST_F(eviction, allkeys_policies_evict_everything_before_answering_oom_like_redis) {
  for (const char* policy : {"allkeys-lru", "allkeys-lfu", "allkeys-random"}) {
    d->same({"CONFIG", "SET", "maxmemory", "0"});
    d->same({"MSET", "a", "1", "b", "2", "c", "3"});
    d->same({"SET", "v", "x", "EX", "1000"});
    d->same({"CONFIG", "SET", "maxmemory-policy", policy});
    d->same({"CONFIG", "SET", "maxmemory", "1"});
    d->same({"SET", "d", "4"});
    d->same({"DBSIZE"});
  }
  EXPECT_GE(info_int(d->troupe(), "stats", "evicted_keys"), 12);
}

// 300 keys RESTOREd with `option value` (IDLETIME or FREQ) and 300 written
// afresh, then memory squeezed by 150 KB: only `restored` or only `fresh` keys go.
static void restored_against_fresh(const char* policy, const char* option, const char* value,
                                   bool restored_go) {
  server_process s({"--maxmemory-policy", policy, "--maxmemory-samples", "64"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  c.call({"SET", "model", value_1k});
  std::string payload = c.call({"DUMP", "model"}).str;
  c.call({"DEL", "model"});
  for (int i = 0; i < 300; ++i)
    ASSERT_EQ(c.call({"RESTORE", "restored:" + std::to_string(i), "0", payload, option, value}).str,
              "OK");
  EXPECT_TRUE(set_range(c, "fresh:", 0, 300, value_1k).empty());
  squeeze(s, 150 * 1000);
  EXPECT_GT(info_int(s, "stats", "evicted_keys"), 50);
  EXPECT_EQ(count_present(c, restored_go ? "fresh:" : "restored:", 300), 300);
  EXPECT_LT(count_present(c, restored_go ? "restored:" : "fresh:", 300), 300);
}

TEST(eviction_policies, lru_evicts_the_idle_keys_first) {
  restored_against_fresh("allkeys-lru", "IDLETIME", "100000", true);
}

TEST(eviction_policies, lfu_evicts_the_rarely_used_keys_first) {
  restored_against_fresh("allkeys-lfu", "FREQ", "200", false);
}

TEST(eviction_policies, volatile_ttl_evicts_the_nearest_expiry_first_and_only_volatile_keys) {
  server_process s({"--maxmemory-policy", "volatile-ttl", "--maxmemory-samples", "64"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  EXPECT_TRUE(set_range(c, "soon:", 0, 300, value_1k, {"EX", "1000"}).empty());
  EXPECT_TRUE(set_range(c, "late:", 0, 300, value_1k, {"EX", "1000000"}).empty());
  EXPECT_TRUE(set_range(c, "kept:", 0, 300, value_1k).empty());
  squeeze(s, 150 * 1000);
  EXPECT_EQ(count_present(c, "kept:", 300), 300);
  EXPECT_EQ(count_present(c, "late:", 300), 300);
  EXPECT_LT(count_present(c, "soon:", 300), 300);
}

TEST(eviction_policies, volatile_lru_lfu_and_random_spare_keys_without_ttl) {
  for (const char* policy : {"volatile-lru", "volatile-lfu", "volatile-random"}) {
    server_process s({"--maxmemory-policy", policy});
    ASSERT_TRUE(s.start());
    resp_client c = s.client();
    EXPECT_TRUE(set_range(c, "ttl:", 0, 300, value_1k, {"EX", "1000"}).empty());
    EXPECT_TRUE(set_range(c, "kept:", 0, 300, value_1k).empty());
    squeeze(s, 150 * 1000);
    EXPECT_EQ(count_present(c, "kept:", 300), 300) << policy;
    EXPECT_LT(count_present(c, "ttl:", 300), 300) << policy;
  }
}

TEST(eviction_policies, a_cache_stays_under_maxmemory_and_publishes_evicted_events) {
  server_process s({"--maxmemory", "4mb", "--maxmemory-policy", "allkeys-random",
                    "--notify-keyspace-events", "Ee"});
  ASSERT_TRUE(s.start());
  resp_client sub = s.client();
  ASSERT_EQ(sub.call({"SUBSCRIBE", "__keyevent@0__:evicted"}).elements.size(), 3u);
  resp_client c = s.client();
  EXPECT_TRUE(set_range(c, "key:", 0, 10000, value_1k).empty());
  // Within what one command may add after the check, as Redis allows.
  EXPECT_LE(info_int(s, "memory", "used_memory"), 4 * 1024 * 1024 * 105 / 100);
  // No limit from here on: any command (INFO too) may evict while over it.
  c.call({"CONFIG", "SET", "maxmemory", "0"});
  int64_t evicted = info_int(s, "stats", "evicted_keys");
  EXPECT_GT(evicted, 5000);
  EXPECT_EQ(c.call({"DBSIZE"}).integer, 10000 - evicted);
  // One message per evicted key, naming it.
  std::set<std::string> named;
  for (int64_t i = 0; i < evicted; ++i) {
    resp_value m = sub.read_reply();
    ASSERT_EQ(m.elements.size(), 3u) << m.to_string();
    EXPECT_EQ(m.elements[1].str, "__keyevent@0__:evicted");
    named.insert(m.elements[2].str);
  }
  EXPECT_EQ(int64_t(named.size()), evicted);
  EXPECT_EQ(c.call({"EXISTS", *named.begin()}).integer, 0);
}

TEST(eviction_policies, a_big_maxmemory_drop_is_worked_off_in_the_background) {
  server_process s({"--maxmemory-policy", "allkeys-lru", "--maxmemory-eviction-tenacity", "0"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  EXPECT_TRUE(set_range(c, "key:", 0, 20000, value_1k).empty());
  // Tenacity 0 gives a pass no time: it evicts one key. The reply comes at once,
  // and the passes run between loop passes with no client command to drive them.
  EXPECT_EQ(c.call({"CONFIG", "SET", "maxmemory", "2mb"}).str, "OK");
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  ASSERT_TRUE(wait_for([&] { return info_int(s, "memory", "used_memory") <= 2 * 1024 * 1024; }));
  EXPECT_GT(info_int(s, "stats", "evicted_keys"), 15000);
  EXPECT_EQ(c.call({"SET", "after", "drop"}).str, "OK");
}

TEST(eviction_journal, evictions_reach_replicas_and_the_aof_as_del) {
  server_process master({"--appendonly", "yes"});
  ASSERT_TRUE(master.start());
  server_process replica({"--replicaof", "127.0.0.1", std::to_string(master.port())},
                         server_process::kind::redis);
  ASSERT_TRUE(replica.start());
  ASSERT_TRUE(
      wait_for([&] { return info_field(replica, "replication", "master_link_status") == "up"; }));
  resp_client c = master.client();
  EXPECT_TRUE(set_range(c, "key:", 0, 2000, value_1k).empty());
  c.call({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"});
  squeeze(master, 1000 * 1000);
  c.call({"CONFIG", "SET", "maxmemory", "0"});  // no eviction while the test reads
  int64_t evicted = info_int(master, "stats", "evicted_keys");
  ASSERT_GT(evicted, 500);
  // The replica follows: same keys, and it evicted nothing itself.
  ASSERT_TRUE(wait_for([&] {
    return info_field(master, "replication", "master_repl_offset") ==
           info_field(replica, "replication", "slave_repl_offset");
  }));
  EXPECT_EQ(replica.call({"DBSIZE"}).integer, 2000 - evicted);
  EXPECT_EQ(dataset_difference(dump_dataset(master), dump_dataset(replica)), "");
  EXPECT_EQ(info_int(replica, "stats", "evicted_keys"), 0);
  // The AOF holds one DEL per evicted key.
  ASSERT_TRUE(wait_for([&] {
    std::string aof;
    std::string dir = master.dir() + "/appendonlydir";
    if (DIR* dp = opendir(dir.c_str())) {
      while (dirent* e = readdir(dp))
        if (std::string(e->d_name).find(".incr.aof") != std::string::npos)
          aof += read_file(dir + "/" + e->d_name);
      closedir(dp);
    }
    int64_t dels = 0;
    for (size_t at = aof.find("$3\r\nDEL\r\n"); at != std::string::npos;
         at = aof.find("$3\r\nDEL\r\n", at + 1))
      ++dels;
    return dels == evicted;
  }));
}

TEST(eviction_journal, a_replica_ignores_maxmemory_by_default) {
  server_process master;
  ASSERT_TRUE(master.start());
  server_process replica({"--replicaof", "127.0.0.1", std::to_string(master.port()), "--maxmemory",
                          "1", "--maxmemory-policy", "allkeys-lru"});
  ASSERT_TRUE(replica.start());
  resp_client c = master.client();
  EXPECT_TRUE(set_range(c, "key:", 0, 500, value_1k).empty());
  ASSERT_TRUE(wait_for([&] { return replica.call({"DBSIZE"}).integer == 500; }));
  EXPECT_EQ(replica.call({"GET", "key:1"}).str, value_1k);
  EXPECT_EQ(info_int(replica, "stats", "evicted_keys"), 0);
}
