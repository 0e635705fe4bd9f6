// Polls `cond` until it holds or `seconds` pass: actors and reactors update
// state on other threads, so tests wait for a state rather than sleep a
// fixed time.
#pragma once

#include <chrono>
#include <thread>

namespace troupe::test {

template <class F>
bool eventually(F cond, int seconds = 10) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace troupe::test
