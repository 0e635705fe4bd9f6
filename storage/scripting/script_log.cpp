#include "storage/scripting/script_log.hpp"

#include <atomic>

namespace troupe {
namespace {
std::atomic<script_log_sink> sink{nullptr};
}

void set_script_log_sink(script_log_sink s) {
  sink.store(s, std::memory_order_release);
}

void script_log(int level, std::string_view message) {
  if (auto s = sink.load(std::memory_order_acquire)) s(level, message);
}

}  // namespace troupe
