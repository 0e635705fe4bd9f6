// An INFO reply read the way Sentinel 7.0 reads it (sentinelRefreshInstanceInfo):
// line by line ("\r\n"), only the fields Sentinel uses, with Redis's prefix
// tests. The replication fields of a replica count only after its
// "role:slave" line, replicas of a master only when the instance is known as
// a master. Any input is safe: unknown or malformed lines are skipped.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace troupe::sentinel {

enum class reported_role { unknown, master, slave };

struct info_replica_entry {
  std::string ip;
  int port = 0;
};

struct instance_info {
  std::optional<std::string> run_id;  // the 40 characters after "run_id:"
  reported_role role = reported_role::unknown;
  // master_link_down_since_seconds in ms; 0 when the line is missing.
  int64_t master_link_down_ms = 0;
  // Replica side (only after role:slave).
  std::optional<std::string> master_host;
  std::optional<int> master_port;
  std::optional<bool> master_link_up;
  std::optional<int> replica_priority;
  std::optional<uint64_t> repl_offset;
  std::optional<bool> replica_announced;
  // Master side: the slaveN lines (old "ip,port,state" and new "ip=..,port=.." forms).
  std::vector<info_replica_entry> replicas;
};

// `as_master`: the instance is a master in Sentinel's table (slaveN lines count).
instance_info parse_info(std::string_view info, bool as_master);

}  // namespace troupe::sentinel
