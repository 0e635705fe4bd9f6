#include "storage/rdb/loading_progress.hpp"

#include <algorithm>
#include <cstdio>

namespace troupe {

void loading_progress::begin(const char* what, uint64_t total_bytes, int64_t now_ms) {
  what_ = what;
  start_ms_.store(now_ms, std::memory_order_relaxed);
  last_log_ms_.store(now_ms, std::memory_order_relaxed);
  total_.store(total_bytes, std::memory_order_relaxed);
  loaded_.store(0, std::memory_order_relaxed);
  rdb_used_mem_.store(0, std::memory_order_relaxed);
  active_.store(true, std::memory_order_release);
}

std::optional<std::string> loading_progress::advance(uint64_t loaded_bytes, uint64_t keys,
                                                     int64_t now_ms, int64_t log_every_ms) {
  loaded_.store(loaded_bytes, std::memory_order_relaxed);
  if (now_ms - last_log_ms_.load(std::memory_order_relaxed) < log_every_ms) return std::nullopt;
  last_log_ms_.store(now_ms, std::memory_order_relaxed);
  char line[256];
  if (total_.load(std::memory_order_relaxed) > 0)
    snprintf(line, sizeof line, "Loading %s: %.2f%% (%llu of %llu bytes, %llu keys), eta %lld s",
             what_, percent(), (unsigned long long)loaded_bytes,
             (unsigned long long)total_.load(std::memory_order_relaxed), (unsigned long long)keys,
             (long long)eta_seconds(now_ms));
  else
    snprintf(line, sizeof line, "Loading %s: %llu bytes, %llu keys", what_,
             (unsigned long long)loaded_bytes, (unsigned long long)keys);
  return std::string(line);
}

double loading_progress::percent() const {
  uint64_t total = total_.load(std::memory_order_relaxed);
  if (total == 0) return 0;
  return double(loaded_.load(std::memory_order_relaxed)) * 100.0 / double(total);
}

// As Redis estimates it: the time so far, scaled by the bytes still to read.
int64_t loading_progress::eta_seconds(int64_t now_ms) const {
  uint64_t total = total_.load(std::memory_order_relaxed);
  uint64_t loaded = loaded_.load(std::memory_order_relaxed);
  if (total == 0 || loaded == 0) return 1;
  double elapsed_s = double(now_ms - start_ms_.load(std::memory_order_relaxed)) / 1000.0;
  return int64_t(elapsed_s * double(total - std::min(total, loaded)) / double(loaded));
}

std::string loading_progress::info_fields(int64_t now_ms) const {
  char buf[512];
  snprintf(buf, sizeof buf,
           "loading_start_time:%lld\r\nloading_total_bytes:%llu\r\nloading_rdb_used_mem:%llu\r\n"
           "loading_loaded_bytes:%llu\r\nloading_loaded_perc:%.2f\r\nloading_eta_seconds:%lld\r\n",
           (long long)(start_ms_.load(std::memory_order_relaxed) / 1000),
           (unsigned long long)total_.load(std::memory_order_relaxed),
           (unsigned long long)rdb_used_mem_.load(std::memory_order_relaxed),
           (unsigned long long)loaded_.load(std::memory_order_relaxed), percent(),
           (long long)eta_seconds(now_ms));
  return buf;
}

}  // namespace troupe
