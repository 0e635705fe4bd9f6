// Writes Redis's RDB format (version 10, as Redis 7.0 writes it) by appending to
// a std::string, so that a snapshot can be produced in chunks: append, write the
// chunk out, clear, continue. The caller computes the CRC64 over everything it
// wrote (see crc64.hpp) and ends the file with eof() and trailer(crc).
//
// Values are written in the encodings Redis 7.0 itself writes: lists as
// QUICKLIST_2 with listpack nodes, small hashes and sorted sets as listpacks,
// integer sets as intsets, strings as integers or LZF when that is what Redis
// would do. Troupe's listpacks and intsets have Redis's layout and are copied
// through (re-encoded only in the rare case described in rdb_listpack.hpp).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/rdb/rdb_format.hpp"
#include "storage/types/kv_entry.hpp"

namespace troupe {

class rdb_encoder {
 public:
  // Appends to `out`. `compression`: rdbcompression (LZF for strings > 20 bytes).
  explicit rdb_encoder(std::string& out, bool compression = true)
      : out_(out), compression_(compression) {}

  std::string& out() { return out_; }
  void set_compression(bool on) { compression_ = on; }

  // -- file structure ---------------------------------------------------------
  void header(int version = rdb::version);  // "REDIS0010"
  void aux(std::string_view key, std::string_view value);
  void aux(std::string_view key, int64_t value);  // written as Redis does: an encoded int
  void select_db(int db);
  void resize_db(uint64_t keys, uint64_t expires);
  // A Redis function library (FUNCTION2 opcode), for when Troupe has functions.
  void function(std::string_view code);
  // The EOF opcode only; then the caller appends trailer(crc of all bytes so far).
  void eof();
  // The 8-byte little-endian checksum that ends a file or DUMP payload.
  void trailer(uint64_t crc);

  // -- keys -------------------------------------------------------------------
  // One key: its expire (EXPIRETIME_MS) if it has a TTL, IDLE or FREQ when asked
  // (`lru_clock` is the current 24-bit LRU clock in seconds, for the idle time),
  // then type, key and value.
  void entry(const kv_entry* e, rdb::lru_mode mode = rdb::lru_mode::none, uint32_t lru_clock = 0);
  // Type byte and value only: the core of a DUMP payload.
  void value(const kv_entry* e);
  // The RDB type byte the value is written with.
  static uint8_t type_of(const kv_entry* e);

  // -- primitives ---------------------------------------------------------------
  void byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void length(uint64_t n);
  // A string with Redis's rules: integers of up to 11 characters as INT8/16/32,
  // LZF for longer than 20 bytes when it saves at least 4 bytes, else plain.
  void string(std::string_view s);
  void binary_double(double d);

 private:
  void value_body(const kv_entry* e);
  void list(const kv_entry* e);
  void set(const kv_entry* e);
  void zset(const kv_entry* e);
  void hash(const kv_entry* e);
  void stream(const kv_entry* e);  // rdb_stream.cpp
  void listpack_blob(const unsigned char* lp);
  bool try_int(std::string_view s);
  bool try_lzf(std::string_view s);

  std::string& out_;
  bool compression_;
  std::string scratch_;
};

}  // namespace troupe
