#include "storage/memory/used_memory.hpp"

#include "storage/encodings/bucket_array.hpp"
#include "storage/memory/heap_usage.hpp"

namespace troupe {

size_t used_memory() {
  // Big hash table bucket arrays are mapped outside glibc's heap.
  return heap_allocated_bytes() + buckets::mapped_bytes();
}

}  // namespace troupe
