// RDB encoder and loader: round trips of every type and encoding, the encodings
// chosen on load from the limits, the old formats (ziplist, zipmap, text
// scores), DUMP payloads, and corrupt input reported as errors.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "rdb_test_values.hpp"
#include "storage/encodings/crc64.hpp"
#include "storage/rdb/rdb_dump.hpp"
#include "storage/rdb/rdb_encoder.hpp"
#include "storage/rdb/rdb_listpack.hpp"
#include "storage/rdb/rdb_loader.hpp"

using namespace troupe;
using namespace troupe::rdb_test;

namespace {

struct loaded {
  rdb_load_result res;
  std::map<std::pair<int, std::string>, std::string> values;  // (db, key) -> describe
  std::map<std::pair<int, std::string>, int64_t> expires;
  std::map<std::pair<int, std::string>, uint32_t> lru;
};

loaded load(std::string_view file, rdb_load_options opt = {}) {
  loaded out;
  rdb_memory_source src(file);
  rdb_callbacks cb;
  cb.on_entry = [&](int db, kv_entry* e) {
    std::pair<int, std::string> k{db, std::string(e->key())};
    out.values[k] = describe(e);
    if (e->has_expire()) out.expires[k] = e->expire_at();
    out.lru[k] = e->lru();
    destroy_entry(e);
  };
  out.res = load_rdb(src, opt, cb);
  return out;
}

template <class M>
typename M::mapped_type at(M& m, int db, const std::string& key) {
  return m[{db, key}];
}
size_t count(const std::map<std::pair<int, std::string>, std::string>& m, int db,
             const std::string& key) {
  return m.count({db, key});
}

void finish(std::string& file, rdb_encoder& enc) {
  enc.eof();
  enc.trailer(crc64(0, file.data(), file.size()));
}

// A ziplist built by hand (strings only, plus small integers), for old formats.
std::string ziplist(const std::vector<std::string>& items) {
  std::string body;
  size_t prev = 0, last = 10;
  for (auto& s : items) {
    std::string e;
    e.push_back(char(prev));                            // all entries here are short
    if (s.size() == 1 && s[0] >= '0' && s[0] <= '9') {  // a 4-bit immediate
      e.push_back(char(0xF1 + (s[0] - '0')));
    } else {
      e.push_back(char(s.size()));  // 00pppppp
      e += s;
    }
    last = 10 + body.size();
    body += e;
    prev = e.size();
  }
  std::string z(10, '\0');
  z += body;
  z.push_back(char(0xFF));
  uint32_t total = uint32_t(z.size()), tail = uint32_t(items.empty() ? 10 : last);
  uint16_t count = uint16_t(items.size());
  memcpy(z.data(), &total, 4);
  memcpy(z.data() + 4, &tail, 4);
  memcpy(z.data() + 8, &count, 2);
  return z;
}

std::string zipmap(const std::vector<std::pair<std::string, std::string>>& items) {
  std::string z;
  z.push_back(char(items.size()));
  for (auto& [f, v] : items) {
    z.push_back(char(f.size()));
    z += f;
    z.push_back(char(v.size()));
    z.push_back(char(2));  // two free bytes after the value
    z += v;
    z += "..";
  }
  z.push_back(char(0xFF));
  return z;
}

}  // namespace

TEST(rdb_encoder, primitives_follow_redis_encoding) {
  std::string out;
  rdb_encoder enc(out);
  enc.header();
  EXPECT_EQ(out, "REDIS0010");
  out.clear();
  enc.length(10);
  enc.length(300);
  enc.length(70000);
  enc.length(uint64_t(1) << 33);
  EXPECT_EQ(
      out, std::string("\x0a\x41\x2c\x80\x00\x01\x11\x70\x81\x00\x00\x00\x02\x00\x00\x00\x00", 17));
  out.clear();
  enc.string("12");
  enc.string("-300");
  enc.string("100000");
  enc.string("012");         // not canonical: plain
  enc.string("2147483648");  // beyond 32 bits: plain
  EXPECT_EQ(out, std::string("\xc0\x0c\xc1\xd4\xfe\xc2\xa0\x86\x01\x00\x03"
                             "012\x0a"
                             "2147483648",
                             25));
  out.clear();
  std::string rep(100, 'a');
  enc.string(rep);
  EXPECT_EQ(uint8_t(out[0]), 0xC3);  // LZF
  EXPECT_LT(out.size(), 20u);
  out.clear();
  enc.set_compression(false);
  enc.string(rep);
  EXPECT_EQ(out.size(), 102u);  // 14-bit length + bytes
}

TEST(rdb, round_trip_every_type_and_encoding) {
  std::vector<kv_entry*> db0, db3;
  std::mt19937_64 rng(42);
  auto rnd = [&](size_t n) {
    std::string s(n, '\0');
    for (auto& ch : s) ch = char(rng());
    return s;
  };
  // Strings: integers of every width, short, long, compressible, binary, empty.
  for (const char* v : {"0", "-1", "127", "-128", "300", "-40000", "2147483647", "-2147483648",
                        "2147483648", "9223372036854775807", "007", "hello", ""})
    db0.push_back(make_str(std::string("s:") + v, v));
  db0.push_back(make_str("s:raw", std::string(60, 'r') + "x"));
  db0.push_back(make_str("s:lzf", std::string(5000, 'z')));
  db0.push_back(make_str("s:bin", rnd(3000)));
  // Lists: small, many nodes, integers mixed in, big elements, the listpack
  // back-length boundary (an entry of exactly 16383 bytes of encoding + data).
  db0.push_back(make_list("l:small", {"a", "1", "-70000", "b"}));
  std::vector<std::string> big;
  for (int i = 0; i < 5000; ++i)
    big.push_back(i % 3 ? std::to_string(i * 7919) : "v" + std::to_string(i));
  db0.push_back(make_list("l:big", big));
  db0.push_back(make_list("l:huge_elems", {std::string(16378, 'q'), rnd(70000), "tail"}));
  db0.push_back(make_list("l:fill5", big, 5));
  // Hashes: listpack and table (by count and by length).
  db0.push_back(make_hash("h:small", {{"f1", "v1"}, {"n", "12345"}, {"f3", ""}}));
  std::vector<std::pair<std::string, std::string>> hp;
  for (int i = 0; i < 700; ++i) hp.emplace_back("field" + std::to_string(i), std::to_string(i));
  db0.push_back(make_hash("h:big", hp));
  db0.push_back(make_hash("h:long", {{"a", std::string(100, 'x')}}));
  // Sets: intset (16/32/64 bits), table.
  db0.push_back(make_set("set:int", {"1", "2", "-3", "100000", "5000000000"}));
  std::vector<std::string> members;
  for (int i = 0; i < 600; ++i) members.push_back(std::to_string(i));
  db0.push_back(make_set("set:bigint", members));
  db0.push_back(make_set("set:str", {"a", "b", "1", "cc"}));
  // Sorted sets: listpack, skiplist, special scores.
  db0.push_back(make_zset("z:small", {{"a", 1},
                                      {"b", 2.5},
                                      {"c", -1e300},
                                      {"d", INFINITY},
                                      {"e", -INFINITY},
                                      {"f", 0.1},
                                      {"12", 12}}));
  std::vector<std::pair<std::string, double>> zp;
  for (int i = 0; i < 300; ++i) zp.emplace_back("m" + std::to_string(i), i * 0.5 - 7);
  db0.push_back(make_zset("z:big", zp));
  db0.push_back(make_zset("z:long", {{std::string(80, 'm'), 3}}));
  // TTLs in another database.
  db3.push_back(make_str("ttl:future", "x"));
  db3.push_back(make_str("ttl:past", "y"));
  db3.push_back(make_hash("ttl:hash", {{"a", "b"}}));
  auto with_ttl = [](kv_entry* e, int64_t when) {
    e = set_expire_slot(e, true);
    e->set_expire_at(when);
    return e;
  };
  const int64_t now = 1700000000000;
  db3[0] = with_ttl(db3[0], now + 100000);
  db3[1] = with_ttl(db3[1], now - 1);
  db3[2] = with_ttl(db3[2], now + 5);

  for (bool compression : {true, false}) {
    std::string file;
    rdb_encoder enc(file, compression);
    enc.header();
    enc.aux("redis-ver", "7.0.15");
    enc.aux("ctime", int64_t(1700000000));
    enc.select_db(0);
    enc.resize_db(db0.size(), 0);
    for (auto* e : db0) enc.entry(e);
    enc.select_db(3);
    enc.resize_db(db3.size(), db3.size());
    for (auto* e : db3) enc.entry(e);
    finish(file, enc);

    rdb_load_options opt;
    opt.now_ms = now;
    loaded l = load(file, opt);
    ASSERT_TRUE(l.res.ok) << l.res.error << " at " << l.res.error_offset;
    EXPECT_EQ(l.res.version, 10);
    EXPECT_EQ(l.res.checksum, rdb_checksum::verified);
    EXPECT_EQ(l.res.bytes, file.size());
    ASSERT_EQ(l.res.aux.size(), 2u);
    EXPECT_EQ(l.res.aux[1].second, "1700000000");
    for (auto* e : db0) EXPECT_EQ(at(l.values, 0, std::string(e->key())), describe(e)) << e->key();
    EXPECT_EQ(at(l.values, 3, "ttl:future"), describe(db3[0]));
    EXPECT_EQ(at(l.expires, 3, "ttl:future"), now + 100000);
    EXPECT_EQ(count(l.values, 3, "ttl:past"), 0u);
    EXPECT_EQ(l.res.expired_skipped, 1u);
    EXPECT_EQ(l.res.dbs[3].expires, 2u);
    EXPECT_EQ(l.res.types[rdb::type_list_quicklist_2], 4u);
    EXPECT_EQ(l.res.types[rdb::type_hash_listpack], 2u);
    EXPECT_EQ(l.res.types[rdb::type_hash], 2u);
    EXPECT_EQ(l.res.types[rdb::type_set_intset], 1u);
    EXPECT_EQ(l.res.types[rdb::type_set], 2u);
    EXPECT_EQ(l.res.types[rdb::type_zset_listpack], 1u);
    EXPECT_EQ(l.res.types[rdb::type_zset_2], 2u);

    // Replicas keep expired keys.
    opt.keep_expired = true;
    loaded k = load(file, opt);
    EXPECT_EQ(count(k.values, 3, "ttl:past"), 1u);
  }
  for (auto* e : db0) destroy_entry(e);
  for (auto* e : db3) destroy_entry(e);
}

TEST(rdb, listpacks_written_are_redis_exact) {
  // An entry whose encoding + data is 16383 bytes needs a 3-byte back-length in
  // Redis; what we write must pass a Redis-rule check.
  kv_entry* e = make_list("l", {std::string(16378, 'q'), "x"});
  std::string file;
  rdb_encoder enc(file, false);
  enc.value(e);
  // type (1), node count (1), container (1), length (marker + 4 bytes), listpack;
  // the big element fills the first node by itself.
  size_t at = 1 + 1 + 1 + 5;
  uint32_t total;
  memcpy(&total, file.data() + at, 4);
  ASSERT_LE(at + total, file.size());
  std::string_view lp(file.data() + at, total);
  rdb::listpack_info info;
  std::string err;
  EXPECT_TRUE(
      rdb::check_listpack(reinterpret_cast<const unsigned char*>(lp.data()), lp.size(), info, err))
      << err;
  EXPECT_EQ(info.count, 1u);
  EXPECT_FALSE(info.troupe_layout);
  destroy_entry(e);
}

TEST(rdb, load_picks_encodings_from_limits) {
  std::vector<std::pair<std::string, std::string>> hp;
  for (int i = 0; i < 100; ++i) hp.emplace_back("f" + std::to_string(i), "v");
  kv_entry* h = make_hash("h", hp);  // listpack under the default limits
  std::vector<std::pair<std::string, double>> zp;
  for (int i = 0; i < 100; ++i) zp.emplace_back("m" + std::to_string(i), i);
  kv_entry* z = make_zset("z", zp);
  std::vector<std::string> ints;
  for (int i = 0; i < 100; ++i) ints.push_back(std::to_string(i));
  kv_entry* s = make_set("s", ints);
  std::vector<std::string> strs = {"a", "b"};
  kv_entry* t = make_set("t", strs);
  std::string file;
  rdb_encoder enc(file);
  enc.header();
  for (auto* e : {h, z, s, t}) enc.entry(e);
  finish(file, enc);

  rdb_load_options small;
  small.limits.hash.max_entries = 10;
  small.limits.zset.max_entries = 10;
  small.limits.set_max_intset_entries = 10;
  loaded a = load(file, small);
  ASSERT_TRUE(a.res.ok) << a.res.error;
  EXPECT_EQ(at(a.values, 0, "h").substr(0, 14), "hash hashtable");
  EXPECT_EQ(at(a.values, 0, "z").substr(0, 13), "zset skiplist");
  EXPECT_EQ(at(a.values, 0, "s").substr(0, 13), "set hashtable");

  // And back: a table-encoded hash in the file becomes a listpack when it fits.
  kv_entry* big = make_hash("hb", hp, hash_limits{10, 64});
  ASSERT_EQ(big->encoding(), value_encoding::hashtable);
  std::string f2;
  rdb_encoder e2(f2);
  e2.header();
  e2.entry(big);
  e2.entry(t);
  finish(f2, e2);
  loaded b = load(f2);
  ASSERT_TRUE(b.res.ok) << b.res.error;
  EXPECT_EQ(at(b.values, 0, "hb"), describe(h));
  EXPECT_EQ(at(b.values, 0, "t"), describe(t));
  for (auto* e : {h, z, s, t, big}) destroy_entry(e);
}

namespace {

// A version 6 file with LIST (1), ZSET (3, text scores), LIST_ZIPLIST (10),
// HASH_ZIPMAP (9), HASH_ZIPLIST (13), ZSET_ZIPLIST (12), LIST_QUICKLIST (14),
// EXPIRETIME in seconds.
std::string old_format_file(uint32_t secs) {
  std::string file;
  rdb_encoder enc(file);
  file += "REDIS0006";
  enc.select_db(0);
  enc.byte(rdb::type_list);
  enc.string("list1");
  enc.length(3);
  enc.string("a");
  enc.string("22");
  enc.string(std::string(40, 'c'));
  enc.byte(rdb::op_expiretime);
  file.append(reinterpret_cast<const char*>(&secs), 4);
  enc.byte(rdb::type_zset);
  enc.string("zset3");
  enc.length(3);
  enc.string("x");
  file +=
      "\x03"
      "1.5";
  enc.string("y");
  file.push_back(char(rdb::double_neg_inf));
  enc.string("z");
  file +=
      "\x02"
      "-2";
  enc.byte(rdb::type_list_ziplist);
  enc.string("zl");
  enc.string(ziplist({"a", "7", "bb", "12"}));
  enc.byte(rdb::type_hash_zipmap);
  enc.string("zm");
  enc.string(zipmap({{"f", "v"}, {"name", "troupe"}}));
  enc.byte(rdb::type_hash_ziplist);
  enc.string("hz");
  enc.string(ziplist({"f", "1", "g", "two"}));
  enc.byte(rdb::type_zset_ziplist);
  enc.string("zz");
  enc.string(ziplist({"a", "1", "b", "2.5"}));
  enc.byte(rdb::type_list_quicklist);
  enc.string("ql");
  enc.length(2);
  enc.string(ziplist({"1", "2"}));
  enc.string(ziplist({"3"}));
  finish(file, enc);
  return file;
}

}  // namespace

TEST(rdb, old_encodings_load) {
  uint32_t secs = 4000000000u / 2;  // 2033
  std::string file = old_format_file(secs);
  loaded l = load(file);
  ASSERT_TRUE(l.res.ok) << l.res.error << " at " << l.res.error_offset;
  EXPECT_EQ(l.res.version, 6);
  EXPECT_EQ(at(l.values, 0, "list1"), "list quicklist: [a] [22] [" + std::string(40, 'c') + "]");
  EXPECT_EQ(at(l.expires, 0, "zset3"), int64_t(secs) * 1000);
  EXPECT_EQ(at(l.values, 0, "zset3"), "zset listpack: [y@-inf] [z@-2] [x@1.5]");
  EXPECT_EQ(at(l.values, 0, "zl"), "list quicklist: [a] [7] [bb] [12]");
  EXPECT_EQ(at(l.values, 0, "zm"), "hash listpack: [f=v] [name=troupe]");
  EXPECT_EQ(at(l.values, 0, "hz"), "hash listpack: [f=1] [g=two]");
  EXPECT_EQ(at(l.values, 0, "zz"), "zset listpack: [a@1] [b@2.5]");
  EXPECT_EQ(at(l.values, 0, "ql"), "list quicklist: [1] [2] [3]");
}

TEST(rdb, lru_and_lfu_records) {
  kv_entry* a = make_str("a", "1");
  a->set_lru(1000);
  std::string file;
  rdb_encoder enc(file);
  enc.header();
  enc.entry(a, rdb::lru_mode::lru, 1100);  // idle 100 s
  a->set_lru((77u << 8) | 42);
  enc.entry(a, rdb::lru_mode::lfu);
  finish(file, enc);
  EXPECT_NE(file.find(std::string("\xf8\x40\x64", 3)), std::string::npos);  // IDLE 100
  EXPECT_NE(file.find(std::string("\xf9\x2a", 2)), std::string::npos);      // FREQ 42
  rdb_load_options opt;
  opt.lru = rdb::lru_mode::lru;
  opt.lru_clock = 5000;
  rdb_memory_source src(file);
  std::vector<uint32_t> lrus;
  rdb_callbacks cb;
  cb.on_entry = [&](int, kv_entry* e) {
    lrus.push_back(e->lru());
    destroy_entry(e);
  };
  auto res = load_rdb(src, opt, cb);
  ASSERT_TRUE(res.ok) << res.error;
  ASSERT_EQ(lrus.size(), 2u);
  EXPECT_EQ(lrus[0], 4900u);
  EXPECT_EQ(lrus[1], 5000u);
  opt.lru = rdb::lru_mode::lfu;
  opt.lfu_minutes = 9;
  rdb_memory_source src2(file);
  lrus.clear();
  res = load_rdb(src2, opt, cb);
  EXPECT_EQ(lrus[0], (9u << 8) | 5);
  EXPECT_EQ(lrus[1], (9u << 8) | 42);
  destroy_entry(a);
}

TEST(rdb, dump_payloads) {
  kv_entry* z = make_zset("z", {{"a", 1}, {"b", 2}});
  std::string p = make_dump_payload(z);
  EXPECT_EQ(uint8_t(p[0]), rdb::type_zset_listpack);
  EXPECT_EQ(p[p.size() - 10], 10);
  EXPECT_EQ(p[p.size() - 9], 0);
  ASSERT_TRUE(verify_dump_payload(p));
  std::string err;
  kv_entry* back = load_dump_payload(p, "z2", true, {}, &err);
  ASSERT_NE(back, nullptr) << err;
  EXPECT_TRUE(back->has_expire());
  EXPECT_EQ(back->key(), "z2");
  EXPECT_EQ(describe(back), describe(z));
  destroy_entry(back);
  std::string bad = p;
  bad[1] ^= 1;
  EXPECT_FALSE(verify_dump_payload(bad));
  bad = p;
  bad[p.size() - 10] = 11;  // a newer version
  EXPECT_FALSE(verify_dump_payload(bad));
  EXPECT_FALSE(verify_dump_payload("short"));
  destroy_entry(z);
}

TEST(rdb, unsupported_and_skipped_records) {
  std::string file;
  rdb_encoder enc(file);
  enc.header();
  enc.function("#!lua name=lib\nredis.register_function('f', function() return 1 end)");
  enc.byte(rdb::type_string);
  enc.string("k");
  enc.string("v");
  finish(file, enc);
  loaded l = load(file);
  ASSERT_TRUE(l.res.ok) << l.res.error;
  EXPECT_EQ(l.res.warnings.size(), 1u);
  EXPECT_EQ(at(l.values, 0, "k"), "string 'v'");

  std::string s;
  rdb_encoder e2(s);
  e2.header();
  e2.byte(rdb::type_stream_listpacks_2);
  e2.string("stream");
  finish(s, e2);
  loaded m = load(s);
  EXPECT_FALSE(m.res.ok);  // a stream value cut off after its key
  EXPECT_EQ(m.res.error_key, "stream");

  std::string t;
  rdb_encoder e3(t);
  e3.header();
  e3.byte(rdb::op_module_aux);
  finish(t, e3);
  EXPECT_FALSE(load(t).res.ok);
}

TEST(rdb, corrupt_input_is_an_error_not_a_crash) {
  std::vector<kv_entry*> values = {
      make_str("s", "some string value that is long enough to compress compress compress"),
      make_list("l", {"a", "b", "12", std::string(300, 'x')}),
      make_hash("h", {{"a", "1"}, {"b", "2"}}),
      make_set("si", {"1", "2", "3"}),
      make_set("ss", {"a", "b"}),
      make_zset("z", {{"a", 1}, {"b", 2}}),
      make_zset("zb", {{std::string(100, 'a'), 1}, {"b", 2}}),
      make_hash("hb", {{"a", std::string(100, 'b')}})};
  std::string file;
  rdb_encoder enc(file);
  enc.header();
  enc.select_db(0);
  for (auto* e : values) enc.entry(e);
  finish(file, enc);
  ASSERT_TRUE(load(file).res.ok);

  // Every truncation fails cleanly.
  for (size_t n = 0; n < file.size(); ++n) {
    loaded l = load(std::string_view(file).substr(0, n));
    EXPECT_FALSE(l.res.ok) << n;
    EXPECT_LE(l.res.error_offset, n);
  }
  // A flipped byte is caught by the checksum, with its offset.
  std::string bad = file;
  bad[20] ^= 0x40;
  loaded c = load(bad);
  EXPECT_FALSE(c.res.ok);
  // Random damage with the checksum disabled: errors or odd values, no crash.
  std::mt19937_64 rng(9);
  rdb_load_options no_crc;
  no_crc.verify_checksum = false;
  std::string old = old_format_file(123);
  for (int i = 0; i < 6000; ++i) {
    std::string d = i % 2 ? file : old;
    int flips = 1 + int(rng() % 4);
    for (int k = 0; k < flips; ++k) d[9 + rng() % (d.size() - 9)] = char(rng());
    loaded l = load(d, no_crc);
    if (!l.res.ok) {
      EXPECT_FALSE(l.res.error.empty());
    }
  }
  for (auto* e : values) destroy_entry(e);
}

TEST(rdb, absurd_lengths_are_rejected_before_allocating) {
  std::string file;
  rdb_encoder enc(file);
  enc.header();
  enc.byte(rdb::type_string);
  enc.string("k");
  enc.length(uint64_t(1) << 40);  // a 1 TB string
  loaded l = load(file);
  EXPECT_FALSE(l.res.ok);
  EXPECT_NE(l.res.error.find("exceeds the input"), std::string::npos) << l.res.error;

  std::string f2;
  rdb_encoder e2(f2);
  e2.header();
  e2.byte(rdb::type_set);
  e2.string("k");
  e2.length(uint64_t(1) << 50);  // a set of 2^50 members
  e2.string("a");
  loaded m = load(f2);
  EXPECT_FALSE(m.res.ok);

  std::string f3;
  rdb_encoder e3(f3);
  e3.header();
  e3.byte(rdb::type_string);
  e3.string("k");
  e3.byte(0xC3);          // LZF
  e3.length(3);           // compressed
  e3.length(1ull << 32);  // claims 4 GB
  f3 += "abc";
  loaded n = load(f3);
  EXPECT_FALSE(n.res.ok);
}

TEST(rdb, listpack_with_redis_only_layout_is_rebuilt_on_load) {
  // A Redis hash listpack whose value entry is 16383 bytes of encoding + data:
  // Redis's back-length for it is one byte longer than Troupe's.
  rdb::listpack_writer w;
  w.add(std::string_view("f"));
  w.add(std::string_view(std::string(16378, 'v')));
  w.add(std::string_view("g"));
  w.add(int64_t(-12345));
  std::string blob(w.finish());
  rdb::listpack_info info;
  std::string err;
  ASSERT_TRUE(rdb::check_listpack(reinterpret_cast<const unsigned char*>(blob.data()), blob.size(),
                                  info, err))
      << err;
  EXPECT_FALSE(info.troupe_layout);
  std::string file;
  rdb_encoder enc(file);
  enc.header();
  enc.byte(rdb::type_hash_listpack);
  enc.string("h");
  enc.string(blob);
  finish(file, enc);
  rdb_load_options opt;
  opt.limits.hash.max_value = 20000;
  loaded l = load(file, opt);
  ASSERT_TRUE(l.res.ok) << l.res.error;
  EXPECT_EQ(at(l.values, 0, "h"), "hash listpack: [f=" + std::string(16378, 'v') + "] [g=-12345]");
}
