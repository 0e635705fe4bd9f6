// Clocks: wall time for TTLs and timestamps Redis shows (milliseconds and
// microseconds since the epoch), a monotonic one for measuring durations.
#pragma once
#include <time.h>

#include <cstdint>

namespace troupe {

inline int64_t wall_clock_ms() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

inline int64_t wall_clock_us() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

inline int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

inline int64_t monotonic_us() {
  return monotonic_ns() / 1000;
}

inline int64_t monotonic_ms() {
  return monotonic_ns() / 1000000;
}

}  // namespace troupe
