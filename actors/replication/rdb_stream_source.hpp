// The RDB of a full sync as the loader's thread reads it while the master
// link, on its reactor, is still receiving it (diskless load). The link
// pushes payload bytes as they arrive; the loader's read() waits for them.
// The buffer is bounded: above its high-water mark push() says so and the
// link stops reading the socket until `on_room` tells it the loader caught up
// (the master's data then waits in the kernel and in the master's buffers).
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "storage/rdb/rdb_source.hpp"

namespace troupe {

class rdb_stream_source : public rdb_source {
 public:
  explicit rdb_stream_source(size_t high_water = 8u << 20);

  // -- the producer (the master link) ----------------------------------------------
  // Appends bytes; false when the buffer is now above the high-water mark.
  bool push(std::string_view bytes);
  // The payload is complete: read() returns 0 once it is drained.
  void finish();
  // It never will be (the link dropped): read() fails with `why`.
  void abort(std::string why);
  // Called (on the loader's thread) when a producer that was told to stop may
  // push again. Set it before the first push.
  void set_on_room(std::function<void()> f);

  // -- the consumer (the loader's thread) --------------------------------------------
  size_t read(void* p, size_t n) override;
  std::string error() const override;

 private:
  size_t high_water_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;
  size_t front_pos_ = 0;  // bytes of chunks_.front() already read
  size_t buffered_ = 0;
  bool finished_ = false, producer_waiting_ = false;
  std::string error_;
  std::function<void()> on_room_;
};

}  // namespace troupe
