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

// Channels, patterns (PSUBSCRIBE) and shard channels (SSUBSCRIBE: in a
// cluster, served by the owner of the channel's slot) are three separate
// namespaces: a PUBLISH never reaches a shard subscriber nor the reverse.
enum class sub_kind : uint8_t { channel, pattern, shard };

class pubsub_hub {
 public:
  struct subscriber {
    connection* conn;  // valid while subscribed; used only from its reactor
    caf::actor handle;
    int reactor;
  };

  // Each returns whether the subscription was new (removed).
  bool add(sub_kind kind, uint64_t client, const subscriber& who, const std::string& name);
  bool remove(sub_kind kind, uint64_t client, const std::string& name);

  // Delivers to every subscriber of the channel and every matching pattern;
  // returns how many deliveries were made. `from_reactor` is the caller's reactor.
  int64_t publish(std::string_view channel, std::string_view message, int from_reactor);
  // SPUBLISH: to the shard channel's subscribers only.
  int64_t spublish(std::string_view channel, std::string_view message, int from_reactor);

  // Active channels (or shard channels) matching the pattern, or all.
  std::vector<std::string> channels(sub_kind kind, std::string_view pattern, bool all) const;
  int64_t numsub(sub_kind kind, const std::string& channel) const;
  int64_t numpat() const;
  int64_t channel_count() const;
  // The channels, patterns or shard channels of one client (ACL SETUSER
  // checks them against the user's new channel permissions).
  std::vector<std::string> subscriptions_of(uint64_t client, sub_kind kind) const;

 private:
  using subscribers = std::unordered_map<std::string, std::unordered_map<uint64_t, subscriber>>;
  void deliver(const subscriber& s, sub_kind kind, std::string_view pattern,
               std::string_view channel, std::string_view message, int from_reactor);
  subscribers& of(sub_kind k) { return maps_[size_t(k)]; }
  const subscribers& of(sub_kind k) const { return maps_[size_t(k)]; }

  mutable std::mutex mutex_;
  subscribers maps_[3];
};

}  // namespace troupe
