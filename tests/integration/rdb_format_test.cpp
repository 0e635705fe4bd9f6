// RDB files between Troupe and a real redis-server 7.0, in both directions:
// (a) Redis fills every type and encoding and SAVEs; our loader must read back
//     exactly what Redis holds, with compression and checksums on or off;
// (b) our encoder writes values built through Troupe's storage API; redis-server
//     must load the file and hold the same data, and redis-check-rdb accept it;
// plus troupe-check-rdb on good and damaged files.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "storage/encodings/crc64.hpp"
#include "storage/rdb/rdb_encoder.hpp"
#include "storage/rdb/rdb_loader.hpp"
#include "support/server_process.hpp"
#include "unit/rdb_server_snapshot.hpp"
#include "unit/rdb_test_values.hpp"

using namespace troupe;
using namespace troupe::test;
using namespace troupe::rdb_test;

namespace {

int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void write_file(const std::string& path, const std::string& data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), std::streamsize(data.size()));
}

// Loads a file with our loader; every key as a canonical line, sorted.
std::vector<std::string> load_file(const std::string& path, rdb_load_result& res) {
  rdb_file_source src(path);
  std::vector<std::string> out;
  rdb_callbacks cb;
  cb.on_entry = [&](int db, kv_entry* e) {
    out.push_back(canonical(db, e));
    destroy_entry(e);
  };
  res = load_rdb(src, rdb_load_options{}, cb);
  std::sort(out.begin(), out.end());
  return out;
}

void expect_same_lines(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  EXPECT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size() && i < got.size(); ++i)
    EXPECT_EQ(want[i].substr(0, 300), got[i].substr(0, 300)) << "line " << i;
  EXPECT_TRUE(want == got);
}

std::string check_rdb(const std::string& path, int& status) {
  return run_command(std::string(TROUPE_CHECK_RDB_PATH) + " " + path + " 2>&1", &status);
}

}  // namespace

TEST(rdb_format, redis_dump_loads_with_every_value) {
  std::string path;
  for (const char* setting : {"no", "yes"}) {
    SCOPED_TRACE(std::string("rdbcompression/rdbchecksum ") + setting);
    server_process redis({"--rdbcompression", setting, "--rdbchecksum", setting},
                         server_process::kind::redis);
    ASSERT_TRUE(redis.start());
    resp_client c = redis.client();
    for (auto& r : pipeline(c, every_type_commands(now_ms()))) ASSERT_FALSE(r.is_error()) << r.str;
    std::vector<std::string> expected = snapshot(c);
    ASSERT_GT(expected.size(), 30u);
    ASSERT_EQ(c.call({"SAVE"}).str, "OK");
    path = redis.dir() + "/dump.rdb";
    rdb_load_result res;
    std::vector<std::string> got = load_file(path, res);
    ASSERT_TRUE(res.ok) << res.error << " at offset " << res.error_offset;
    EXPECT_EQ(res.version, 10);
    EXPECT_EQ(res.checksum,
              std::string(setting) == "yes" ? rdb_checksum::verified : rdb_checksum::disabled);
    expect_same_lines(expected, got);
    EXPECT_EQ(res.dbs.size(), 3u);
    EXPECT_EQ(res.dbs[0].expires, 2u);

    int status;
    std::string out = check_rdb(path, status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("RDB looks OK"), std::string::npos) << out;
    redis.stop();
  }
  // Damaged copies of Redis's file, checksum ignored: an error or odd values,
  // never a crash (run under the sanitizers in CI).
  std::string file = read_file(path);
  std::mt19937_64 rng(31);
  rdb_load_options no_crc;
  no_crc.verify_checksum = false;
  for (int i = 0; i < 400; ++i) {
    std::string d = file;
    for (int k = 0, n = 1 + int(rng() % 3); k < n; ++k) d[9 + rng() % (d.size() - 9)] = char(rng());
    rdb_memory_source src(d);
    rdb_callbacks cb;
    cb.on_entry = [](int, kv_entry* e) { destroy_entry(e); };
    rdb_load_result r = load_rdb(src, no_crc, cb);
    EXPECT_TRUE(r.ok || !r.error.empty());
  }
  // A damaged copy is refused with the offset.
  std::string data = read_file(path);
  data[data.size() / 2] ^= 0x5a;
  std::string bad = path + ".bad";
  write_file(bad, data);
  int status;
  std::string out = check_rdb(bad, status);
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("RDB ERROR DETECTED"), std::string::npos) << out;
  EXPECT_NE(out.find("[offset "), std::string::npos) << out;
  write_file(bad, data.substr(0, data.size() - 100));
  out = check_rdb(bad, status);
  EXPECT_EQ(status, 1) << out;
}

TEST(rdb_format, troupe_rdb_loads_into_redis) {
  const int64_t now = now_ms();
  std::mt19937_64 rng(77);
  auto rnd = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& ch : s) ch = char(rng());
    return s;
  };
  std::map<int, std::vector<kv_entry*>> dbs;
  auto& d0 = dbs[0];
  for (const char* v : {"0", "-1", "127", "-128", "300", "-40000", "2147483647", "-2147483648",
                        "2147483648", "9223372036854775807", "007", "hello", ""})
    d0.push_back(make_str(std::string("s:") + v, v));
  d0.push_back(make_str("s:raw", std::string(60, 'r') + "x"));
  d0.push_back(make_str("s:lzf", std::string(5000, 'z') + "end"));
  d0.push_back(make_str("s:bin", rnd(3000)));
  d0.push_back(make_list("l:small", {"a", "1", "-70000", "b", ""}));
  std::vector<std::string> big;
  for (int i = 0; i < 3000; ++i)
    big.push_back(i % 3 ? std::to_string(i * 7919) : "v" + std::to_string(i));
  d0.push_back(make_list("l:big", big));
  // 16378 bytes: encoding + data of exactly 16383, where Redis's back-length
  // size differs from Troupe's in-memory one.
  d0.push_back(make_list("l:huge", {std::string(16378, 'q'), rnd(20000), "tail"}));
  d0.push_back(make_hash("h:small", {{"f1", "v1"}, {"n", "12345"}, {"empty", ""}}));
  std::vector<std::pair<std::string, std::string>> hp;
  for (int i = 0; i < 700; ++i) hp.emplace_back("field" + std::to_string(i), std::to_string(i * 3));
  d0.push_back(make_hash("h:big", hp));
  d0.push_back(make_hash("h:long", {{"a", std::string(100, 'x')}, {"b", "2"}}));
  d0.push_back(make_set("set:int", {"1", "2", "-3", "100000", "5000000000"}));
  std::vector<std::string> si;
  for (int i = 0; i < 600; ++i) si.push_back(std::to_string(i * 11));
  d0.push_back(make_set("set:bigint", si));
  d0.push_back(make_set("set:str", {"a", "b", "1", "cc", rnd(30)}));
  d0.push_back(make_zset("z:small", {{"a", 1},
                                     {"b", 2.5},
                                     {"c", -1e300},
                                     {"d", INFINITY},
                                     {"e", -INFINITY},
                                     {"f", 0.1},
                                     {"12", 12},
                                     {"x", 3}}));
  std::vector<std::pair<std::string, double>> zp;
  for (int i = 0; i < 300; ++i) zp.emplace_back("m" + std::to_string(i), i * 0.25 - 7);
  d0.push_back(make_zset("z:big", zp));
  d0.push_back(make_zset("z:long", {{std::string(80, 'm'), 3}, {"n", 4}}));
  kv_entry* t = set_expire_slot(make_str("ttl:s", "v"), true);
  t->set_expire_at(now + 3600000);
  d0.push_back(t);
  t = set_expire_slot(make_hash("ttl:h", {{"a", "b"}}), true);
  t->set_expire_at(now + 7200000);
  d0.push_back(t);
  dbs[3].push_back(make_str("db3:s", "three"));
  dbs[3].push_back(make_list("db3:l", {"x", "y"}));
  dbs[15].push_back(make_set("db15:set", {"p", "q"}));

  std::vector<std::string> expected;
  for (auto& [db, entries] : dbs)
    for (auto* e : entries) expected.push_back(canonical(db, e));
  std::sort(expected.begin(), expected.end());

  std::string dir = temp_dir("troupe-rdb");
  for (bool compression : {true, false}) {
    SCOPED_TRACE(compression ? "compressed" : "not compressed");
    std::string file;
    rdb_encoder enc(file, compression);
    enc.header();
    enc.aux("redis-ver", "7.0.15");
    enc.aux("redis-bits", int64_t(64));
    enc.aux("ctime", now / 1000);
    enc.aux("used-mem", int64_t(1234567));
    enc.aux("aof-base", int64_t(0));
    for (auto& [db, entries] : dbs) {
      enc.select_db(db);
      uint64_t expires = 0;
      for (auto* e : entries) expires += e->has_expire();
      enc.resize_db(entries.size(), expires);
      // IDLE records on some keys, as under an LRU policy.
      for (auto* e : entries) enc.entry(e, db == 3 ? rdb::lru_mode::lru : rdb::lru_mode::none, 100);
    }
    enc.eof();
    enc.trailer(crc64(0, file.data(), file.size()));
    std::string name = compression ? "troupe-lzf.rdb" : "troupe-plain.rdb";
    write_file(dir + "/" + name, file);

    int status;
    std::string out = run_command("redis-check-rdb " + dir + "/" + name + " 2>&1", &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("RDB looks OK"), std::string::npos) << out;

    server_process redis({"--dir", dir, "--dbfilename", name}, server_process::kind::redis);
    ASSERT_TRUE(redis.start()) << redis.log_text();
    resp_client c = redis.client();
    expect_same_lines(expected, snapshot(c));
    EXPECT_EQ(c.call({"DBSIZE"}).integer, int64_t(dbs[0].size()));
    redis.stop();

    out = check_rdb(dir + "/" + name, status);
    EXPECT_EQ(status, 0) << out;
  }
  for (auto& [db, entries] : dbs)
    for (auto* e : entries) destroy_entry(e);
  run_command("rm -rf " + dir);
}
