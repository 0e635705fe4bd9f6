#include "actors/actor_directory.hpp"

namespace troupe {

void actor_directory::add(actor_record r) {
  std::lock_guard<std::mutex> g(mutex_);
  actors_[r.id] = std::move(r);
}

void actor_directory::remove(uint64_t id) {
  std::lock_guard<std::mutex> g(mutex_);
  actors_.erase(id);
}

void actor_directory::add_peer(uint64_t id, uint64_t peer) {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = actors_.find(id);
  if (it != actors_.end()) it->second.peers.push_back(peer);
}

std::vector<actor_record> actor_directory::snapshot() const {
  std::lock_guard<std::mutex> g(mutex_);
  std::vector<actor_record> out;
  for (auto& [id, r] : actors_) out.push_back(r);
  return out;
}

size_t actor_directory::count(const std::string& type) const {
  std::lock_guard<std::mutex> g(mutex_);
  size_t n = 0;
  for (auto& [id, r] : actors_) n += r.type == type;
  return n;
}

}  // namespace troupe
