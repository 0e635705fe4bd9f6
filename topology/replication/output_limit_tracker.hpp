// client-output-buffer-limit for one client: over the hard limit it must go at
// once; over the soft limit for longer than its seconds, too. Redis's rule
// (checkClientOutputBufferLimits) as a small state machine fed with the bytes
// the client holds and the time.
#pragma once
#include <cstdint>

namespace troupe {

class output_limit_tracker {
 public:
  // Limits of 0 are off. True when the client must be disconnected.
  bool over(uint64_t used, int64_t hard, int64_t soft, int64_t soft_seconds, int64_t now_ms) {
    if (hard > 0 && int64_t(used) >= hard) return true;
    if (soft > 0 && int64_t(used) >= soft) {
      if (soft_since_ms_ < 0) {
        soft_since_ms_ = now_ms;
        return false;
      }
      return now_ms - soft_since_ms_ > soft_seconds * 1000;
    }
    soft_since_ms_ = -1;
    return false;
  }

 private:
  int64_t soft_since_ms_ = -1;
};

}  // namespace troupe
