#include "storage/memory/heap_usage.hpp"

#include <malloc.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define TROUPE_HEAP_COUNTER 0
#define TROUPE_ASAN_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
#define TROUPE_HEAP_COUNTER 0
#endif
#if __has_feature(address_sanitizer)
#define TROUPE_ASAN_ALLOCATOR 1
#endif
#endif
#ifdef TROUPE_ASAN_ALLOCATOR
// From the sanitizer runtime (GCC's and clang's libasan); declared here because
// GCC ships no <sanitizer/allocator_interface.h>.
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif
#ifndef TROUPE_HEAP_COUNTER
#define TROUPE_HEAP_COUNTER 1
#endif

namespace troupe {

#if TROUPE_HEAP_COUNTER

namespace {

// One counter per thread, each on its own cache line, written only by its
// thread (a plain load and store: no locked instruction on the hot path) and
// read by anyone. Threads beyond the slots share one more slot with atomic
// adds. A slot outlives its thread: what it counted stays counted.
constexpr int slot_count = 64;
struct alignas(64) slot {
  std::atomic<int64_t> bytes{0};
};
slot slots[slot_count + 1];  // the last one is shared
std::atomic<int> next_slot{0};
thread_local int my_slot = -1;

inline void add(int64_t delta) {
  if (__builtin_expect(my_slot < 0, 0)) {
    int s = next_slot.fetch_add(1, std::memory_order_relaxed);
    my_slot = s < slot_count ? s : slot_count;
  }
  std::atomic<int64_t>& c = slots[my_slot].bytes;
  if (__builtin_expect(my_slot < slot_count, 1))
    c.store(c.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  else
    c.fetch_add(delta, std::memory_order_relaxed);
}

inline void count(void* p, int64_t sign) {
  if (p != nullptr) add(sign * int64_t(malloc_usable_size(p)));
}

}  // namespace

size_t heap_allocated_bytes() {
  int64_t sum = 0;
  for (auto& s : slots) sum += s.bytes.load(std::memory_order_relaxed);
  return sum > 0 ? size_t(sum) : 0;
}

bool heap_counter_active() {
  return true;
}

#elif defined(TROUPE_ASAN_ALLOCATOR)

// AddressSanitizer's allocator keeps its own exact count (glibc's heap, which
// mallinfo2 reports, is not where the blocks are): maxmemory works under it too.
size_t heap_allocated_bytes() {
  return __sanitizer_get_current_allocated_bytes();
}

bool heap_counter_active() {
  return false;
}

#else

size_t heap_allocated_bytes() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

bool heap_counter_active() {
  return false;
}

#endif

}  // namespace troupe

#if TROUPE_HEAP_COUNTER

// glibc's allocator under its internal names: the wrappers below replace the
// public ones for the whole process (glibc's manual, "Replacing malloc").
extern "C" {
void* __libc_malloc(size_t);
void __libc_free(void*);
void* __libc_calloc(size_t, size_t);
void* __libc_realloc(void*, size_t);
void* __libc_memalign(size_t, size_t);
void* __libc_valloc(size_t);
void* __libc_pvalloc(size_t);

void* malloc(size_t n) {
  void* p = __libc_malloc(n);
  troupe::count(p, 1);
  return p;
}

void free(void* p) {
  troupe::count(p, -1);
  __libc_free(p);
}

void* calloc(size_t n, size_t size) {
  void* p = __libc_calloc(n, size);
  troupe::count(p, 1);
  return p;
}

void* realloc(void* p, size_t n) {
  int64_t before = p != nullptr ? int64_t(malloc_usable_size(p)) : 0;
  void* q = __libc_realloc(p, n);
  if (q != nullptr)
    troupe::add(int64_t(malloc_usable_size(q)) - before);
  else if (p != nullptr && n == 0)
    troupe::add(-before);  // realloc(p, 0) freed p
  return q;
}

void* memalign(size_t align, size_t n) {
  void* p = __libc_memalign(align, n);
  troupe::count(p, 1);
  return p;
}

void* aligned_alloc(size_t align, size_t n) {
  void* p = __libc_memalign(align, n);
  troupe::count(p, 1);
  return p;
}

int posix_memalign(void** out, size_t align, size_t n) {
  if (align < sizeof(void*) || (align & (align - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(align, n);
  if (p == nullptr) return ENOMEM;
  troupe::count(p, 1);
  *out = p;
  return 0;
}

void* valloc(size_t n) {
  void* p = __libc_valloc(n);
  troupe::count(p, 1);
  return p;
}

void* pvalloc(size_t n) {
  void* p = __libc_pvalloc(n);
  troupe::count(p, 1);
  return p;
}
}

#endif
