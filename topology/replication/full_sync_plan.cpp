#include "topology/replication/full_sync_plan.hpp"

#include <algorithm>

namespace troupe {

full_sync_plan plan_full_sync(const std::vector<waiting_replica>& waiting,
                              const full_sync_settings& settings, bool force) {
  full_sync_plan plan;
  if (waiting.empty()) return plan;
  // The first waiting replica sets what the RDB holds; others wait for a sync of their own.
  bool exclude = waiting[0].exclude_data;
  int64_t max_waited = 0;
  bool all_eof = true;
  for (size_t i = 0; i < waiting.size(); ++i) {
    if (waiting[i].exclude_data != exclude) continue;
    plan.members.push_back(i);
    max_waited = std::max(max_waited, waiting[i].waited_ms);
    all_eof = all_eof && waiting[i].capa_eof;
  }
  if (settings.diskless_sync && !force) {
    bool enough =
        settings.max_replicas > 0 && int64_t(plan.members.size()) >= settings.max_replicas;
    if (max_waited < settings.delay_s * 1000 && !enough) {
      plan.members.clear();
      return plan;
    }
  }
  plan.start = true;
  // A filtered RDB is only ever streamed (Redis never writes one to disk).
  plan.diskless = (settings.diskless_sync || exclude) && all_eof;
  return plan;
}

}  // namespace troupe
