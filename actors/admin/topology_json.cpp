// GET /topology: the live actor graph of this process (every actor with its
// type, label, placement, parent, peers, mailbox, messages handled and last
// activity) and the remote nodes its actors talk to (the master a master_link
// follows, the replicas replica_feeds serve), so that one request per node
// shows the graph whether it runs in one process or across machines.
#include <unistd.h>

#include "actors/admin/admin_routes.hpp"
#include "actors/replication/replication_state.hpp"
#include "actors/server/server.hpp"
#include "protocol/text/info_text.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {

std::string topology_json(server& srv) {
  int64_t now = wall_clock_ms();
  std::vector<actor_info> actors = srv.registry().snapshot();
  std::string o = "{\"node\":{\"run_id\":" + json_quote(srv.run_id()) +
                  ",\"port\":" + std::to_string(srv.tcp_port()) +
                  ",\"pid\":" + std::to_string(getpid()) +
                  ",\"role\":" + json_quote(srv.is_replica() ? "slave" : "master") +
                  ",\"reactors\":" + std::to_string(srv.reactor_count()) +
                  ",\"time_ms\":" + std::to_string(now) + "},\"actors\":[";
  bool first = true;
  for (auto& a : actors) {
    if (!first) o += ',';
    first = false;
    o += "{\"id\":" + std::to_string(a.id) + ",\"type\":" + json_quote(a.type) +
         ",\"label\":" + json_quote(a.label) + ",\"parent\":" + std::to_string(a.parent) +
         ",\"placement\":" +
         json_quote(a.placement == on_scheduler ? "scheduler"
                                                : "reactor " + std::to_string(a.placement)) +
         ",\"peers\":[";
    for (size_t i = 0; i < a.peers.size(); ++i) o += (i ? "," : "") + std::to_string(a.peers[i]);
    o += "],\"mailbox\":" + std::to_string(a.mailbox) +
         ",\"handled\":" + std::to_string(a.handled) +
         ",\"idle_ms\":" + std::to_string(a.last_active_ms ? now - a.last_active_ms : -1) +
         ",\"age_ms\":" + std::to_string(now - a.spawned_ms) + "}";
  }
  o += "],\"remote\":[";
  first = true;
  {
    replication_state& r = srv.replication();
    std::lock_guard<std::mutex> g(r.mutex);
    if (!r.master_host.empty()) {
      o += "{\"kind\":\"master\",\"addr\":" +
           json_quote(r.master_host + ":" + std::to_string(r.master_port)) +
           ",\"link\":" + json_quote(srv.master_link_up() ? "up" : "down") + "}";
      first = false;
    }
  }
  for (auto& a : actors) {
    if (a.type != "replica_feed") continue;
    if (!first) o += ',';
    first = false;
    o += "{\"kind\":\"replica\",\"addr\":" + json_quote(a.label) +
         ",\"actor\":" + std::to_string(a.id) + "}";
  }
  return o + "]}";
}

}  // namespace troupe
