#include "actors/pubsub/pubsub_hub.hpp"

#include <caf/all.hpp>

#include "actors/client/connection.hpp"
#include "actors/runtime/messages.hpp"
#include "protocol/text/glob.hpp"

namespace troupe {

bool pubsub_hub::add(sub_kind kind, uint64_t client, const subscriber& who,
                     const std::string& name) {
  std::lock_guard<std::mutex> g(mutex_);
  return of(kind)[name].emplace(client, who).second;
}

bool pubsub_hub::remove(sub_kind kind, uint64_t client, const std::string& name) {
  std::lock_guard<std::mutex> g(mutex_);
  auto& m = of(kind);
  auto it = m.find(name);
  if (it == m.end()) return false;
  bool removed = it->second.erase(client) > 0;
  if (it->second.empty()) m.erase(it);
  return removed;
}

void pubsub_hub::deliver(const subscriber& s, sub_kind kind, std::string_view pattern,
                         std::string_view channel, std::string_view message, int from_reactor) {
  bool shard = kind == sub_kind::shard;
  if (s.reactor == from_reactor) {
    s.conn->deliver_pubsub(pattern, channel, message, shard);
  } else {
    caf::anon_send(
        s.handle, pubsub_atom::value,
        published_message{std::string(pattern), std::string(channel), std::string(message), shard});
  }
}

int64_t pubsub_hub::publish(std::string_view channel, std::string_view message, int from_reactor) {
  std::lock_guard<std::mutex> g(mutex_);
  int64_t n = 0;
  auto& channels = of(sub_kind::channel);
  auto it = channels.find(std::string(channel));
  if (it != channels.end()) {
    for (auto& [id, s] : it->second) {
      deliver(s, sub_kind::channel, {}, channel, message, from_reactor);
      ++n;
    }
  }
  for (auto& [pattern, subs] : of(sub_kind::pattern)) {
    if (!glob_match(pattern, channel)) continue;
    for (auto& [id, s] : subs) {
      deliver(s, sub_kind::pattern, pattern, channel, message, from_reactor);
      ++n;
    }
  }
  return n;
}

int64_t pubsub_hub::spublish(std::string_view channel, std::string_view message, int from_reactor) {
  std::lock_guard<std::mutex> g(mutex_);
  auto& shards = of(sub_kind::shard);
  auto it = shards.find(std::string(channel));
  if (it == shards.end()) return 0;
  for (auto& [id, s] : it->second) deliver(s, sub_kind::shard, {}, channel, message, from_reactor);
  return int64_t(it->second.size());
}

std::vector<std::string> pubsub_hub::channels(sub_kind kind, std::string_view pattern,
                                              bool all) const {
  std::lock_guard<std::mutex> g(mutex_);
  std::vector<std::string> out;
  for (auto& [name, subs] : of(kind))
    if (all || glob_match(pattern, name)) out.push_back(name);
  return out;
}

int64_t pubsub_hub::numsub(sub_kind kind, const std::string& channel) const {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = of(kind).find(channel);
  return it == of(kind).end() ? 0 : int64_t(it->second.size());
}

int64_t pubsub_hub::numpat() const {
  std::lock_guard<std::mutex> g(mutex_);
  return int64_t(of(sub_kind::pattern).size());
}

int64_t pubsub_hub::channel_count() const {
  std::lock_guard<std::mutex> g(mutex_);
  return int64_t(of(sub_kind::channel).size());
}

std::vector<std::string> pubsub_hub::subscriptions_of(uint64_t client, sub_kind kind) const {
  std::lock_guard<std::mutex> g(mutex_);
  std::vector<std::string> out;
  for (auto& [name, subs] : of(kind))
    if (subs.count(client)) out.push_back(name);
  return out;
}

}  // namespace troupe
