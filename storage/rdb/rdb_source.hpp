// Where RDB bytes come from: a file, a block of memory (DUMP payloads, tests), and
// later a replication socket. The loader pulls big chunks and buffers them itself.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace troupe {

class rdb_source {
 public:
  virtual ~rdb_source() = default;
  // Reads up to n bytes into p; returns how many, 0 at the end of the input or
  // on an error (then error() says which).
  virtual size_t read(void* p, size_t n) = 0;
  // Bytes still to come, if the source knows; lets the loader reject a length
  // that cannot fit in the input before it allocates anything.
  virtual std::optional<uint64_t> remaining() const { return std::nullopt; }
  // The whole rest of the input at once, if it is already in memory (the loader
  // then reads it in place, without copying). Consumes it.
  virtual std::optional<std::string_view> take_all() { return std::nullopt; }
  virtual std::string error() const { return {}; }
};

// Bytes in memory, read in place. The memory must outlive the load.
class rdb_memory_source : public rdb_source {
 public:
  explicit rdb_memory_source(std::string_view data) : data_(data) {}
  size_t read(void* p, size_t n) override;
  std::optional<uint64_t> remaining() const override { return data_.size() - pos_; }
  std::optional<std::string_view> take_all() override;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// A file or any file descriptor (a pipe, a socket), read in large blocks.
class rdb_file_source : public rdb_source {
 public:
  // Opens a file; check ok() / error().
  explicit rdb_file_source(const std::string& path);
  // Reads from an open descriptor; closes it at the end if `own`.
  explicit rdb_file_source(int fd, bool own = false);
  ~rdb_file_source() override;
  rdb_file_source(const rdb_file_source&) = delete;
  rdb_file_source& operator=(const rdb_file_source&) = delete;

  bool ok() const { return fd_ >= 0; }
  size_t read(void* p, size_t n) override;
  std::optional<uint64_t> remaining() const override;
  std::string error() const override { return error_; }

 private:
  int fd_ = -1;
  bool own_ = false;
  std::optional<uint64_t> size_;  // regular files: their size at open
  uint64_t consumed_ = 0;
  std::string error_;
  std::unique_ptr<char[]> buf_;  // for small reads
  size_t buf_pos_ = 0, buf_end_ = 0;
  static constexpr size_t buf_size = 64 * 1024;
};

}  // namespace troupe
