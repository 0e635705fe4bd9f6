// Cluster mode on the keyspace side, in-process: the per-slot key index of
// database 0 (storage/keyspace/slot_index) kept right through every way keys
// come and go, and the dispatcher's routing step (storage/dispatch/slot_check)
// with a hand-built routing snapshot: MOVED, ASK, TRYAGAIN, CROSSSLOT,
// CLUSTERDOWN, MULTI/EXEC, ASKING, scripts, and the database rules.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>

#include "harness/command_harness.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "storage/dispatch/dispatcher.hpp"
#include "storage/dispatch/server_stats.hpp"
#include "storage/dispatch/slot_check.hpp"
#include "storage/encodings/hash.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/keyspace/slot_index.hpp"
#include "storage/types/kv_entry.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// Two masters: node 0 (us, 127.0.0.1:7000) serves every slot but those given
// to node 1 (127.0.0.1:7001) or left without an owner.
cluster::slot_routing two_nodes(int16_t default_owner = 0) {
  cluster::slot_routing r;
  r.nodes = {{"a", "127.0.0.1", 7000}, {"b", "127.0.0.1", 7001}};
  r.self = 0;
  r.cluster_ok = true;
  r.owner.fill(default_owner);
  return r;
}

// Keys of known slots: "foo" hashes to 12182, "{user1000}.a" to 3443.
constexpr uint16_t foo_slot = 12182;
constexpr uint16_t user_slot = 3443;

// The index says exactly what database 0 holds, slot by slot.
void expect_index_matches(keyspace& ks) {
  int shards = ks.shard_count();
  for (int i = 0; i < shards; ++i) {
    db_slice& db = ks.shard(i).db(0);
    const slot_index* idx = db.slots();
    ASSERT_NE(idx, nullptr);
    std::map<unsigned, std::multiset<std::string>> truth;
    db.keys.for_each(
        [&](kv_entry* e) { truth[key_hash_slot(e->key())].insert(std::string(e->key())); });
    for (unsigned s = unsigned(i); s < cluster_slots; s += unsigned(shards)) {
      std::multiset<std::string> got;
      idx->visit(uint16_t(s), SIZE_MAX, [&](kv_entry* e) { got.insert(std::string(e->key())); });
      auto it = truth.find(s);
      std::multiset<std::string> want =
          it == truth.end() ? std::multiset<std::string>{} : it->second;
      ASSERT_EQ(got, want) << "slot " << s;
      ASSERT_EQ(idx->count(uint16_t(s)), want.size()) << "slot " << s;
      ASSERT_EQ(ks.keys_in_slot(uint16_t(s)), want.size()) << "slot " << s;
    }
    EXPECT_EQ(idx->total(), db.size());
    // Other databases have no index.
    EXPECT_EQ(ks.shard(i).db(1).slots(), nullptr);
  }
}

}  // namespace

// -- the index itself ---------------------------------------------------------------

TEST(slot_index, counts_lists_and_forgets_keys_of_its_slots) {
  slot_index idx(1, 4);  // slots 1, 5, 9...
  // Keys of its slots (several per slot: tables grow and shrink), plus many
  // in one slot.
  std::vector<kv_entry*> entries;
  std::vector<std::string> names;
  for (int i = 0; i < 300; ++i) names.push_back("{c}" + std::to_string(i));
  ASSERT_EQ(key_hash_slot("{c}") % 4, 1);
  for (int i = 0; names.size() < 1000; ++i) {
    std::string k = "k" + std::to_string(i);
    if (key_hash_slot(k) % 4 == 1) names.push_back(k);
  }
  std::map<uint16_t, size_t> per_slot;
  for (auto& n : names) {
    entries.push_back(make_string_entry(n, "v", false));
    idx.add(entries.back());
    per_slot[key_hash_slot(n)]++;
  }
  EXPECT_EQ(idx.total(), 1000u);
  for (auto& [s, n] : per_slot) EXPECT_EQ(idx.count(s), n);
  EXPECT_EQ(idx.count(0), 0u);  // not its slot
  // A moved entry (realloc) is found under its new address.
  kv_entry* grown = resize_string_entry(entries[7], 4000, false);
  idx.moved(entries[7], grown);
  entries[7] = grown;
  std::set<kv_entry*> seen;
  for (auto& [s, n] : per_slot)
    EXPECT_EQ(idx.visit(s, SIZE_MAX, [&](kv_entry* e) { seen.insert(e); }), n);
  EXPECT_EQ(seen, std::set<kv_entry*>(entries.begin(), entries.end()));
  EXPECT_EQ(idx.visit(per_slot.begin()->first, 1, [](kv_entry*) {}), 1u);
  // Removing in any order leaves the others findable (backward shift).
  std::mt19937 rng(7);
  std::shuffle(entries.begin(), entries.end(), rng);
  size_t base = slot_index(1, 4).memory();
  for (size_t i = 0; i < entries.size(); ++i) {
    idx.remove(entries[i]);
    per_slot[key_hash_slot(entries[i]->key())]--;
    if (i % 97 != 0) continue;
    for (auto& [s, n] : per_slot) {
      ASSERT_EQ(idx.count(s), n);
    }
  }
  EXPECT_EQ(idx.total(), 0u);
  EXPECT_EQ(idx.memory(), base);  // every table freed
  for (kv_entry* e : entries) destroy_entry(e);
}

TEST(slot_index, costs_about_as_much_as_redis_per_key) {
  keyspace ks(4, 1);
  ks.enable_slot_index();
  size_t base = 0;
  for (int i = 0; i < 4; ++i) base += ks.shard(i).db(0).slots()->memory();
  constexpr int n = 200000;
  for (int i = 0; i < n; ++i) {
    std::string k = "key:" + std::to_string(i);
    ks.shard(ks.shard_of_key(k)).db(0).add(make_string_entry(k, "v", false), hash_key(k));
  }
  size_t bytes = 0;
  for (int i = 0; i < 4; ++i) bytes += ks.shard(i).db(0).slots()->memory();
  double per_key = double(bytes - base) / n;
  // Redis 7.0 spends 16 bytes a key (two pointers); the tables are 3/8 to 3/4
  // full, so 11 to 21 bytes, about 16 on average.
  EXPECT_LE(per_key, 17.0) << per_key;
  EXPECT_EQ(ks.keys_in_slot(key_hash_slot("key:1")) > 0, true);
}

TEST(slot_index, standalone_keyspaces_have_none) {
  command_harness h;
  EXPECT_EQ(h.run({"SET", "foo", "1"}).str, "OK");
  EXPECT_EQ(h.keys().shard(h.keys().shard_of_key("foo")).db(0).slots(), nullptr);
  EXPECT_EQ(h.keys().keys_in_slot(foo_slot), 0u);
}

// -- the index through every way keys come and go -------------------------------------

TEST(slot_index, follows_writes_deletes_renames_and_flushes) {
  command_harness h;
  h.run({"SET", "early", "1"});  // present before: the index is built from the keys
  h.enable_cluster(two_nodes());
  expect_index_matches(h.keys());
  EXPECT_EQ(h.keys().keys_in_slot(key_hash_slot("early")), 1u);
  EXPECT_EQ(h.run({"SET", "{t}a", "1"}).str, "OK");
  EXPECT_EQ(h.run({"SET", "{t}b", "1"}).str, "OK");
  EXPECT_EQ(h.keys().keys_in_slot(key_hash_slot("{t}")), 2u);
  // Entries that move in memory: APPEND, SETRANGE, EXPIRE adds a TTL slot,
  // PERSIST removes it.
  h.run({"APPEND", "{t}a", std::string(5000, 'x')});
  h.run({"SETRANGE", "{t}b", "10000", "y"});
  h.run({"EXPIRE", "{t}a", "1000"});
  h.run({"PERSIST", "{t}a"});
  h.run({"PEXPIRE", "{t}b", "100000"});
  expect_index_matches(h.keys());
  // RENAME and COPY (within a slot: CROSSSLOT otherwise), DEL, an EXPIRE in
  // the past deletes.
  EXPECT_EQ(h.run({"RENAME", "{t}a", "{u}a"}).str,
            "CROSSSLOT Keys in request don't hash to the same slot");
  EXPECT_EQ(h.run({"RENAME", "{t}a", "{t}c"}).str, "OK");
  EXPECT_EQ(h.run({"COPY", "{t}c", "{t}d"}).integer, 1);
  EXPECT_EQ(h.keys().keys_in_slot(key_hash_slot("{t}")), 3u);
  EXPECT_EQ(h.run({"PEXPIREAT", "{t}d", "1"}).integer, 1);
  EXPECT_EQ(h.run({"DEL", "{t}b"}).integer, 1);
  EXPECT_EQ(h.keys().keys_in_slot(key_hash_slot("{t}")), 1u);
  expect_index_matches(h.keys());
  // RESTORE (REPLACE) and other types.
  resp_value dump = h.run({"DUMP", "{t}c"});
  EXPECT_EQ(h.run({"RESTORE", "{v}r", "0", dump.str}).str, "OK");
  EXPECT_EQ(h.run({"RESTORE", "{v}r", "0", dump.str, "REPLACE"}).str, "OK");
  h.run({"RPUSH", "{v}l", "a", "b"});
  h.run({"SADD", "{v}s", "a"});
  h.run({"HSET", "{v}h", "f", "v"});
  h.run({"LPOP", "{v}l", "2"});  // emptied: deleted
  expect_index_matches(h.keys());
  EXPECT_EQ(h.run({"FLUSHALL"}).str, "OK");
  expect_index_matches(h.keys());
  h.run({"SET", "{w}1", "v"});
  EXPECT_EQ(h.run({"FLUSHALL", "ASYNC"}).str, "OK");
  expect_index_matches(h.keys());
  h.run({"SET", "{w}1", "v"});
  EXPECT_EQ(h.run({"FLUSHDB"}).str, "OK");
  EXPECT_EQ(h.keys().keys_in_slot(key_hash_slot("{w}")), 0u);
}

TEST(slot_index, follows_lazy_and_active_expiry) {
  command_harness h;
  h.enable_cluster(two_nodes());
  int64_t t0 = wall_clock_ms();
  for (int i = 0; i < 50; ++i) {
    std::string k = "{e}" + std::to_string(i);
    h.run({"SET", k, "v", "PX", "1"});
  }
  h.run({"SET", "{e}stay", "v"});
  EXPECT_EQ(h.keys().keys_in_slot(key_hash_slot("{e}")), 51u);
  // Lazy: a lookup after the TTL deletes the key (the harness's clock is the
  // wall clock: wait for the millisecond to pass).
  while (wall_clock_ms() < t0 + 3) {
  }
  int64_t later = wall_clock_ms() + 10000;
  EXPECT_TRUE(h.run({"GET", "{e}0"}).is_nil());
  EXPECT_EQ(h.keys().keys_in_slot(key_hash_slot("{e}")), 50u);
  // Active: the shard's cycle.
  shard_store& s = h.keys().shard(h.keys().shard_of_key("{e}"));
  for (int i = 0; i < 10 && h.keys().keys_in_slot(key_hash_slot("{e}")) > 1; ++i)
    s.active_expire(later, 1000000, [](int, kv_entry*) {});
  EXPECT_EQ(h.keys().keys_in_slot(key_hash_slot("{e}")), 1u);
  expect_index_matches(h.keys());
}

TEST(slot_index, random_operations_keep_it_exact) {
  command_harness h;
  h.enable_cluster(two_nodes());
  std::mt19937 rng(11);
  std::vector<std::string> keys;
  for (int i = 0; i < 12; ++i) keys.push_back("k" + std::to_string(i));
  for (int i = 0; i < 6; ++i) keys.push_back("{same}" + std::to_string(i));
  auto key = [&] { return keys[rng() % keys.size()]; };
  for (int step = 0; step < 3000; ++step) {
    switch (rng() % 12) {
      case 0:
        h.run({"SET", key(), "v"});
        break;
      case 1:
        h.run({"APPEND", key(), std::string(rng() % 300, 'a')});
        break;
      case 2:
        h.run({"DEL", key(), key()});
        break;
      case 3:
        h.run({"EXPIRE", key(), "1000"});
        break;
      case 4:
        h.run({"PERSIST", key()});
        break;
      case 5:
        h.run({"RENAME", key(), key()});
        break;
      case 6:
        h.run({"COPY", key(), key(), "REPLACE"});
        break;
      case 7:
        h.run({"SETRANGE", key(), std::to_string(rng() % 2000), "z"});
        break;
      case 8:
        h.run({"RPUSH", key(), "x"});
        break;
      case 9:
        h.run({"GETDEL", key()});
        break;
      case 10:
        h.run({"PEXPIREAT", key(), "1"});
        break;
      case 11:
        if (rng() % 20 == 0) h.run({"FLUSHALL", rng() % 2 ? "ASYNC" : "SYNC"});
        break;
    }
    if (step % 250 == 0) expect_index_matches(h.keys());
  }
  expect_index_matches(h.keys());
}

TEST(slot_index, follows_its_keys_through_a_dataset_swap) {
  keyspace live(2, 2), staged(2, 2), plain(2, 2);
  live.enable_slot_index();
  staged.enable_slot_index();
  auto put = [](keyspace& ks, const std::string& k) {
    ks.shard(ks.shard_of_key(k)).db(0).add(make_string_entry(k, "v", false), hash_key(k));
  };
  put(live, "old1");
  put(live, "{x}old");
  put(staged, "new1");
  put(staged, "{x}new");
  put(staged, "{x}new2");
  put(plain, "plain");
  // A replica's full sync swaps the staged dataset in, slice by slice.
  for (int s = 0; s < 2; ++s) live.shard(s).db(0).swap(staged.shard(s).db(0));
  expect_index_matches(live);
  expect_index_matches(staged);
  EXPECT_EQ(live.keys_in_slot(key_hash_slot("{x}")), 2u);
  EXPECT_EQ(live.keys_in_slot(key_hash_slot("old1")), 0u);
  // With a keyspace that has no index, the indexed side is rebuilt.
  for (int s = 0; s < 2; ++s) live.shard(s).db(0).swap(plain.shard(s).db(0));
  expect_index_matches(live);
  EXPECT_EQ(live.keys_in_slot(key_hash_slot("plain")), 1u);
}

// -- routing in the dispatcher ----------------------------------------------------------

TEST(cluster_routing, keys_of_other_nodes_are_redirected) {
  auto r = two_nodes();
  r.owner[foo_slot] = 1;
  r.owner[key_hash_slot("unbound")] = cluster::slot_routing::none;
  command_harness h;
  h.enable_cluster(r);
  EXPECT_EQ(h.run({"GET", "foo"}).str, "MOVED 12182 127.0.0.1:7001");
  EXPECT_TRUE(h.run({"GET", "{user1000}.a"}).is_nil());
  EXPECT_EQ(h.run({"SET", "{user1000}.a", "1"}).str, "OK");
  EXPECT_EQ(h.run({"MGET", "{user1000}.a", "bar"}).str,
            "CROSSSLOT Keys in request don't hash to the same slot");
  // The first key's slot without an owner wins over CROSSSLOT, as in Redis.
  EXPECT_EQ(h.run({"MGET", "unbound", "foo"}).str, "CLUSTERDOWN Hash slot not served");
  // No keys: never redirected.
  EXPECT_EQ(h.run({"DBSIZE"}).integer, 1);
  // A rejected command counts as rejected, with its error code.
  const command_spec* get = command_table::instance().find("get");
  EXPECT_EQ(h.stats().per_command[size_t(get->id)].rejected_calls.get(), 1u);
  // The cluster is down: every keyed command is refused.
  r.cluster_ok = false;
  h.services().routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(h.run({"GET", "{user1000}.a"}).str, "CLUSTERDOWN The cluster is down");
  r.allow_reads_when_down = true;
  h.services().routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(h.run({"GET", "{user1000}.a"}).str, "1");
  EXPECT_EQ(h.run({"SET", "{user1000}.a", "2"}).str,
            "CLUSTERDOWN The cluster is down and only accepts read commands");
}

TEST(cluster_routing, the_master_and_the_aof_are_obeyed) {
  auto r = two_nodes();
  r.owner[foo_slot] = 1;
  command_harness h;
  h.enable_cluster(r);
  std::string bytes;
  reply_writer out(bytes);
  std::vector<std::string_view> args{"SET", "foo", "1"};
  h.engine().dispatch(h.client(), args, out, command_origin::replay);
  EXPECT_EQ(bytes, "+OK\r\n");
  h.client().set(client_master);
  EXPECT_EQ(h.run({"GET", "foo"}).str, "1");
}

TEST(cluster_routing, migrating_slots_ask_for_missing_keys) {
  auto r = two_nodes();
  r.migrating_to[user_slot] = 1;
  command_harness h;
  h.enable_cluster(two_nodes());
  EXPECT_EQ(h.run({"SET", "{user1000}.a", "1"}).str, "OK");
  h.services().routing = std::make_shared<const cluster::slot_routing>(r);
  // Present keys are served; a missing one is asked for at the target.
  EXPECT_EQ(h.run({"GET", "{user1000}.a"}).str, "1");
  EXPECT_EQ(h.run({"GET", "{user1000}.b"}).str, "ASK 3443 127.0.0.1:7001");
  EXPECT_EQ(h.run({"SET", "{user1000}.b", "1"}).str, "ASK 3443 127.0.0.1:7001");
  EXPECT_EQ(h.run({"MGET", "{user1000}.b", "{user1000}.c"}).str, "ASK 3443 127.0.0.1:7001");
  // Some here, some gone: TRYAGAIN (Redis 7.0.15).
  EXPECT_EQ(h.run({"MGET", "{user1000}.a", "{user1000}.b"}).str,
            "TRYAGAIN Multiple keys request during rehashing of slot");
  // An expired key counts as missing.
  h.run({"SET", "{user1000}.x", "v", "PX", "1"});
  int64_t until = wall_clock_ms() + 3;
  while (wall_clock_ms() < until) {
  }
  EXPECT_EQ(h.run({"GET", "{user1000}.x"}).str, "ASK 3443 127.0.0.1:7001");
}

TEST(cluster_routing, importing_slots_serve_asking_clients_once) {
  auto r = two_nodes();
  r.owner[foo_slot] = 1;
  r.importing_from[foo_slot] = 1;
  command_harness h;
  h.enable_cluster(r);
  EXPECT_EQ(h.run({"GET", "foo"}).str, "MOVED 12182 127.0.0.1:7001");
  h.client().set(client_asking);
  EXPECT_TRUE(h.run({"GET", "foo"}).is_nil());
  // ASKING lasts one command.
  EXPECT_FALSE(h.client().has(client_asking));
  EXPECT_EQ(h.run({"GET", "foo"}).str, "MOVED 12182 127.0.0.1:7001");
  // Several keys, not all here: TRYAGAIN.
  h.client().set(client_asking);
  EXPECT_EQ(h.run({"MGET", "foo", "{foo}x"}).str,
            "TRYAGAIN Multiple keys request during rehashing of slot");
  EXPECT_FALSE(h.client().has(client_asking));  // a refused command ends it too
  h.client().set(client_asking);
  EXPECT_EQ(h.run({"SET", "foo", "v"}).str, "OK");
  h.client().set(client_asking);
  EXPECT_EQ(h.run({"NOSUCHCOMMAND"}).str.substr(0, 19), "ERR unknown command");
  EXPECT_FALSE(h.client().has(client_asking));
  // Inside MULTI it lasts until EXEC, which is routed with it.
  h.client().set(client_asking);
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");
  EXPECT_EQ(h.run({"GET", "foo"}).str, "QUEUED");
  EXPECT_TRUE(h.client().has(client_asking));
  resp_value ex = h.run({"EXEC"});
  ASSERT_EQ(ex.elements.size(), 1u);
  EXPECT_EQ(ex.elements[0].str, "v");
  EXPECT_FALSE(h.client().has(client_asking));
}

TEST(cluster_routing, transactions_are_routed_when_queued_and_at_exec) {
  auto r = two_nodes();
  r.owner[foo_slot] = 1;
  command_harness h;
  h.enable_cluster(r);
  // A redirected command dooms the transaction.
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");
  EXPECT_EQ(h.run({"GET", "foo"}).str, "MOVED 12182 127.0.0.1:7001");
  EXPECT_EQ(h.run({"EXEC"}).str, "EXECABORT Transaction discarded because of previous errors.");
  // A slot that moved between MULTI and EXEC: EXEC answers the redirect and
  // the transaction is gone.
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");
  EXPECT_EQ(h.run({"SET", "{user1000}.a", "1"}).str, "QUEUED");
  EXPECT_EQ(h.run({"DBSIZE"}).str, "QUEUED");
  r.owner[user_slot] = 1;
  h.services().routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(h.run({"EXEC"}).str, "MOVED 3443 127.0.0.1:7001");
  EXPECT_FALSE(h.client().has(client_multi));
  EXPECT_EQ(h.run({"EXEC"}).str, "ERR EXEC without MULTI");
  const command_spec* exec = command_table::instance().find("exec");
  EXPECT_EQ(h.stats().per_command[size_t(exec->id)].rejected_calls.get(), 1u);
  EXPECT_TRUE(h.services().journal_log.empty());
  // Queued commands of two slots: CROSSSLOT at EXEC.
  r.owner[user_slot] = 0;
  h.services().routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");
  EXPECT_EQ(h.run({"SET", "{user1000}.a", "1"}).str, "QUEUED");
  EXPECT_EQ(h.run({"SET", "bar", "1"}).str, "QUEUED");
  EXPECT_EQ(h.run({"EXEC"}).str, "CROSSSLOT Keys in request don't hash to the same slot");
  // A transaction without keys is never redirected.
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");
  EXPECT_EQ(h.run({"DBSIZE"}).str, "QUEUED");
  EXPECT_EQ(h.run({"EXEC"}).elements.size(), 1u);
}

TEST(cluster_routing, scripts_stay_on_local_keys_of_one_slot) {
  auto r = two_nodes();
  r.owner[foo_slot] = 1;
  command_harness h;
  h.enable_cluster(r);
  h.run({"SET", "{user1000}.a", "1"});
  h.run({"SET", "bar", "2"});
  // Declared keys are routed like any command's.
  EXPECT_EQ(h.run({"EVAL", "return 1", "1", "foo"}).str, "MOVED 12182 127.0.0.1:7001");
  // A key of another node, declared or not.
  std::string err = h.run({"EVAL", "return redis.call('get','foo')", "0"}).str;
  EXPECT_EQ(err.substr(0, 67),
            "ERR Script attempted to access a non local key in a cluster node sc");
  EXPECT_NE(err.find(", on @user_script:1."), std::string::npos) << err;
  EXPECT_EQ(h.run({"EVAL", "return redis.pcall('get','foo')", "0"}).str,
            "ERR Script attempted to access a non local key in a cluster node");
  EXPECT_EQ(
      h.run({"EVAL", "return redis.call('mget','bar','{user1000}.a')", "0"}).str.substr(0, 64),
      "ERR Script attempted to access a non local key in a cluster node");
  // Legacy scripts may use local keys of several slots...
  EXPECT_EQ(h.run({"EVAL", "return redis.call('get','bar')", "1", "{user1000}.a"}).str, "2");
  // ...scripts with a shebang only those of their first slot...
  err = h.run({"EVAL", "#!lua\nreturn redis.call('get','bar')", "1", "{user1000}.a"}).str;
  EXPECT_EQ(err.substr(0, 76),
            "ERR Script attempted to access keys that do not hash to the same slot script");
  EXPECT_EQ(
      h.run({"EVAL", "#!lua\nredis.call('get','bar') return redis.call('get','bar')", "0"}).str,
      "2");
  // ...unless they allow cross-slot keys.
  EXPECT_EQ(h.run({"EVAL", "#!lua flags=allow-cross-slot-keys\nreturn redis.call('get','bar')", "1",
                   "{user1000}.a"})
                .str,
            "2");
  EXPECT_EQ(h.run({"EVAL", "#!lua flags=no-cluster\nreturn 1", "0"}).str,
            "ERR Can not run script on cluster, 'no-cluster' flag is set.");
  // The cluster is down.
  r.cluster_ok = false;
  r.allow_reads_when_down = true;
  h.services().routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(h.run({"EVAL", "return redis.pcall('set','bar','3')", "0"}).str,
            "ERR Script attempted to execute a write command while the cluster is down and "
            "readonly");
}

TEST(cluster_routing, only_database_zero_exists) {
  command_harness h;
  h.enable_cluster(two_nodes());
  h.run({"SET", "a", "1"});
  EXPECT_EQ(h.run({"MOVE", "a", "1"}).str, "ERR MOVE is not allowed in cluster mode");
  EXPECT_EQ(h.run({"MOVE", "a", "x"}).str, "ERR MOVE is not allowed in cluster mode");
  EXPECT_EQ(h.run({"SWAPDB", "0", "1"}).str, "ERR SWAPDB is not allowed in cluster mode");
  EXPECT_EQ(h.run({"COPY", "a", "{a}b", "DB", "1"}).str,
            "ERR Copying to another database is not allowed in cluster mode");
  EXPECT_EQ(h.run({"COPY", "a", "{a}b", "DB", "99"}).str, "ERR DB index is out of range");
  EXPECT_EQ(h.run({"COPY", "a", "{a}b", "DB", "0"}).integer, 1);
  // Standalone, all of them work.
  command_harness s;
  s.run({"SET", "a", "1"});
  EXPECT_EQ(s.run({"COPY", "a", "b", "DB", "1"}).integer, 1);
  EXPECT_EQ(s.run({"MOVE", "a", "1"}).integer, 1);
  EXPECT_EQ(s.run({"SWAPDB", "0", "1"}).str, "OK");
}

TEST(cluster_routing, blocked_clients_are_redirected_when_their_slot_goes) {
  auto r = two_nodes();
  command_harness h;
  h.enable_cluster(r);
  recording_services& srv = h.services();
  std::vector<std::string> keys{"{user1000}.a"};
  EXPECT_EQ(blocked_redirect(srv, keys, false), std::nullopt);
  EXPECT_EQ(blocked_redirect(srv, {}, false), std::nullopt);  // WAIT: no keys
  r.owner[user_slot] = 1;
  srv.routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(blocked_redirect(srv, keys, false), "MOVED 3443 127.0.0.1:7001");
  // Still waiting while the slot is imported here.
  r.importing_from[user_slot] = 1;
  srv.routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(blocked_redirect(srv, keys, false), std::nullopt);
  r.importing_from[user_slot] = cluster::slot_routing::none;
  // A replica of the owner keeps a READONLY client's read.
  r.master_of_self = 1;
  srv.routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(blocked_redirect(srv, keys, true), std::nullopt);
  EXPECT_EQ(blocked_redirect(srv, keys, false), "MOVED 3443 127.0.0.1:7001");
  r.owner[user_slot] = cluster::slot_routing::none;
  srv.routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(blocked_redirect(srv, keys, false), "CLUSTERDOWN Hash slot not served");
  r.cluster_ok = false;
  srv.routing = std::make_shared<const cluster::slot_routing>(r);
  EXPECT_EQ(blocked_redirect(srv, {}, false), "CLUSTERDOWN The cluster is down");
}
