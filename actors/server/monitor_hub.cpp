#include "actors/server/monitor_hub.hpp"

#include <algorithm>

#include <caf/send.hpp>

#include "actors/client/connection.hpp"
#include "actors/runtime/messages.hpp"

namespace troupe {

void monitor_hub::add(const watcher& w) {
  std::lock_guard<std::mutex> g(mutex_);
  auto next = std::make_shared<list>(*std::atomic_load(&watchers_));
  if (std::any_of(next->begin(), next->end(),
                  [&](const watcher& x) { return x.client == w.client; }))
    return;
  next->push_back(w);
  count_.store(int(next->size()), std::memory_order_relaxed);
  std::atomic_store(&watchers_, std::shared_ptr<const list>(std::move(next)));
}

void monitor_hub::remove(uint64_t client) {
  std::lock_guard<std::mutex> g(mutex_);
  auto next = std::make_shared<list>(*std::atomic_load(&watchers_));
  auto it = std::remove_if(next->begin(), next->end(),
                           [&](const watcher& x) { return x.client == client; });
  if (it == next->end()) return;
  next->erase(it, next->end());
  count_.store(int(next->size()), std::memory_order_relaxed);
  std::atomic_store(&watchers_, std::shared_ptr<const list>(std::move(next)));
}

void monitor_hub::feed(const std::string& line, int from_reactor) const {
  std::shared_ptr<const list> now = std::atomic_load(&watchers_);
  for (const watcher& w : *now) {
    // A watcher on this reactor cannot be removed while we run (removal
    // happens on its own reactor), so its pointer is good.
    if (w.reactor == from_reactor)
      w.conn->deliver_monitor_line(line);
    else
      caf::anon_send(w.handle, monitor_atom::value, line);
  }
}

}  // namespace troupe
