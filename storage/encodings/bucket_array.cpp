#include "storage/encodings/bucket_array.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>

namespace troupe::buckets {
namespace {
std::atomic<size_t> mapped{0};

size_t page_size() {
  static const size_t size = size_t(sysconf(_SC_PAGESIZE));
  return size;
}

bool is_mapped(size_t bytes) {
  return bytes >= map_threshold;
}
}  // namespace

void* allocate(size_t bytes) {
  if (bytes == 0) return nullptr;
  if (!is_mapped(bytes)) {
    void* p = calloc(bytes, 1);
    if (p == nullptr) throw std::bad_alloc();
    return p;
  }
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  mapped.fetch_add(bytes, std::memory_order_relaxed);
  return p;
}

void release(void* p, size_t bytes, size_t discarded) {
  if (p == nullptr) return;
  if (!is_mapped(bytes)) {
    free(p);
    return;
  }
  munmap(p, bytes);
  mapped.fetch_sub(bytes - discarded, std::memory_order_relaxed);
}

size_t discard(void* p, size_t bytes, size_t from, size_t to) {
  if (p == nullptr || !is_mapped(bytes)) return from;
  if (to > bytes) to = bytes;
  // A mapping starts on a page boundary, so offsets and addresses align alike.
  size_t last = to / page_size() * page_size();
  if (last <= from) return from;
  if (madvise(static_cast<char*>(p) + from, last - from, MADV_DONTNEED) != 0) return from;
  mapped.fetch_sub(last - from, std::memory_order_relaxed);
  return last;
}

size_t mapped_bytes() {
  return mapped.load(std::memory_order_relaxed);
}

}  // namespace troupe::buckets
