// Memory for the bucket arrays of the hash tables (str_table, and through it the
// keyspace dict). A table of millions of buckets must never be touched all at once:
//
// - Big arrays are mapped straight from the kernel, so they start as zero pages and
//   a page is only materialised when a bucket on it is first written. calloc() would
//   memset the whole array whenever glibc serves it from memory it already had (its
//   mmap threshold rises to the size of every mapped block freed, up to 32 MB): a
//   stall of milliseconds at the moment a table doubles.
// - While a table rehashes, the pages of the old array that the rehash has emptied
//   go back to the kernel (discard_below), so old and new array are not both
//   resident for the whole rehash, and freeing the old array at the end costs little.
//
// glibc's statistics (mallinfo2, used_memory) do not see mapped arrays;
// buckets::mapped_bytes() is what they hold, for INFO to add.
#pragma once
#include <cstddef>
#include <utility>

namespace troupe {

namespace buckets {
// Arrays from this size on are mapped directly; smaller ones come from calloc.
constexpr size_t map_threshold = 256 * 1024;

// `bytes` zeroed bytes; throws std::bad_alloc when the memory is not there.
void* allocate(size_t bytes);
// Frees a block of allocate(bytes) of which `discarded` bytes were discarded.
void release(void* p, size_t bytes, size_t discarded);
// Hands the whole pages inside [from, to) of a mapped block of `bytes` bytes back
// to the kernel (they read as zeros afterwards); `from` is on a page boundary.
// Returns the end of what was handed back (to, rounded down to a page), or from.
size_t discard(void* p, size_t bytes, size_t from, size_t to);
// Bytes of directly mapped arrays not yet discarded or released, process-wide.
size_t mapped_bytes();
}  // namespace buckets

// A zero-initialised array of n buckets (T is a pointer type), move-only.
template <class T>
class bucket_array {
 public:
  bucket_array() = default;
  explicit bucket_array(size_t n)
      : data_(static_cast<T*>(buckets::allocate(n * sizeof(T)))), size_(n) {}
  ~bucket_array() { buckets::release(data_, size_ * sizeof(T), discarded_); }
  bucket_array(const bucket_array&) = delete;
  bucket_array& operator=(const bucket_array&) = delete;
  bucket_array(bucket_array&& o) noexcept { swap(o); }
  bucket_array& operator=(bucket_array&& o) noexcept {
    bucket_array(std::move(o)).swap(*this);
    return *this;
  }
  void swap(bucket_array& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(discarded_, o.discarded_);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }

  // The buckets below `upto` are null and stay so: gives back the whole pages they
  // fill. Cheap to call often: it acts once at least `chunk` more buckets are free.
  void discard_below(size_t upto) {
    constexpr size_t chunk = 128 * 1024;  // one madvise per 32 pages
    size_t bytes = size_ * sizeof(T), to = upto * sizeof(T);
    if (bytes < buckets::map_threshold || (to < discarded_ + chunk && upto < size_)) return;
    discarded_ = buckets::discard(data_, bytes, discarded_, to);
  }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
  size_t discarded_ = 0;  // bytes [0, discarded_) were given back to the kernel
};

}  // namespace troupe
