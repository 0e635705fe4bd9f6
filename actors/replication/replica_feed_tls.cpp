// A replica on a TLS connection: what replica_feed writes and reads goes
// through its TLS session. sendmsg() over the journal's spans becomes SSL_write
// (small pieces gathered into one record, so a stream of short commands does not
// cost a record each), and sendfile() of the dump becomes pread() + SSL_write:
// the kernel cannot encrypt. Nothing waits: what OpenSSL needs (the socket
// readable or writable) is the epoll interest, as for plain writes.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "actors/net/tls_stream.hpp"
#include "actors/replication/full_sync.hpp"
#include "actors/replication/replica_feed.hpp"
#include "actors/replication/replication_master.hpp"
#include "actors/server/server.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {
namespace {
constexpr size_t tls_record = 16 * 1024;   // the largest TLS record's payload
constexpr size_t file_chunk = 256 * 1024;  // dump bytes read per write
}  // namespace

bool replica_feed::write_queue_tls() {
  while (!queue_.empty()) {
    const piece& head = queue_.front();
    const char* data = head.data + head_sent_;
    size_t len = head.size - head_sent_;
    if (len < tls_record && queue_.size() > 1) {
      // Gather from the front: a retry after want_write starts with the same
      // bytes (the queue only grows at its back), as OpenSSL requires.
      tls_stage_.clear();
      for (auto it = queue_.begin(); it != queue_.end() && tls_stage_.size() < tls_record; ++it) {
        size_t skip = it == queue_.begin() ? head_sent_ : 0;
        size_t take = std::min(it->size - skip, tls_record - tls_stage_.size());
        tls_stage_.append(it->data + skip, take);
      }
      data = tls_stage_.data();
      len = tls_stage_.size();
    }
    tls_stream::status st;
    size_t w = tls_->write(data, len, st);
    if (w == 0) {
      if (st == tls_stream::status::want_write) break;
      if (st == tls_stream::status::want_read) {
        tls_write_wants_read_ = true;
        break;
      }
      close_link("Error writing to replica: " + tls_->error(), false);
      return false;
    }
    sent_from_queue(w);
  }
  session_.output_bytes.store(queued_, std::memory_order_relaxed);
  return true;
}

bool replica_feed::send_file_tls() {
  int in = job_->file_fd();
  int64_t size = job_->file_size();
  if (tls_file_buf_.empty()) tls_file_buf_.resize(file_chunk);
  while (file_sent_ < size) {
    // Read again from where the last write ended: after want_write the retry
    // writes the same bytes, which OpenSSL requires.
    size_t want = size_t(std::min<int64_t>(int64_t(file_chunk), size - file_sent_));
    ssize_t r = ::pread(in, tls_file_buf_.data(), want, off_t(file_sent_));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      close_link(r == 0 ? std::string("Read error sending DB to replica: premature EOF")
                        : std::string("Read error sending DB to replica: ") + strerror(errno),
                 true);
      return false;
    }
    tls_stream::status st;
    size_t w = tls_->write(tls_file_buf_.data(), size_t(r), st);
    if (w == 0) {
      if (st == tls_stream::status::want_write) return true;
      if (st == tls_stream::status::want_read) {
        tls_write_wants_read_ = true;
        return true;
      }
      close_link("Write error sending DB to replica: " + tls_->error(), true);
      return false;
    }
    file_sent_ += int64_t(w);
    srv_.replicas().count_output(uint64_t(w));
    last_progress_ms_ = wall_clock_ms();
  }
  std::vector<char>().swap(tls_file_buf_);
  return true;
}

ssize_t replica_feed::tls_recv(char* buf, size_t len) {
  bool wants_write = false;
  ssize_t n = tls_->recv_some(buf, len, wants_write);
  if (wants_write) {
    tls_read_wants_write_ = true;
    arm_write(true);
  }
  return n;
}

}  // namespace troupe
