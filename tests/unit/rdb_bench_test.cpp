// Speed of the RDB encoder and loader on 1,000,000 small string keys, shaped as
// Redis's DEBUG POPULATE makes them ("key:N" -> "value:N"). Disabled by default:
//
//   unit_tests --gtest_also_run_disabled_tests --gtest_filter='rdb_bench*'
//
// TROUPE_RDB_BENCH_FILE=path also times loading that file (e.g. Redis's dump).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "storage/encodings/crc64.hpp"
#include "storage/encodings/hash.hpp"
#include "storage/keyspace/db_slice.hpp"
#include "storage/rdb/rdb_encoder.hpp"
#include "storage/rdb/rdb_loader.hpp"

using namespace troupe;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Loads a file into a database slice, as start-up would.
double time_load(const std::string& path, size_t& keys) {
  db_slice db;
  auto t0 = std::chrono::steady_clock::now();
  rdb_file_source src(path);
  rdb_callbacks cb;
  cb.on_entry = [&](int, kv_entry* e) { db.add(e, hash_key(e->key())); };
  rdb_load_result r = load_rdb(src, rdb_load_options{}, cb);
  double s = seconds_since(t0);
  EXPECT_TRUE(r.ok) << r.error;
  keys = db.size();
  db.clear();
  return s;
}

}  // namespace

TEST(rdb_bench, DISABLED_million_small_strings) {
  constexpr int n = 1000000;
  db_slice db;
  char k[32], v[32];
  for (int i = 0; i < n; ++i) {
    int kl = snprintf(k, sizeof(k), "key:%d", i), vl = snprintf(v, sizeof(v), "value:%d", i);
    kv_entry* e = make_string_entry({k, size_t(kl)}, {v, size_t(vl)}, false);
    db.add(e, hash_key(e->key()));
  }
  std::string path = "/tmp/troupe-rdb-bench.rdb";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);

  // Encode in 1 MB chunks with the running checksum, as a snapshot does.
  auto t0 = std::chrono::steady_clock::now();
  std::string buf;
  buf.reserve(1 << 21);
  uint64_t crc = 0, bytes = 0;
  auto flush = [&] {
    crc = crc64(crc, buf.data(), buf.size());
    bytes += buf.size();
    EXPECT_EQ(::write(fd, buf.data(), buf.size()), ssize_t(buf.size()));
    buf.clear();
  };
  rdb_encoder enc(buf);
  enc.header();
  enc.aux("redis-ver", "7.0.15");
  enc.select_db(0);
  enc.resize_db(db.size(), 0);
  db.keys.for_each([&](kv_entry* e) {
    enc.entry(e);
    if (buf.size() >= (1 << 20)) flush();
  });
  enc.eof();
  crc = crc64(crc, buf.data(), buf.size());
  enc.trailer(crc);
  flush();
  ::fsync(fd);
  ::close(fd);
  double enc_s = seconds_since(t0);
  printf("encode+write+fsync %d keys: %.3f s (%.1f MB)\n", n, enc_s, double(bytes) / 1e6);

  size_t keys;
  double load_s = time_load(path, keys);
  EXPECT_EQ(keys, size_t(n));
  printf("load into a db_slice: %.3f s\n", load_s);
  if (const char* other = getenv("TROUPE_RDB_BENCH_FILE")) {
    double s = time_load(other, keys);
    printf("load %s (%zu keys): %.3f s\n", other, keys, s);
  }
  db.clear();
  unlink(path.c_str());
}
