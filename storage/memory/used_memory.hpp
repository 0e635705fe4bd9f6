// The server's used_memory, as INFO shows it and maxmemory is checked against:
// the heap's blocks in use (heap_usage.hpp: a per-thread counter of what malloc
// hands out, cheap to read) plus the big hash-table bucket arrays mapped outside
// the heap (bucket_array.hpp). Read before every command while maxmemory is set.
#pragma once
#include <cstddef>

namespace troupe {

size_t used_memory();

}  // namespace troupe
