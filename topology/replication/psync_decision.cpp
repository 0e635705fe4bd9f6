#include "topology/replication/psync_decision.hpp"

namespace troupe {

psync_decision decide_psync(const std::string& requested_replid, int64_t requested_offset,
                            const replication_ids& ids, const backlog_window& backlog) {
  if (requested_replid == "?") return {false, "Full resync requested by replica"};
  bool current = requested_replid == ids.replid;
  bool previous = !current && requested_replid == ids.replid2;
  if (!current && !previous)
    return {false, "Replication ID mismatch (Replica asked for '" + requested_replid +
                       "', my replication IDs are '" + ids.replid + "' and '" + ids.replid2 + "')"};
  if (previous && requested_offset > ids.second_offset)
    return {false, "Requested offset for second ID was " + std::to_string(requested_offset) +
                       ", but I can reply up to " + std::to_string(ids.second_offset)};
  if (!backlog.active) return {false, "Unable to partial resync with replica: no backlog"};
  if (requested_offset < backlog.first_byte ||
      requested_offset > backlog.first_byte + backlog.histlen)
    return {false, "Unable to partial resync with replica: lack of backlog (Replica request was: " +
                       std::to_string(requested_offset) + ")."};
  return {true, {}};
}

}  // namespace troupe
