#include "actors/runtime/machine_idle.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace troupe {

double machine_idle::sample() {
  // "cpu  user nice system idle iowait irq softirq steal guest guest_nice"
  // (guest time is counted in user already).
  char buf[512];
  int fd = ::open("/proc/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1.0;
  ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
  ::close(fd);
  if (n <= 4) return 1.0;
  buf[n] = '\0';
  const char* p = buf + 4;
  uint64_t field[8] = {};
  for (auto& f : field) {
    char* end = nullptr;
    f = strtoull(p, &end, 10);
    if (end == p) break;
    p = end;
  }
  uint64_t idle = field[3] + field[4], total = 0;
  for (auto f : field) total += f;
  uint64_t d_idle = idle - idle_, d_total = total - total_;
  bool first = total_ == 0;
  idle_ = idle;
  total_ = total;
  if (first || d_total == 0 || d_idle > d_total) return 1.0;
  return double(d_idle) / double(d_total);
}

}  // namespace troupe
