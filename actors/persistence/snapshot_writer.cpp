#include "actors/persistence/snapshot_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <caf/all.hpp>

#include "actors/runtime/messages.hpp"
#include "storage/aof/aof_manifest.hpp"
#include "storage/encodings/crc64.hpp"

namespace troupe {

snapshot_file::snapshot_file(const snapshot_job& job) : job_(job) {
  fd_ = ::open(job_.temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) error_ = "Failed opening " + job_.temp_path + " for saving: " + strerror(errno);
  write(job_.header);
}

snapshot_file::~snapshot_file() {
  if (fd_ >= 0) {
    ::close(fd_);
    unlink(job_.temp_path.c_str());
  }
}

void snapshot_file::write(const std::string& bytes) {
  if (!error_.empty() || bytes.empty()) return;
  if (job_.rdb_trailer && job_.checksum) crc_ = crc64(crc_, bytes.data(), bytes.size());
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = std::string("Write error saving DB on disk: ") + strerror(errno);
      return;
    }
    off += size_t(n);
  }
  bytes_ += bytes.size();
  since_fsync_ += bytes.size();
  // Fsync as we go so the final fsync does not stall on gigabytes of dirty pages.
  if (job_.incremental_fsync && since_fsync_ >= 4 * 1024 * 1024) {
    fdatasync(fd_);
    since_fsync_ = 0;
  }
}

std::string snapshot_file::finish() {
  if (job_.rdb_trailer) {
    write(std::string(1, char(0xFF)));  // EOF opcode, covered by the CRC
    char trailer[8];
    for (int i = 0; i < 8; ++i) trailer[i] = char((crc_ >> (8 * i)) & 0xff);
    write(std::string(trailer, 8));
  }
  if (fd_ >= 0) {
    if (error_.empty() && fsync(fd_) != 0) error_ = std::string("fsync: ") + strerror(errno);
    ::close(fd_);
    fd_ = -1;
  }
  if (error_.empty() && rename(job_.temp_path.c_str(), job_.final_path.c_str()) != 0)
    error_ = std::string("Error moving temp DB file on the final destination: ") + strerror(errno);
  if (!error_.empty()) {
    unlink(job_.temp_path.c_str());
  } else {
    size_t slash = job_.final_path.rfind('/');
    fsync_dir(slash == std::string::npos ? "." : job_.final_path.substr(0, slash));
  }
  return error_;
}

snapshot_writer::snapshot_writer(caf::actor_config& cfg, snapshot_job job)
    : registered_actor(cfg), job_(std::move(job)), remaining_(job_.shards) {}

caf::behavior snapshot_writer::make_behavior() {
  file_ = std::make_unique<snapshot_file>(job_);
  if (remaining_ == 0) finish();
  return {
      [this](chunk_atom, const std::string& bytes) { file_->write(bytes); },
      [this](done_atom) {
        if (--remaining_ == 0) finish();
      },
  };
}

void snapshot_writer::finish() {
  std::string error = file_->finish();
  uint64_t bytes = file_->bytes();
  file_.reset();
  if (job_.on_done) job_.on_done(error.empty(), error, bytes);
  quit();
}

}  // namespace troupe
