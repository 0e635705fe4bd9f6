// The server-side command families (connection, server, persistence, pub/sub):
// they need the running server, so they live with the actors.
#pragma once

namespace troupe {

class command_table;
struct exec_context;

void register_connection_family(command_table& t);
void register_tracking_family(command_table& t);  // CLIENT TRACKING and friends
// CLIENT TRACKING OFF, as RESET does it too.
void stop_client_tracking(exec_context& c);
void register_acl_family(command_table& t);
void register_persistence_family(command_table& t);
void register_pubsub_family(command_table& t);
void register_server_family(command_table& t);
void register_module_family(command_table& t);
void register_lolwut_family(command_table& t);
void register_monitor_family(command_table& t);
void register_debug_family(command_table& t);
void register_latency_family(command_table& t);
void register_memory_family(command_table& t);
void register_replicaof_family(command_table& t);
void register_replication_family(command_table& t);
void register_cluster_family(command_table& t);   // CLUSTER, READONLY, READWRITE, ASKING
void register_sentinel_family(command_table& t);  // SENTINEL (sentinel mode only)
// A Sentinel's PUBLISH (hello messages only) and ROLE: false when the server
// is not in sentinel mode (the normal command then runs).
bool sentinel_publish(exec_context& c);
bool sentinel_role(exec_context& c);

// Every command Troupe has: the storage families and the server ones. Called
// once by troupe-server before anything looks a command up.
void register_all_commands(command_table& t);

}  // namespace troupe
