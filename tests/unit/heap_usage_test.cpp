// The allocation counter behind used_memory (storage/memory/heap_usage.hpp):
// it follows malloc, realloc and free exactly, across threads.
#include <gtest/gtest.h>

#include <malloc.h>

#include <cstdlib>
#include <thread>

#include "storage/memory/heap_usage.hpp"

using namespace troupe;

TEST(heap_usage, follows_allocations_and_frees) {
  if (!heap_counter_active()) GTEST_SKIP() << "AddressSanitizer owns malloc here";
  size_t before = heap_allocated_bytes();
  void* p = malloc(100000);
  ASSERT_NE(p, nullptr);
  size_t usable = malloc_usable_size(p);
  EXPECT_EQ(heap_allocated_bytes(), before + usable);
  p = realloc(p, 300000);
  size_t grown = malloc_usable_size(p);
  EXPECT_EQ(heap_allocated_bytes(), before + grown);
  free(p);
  EXPECT_EQ(heap_allocated_bytes(), before);
  // Allocated on one thread, freed on another: the sum stays right.
  void* q = nullptr;
  std::thread([&] { q = malloc(5000); }).join();
  // (Starting a thread allocates a little of its own: a small slack.)
  size_t q_size = malloc_usable_size(q);
  EXPECT_NEAR(double(heap_allocated_bytes()), double(before + q_size), 1024);
  free(q);
  EXPECT_NEAR(double(heap_allocated_bytes()), double(before), 1024);
}
