#include "actors/server/actors_info.hpp"

#include <algorithm>
#include <map>

namespace troupe {

std::string actors_info_fields(const std::vector<actor_info>& actors, int64_t now_ms) {
  struct per_type {
    uint64_t count = 0, messages = 0, mailbox = 0;
    int64_t last_active_ms = 0;
    std::map<int, uint64_t> where;  // placement -> count; the scheduler (-1) first
  };
  std::map<std::string, per_type> types;
  for (const actor_info& a : actors) {
    per_type& t = types[a.type];
    ++t.count;
    t.messages += a.handled;
    t.mailbox += a.mailbox;
    t.last_active_ms = std::max(t.last_active_ms, a.last_active_ms);
    ++t.where[a.placement];
  }
  std::string out = "actors:" + std::to_string(actors.size()) + "\r\n";
  for (auto& [type, t] : types) {
    out += "actors_" + type + ":count=" + std::to_string(t.count);
    // Reactors in index order, then the scheduler.
    for (auto& [where, n] : t.where)
      if (where != on_scheduler)
        out += ",reactor_" + std::to_string(where) + "=" + std::to_string(n);
    if (auto it = t.where.find(on_scheduler); it != t.where.end())
      out += ",scheduler=" + std::to_string(it->second);
    out += ",messages=" + std::to_string(t.messages) + ",mailbox=" + std::to_string(t.mailbox) +
           ",idle_ms=" + std::to_string(std::max<int64_t>(0, now_ms - t.last_active_ms)) + "\r\n";
  }
  return out;
}

}  // namespace troupe
