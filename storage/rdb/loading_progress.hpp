// Progress of a dataset being loaded (an RDB at start-up or from a master, an
// AOF): what INFO's loading_* fields show and what the log says every few
// seconds. The loader's thread advances it; INFO reads it from any reactor,
// so every field is an atomic.
#pragma once
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

namespace troupe {

class loading_progress {
 public:
  // A load of `total_bytes` (0 when unknown: a diskless transfer with an EOF
  // mark) begins; `what` names it in the log ("RDB", "AOF").
  void begin(const char* what, uint64_t total_bytes, int64_t now_ms);
  // The used-mem aux field of the RDB (loading_rdb_used_mem).
  void set_rdb_used_mem(uint64_t bytes) { rdb_used_mem_.store(bytes, std::memory_order_relaxed); }
  // `loaded_bytes` read so far and `keys` (or commands) applied: returns the
  // line to log when `log_every_ms` passed since the last one.
  std::optional<std::string> advance(uint64_t loaded_bytes, uint64_t keys, int64_t now_ms,
                                     int64_t log_every_ms = 2000);
  void end() { active_.store(false, std::memory_order_release); }

  bool active() const { return active_.load(std::memory_order_acquire); }
  // Redis's fields, in its order: loading_start_time .. loading_eta_seconds.
  std::string info_fields(int64_t now_ms) const;

 private:
  double percent() const;
  int64_t eta_seconds(int64_t now_ms) const;

  std::atomic<bool> active_{false};
  const char* what_ = "RDB";
  std::atomic<int64_t> start_ms_{0}, last_log_ms_{0};
  std::atomic<uint64_t> total_{0}, loaded_{0}, rdb_used_mem_{0};
};

}  // namespace troupe
