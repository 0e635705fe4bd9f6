// Channels and patterns to subscribers. PUBLISH must answer how many clients
// received the message, so the hub is a registry that the publishing connection
// consults directly (under a mutex, like a shard) rather than an actor it would
// have to wait for: a subscriber on the publisher's own reactor gets the message
// appended to its output at once; one on another reactor gets it as a message
// to its connection actor.
#pragma once
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>

namespace troupe {

class connection;

class pubsub_hub {
 public:
  struct subscriber {
    connection* conn;  // valid while subscribed; used only from its reactor
    caf::actor handle;
    int reactor;
  };

  // Each returns the subscriber's number of subscriptions of that kind after the change.
  bool subscribe(uint64_t client, const subscriber& who, const std::string& channel);
  bool unsubscribe(uint64_t client, const std::string& channel);
  bool psubscribe(uint64_t client, const subscriber& who, const std::string& pattern);
  bool punsubscribe(uint64_t client, const std::string& pattern);

  // Delivers to every subscriber of the channel and every matching pattern;
  // returns how many deliveries were made. `from_reactor` is the caller's reactor.
  int64_t publish(std::string_view channel, std::string_view message, int from_reactor);

  std::vector<std::string> channels(std::string_view pattern, bool all) const;
  int64_t numsub(const std::string& channel) const;
  int64_t numpat() const;
  int64_t channel_count() const;
  // The channels (or patterns) one client is subscribed to (ACL SETUSER checks
  // them against the user's new channel permissions).
  std::vector<std::string> subscriptions_of(uint64_t client, bool patterns) const;

 private:
  void deliver(const subscriber& s, std::string_view pattern, std::string_view channel,
               std::string_view message, int from_reactor);

  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::unordered_map<uint64_t, subscriber>> channels_;
  std::unordered_map<std::string, std::unordered_map<uint64_t, subscriber>> patterns_;
};

}  // namespace troupe
