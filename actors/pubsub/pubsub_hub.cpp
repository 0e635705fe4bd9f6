#include "actors/pubsub/pubsub_hub.hpp"

#include <caf/all.hpp>

#include "actors/client/connection.hpp"
#include "actors/runtime/messages.hpp"
#include "protocol/text/glob.hpp"

namespace troupe {

bool pubsub_hub::subscribe(uint64_t client, const subscriber& who, const std::string& channel) {
  std::lock_guard<std::mutex> g(mutex_);
  return channels_[channel].emplace(client, who).second;
}

bool pubsub_hub::unsubscribe(uint64_t client, const std::string& channel) {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = channels_.find(channel);
  if (it == channels_.end()) return false;
  bool removed = it->second.erase(client) > 0;
  if (it->second.empty()) channels_.erase(it);
  return removed;
}

bool pubsub_hub::psubscribe(uint64_t client, const subscriber& who, const std::string& pattern) {
  std::lock_guard<std::mutex> g(mutex_);
  return patterns_[pattern].emplace(client, who).second;
}

bool pubsub_hub::punsubscribe(uint64_t client, const std::string& pattern) {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = patterns_.find(pattern);
  if (it == patterns_.end()) return false;
  bool removed = it->second.erase(client) > 0;
  if (it->second.empty()) patterns_.erase(it);
  return removed;
}

void pubsub_hub::deliver(const subscriber& s, std::string_view pattern, std::string_view channel,
                         std::string_view message, int from_reactor) {
  if (s.reactor == from_reactor) {
    s.conn->deliver_pubsub(pattern, channel, message);
  } else {
    caf::anon_send(
        s.handle, pubsub_atom::value,
        published_message{std::string(pattern), std::string(channel), std::string(message)});
  }
}

int64_t pubsub_hub::publish(std::string_view channel, std::string_view message, int from_reactor) {
  std::lock_guard<std::mutex> g(mutex_);
  int64_t n = 0;
  auto it = channels_.find(std::string(channel));
  if (it != channels_.end()) {
    for (auto& [id, s] : it->second) {
      deliver(s, {}, channel, message, from_reactor);
      ++n;
    }
  }
  for (auto& [pattern, subs] : patterns_) {
    if (!glob_match(pattern, channel)) continue;
    for (auto& [id, s] : subs) {
      deliver(s, pattern, channel, message, from_reactor);
      ++n;
    }
  }
  return n;
}

std::vector<std::string> pubsub_hub::channels(std::string_view pattern, bool all) const {
  std::lock_guard<std::mutex> g(mutex_);
  std::vector<std::string> out;
  for (auto& [name, subs] : channels_)
    if (all || glob_match(pattern, name)) out.push_back(name);
  return out;
}

int64_t pubsub_hub::numsub(const std::string& channel) const {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = channels_.find(channel);
  return it == channels_.end() ? 0 : int64_t(it->second.size());
}

int64_t pubsub_hub::numpat() const {
  std::lock_guard<std::mutex> g(mutex_);
  return int64_t(patterns_.size());
}

int64_t pubsub_hub::channel_count() const {
  std::lock_guard<std::mutex> g(mutex_);
  return int64_t(channels_.size());
}

std::vector<std::string> pubsub_hub::subscriptions_of(uint64_t client, bool patterns) const {
  std::lock_guard<std::mutex> g(mutex_);
  std::vector<std::string> out;
  for (auto& [name, subs] : patterns ? patterns_ : channels_)
    if (subs.count(client)) out.push_back(name);
  return out;
}

}  // namespace troupe
