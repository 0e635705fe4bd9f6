// Loads an RDB file (versions 1 to 10; every encoding Redis 2.x to 7.0 writes)
// from any rdb_source and hands each key, fully built, to a callback. Corrupt
// input never crashes: it ends the load with an error and the offset where
// reading stopped. The checksum trailer is verified when present and non-zero.
//
//   rdb_file_source src("dump.rdb");
//   rdb_load_options opt;
//   opt.limits = load_limits_of(config);
//   rdb_callbacks cb;
//   cb.on_entry = [&](int db, kv_entry* e) { ... take ownership of e ... };
//   rdb_load_result r = load_rdb(src, opt, cb);
//   if (!r.ok) log("%s at offset %llu", r.error, r.error_offset);
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "storage/rdb/rdb_format.hpp"
#include "storage/rdb/rdb_source.hpp"
#include "storage/rdb/rdb_value.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

class loading_progress;

struct rdb_load_options {
  rdb_load_limits limits;     // encodings of the values built
  bool keep_expired = false;  // replicas keep keys whose TTL has passed
  int64_t now_ms = 0;         // "now" for that check; 0: the wall clock
  int databases = 16;         // a SELECTDB at or beyond this fails; 0: any
  bool verify_checksum = true;
  // What IDLE / FREQ records become (Redis: only under an LRU / LFU policy).
  // Without them an entry gets the LRU clock (lru, none) or the initial LFU
  // counter 5 with the current minutes (lfu).
  rdb::lru_mode lru = rdb::lru_mode::none;
  uint32_t lru_clock = 0;    // 24-bit LRU clock, seconds
  uint16_t lfu_minutes = 0;  // LFU time, minutes (16 bits)
  // Size of the read buffer for sources not already in memory (tests and the
  // fuzzer make it small to exercise refills).
  size_t read_buffer = 256 * 1024;
  // key-load-delay: microseconds to wait after each key (a testing aid; a
  // negative value -n waits 1 us once every n keys on average, as Redis).
  int64_t key_delay_us = 0;
  // INFO's loading_* fields and the progress log (the caller begins and ends it).
  loading_progress* progress = nullptr;
};

struct rdb_callbacks {
  // Each key; the callee owns the entry (free it with destroy_entry).
  std::function<void(int db, kv_entry* e)> on_entry;
  std::function<void(std::string_view key, std::string_view value)> on_aux;
  std::function<void(int db, uint64_t keys, uint64_t expires)> on_resize_db;
  // A function library (FUNCTION2). Without a handler it is skipped with a warning.
  std::function<void(std::string_view code)> on_function;
  // Called every 1024 keys with the bytes read so far (INFO loading, liveness).
  std::function<void(uint64_t offset)> on_progress;
};

struct rdb_db_stats {
  uint64_t keys = 0;             // handed to on_entry
  uint64_t expires = 0;          // of which with a TTL
  uint64_t expired_skipped = 0;  // TTL already passed, not loaded
  uint64_t empty_skipped = 0;    // empty collections, not loaded
};

enum class rdb_checksum { absent, disabled, verified, not_checked };

struct rdb_load_result {
  bool ok = false;
  std::string error;          // why it failed
  uint64_t error_offset = 0;  // where reading stopped
  std::string error_key;      // the key being read, if any
  int version = 0;
  uint64_t bytes = 0;  // bytes of the RDB, header to trailer
  uint64_t keys = 0, expires = 0, expired_skipped = 0, empty_skipped = 0;
  rdb_checksum checksum = rdb_checksum::absent;
  uint64_t stored_checksum = 0, computed_checksum = 0;
  std::vector<std::string> warnings;
  std::map<int, rdb_db_stats> dbs;
  std::map<uint8_t, uint64_t> types;  // keys per RDB value type (file encoding)
  std::vector<std::pair<std::string, std::string>> aux;
  // Bytes read past the end of the RDB (an AOF tail after an RDB preamble, the
  // rest of a replication stream).
  std::string leftover;
};

rdb_load_result load_rdb(rdb_source& src, const rdb_load_options& opt, const rdb_callbacks& cb);

}  // namespace troupe
