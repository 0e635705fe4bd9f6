#include "tools/benchmark/run_control.hpp"

#include <cstdio>

namespace troupe::bench {

void run_control::fail(std::string message) {
  std::lock_guard lock(mu_);
  if (!failed_.load()) {
    failure_ = std::move(message);
    failed_.store(true);
  }
}

std::string run_control::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

void run_control::maybe_show_error(std::string_view text, uint64_t now_ns) {
  if (!show_errors_) return;
  uint64_t last = last_error_shown_ns_.load(std::memory_order_relaxed);
  if (last != 0 && now_ns - last < 1'000'000'000ULL) return;
  if (!last_error_shown_ns_.compare_exchange_strong(last, now_ns)) return;
  std::fprintf(stderr, "Error from server: %.*s\n", int(text.size()), text.data());
}

}  // namespace troupe::bench
