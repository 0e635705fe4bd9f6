// How many bytes the process's heap holds, counted as they are allocated and
// freed: used_memory in INFO, the RDB's used-mem, and the eviction budget read
// it on hot paths, so it must cost nothing to read.
//
// glibc's own figure (mallinfo2) walks every free chunk of every arena: after
// a dataset has churned (values overwritten by bigger ones) that took 70 ms a
// call and, from the cron, 97% of the reactor's time during a full sync under
// writes. Instead, malloc/free/realloc/... are wrapped (glibc supports
// replacing them) and each thread adds malloc_usable_size() of what it
// allocates to a counter of its own (no shared cache line, no locked
// instruction on the hot path).
//
// Under AddressSanitizer (which wraps malloc itself) the counter is off and
// the sanitizer's own count of allocated bytes answers (mallinfo2 under the
// other sanitizers).
#pragma once
#include <cstddef>

namespace troupe {

// Bytes of live heap allocations (usable sizes, as Redis's used_memory counts
// jemalloc's).
size_t heap_allocated_bytes();

// Whether heap_allocated_bytes is the cheap counter (false: mallinfo2).
bool heap_counter_active();

}  // namespace troupe
