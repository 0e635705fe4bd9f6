// The clients in MONITOR mode. The dispatcher of any reactor hands every
// command it ran (shown_by_monitor) to feed(): a monitor on the same reactor
// gets the line appended to its output at once, one on another reactor gets it
// as a message to its connection actor. Feeding reads an immutable snapshot of
// the list, so reactors never contend on a lock per command; only MONITOR,
// RESET and close take the mutex.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>

namespace troupe {

class connection;

class monitor_hub {
 public:
  // `count` mirrors the number of watchers (server_services::monitor_clients,
  // which the dispatcher reads).
  explicit monitor_hub(std::atomic<int>& count) : count_(count) {}

  struct watcher {
    uint64_t client;
    connection* conn;  // used only from its own reactor
    caf::actor handle;
    int reactor;
  };

  // Called from the watcher's own reactor.
  void add(const watcher& w);
  void remove(uint64_t client);

  // One line (a RESP simple string with its CRLF) for every monitor.
  void feed(const std::string& line, int from_reactor) const;

 private:
  using list = std::vector<watcher>;
  std::mutex mutex_;  // serialises add/remove
  std::shared_ptr<const list> watchers_ = std::make_shared<const list>();
  std::atomic<int>& count_;
};

}  // namespace troupe
