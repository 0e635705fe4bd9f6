#include "actors/replication/rdb_stream_source.hpp"

#include <algorithm>
#include <cstring>

namespace troupe {

rdb_stream_source::rdb_stream_source(size_t high_water) : high_water_(high_water) {}

bool rdb_stream_source::push(std::string_view bytes) {
  std::lock_guard<std::mutex> g(mutex_);
  if (!bytes.empty() && !finished_ && error_.empty()) {
    chunks_.emplace_back(bytes);
    buffered_ += bytes.size();
    cv_.notify_one();
  }
  if (buffered_ <= high_water_) return true;
  producer_waiting_ = true;
  return false;
}

void rdb_stream_source::finish() {
  std::lock_guard<std::mutex> g(mutex_);
  finished_ = true;
  cv_.notify_one();
}

void rdb_stream_source::abort(std::string why) {
  std::lock_guard<std::mutex> g(mutex_);
  if (error_.empty()) error_ = why.empty() ? "aborted" : std::move(why);
  on_room_ = nullptr;  // nobody to resume any more
  cv_.notify_one();
}

void rdb_stream_source::set_on_room(std::function<void()> f) {
  std::lock_guard<std::mutex> g(mutex_);
  on_room_ = std::move(f);
}

size_t rdb_stream_source::read(void* p, size_t n) {
  std::function<void()> resume;
  size_t copied = 0;
  {
    std::unique_lock<std::mutex> lk(mutex_);
    cv_.wait(lk, [this] { return buffered_ > 0 || finished_ || !error_.empty(); });
    if (!error_.empty()) return 0;
    char* out = static_cast<char*>(p);
    while (copied < n && !chunks_.empty()) {
      std::string& c = chunks_.front();
      size_t take = std::min(n - copied, c.size() - front_pos_);
      memcpy(out + copied, c.data() + front_pos_, take);
      copied += take;
      front_pos_ += take;
      if (front_pos_ == c.size()) {
        chunks_.pop_front();
        front_pos_ = 0;
      }
    }
    buffered_ -= copied;
    // Resume the producer once a good part of the buffer is free again.
    if (producer_waiting_ && buffered_ <= high_water_ / 4) {
      producer_waiting_ = false;
      resume = on_room_;
    }
  }
  if (resume) resume();
  return copied;
}

std::string rdb_stream_source::error() const {
  std::lock_guard<std::mutex> g(mutex_);
  return error_;
}

}  // namespace troupe
