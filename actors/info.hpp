// INFO's text: sections server, clients, memory, persistence, stats,
// replication, cpu, modules, errorstats, cluster, keyspace, commandstats, with
// Redis's field names.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace troupe {
class server;
// `sections` as given to INFO (empty: the default set).
std::string build_info(server& srv, const std::vector<std::string_view>& sections);
// Memory allocated by the process's heap (used_memory).
size_t heap_used_bytes();
// Records the heap in use before any data is loaded (INFO's used_memory_startup).
void record_startup_memory();
std::string human_bytes(uint64_t n);
}  // namespace troupe
