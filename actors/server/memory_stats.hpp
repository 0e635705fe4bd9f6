// Where the server's memory goes, as INFO memory, MEMORY STATS and MEMORY DOCTOR
// report it. Figures come from glibc (mallinfo2: bytes in use, arena sizes), the
// kernel (RSS) and Troupe's own structures (the journal's chunks count as the
// replication backlog); what does not exist in Troupe yet (replica buffers,
// cluster links, scripting caches) is a true zero.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace troupe {
class server;

// The heap in use (used_memory), updating the peak.
size_t heap_used_bytes();
size_t heap_peak_bytes();
// Records the heap in use before any data is loaded (used_memory_startup).
void record_startup_memory();
size_t heap_startup_bytes();
size_t process_rss_bytes();

struct memory_overview {
  size_t peak_allocated = 0;
  size_t total_allocated = 0;
  size_t startup_allocated = 0;
  size_t repl_backlog = 0;
  size_t clients_replicas = 0;
  size_t clients_normal = 0;
  size_t cluster_links = 0;
  size_t aof_buffer = 0;
  size_t lua_caches = 0;
  size_t functions_caches = 0;
  // Per database holding keys: what indexing its keys costs.
  struct db_overhead {
    int db = 0;
    size_t main = 0;     // bucket arrays and the entries' headers (link, type, flags, key length)
    size_t expires = 0;  // TTL slots in entries and the lists of volatile keys
    size_t slot_to_keys = 0;
  };
  std::vector<db_overhead> dbs;
  size_t overhead_total = 0;
  size_t keys_count = 0;
  size_t bytes_per_key = 0;
  size_t dataset = 0;
  float dataset_perc = 0;
  float peak_perc = 0;
  // The allocator's view (glibc arenas and mmapped blocks) and the kernel's.
  size_t allocator_allocated = 0;
  size_t allocator_active = 0;
  size_t allocator_resident = 0;
  size_t rss = 0;
  // Number of client connections (MEMORY DOCTOR's per-client averages).
  size_t clients = 0;
};

// Gathers the figures. It reads every shard's tables, so the caller holds every
// shard (a command flagged all_shards: INFO, MEMORY STATS, MEMORY DOCTOR).
memory_overview gather_memory_overview(server& srv);

// MEMORY DOCTOR's report (plain text, lines ending in \n).
std::string memory_doctor_report(const memory_overview& m);

}  // namespace troupe
