// The share of the machine's CPU time that went idle between two samples,
// from the aggregate line of /proc/stat. A reactor asks it (at most every
// 100 ms) whether the machine is saturated, to decide whether gathering its
// input pays (see reactor-coalesce-us).
#pragma once
#include <cstdint>

namespace troupe {

class machine_idle {
 public:
  // Idle (and I/O wait) time over all time since the last call, in [0, 1];
  // 1 when /proc/stat cannot be read or no time has passed.
  double sample();

 private:
  uint64_t idle_ = 0, total_ = 0;
};

}  // namespace troupe
