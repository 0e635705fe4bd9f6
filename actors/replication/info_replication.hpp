// INFO's Replication section: the node's role, its replicas or its link to its
// master, replication ids and offsets, and the backlog, with Redis 7.0's field
// names and order.
#pragma once
#include <string>

namespace troupe {
class server;
// The section's "name:value\r\n" lines, without its header.
std::string replication_info_fields(server& srv);
}  // namespace troupe
