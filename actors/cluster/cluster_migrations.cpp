// cluster_control's part in atomic slot migrations (slot_migration.hpp): the
// source's list of migrations and their actors, the target's imports.
#include <thread>

#include "actors/cluster/cluster_control.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/registered_actor.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"
#include "actors/server/slot_keys.hpp"

namespace troupe {
namespace {

// Finished migrations kept for CLUSTER GETSLOTMIGRATIONS.
constexpr size_t kept_finished = 32;

std::vector<int> slots_of(const std::vector<std::pair<int, int>>& ranges) {
  std::vector<int> slots;
  for (auto [a, b] : ranges)
    for (int s = a; s <= b; ++s) slots.push_back(s);
  return slots;
}

}  // namespace

std::optional<std::string> cluster_control::migrate_slots(
    const std::vector<std::pair<int, int>>& ranges, const std::string& target) {
  auto m = std::make_shared<slot_migration>();
  m->ranges = ranges;
  m->slots = slots_of(ranges);
  m->target_id = target;
  m->created_ms = now_ms();
  auto err = view([&](const cluster::cluster_state& st) -> std::optional<std::string> {
    if (auto e = st.check_migration(m->slots, target)) return e;
    const cluster::cluster_node* n = st.node(target);
    m->target_host = n->ip;
    m->target_port = n->port;
    m->source_id = st.myself().id;
    return std::nullopt;
  });
  if (err) return err;
  {
    std::lock_guard<std::mutex> g(migrations_mutex_);
    for (const auto& other : migrations_) {
      if (other->finished()) continue;
      for (int s : other->slots)
        for (int mine : m->slots)
          if (s == mine) return "ERR Hash slot " + std::to_string(s) + " is already being migrated";
    }
    m->name = std::to_string(++migration_seq_);
    migrations_.push_back(m);
    // Forget the oldest finished ones.
    size_t finished = 0;
    for (const auto& x : migrations_) finished += x->finished();
    for (auto it = migrations_.begin(); finished > kept_finished && it != migrations_.end();) {
      if ((*it)->finished()) {
        it = migrations_.erase(it);
        --finished;
      } else {
        ++it;
      }
    }
  }
  log_notice("Slot migration {}: {} slots to {} ({}:{})", m->name, m->slots.size(), target,
             m->target_host, m->target_port);
  server* srv = &srv_;
  spawn_actor<function_actor>(srv_.registry(), placement::detached(),
                              {"slot migration " + m->name + " to " + target}, "slot_migration",
                              [srv, this, m](function_actor* self) -> caf::behavior {
                                run_slot_migration(*srv, *this, *m);
                                self->quit();
                                return {};
                              });
  return std::nullopt;
}

std::vector<std::shared_ptr<const slot_migration>> cluster_control::migrations() const {
  std::lock_guard<std::mutex> g(migrations_mutex_);
  return {migrations_.begin(), migrations_.end()};
}

size_t cluster_control::cancel_migrations() {
  std::lock_guard<std::mutex> g(migrations_mutex_);
  size_t n = 0;
  for (const auto& m : migrations_)
    if (!m->finished()) {
      cancel_slot_migration(*m);
      ++n;
    }
  return n;
}

void cluster_control::stop_migrations() {
  cancel_migrations();
  // Their threads use this object: wait for them (their I/O was interrupted).
  for (int i = 0; i < 1000; ++i) {
    bool running = false;
    for (const auto& m : migrations()) running |= !m->finished();
    if (!running) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::optional<std::string> cluster_control::import_begin(
    uint64_t client, const std::string& source, const std::vector<std::pair<int, int>>& ranges) {
  std::vector<int> slots = slots_of(ranges);
  auto err = view([&](const cluster::cluster_state& st) -> std::optional<std::string> {
    if (!st.myself().is_master()) return std::string("ERR I'm not a master");
    const cluster::cluster_node* from = st.node(source);
    if (!from) return "ERR Unknown node " + source;
    for (int s : slots)
      if (st.slot_owner(s) != from)
        return "ERR Hash slot " + std::to_string(s) + " is not served by the source";
    return std::nullopt;
  });
  if (err) return err;
  for (int s : slots)
    if (count_keys_in_slot(srv_, s) != 0)
      return "ERR Hash slot " + std::to_string(s) + " is not empty";
  std::lock_guard<std::mutex> g(migrations_mutex_);
  if (imports_.count(client)) return std::string("ERR This connection imports slots already");
  for (const auto& [id, imp] : imports_)
    for (int s : imp.slots)
      for (int mine : slots)
        if (s == mine) return "ERR Hash slot " + std::to_string(s) + " is already being imported";
  imports_[client] = {source, std::move(slots)};
  log_notice("Importing {} slots from {}", imports_[client].slots.size(), source);
  return std::nullopt;
}

std::optional<std::string> cluster_control::import_finish(uint64_t client) {
  slot_import imp;
  {
    std::lock_guard<std::mutex> g(migrations_mutex_);
    auto it = imports_.find(client);
    if (it == imports_.end()) return std::string("ERR This connection imports no slots");
    imp = it->second;
  }
  auto err = command(
      [&](cluster::cluster_state& st) { return st.take_imported_slots(imp.slots, imp.source); });
  if (err) return err;
  std::lock_guard<std::mutex> g(migrations_mutex_);
  imports_.erase(client);
  log_notice("Imported {} slots from {}", imp.slots.size(), imp.source);
  return std::nullopt;
}

void cluster_control::import_closed(uint64_t client) {
  slot_import imp;
  {
    std::lock_guard<std::mutex> g(migrations_mutex_);
    auto it = imports_.find(client);
    if (it == imports_.end()) return;
    imp = std::move(it->second);
    imports_.erase(it);
  }
  // What arrived of slots this node does not serve goes.
  std::vector<int> drop = view([&](const cluster::cluster_state& st) {
    std::vector<int> v;
    for (int s : imp.slots)
      if (st.slot_owner(s) != &st.myself()) v.push_back(s);
    return v;
  });
  log_warning("Import of {} slots from {} ended unfinished; deleting what arrived",
              imp.slots.size(), imp.source);
  for (int s : drop) delete_keys_in_slot(srv_, s);
}

}  // namespace troupe
