#include "actors/runtime/actor_registry.hpp"

#include <time.h>

namespace troupe {

int64_t coarse_wall_clock_ms() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

actor_registry::actor_registry(caf::actor_system& sys)
    : sys_(sys), table_(std::make_shared<registry_table>()) {}

std::shared_ptr<actor_entry> actor_registry::enter(uint64_t id, const char* type, int placement,
                                                   spawn_site site) {
  auto e = std::make_shared<actor_entry>();
  e->id = id;
  e->type = type;
  e->label = std::move(site.label);
  e->parent = site.parent;
  e->placement = placement;
  e->peers = std::move(site.peers);
  e->spawned_ms = coarse_wall_clock_ms();
  e->last_active_ms.store(e->spawned_ms, std::memory_order_relaxed);
  std::lock_guard<std::mutex> g(table_->mutex);
  table_->actors[id] = e;
  return e;
}

actor_registry::leave_fn actor_registry::leaver(uint64_t id) const {
  return {table_, id};
}

void actor_registry::leave_fn::operator()() const {
  if (auto t = table.lock()) {
    std::lock_guard<std::mutex> g(t->mutex);
    t->actors.erase(id);
  }
}

void actor_registry::add_peer(uint64_t id, uint64_t peer) {
  std::lock_guard<std::mutex> g(table_->mutex);
  auto it = table_->actors.find(id);
  if (it == table_->actors.end()) return;
  auto& peers = it->second->peers;
  for (uint64_t p : peers)
    if (p == peer) return;
  peers.push_back(peer);
}

std::vector<actor_info> actor_registry::snapshot() const {
  std::lock_guard<std::mutex> g(table_->mutex);
  std::vector<actor_info> out;
  out.reserve(table_->actors.size());
  for (auto& [id, e] : table_->actors) {
    actor_info a;
    a.id = id;
    a.type = e->type;
    a.label = e->label;
    a.parent = e->parent;
    a.placement = e->placement;
    a.spawned_ms = e->spawned_ms;
    a.peers = e->peers;
    // Read handled first: a message enqueued in between makes the depth one
    // too high for an instant, never negative.
    a.handled = e->handled.load(std::memory_order_relaxed);
    uint64_t in = e->enqueued.load(std::memory_order_relaxed);
    a.mailbox = in > a.handled ? in - a.handled : 0;
    a.last_active_ms = e->last_active_ms.load(std::memory_order_relaxed);
    out.push_back(std::move(a));
  }
  return out;
}

size_t actor_registry::size() const {
  std::lock_guard<std::mutex> g(table_->mutex);
  return table_->actors.size();
}

size_t actor_registry::count(const std::string& type) const {
  std::lock_guard<std::mutex> g(table_->mutex);
  size_t n = 0;
  for (auto& [id, e] : table_->actors) n += e->type == type;
  return n;
}

}  // namespace troupe
