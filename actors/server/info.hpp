// INFO's text: sections server, clients, memory, persistence, stats,
// replication, cpu, modules, errorstats, cluster, keyspace, commandstats, with
// Redis's field names.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "actors/server/memory_stats.hpp"  // heap_used_bytes, record_startup_memory

namespace troupe {
class server;
// `sections` as given to INFO (empty: the default set).
std::string build_info(server& srv, const std::vector<std::string_view>& sections);
std::string human_bytes(uint64_t n);
}  // namespace troupe
