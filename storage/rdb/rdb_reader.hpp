// Reads the primitives of the RDB format from an rdb_source through a large
// buffer: bytes, lengths, strings (plain, integer-encoded, LZF), doubles. Keeps
// the absolute offset for error messages and, when asked, the CRC64 of every
// byte consumed. Errors are thrown as rdb_format_error and caught by the loader.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "storage/rdb/rdb_source.hpp"

namespace troupe {

class rdb_format_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class rdb_reader {
 public:
  explicit rdb_reader(rdb_source& src, size_t buffer_size = 256 * 1024);

  // Bytes consumed since the start.
  uint64_t offset() const { return base_ + pos_; }

  uint8_t byte() {
    if (pos_ == end_) fill(1);
    return static_cast<uint8_t>(data_[pos_++]);
  }
  void bytes(void* out, size_t n);
  void skip(uint64_t n);
  uint32_t u32le();
  uint64_t u64le();

  // A length (6, 14, 32 or 64 bits); fails on a special string encoding.
  uint64_t length();
  // A length, or (returns true) the number of a special string encoding.
  bool length_or_encoding(uint64_t& v);

  // A string in any of its encodings. The view points into the buffer or into
  // scratch memory and stays valid until the next read.
  std::string_view string();
  // The same, copied into out.
  void string(std::string& out) {
    std::string_view v = string();
    out.assign(v.data(), v.size());
  }
  void skip_string();
  // ZSET (type 3) scores: a length byte and text; ZSET_2 scores: 8 bytes.
  double text_double();
  double binary_double();

  // Fails unless n more bytes can still come (when the source knows its size).
  void need(uint64_t n);

  // CRC64 of everything consumed since start_crc().
  void start_crc();
  uint64_t crc();

  // Buffered bytes not consumed yet (what follows the RDB in an AOF file or a
  // replication stream).
  std::string_view unconsumed() const { return {data_ + pos_, end_ - pos_}; }

 private:
  void fill(size_t n);  // at least n bytes buffered, or throw
  std::string_view plain_string(uint64_t n);
  std::string_view lzf_string();
  void update_crc();

  rdb_source& src_;
  std::unique_ptr<char[]> own_;
  const char* data_ = nullptr;
  size_t cap_ = 0;
  size_t pos_ = 0, end_ = 0;
  uint64_t base_ = 0;       // offset of data_[0]
  bool in_memory_ = false;  // data_ is the whole input
  bool crc_on_ = false;
  uint64_t crc_ = 0;
  size_t crc_from_ = 0;
  std::string scratch_, packed_;
  char num_[24];
};

}  // namespace troupe
