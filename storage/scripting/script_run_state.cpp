#include "storage/scripting/script_run_state.hpp"

namespace troupe {

void script_run_state::become_busy(bool is_function, bool wrote, std::string_view name,
                                   std::vector<std::string> command, int64_t started_ms) {
  {
    std::lock_guard<std::mutex> g(mutex_);
    name_ = name;
    command_ = std::move(command);
    started_ms_ = started_ms;
  }
  is_function_.store(is_function, std::memory_order_relaxed);
  wrote_.store(wrote, std::memory_order_relaxed);
  kill_.store(false, std::memory_order_relaxed);
  busy_.store(true, std::memory_order_release);
}

void script_run_state::end() {
  busy_.store(false, std::memory_order_release);
  wrote_.store(false, std::memory_order_relaxed);
  kill_.store(false, std::memory_order_relaxed);
}

std::string_view script_run_state::busy_error() const {
  return busy_function()
             ? "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
               "NOSAVE."
             : "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN "
               "NOSAVE.";
}

std::optional<std::string> script_run_state::request_kill(bool functions) {
  if (!busy()) return std::string("NOTBUSY No scripts in execution right now.");
  bool is_function = is_function_.load(std::memory_order_relaxed);
  if (wrote_.load(std::memory_order_relaxed))
    return std::string(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. You "
        "can either wait the script termination or kill the server in a hard way using the "
        "SHUTDOWN NOSAVE command.");
  // The other KILL's kind of script: -BUSY naming the right one.
  if (functions != is_function) return std::string(busy_error());
  kill_.store(true, std::memory_order_relaxed);
  return std::nullopt;
}

bool script_run_state::running_function(std::string& name, std::vector<std::string>& command,
                                        int64_t& started_ms) const {
  if (!busy_function()) return false;
  std::lock_guard<std::mutex> g(mutex_);
  name = name_;
  command = command_;
  started_ms = started_ms_;
  return true;
}

}  // namespace troupe
