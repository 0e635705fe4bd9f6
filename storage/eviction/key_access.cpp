#include "storage/eviction/key_access.hpp"

namespace troupe {
namespace {

// A cheap generator for the counter's coin flips (xorshift64*), one per thread.
double next_unit() {
  thread_local uint64_t s = 0x9e3779b97f4a7c15ull ^ uint64_t(reinterpret_cast<uintptr_t>(&s));
  s ^= s >> 12;
  s ^= s << 25;
  s ^= s >> 27;
  return double((s * 0x2545f4914f6cdd1dull) >> 11) * (1.0 / 9007199254740992.0);
}

}  // namespace

uint32_t lfu_decayed_counter(uint32_t bits, int64_t now_ms, int64_t decay_minutes) {
  uint32_t counter = bits & 0xff;
  if (decay_minutes <= 0) return counter;
  uint32_t last = (bits >> 8) & 0xffff, now = lfu_minutes_at(now_ms);
  uint32_t elapsed = now >= last ? now - last : 65535 - last + now;
  uint64_t periods = uint64_t(elapsed) / uint64_t(decay_minutes);
  return periods >= counter ? 0 : counter - uint32_t(periods);
}

uint32_t lfu_log_increment(uint32_t counter, int64_t log_factor) {
  if (counter >= 255) return 255;
  double base = counter > lfu_init_val ? double(counter - lfu_init_val) : 0.0;
  double p = 1.0 / (base * double(log_factor) + 1.0);
  return next_unit() < p ? counter + 1 : counter;
}

}  // namespace troupe
