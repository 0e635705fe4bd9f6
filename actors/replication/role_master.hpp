// ROLE's answer on a master: ["master", <replication offset>, [[ip, port,
// acked offset], ...]]. Its replica list belongs to the master side of
// replication (the replica feeds); ROLE's replica form is replicaof_family's.
#pragma once

namespace troupe {
struct exec_context;
class server;

void reply_master_role(exec_context& c, server& srv);
}  // namespace troupe
