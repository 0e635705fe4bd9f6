// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP: arity, errors and
// reply shapes like redis-server's; sizes that follow the data (a 1 MB string
// reports at least 1 MB, the sum over all keys is of the order of INFO's
// used_memory_dataset); redis-cli --memkeys and --bigkeys see every type.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// Heap figures (used_memory, the peak) come from glibc's mallinfo2, which
// AddressSanitizer's allocator bypasses: tests of those figures skip there.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool glibc_heap = false;
#else
constexpr bool glibc_heap = true;
#endif

// Fills both servers with one key of every type and encoding.
void load_every_type(differential& d) {
  d.same({"SET", "str:int", "12345"});
  d.same({"SET", "str:emb", "hello"});
  d.same({"SET", "str:raw", std::string(200, 'r')});
  d.same({"RPUSH", "list", "a", "b", "c"});
  d.same({"HSET", "hash:lp", "f", "v"});
  d.same({"HSET", "hash:ht", "f", std::string(100, 'v')});
  d.same({"SADD", "set:int", "1", "2", "3"});
  d.same({"SADD", "set:ht", "a", "b"});
  d.same({"ZADD", "zset:lp", "1", "a"});
  d.same({"ZADD", "zset:sl", "1", std::string(100, 'm')});
  d.same({"SET", "ttl", "v", "EX", "1000"});
}

int64_t info_field(resp_client& c, const std::string& section, const std::string& field) {
  std::string info = c.call({"INFO", section}).str;
  std::smatch m;
  std::regex re(field + ":(\\d+)");
  if (!std::regex_search(info, m, re)) return -1;
  return std::stoll(m[1]);
}

// MEMORY STATS as "name=RESP type" in order, nested maps as "db.0/name=type".
std::vector<std::string> stats_shape(const resp_value& v, const std::string& prefix = "") {
  std::vector<std::string> out;
  for (size_t i = 0; i + 1 < v.elements.size(); i += 2) {
    const resp_value& val = v.elements[i + 1];
    std::string name = prefix + v.elements[i].str;
    out.push_back(name + "=" + std::to_string(int(val.type)));
    if (val.is_aggregate())
      for (auto& s : stats_shape(val, name + "/")) out.push_back(s);
  }
  return out;
}

}  // namespace

class memory : public differential_suite<memory> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(d->ok());
    d->same({"FLUSHALL"});
  }
};

TEST_F(memory, arity_errors_and_missing_keys_like_redis) {
  d->same({"MEMORY"});
  d->same({"MEMORY", "nosuch"});
  d->same({"MEMORY", "USAGE"});
  d->same({"MEMORY", "USAGE", "missing"});
  d->same({"MEMORY", "usage", "missing", "SAMPLES", "0"});
  d->same({"MEMORY", "USAGE", "missing", "SAMPLES"});
  d->same({"MEMORY", "USAGE", "missing", "SAMPLES", "-1"});
  d->same({"MEMORY", "USAGE", "missing", "SAMPLES", "x"});
  d->same({"MEMORY", "USAGE", "missing", "SAMPLES", "99999999999999999999"});
  d->same({"MEMORY", "USAGE", "missing", "FOO"});
  d->same({"MEMORY", "USAGE", "missing", "SAMPLES", "1", "SAMPLES", "2"});
  d->same({"MEMORY", "USAGE", "missing", "SAMPLES", "1", "bar"});
  d->same({"MEMORY", "STATS", "x"});
  d->same({"MEMORY", "DOCTOR", "x"});
  d->same({"MEMORY", "MALLOC-STATS", "x"});
  d->same({"MEMORY", "PURGE", "x"});
  d->same({"MEMORY", "HELP", "x"});
  d->same({"MEMORY", "HELP"});
  d->same({"MEMORY", "PURGE"});
  // Options are checked before the key: errors on an existing key too.
  d->same({"SET", "k", "v"});
  d->same({"MEMORY", "USAGE", "k", "SAMPLES", "-5"});
  d->same({"MEMORY", "USAGE", "k", "nope"});
  // Inside MULTI the same.
  d->same({"MULTI"});
  d->same({"MEMORY", "USAGE", "missing"});
  d->same({"MEMORY", "PURGE"});
  d->same({"EXEC"});
}

TEST_F(memory, command_table_entries_like_redis) {
  d->same({"COMMAND", "GETKEYS", "MEMORY", "USAGE", "k"});
  d->same({"COMMAND", "GETKEYS", "MEMORY", "USAGE", "k", "SAMPLES", "3"});
  d->same({"COMMAND", "GETKEYS", "MEMORY", "STATS"});
  // Each subcommand's docs; the container lists them in its dict's order, which
  // Redis seeds at random, so compare the names only.
  for (const char* sub : {"memory|usage", "memory|stats", "memory|doctor", "memory|purge",
                          "memory|malloc-stats", "memory|help"})
    d->same({"COMMAND", "DOCS", sub});
  auto names = [](const resp_value& docs) {
    std::set<std::string> out;
    const resp_value& fields = docs.elements.at(1);
    for (size_t i = 0; i + 1 < fields.elements.size(); i += 2)
      if (fields.elements[i].str == "subcommands")
        for (size_t j = 0; j < fields.elements[i + 1].elements.size(); j += 2)
          out.insert(fields.elements[i + 1].elements[j].str);
    return out;
  };
  auto rd = names(d->redis_client().call({"COMMAND", "DOCS", "memory"}));
  EXPECT_EQ(rd.size(), 6u);
  EXPECT_EQ(rd, names(d->troupe_client().call({"COMMAND", "DOCS", "memory"})));
  // COMMAND INFO: name, arity, flags, key positions and ACL categories as Redis
  // (tips and key-spec details are Troupe's own elsewhere too).
  for (const char* name : {"memory", "memory|usage", "memory|stats", "memory|doctor",
                           "memory|purge", "memory|malloc-stats", "memory|help"}) {
    auto r = d->redis_client().call({"COMMAND", "INFO", name});
    auto t = d->troupe_client().call({"COMMAND", "INFO", name});
    ASSERT_EQ(r.elements.size(), 1u);
    ASSERT_EQ(t.elements.size(), 1u);
    for (size_t i : {0, 1, 2, 3, 4, 5, 6})
      EXPECT_EQ(r.elements[0].elements[i].to_string(), t.elements[0].elements[i].to_string())
          << name << " field " << i;
  }
}

TEST_F(memory, usage_replies_for_every_type) {
  load_every_type(*d);
  d->same({"OBJECT", "ENCODING", "hash:ht"});
  d->same({"OBJECT", "ENCODING", "zset:sl"});
  d->same({"OBJECT", "ENCODING", "set:ht"});
  for (const char* key : {"str:int", "str:emb", "str:raw", "list", "hash:lp", "hash:ht", "set:int",
                          "set:ht", "zset:lp", "zset:sl", "ttl"}) {
    for (std::vector<std::string> extra :
         {std::vector<std::string>{}, {"SAMPLES", "0"}, {"SAMPLES", "1"}}) {
      std::vector<std::string> cmd = {"MEMORY", "USAGE", key};
      cmd.insert(cmd.end(), extra.begin(), extra.end());
      auto r = d->redis_client().call(cmd);
      auto t = d->troupe_client().call(cmd);
      EXPECT_EQ(r.type, resp_value::kind::integer) << key;
      EXPECT_EQ(t.type, resp_value::kind::integer) << key << " " << t.to_string();
      // At least the key, the value and a pointer to it.
      EXPECT_GT(t.integer, int64_t(std::string(key).size() + sizeof(void*))) << key;
    }
  }
}

TEST_F(memory, usage_grows_with_the_value) {
  resp_client& c = d->troupe_client();
  std::string mb(1024 * 1024, 'x');
  c.call({"SET", "big", mb});
  EXPECT_GE(c.call({"MEMORY", "USAGE", "big"}).integer, int64_t(mb.size()));
  c.call({"SET", "small", "x"});
  EXPECT_LT(c.call({"MEMORY", "USAGE", "small"}).integer, 200);

  auto fill_hash = [&](const std::string& key, int n) {
    for (int i = 0; i < n; i += 500) {
      std::vector<std::string> cmd = {"HSET", key};
      for (int j = i; j < std::min(n, i + 500); ++j) {
        cmd.push_back("field:" + std::to_string(j));
        cmd.push_back("value:" + std::to_string(j));
      }
      c.call(cmd);
    }
  };
  fill_hash("h10", 10);
  fill_hash("h10k", 10000);
  int64_t h10 = c.call({"MEMORY", "USAGE", "h10"}).integer;
  int64_t h10k = c.call({"MEMORY", "USAGE", "h10k", "SAMPLES", "0"}).integer;
  int64_t h10k_sampled = c.call({"MEMORY", "USAGE", "h10k"}).integer;
  EXPECT_GT(h10k, 100 * h10);
  // Each field holds at least its field and value bytes (some 20 bytes).
  EXPECT_GT(h10k, 10000 * 20);
  // Sampling five fields of similar ones lands near the exact sum.
  EXPECT_GT(h10k_sampled, h10k / 2);
  EXPECT_LT(h10k_sampled, h10k * 2);

  // Lists, sets and sorted sets grow too, in both encodings.
  auto fill = [&](const std::string& cmd, const std::string& key, int n, bool scored) {
    for (int i = 0; i < n; i += 500) {
      std::vector<std::string> args = {cmd, key};
      for (int j = i; j < std::min(n, i + 500); ++j) {
        if (scored) args.push_back(std::to_string(j));
        args.push_back("member:" + std::to_string(j));
      }
      c.call(args);
    }
  };
  for (auto [cmd, scored] : std::vector<std::pair<std::string, bool>>{
           {"RPUSH", false}, {"SADD", false}, {"ZADD", true}}) {
    fill(cmd, cmd + ":small", 5, scored);
    fill(cmd, cmd + ":big", 20000, scored);
    int64_t small = c.call({"MEMORY", "USAGE", cmd + ":small"}).integer;
    int64_t big = c.call({"MEMORY", "USAGE", cmd + ":big", "SAMPLES", "0"}).integer;
    EXPECT_GT(big, 20000 * 8) << cmd;
    EXPECT_GT(big, 100 * small) << cmd;
  }
  // Integers in an intset: 20000 of them hold at least 2 bytes each.
  for (int i = 0; i < 500; ++i) c.call({"SADD", "ints", std::to_string(i * 1000)});
  EXPECT_GT(c.call({"MEMORY", "USAGE", "ints"}).integer, 500 * 2);
}

TEST_F(memory, usage_summed_over_keys_is_of_the_order_of_the_dataset) {
  if (!glibc_heap) GTEST_SKIP() << "heap figures need glibc's allocator";
  resp_client& c = d->troupe_client();
  int64_t before = info_field(c, "memory", "used_memory_dataset");
  // About 20 MB of mixed data, pipelined.
  for (int i = 0; i < 20000; ++i) {
    std::string n = std::to_string(i);
    c.append({"SET", "s:" + n, std::string(100, 'x')});
    if (i % 10 == 0) {
      c.append({"RPUSH", "l:" + n, "a", "bb", "ccc", std::string(300, 'l')});
      c.append({"HSET", "h:" + n, "f1", "v1", "f2", std::string(300, 'h')});
      c.append({"SADD", "z:" + n, "1", "2", "member"});
    }
  }
  for (int i = 0; i < 200; ++i) {
    std::vector<std::string> cmd = {"ZADD", "bigz"};
    for (int j = 0; j < 100; ++j) {
      cmd.push_back(std::to_string(i * 100 + j));
      cmd.push_back("m" + std::to_string(i * 100 + j));
    }
    c.append(cmd);
  }
  c.flush();
  for (int i = 0; i < 20000 + 3 * 2000 + 200; ++i) ASSERT_FALSE(c.read_reply().is_error());

  int64_t sum = 0, keys = 0;
  std::string cursor = "0";
  do {
    auto r = c.call({"SCAN", cursor, "COUNT", "1000"});
    cursor = r.elements[0].str;
    for (auto& k : r.elements[1].elements) c.append({"MEMORY", "USAGE", k.str, "SAMPLES", "0"});
    c.flush();
    for (size_t i = 0; i < r.elements[1].elements.size(); ++i) {
      auto v = c.read_reply();
      ASSERT_EQ(v.type, resp_value::kind::integer) << v.to_string();
      sum += v.integer;
      ++keys;
    }
  } while (cursor != "0");
  EXPECT_EQ(keys, 20000 + 3 * 2000 + 1);
  int64_t dataset = info_field(c, "memory", "used_memory_dataset") - std::max<int64_t>(before, 0);
  int64_t overhead_keys = 0;
  auto stats = c.call({"MEMORY", "STATS"});
  for (size_t i = 0; i + 1 < stats.elements.size(); i += 2)
    if (stats.elements[i].str == "db.0")
      for (size_t j = 0; j + 1 < stats.elements[i + 1].elements.size(); j += 2)
        overhead_keys += stats.elements[i + 1].elements[j + 1].integer;
  // MEMORY USAGE counts the key's indexing too, which INFO files under overhead.
  double ratio = double(sum) / double(dataset + overhead_keys);
  EXPECT_GT(ratio, 0.7) << "sum " << sum << " dataset " << dataset << " index " << overhead_keys;
  EXPECT_LT(ratio, 1.3) << "sum " << sum << " dataset " << dataset << " index " << overhead_keys;
}

TEST_F(memory, stats_has_redis_fields_in_redis_order) {
  load_every_type(*d);
  d->same({"SELECT", "3"});
  d->same({"SET", "other", "db"});
  d->same({"SELECT", "0"});
  for (int resp : {2, 3}) {
    d->both({"HELLO", std::to_string(resp)});
    auto r = d->redis_client().call({"MEMORY", "STATS"});
    auto t = d->troupe_client().call({"MEMORY", "STATS"});
    EXPECT_EQ(stats_shape(r), stats_shape(t)) << t.to_string();
  }
  d->both({"HELLO", "2"});
  auto t = d->troupe_client().call({"MEMORY", "STATS"});
  std::map<std::string, resp_value> f;
  for (size_t i = 0; i + 1 < t.elements.size(); i += 2) f[t.elements[i].str] = t.elements[i + 1];
  EXPECT_EQ(f["keys.count"].integer, 12);
  if (glibc_heap) {
    EXPECT_GT(f["total.allocated"].integer, f["startup.allocated"].integer);
  }
  EXPECT_GE(f["peak.allocated"].integer, f["total.allocated"].integer);
  EXPECT_EQ(f["dataset.bytes"].integer, f["total.allocated"].integer - f["overhead.total"].integer);
  // The indexing of db 0 and db 3: buckets and entry headers.
  EXPECT_GT(f["db.0"].elements[1].integer, 11 * 13);
  EXPECT_GT(f["db.0"].elements[3].integer, 0);  // one key with a TTL
  EXPECT_GT(f["db.3"].elements[1].integer, 0);
  EXPECT_EQ(f["db.3"].elements[3].integer, 0);
  // INFO memory reports the same overhead (a moment later: allow for this reply).
  int64_t info_overhead = info_field(d->troupe_client(), "memory", "used_memory_overhead");
  EXPECT_NEAR(double(info_overhead), double(f["overhead.total"].integer), 64 * 1024);
}

TEST_F(memory, doctor_malloc_stats_purge_help_shapes) {
  for (int resp : {2, 3}) {
    d->both({"HELLO", std::to_string(resp)});
    auto r = d->redis_client().call({"MEMORY", "DOCTOR"});
    auto t = d->troupe_client().call({"MEMORY", "DOCTOR"});
    EXPECT_EQ(r.type, t.type);
    EXPECT_FALSE(t.str.empty());
    r = d->redis_client().call({"MEMORY", "MALLOC-STATS"});
    t = d->troupe_client().call({"MEMORY", "MALLOC-STATS"});
    EXPECT_EQ(r.type, t.type);
    EXPECT_NE(t.str.find("<malloc"), std::string::npos) << t.str;  // glibc's report
    d->same({"MEMORY", "PURGE"});
    d->same({"MEMORY", "HELP"});
  }
  d->both({"HELLO", "2"});
}

TEST_F(memory, doctor_reports_what_it_sees) {
  if (!glibc_heap) GTEST_SKIP() << "heap figures need glibc's allocator";
  resp_client& c = d->troupe_client();
  EXPECT_NE(c.call({"MEMORY", "DOCTOR"}).str.find("less than 5 MB"), std::string::npos);
  // 40 MB of data, then most of it freed: the peak is far above what is in use.
  for (int i = 0; i < 40; ++i)
    c.call({"SET", "blob:" + std::to_string(i), std::string(1 << 20, 'b')});
  c.call({"INFO", "memory"});  // the peak is what was seen (here, or by the cron)
  for (int i = 0; i < 30; ++i) c.call({"DEL", "blob:" + std::to_string(i)});
  std::string report = c.call({"MEMORY", "DOCTOR"}).str;
  EXPECT_NE(report.find("Peak memory"), std::string::npos) << report;
}

TEST_F(memory, redis_cli_memkeys_and_bigkeys_see_every_type) {
  load_every_type(*d);
  std::string out = d->troupe().cli({"--memkeys"});
  for (const char* type : {"string", "list", "hash", "set", "zset"}) {
    std::regex re(std::string("Biggest +") + type + " found '.*' has (\\d+) bytes");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, re)) << type << "\n" << out;
    EXPECT_GT(std::stoll(m[1]), 0) << type << "\n" << out;
  }
  out = d->troupe().cli({"--bigkeys"});
  for (const char* type : {"string", "list", "hash", "set", "zset"}) {
    std::regex re(std::string("Biggest +") + type + " found '.*' has (\\d+) ");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(out, m, re)) << type << "\n" << out;
    EXPECT_GT(std::stoll(m[1]), 0) << type << "\n" << out;
  }
}
