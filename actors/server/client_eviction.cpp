#include "actors/server/client_eviction.hpp"

#include <algorithm>
#include <vector>

#include <caf/all.hpp>

#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/server/server.hpp"

namespace troupe {
namespace {

// Redis never lets the limit go below 128 KB, so a misconfiguration cannot cut
// every client off.
constexpr int64_t smallest_limit = 128 * 1024;
// What a connection costs beyond its buffers (the figure CLIENT LIST's
// tot-mem adds).
constexpr int64_t per_client = 1024;

int64_t memory_of(const session& s) {
  return s.query_buffer.load(std::memory_order_relaxed) +
         s.query_buffer_free.load(std::memory_order_relaxed) +
         s.output_bytes.load(std::memory_order_relaxed) + per_client;
}

}  // namespace

int evict_clients(server& srv) {
  const server_config& cfg = srv.config();
  if (cfg.maxmemory_clients.get() == 0) return 0;
  int64_t limit = cfg.maxmemory_clients.bytes_of(cfg.maxmemory.get());
  if (limit == 0) return 0;  // a percentage of no maxmemory
  limit = std::max(limit, smallest_limit);
  int evicted = 0;
  struct candidate {
    int64_t memory;
    uint64_t id;
  };
  std::vector<candidate> candidates;
  std::vector<std::string> victims;
  srv.for_each_client([&](uint64_t id, client_record& r) {
    for (session_flag spared : {client_replica, client_master, client_monitor, client_no_evict})
      if (r.s->has(spared)) return;
    // Already being closed (evicted by an earlier pass, its close message on
    // its way): its memory is going, as Redis drops such clients from its
    // eviction pool. Counting it again would evict smaller clients for nothing.
    if (r.s->has(client_close_asap)) return;
    candidates.push_back({memory_of(*r.s), id});
  });
  int64_t total = 0;
  for (auto& c : candidates) total += c.memory;
  if (total < limit) return 0;
  std::sort(candidates.begin(), candidates.end(),
            [](const candidate& a, const candidate& b) { return a.memory > b.memory; });
  // The registry lock is not held between the two passes: a client that went
  // away meanwhile is looked up again by id before it is closed.
  std::vector<uint64_t> ids;
  for (auto& c : candidates) {
    if (total < limit) break;
    ids.push_back(c.id);
    total -= c.memory;
  }
  srv.for_each_client([&](uint64_t id, client_record& r) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) return;
    victims.push_back(srv.client_info(*r.s));
    r.s->set(client_close_asap);
    caf::anon_send(r.handle, close_atom::value);
    ++evicted;
  });
  for (auto& v : victims) log_notice("Evicting client: {}", v);
  srv.evicted_clients.add(uint64_t(evicted));
  return evicted;
}

}  // namespace troupe
