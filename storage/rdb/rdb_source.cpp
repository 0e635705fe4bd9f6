#include "storage/rdb/rdb_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace troupe {

size_t rdb_memory_source::read(void* p, size_t n) {
  size_t k = data_.size() - pos_ < n ? data_.size() - pos_ : n;
  if (k > 0) memcpy(p, data_.data() + pos_, k);
  pos_ += k;
  return k;
}

std::optional<std::string_view> rdb_memory_source::take_all() {
  std::string_view rest = data_.substr(pos_);
  pos_ = data_.size();
  return rest;
}

rdb_file_source::rdb_file_source(const std::string& path) : own_(true) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    error_ = std::string("can't open ") + path + ": " + strerror(errno);
    return;
  }
  struct stat st;
  if (fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = uint64_t(st.st_size);
#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

rdb_file_source::rdb_file_source(int fd, bool own) : fd_(fd), own_(own) {
  struct stat st;
  if (fd_ >= 0 && fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) {
    off_t at = lseek(fd_, 0, SEEK_CUR);
    if (at >= 0 && at <= st.st_size) size_ = uint64_t(st.st_size - at);
  }
}

rdb_file_source::~rdb_file_source() {
  if (own_ && fd_ >= 0) ::close(fd_);
}

std::optional<uint64_t> rdb_file_source::remaining() const {
  if (!size_) return std::nullopt;
  return *size_ > consumed_ ? *size_ - consumed_ : 0;
}

size_t rdb_file_source::read(void* p, size_t n) {
  if (fd_ < 0 || n == 0) return 0;
  auto* out = static_cast<char*>(p);
  size_t done = 0;
  // Serve from the small-read buffer first.
  if (buf_pos_ < buf_end_) {
    size_t k = buf_end_ - buf_pos_ < n ? buf_end_ - buf_pos_ : n;
    memcpy(out, buf_.get() + buf_pos_, k);
    buf_pos_ += k;
    done = k;
  }
  while (done < n) {
    ssize_t r;
    if (n - done >= buf_size) {
      // Big reads go straight to the caller's memory.
      r = ::read(fd_, out + done, n - done);
    } else {
      if (!buf_) buf_.reset(new char[buf_size]);
      r = ::read(fd_, buf_.get(), buf_size);
      if (r > 0) {
        buf_pos_ = 0;
        buf_end_ = size_t(r);
        size_t k = buf_end_ < n - done ? buf_end_ : n - done;
        memcpy(out + done, buf_.get(), k);
        buf_pos_ = k;
        done += k;
        break;
      }
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      error_ = std::string("read error: ") + strerror(errno);
      break;
    }
    if (r == 0) break;
    done += size_t(r);
    break;  // return what we have; the caller asks again if it needs more
  }
  consumed_ += done;
  return done;
}

}  // namespace troupe
