// The script under way, as the rest of the server sees it: other clients get
// -BUSY once it has run longer than busy-reply-threshold, SCRIPT KILL and
// FUNCTION KILL ask it to stop (-UNKILLABLE once it wrote), FUNCTION STATS
// shows it. The running engine writes it; any reactor reads it.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

class script_run_state {
 public:
  // The engine, when a script passes the threshold (it is "busy" from now on)
  // and when it ends.
  void become_busy(bool is_function, bool wrote, std::string_view name,
                   std::vector<std::string> command, int64_t started_ms);
  void end();

  bool busy() const { return busy_.load(std::memory_order_acquire); }
  bool busy_function() const { return busy() && is_function_.load(std::memory_order_relaxed); }
  void note_write() { wrote_.store(true, std::memory_order_relaxed); }
  bool kill_requested() const { return kill_.load(std::memory_order_relaxed); }
  // The -BUSY error for other clients.
  std::string_view busy_error() const;

  // SCRIPT KILL (functions = false) / FUNCTION KILL: the error reply, or
  // nothing when the script will stop.
  std::optional<std::string> request_kill(bool functions);

  // FUNCTION STATS' running_script: name, command, started (wall clock ms);
  // false when no function is running busy.
  bool running_function(std::string& name, std::vector<std::string>& command,
                        int64_t& started_ms) const;

 private:
  std::atomic<bool> busy_{false}, is_function_{false}, wrote_{false}, kill_{false};
  mutable std::mutex mutex_;
  std::string name_;
  std::vector<std::string> command_;
  int64_t started_ms_ = 0;
};

}  // namespace troupe
