#include "actors/commands/command_families.hpp"

#include "actors/extension/extension.hpp"
#include "protocol/commands/command_table.hpp"
#include "storage/commands/command_families.hpp"

namespace troupe {

void register_all_commands(command_table& t) {
  register_storage_commands(t);
  register_connection_family(t);
  register_tracking_family(t);
  register_acl_family(t);
  register_server_family(t);
  register_module_family(t);
  register_lolwut_family(t);
  register_monitor_family(t);
  register_debug_family(t);
  register_latency_family(t);
  register_memory_family(t);
  register_persistence_family(t);
  register_pubsub_family(t);
  register_replicaof_family(t);
  register_replication_family(t);
  register_cluster_family(t);
  register_sentinel_family(t);
  add_extension_commands(t);  // those linked into this executable (examples/)
}

}  // namespace troupe
