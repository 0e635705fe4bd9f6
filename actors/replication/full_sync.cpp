#include "actors/replication/full_sync.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <caf/all.hpp>

#include "actors/replication/replica_link.hpp"
#include "actors/runtime/messages.hpp"
#include "storage/encodings/crc64.hpp"

namespace troupe {

full_sync::full_sync(bool diskless, bool checksum) : diskless_(diskless), checksum_(checksum) {}

full_sync::~full_sync() {
  if (fd_ >= 0) ::close(fd_);
}

void full_sync::wake_all() {
  std::vector<std::shared_ptr<replica_link>> live;
  {
    std::lock_guard<std::mutex> g(links_mutex);
    for (auto& w : links)
      if (auto l = w.lock()) live.push_back(std::move(l));
  }
  for (auto& l : live) {
    caf::actor feed;
    {
      std::lock_guard<std::mutex> g(l->mutex);
      feed = l->feed;
    }
    if (feed) caf::anon_send(feed, wake_atom::value);
  }
}

void full_sync::begin_payload() {
  std::lock_guard<std::mutex> g(append_mutex_);
  payload_.append_raw(framing_.opening(), -1);
}

void full_sync::append(const std::string& bytes) {
  {
    std::lock_guard<std::mutex> g(append_mutex_);
    if (checksum_) crc_ = crc64(crc_, bytes.data(), bytes.size());
    payload_.append_raw(bytes, -1);
  }
  // Feeds waiting for more learn of it now (one wake per chunk at most).
  payload_.publish();
}

void full_sync::end_payload() {
  {
    std::lock_guard<std::mutex> g(append_mutex_);
    std::string tail(1, char(0xFF));  // the EOF opcode, covered by the checksum
    if (checksum_) crc_ = crc64(crc_, tail.data(), tail.size());
    for (int i = 0; i < 8; ++i) tail.push_back(char((crc_ >> (8 * i)) & 0xff));
    tail += framing_.closing();
    payload_.append_raw(tail, -1);
    complete_ = true;
  }
  // Readers learn of the bytes appended since their last read.
  payload_.publish();
  // A feed may have read the tail already, before complete_ was set, and
  // gone idle at the end of the payload: publish() does not wake a reader
  // that has nothing left to read, so every feed is told the payload ended.
  wake_all();
}

bool full_sync::should_pause() {
  if (payload_.max_lag() < pause_at) return false;
  // Flag first, then look again: a feed that drained meanwhile either sees
  // the flag (and resumes us) or we see its progress. The flag is shared by
  // every shard's walk and never cleared here: another shard may have paused
  // on it, and only after_read's resume (which wakes every shard; a spurious
  // one is harmless) may take it down.
  paused_.store(true);
  return payload_.max_lag() >= pause_at;
}

void full_sync::after_read() {
  if (!paused_.load() || payload_.max_lag() >= resume_at) return;
  if (paused_.exchange(false) && resume) resume();
}

void full_sync::file_ready(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    file_failed("can't open the dump " + path + ": " + strerror(errno));
    if (fd >= 0) ::close(fd);
    return;
  }
  fd_ = fd;
  size_ = int64_t(st.st_size);
  file_ready_ = true;
  wake_all();
}

void full_sync::file_failed(const std::string& error) {
  error_ = error;
  failed_ = true;
  wake_all();
}

}  // namespace troupe
