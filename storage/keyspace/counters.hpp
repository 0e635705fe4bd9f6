// Statistics counters written by one thread at a time (the thread that owns or
// has locked the structure) and read by any thread (INFO). Relaxed atomics make
// the cross-thread reads well defined and compile to plain loads and stores.
#pragma once
#include <atomic>
#include <cstdint>

namespace troupe {

class counter {
 public:
  void add(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  void sub(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
  }
  void set(uint64_t n) { v_.store(n, std::memory_order_relaxed); }
  uint64_t get() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

}  // namespace troupe
