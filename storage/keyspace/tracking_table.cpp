#include "storage/keyspace/tracking_table.hpp"

#include <algorithm>

namespace troupe {

void tracking_table::enable(uint64_t client, const tracking_options& o) {
  std::lock_guard<std::mutex> g(mutex_);
  auto [it, fresh] = clients_.try_emplace(client, o);
  if (fresh) {
    trackers_.fetch_add(1, std::memory_order_relaxed);
  } else {
    // Enabled again: the mode stays (the command checked it); redirect, noloop
    // and new prefixes are taken.
    it->second.redirect = o.redirect;
    it->second.noloop = o.noloop;
    it->second.optin = o.optin;
    it->second.optout = o.optout;
    for (const auto& p : o.prefixes)
      if (std::find(it->second.prefixes.begin(), it->second.prefixes.end(), p) ==
          it->second.prefixes.end())
        it->second.prefixes.push_back(p);
  }
  if (o.bcast)
    for (const auto& p : o.prefixes) prefixes_[p].clients.insert(client);
}

void tracking_table::disable(uint64_t client) {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return;
  for (const auto& p : it->second.prefixes) {
    auto pit = prefixes_.find(p);
    if (pit == prefixes_.end()) continue;
    pit->second.clients.erase(client);
    if (pit->second.clients.empty()) prefixes_.erase(pit);
  }
  clients_.erase(it);
  trackers_.fetch_sub(1, std::memory_order_relaxed);
}

bool tracking_table::options_of(uint64_t client, tracking_options& out) const {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = clients_.find(client);
  if (it == clients_.end()) return false;
  out = it->second;
  return true;
}

void tracking_table::remember(uint64_t client, std::string_view key) {
  std::lock_guard<std::mutex> g(mutex_);
  auto& readers = keys_[std::string(key)];
  if (readers.insert(client).second) ++items_;
}

void tracking_table::queue_for(uint64_t client, const tracking_options& o,
                               std::vector<std::string> keys, bool flush,
                               std::vector<invalidation>& out) const {
  invalidation inv;
  inv.tracker = client;
  inv.redirect = o.redirect;
  inv.flush = flush;
  inv.keys = std::move(keys);
  out.push_back(std::move(inv));
}

void tracking_table::key_modified(std::string_view key, uint64_t modifier,
                                  std::vector<invalidation>& out) {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = keys_.find(std::string(key));
  if (it != keys_.end()) {
    for (uint64_t client : it->second) {
      auto c = clients_.find(client);
      if (c == clients_.end() || c->second.bcast) continue;  // stopped tracking since
      if (c->second.noloop && client == modifier) continue;
      queue_for(client, c->second, {std::string(key)}, false, out);
    }
    items_ -= it->second.size();
    keys_.erase(it);
  }
  for (auto& [prefix, state] : prefixes_)
    if (key.substr(0, prefix.size()) == prefix)
      state.pending.push_back({std::string(key), modifier});
}

void tracking_table::take_broadcasts(std::vector<invalidation>& out) {
  std::lock_guard<std::mutex> g(mutex_);
  for (auto& [prefix, state] : prefixes_) {
    if (state.pending.empty()) continue;
    for (uint64_t client : state.clients) {
      auto c = clients_.find(client);
      if (c == clients_.end()) continue;
      std::vector<std::string> keys;
      for (const auto& p : state.pending)
        if (!(c->second.noloop && p.modifier == client)) keys.push_back(p.key);
      if (!keys.empty()) queue_for(client, c->second, std::move(keys), false, out);
    }
    state.pending.clear();
  }
}

void tracking_table::flushed(std::vector<invalidation>& out) {
  std::lock_guard<std::mutex> g(mutex_);
  for (const auto& [client, o] : clients_) queue_for(client, o, {}, true, out);
  keys_.clear();
  items_ = 0;
  for (auto& [prefix, state] : prefixes_) state.pending.clear();
}

void tracking_table::enforce_max_keys(size_t max_keys, std::vector<invalidation>& out) {
  if (max_keys == 0) return;
  std::lock_guard<std::mutex> g(mutex_);
  // An unordered_map's first buckets are as good as random keys here.
  while (keys_.size() > max_keys) {
    auto it = keys_.begin();
    for (uint64_t client : it->second) {
      auto c = clients_.find(client);
      if (c == clients_.end() || c->second.bcast) continue;
      queue_for(client, c->second, {it->first}, false, out);
    }
    items_ -= it->second.size();
    keys_.erase(it);
  }
}

size_t tracking_table::total_keys() const {
  std::lock_guard<std::mutex> g(mutex_);
  return keys_.size();
}
size_t tracking_table::total_items() const {
  std::lock_guard<std::mutex> g(mutex_);
  return items_;
}
size_t tracking_table::total_prefixes() const {
  std::lock_guard<std::mutex> g(mutex_);
  return prefixes_.size();
}

}  // namespace troupe
