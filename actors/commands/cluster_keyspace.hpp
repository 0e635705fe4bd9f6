// The keyspace side of cluster mode, as commands: CLUSTER COUNTKEYSINSLOT and
// GETKEYSINSLOT (the per-slot key index), and the per-connection flags that
// change routing: READONLY, READWRITE, ASKING. The rows are in
// cluster_family.cpp with the other CLUSTER subcommands.
#pragma once

namespace troupe {

struct exec_context;

void cmd_cluster_countkeysinslot(exec_context& c);
void cmd_cluster_getkeysinslot(exec_context& c);
void cmd_readonly_command(exec_context& c);
void cmd_readwrite_command(exec_context& c);
void cmd_asking_command(exec_context& c);

}  // namespace troupe
