// Atomic slot migration's commands (actors/cluster/slot_migration.hpp), after
// Valkey 9: CLUSTER MIGRATESLOTS, GETSLOTMIGRATIONS, CANCELSLOTMIGRATIONS on
// the source; CLUSTER SYNCSLOTS, what the source sends the target. The rows
// are in cluster_family.cpp with the other CLUSTER subcommands.
#pragma once

namespace troupe {

struct exec_context;

void cmd_cluster_migrateslots(exec_context& c);
void cmd_cluster_getslotmigrations(exec_context& c);
void cmd_cluster_cancelslotmigrations(exec_context& c);
void cmd_cluster_syncslots(exec_context& c);

}  // namespace troupe
