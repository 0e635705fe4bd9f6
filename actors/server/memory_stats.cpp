#include "actors/server/memory_stats.hpp"

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>

#include "actors/server/server.hpp"
#include "storage/encodings/bucket_array.hpp"
#include "storage/memory/heap_usage.hpp"
#include "storage/memory/used_memory.hpp"

namespace troupe {
namespace {

std::atomic<size_t> peak_memory{0};
std::atomic<size_t> startup_memory{0};

// One heap block of `bytes` as glibc accounts for it (8-byte size word), or 0.
size_t block(size_t bytes) {
  return bytes ? bytes + sizeof(size_t) : 0;
}

// A database slice's indexing costs, read under its shard's lock.
void add_slice_overhead(db_slice& slice, memory_overview::db_overhead& o) {
  size_t keys = slice.size();
  // Every entry starts with its chain link, meta word and flags, then its key
  // length (one byte for keys under 128 bytes, which this counts).
  o.main += block(slice.keys.buckets() * sizeof(kv_entry*)) + keys * (kv_entry::header_size + 1);
  // A key with a TTL carries its expiry time and its index in the volatile list
  // (12 bytes), and the list holds a pointer to it.
  o.expires += slice.volatile_count() * 12 + block(slice.volatile_capacity() * sizeof(kv_entry*));
}

}  // namespace

size_t heap_used_bytes() {
  size_t used = used_memory();  // the heap in use and the mapped bucket arrays
  size_t peak = peak_memory.load(std::memory_order_relaxed);
  while (used > peak && !peak_memory.compare_exchange_weak(peak, used)) {
  }
  return used;
}

size_t heap_peak_bytes() {
  return peak_memory.load(std::memory_order_relaxed);
}

void record_startup_memory() {
  startup_memory = heap_used_bytes();
}

size_t heap_startup_bytes() {
  return startup_memory.load(std::memory_order_relaxed);
}

size_t process_rss_bytes() {
  std::ifstream f("/proc/self/statm");
  size_t pages = 0, resident = 0;
  f >> pages >> resident;
  return resident * size_t(sysconf(_SC_PAGESIZE));
}

memory_overview gather_memory_overview(server& srv) {
  memory_overview m;
  keyspace& ks = srv.keys();
  for (int db = 0; db < ks.databases(); ++db) {
    memory_overview::db_overhead o;
    o.db = db;
    size_t keys = 0;
    for (int s = 0; s < ks.shard_count(); ++s) {
      db_slice& slice = ks.shard(s).db(db);
      keys += slice.size();
      add_slice_overhead(slice, o);
    }
    if (keys == 0) continue;  // like Redis, only databases that hold keys
    m.keys_count += keys;
    m.dbs.push_back(o);
  }

  m.total_allocated = heap_used_bytes();
  m.peak_allocated = heap_peak_bytes();
  m.startup_allocated = std::min(heap_startup_bytes(), m.total_allocated);
  srv.for_each_client([&](uint64_t, const client_record& r) {
    m.clients_normal += r.s->query_buffer.load(std::memory_order_relaxed) +
                        r.s->query_buffer_free.load(std::memory_order_relaxed) +
                        r.s->output_bytes.load(std::memory_order_relaxed);
    ++m.clients;
  });
  // The journal's chunks hold both what the AOF has not written yet and the
  // replication backlog; INFO counts them once, as the backlog.
  m.repl_backlog = srv.journal_log().memory();

  size_t overhead = m.startup_allocated + m.repl_backlog + m.clients_replicas + m.clients_normal +
                    m.cluster_links + m.aof_buffer + m.lua_caches + m.functions_caches;
  for (auto& o : m.dbs) overhead += o.main + o.expires + o.slot_to_keys;
  m.overhead_total = std::min(overhead, m.total_allocated);
  size_t net = m.total_allocated - m.startup_allocated;
  m.bytes_per_key = m.keys_count ? net / m.keys_count : 0;
  m.dataset = m.total_allocated - m.overhead_total;
  m.dataset_perc = net ? float(double(m.dataset) * 100 / double(net)) : 0;
  m.peak_perc =
      m.peak_allocated ? float(double(m.total_allocated) * 100 / double(m.peak_allocated)) : 0;

  m.allocator_allocated = m.total_allocated;
  m.rss = process_rss_bytes();
  if (heap_counter_active()) {
    // glibc's arena sizes come only from mallinfo2, which walks every free
    // chunk (storage/memory/heap_usage.hpp): what the allocator holds is
    // taken as what is resident instead.
    m.allocator_active = std::max(m.total_allocated, m.rss);
  } else {
    // `arena` is what the main and thread arenas took from the system,
    // `hblkhd` the blocks mmapped one by one; neither is returned piecemeal.
    struct mallinfo2 mi = mallinfo2();
    m.allocator_active = mi.arena + mi.hblkhd + buckets::mapped_bytes();
  }
  m.allocator_resident = m.allocator_active;
  return m;
}

std::string memory_doctor_report(const memory_overview& m) {
  constexpr size_t mb = 1024 * 1024;
  if (m.total_allocated - m.startup_allocated < 5 * mb)
    return "This instance holds less than 5 MB beyond what it needed at start-up: too little "
           "for the checks to say anything. Load some data and ask again.\n";
  std::string issues;
  auto add = [&](const std::string& s) { issues += " * " + s + "\n\n"; };
  char buf[512];
  if (m.peak_allocated > m.total_allocated &&
      double(m.peak_allocated) / double(m.total_allocated) > 1.5) {
    snprintf(buf, sizeof(buf),
             "Peak memory: the heap once held %.2f times what it holds now (%zu bytes at the "
             "peak, %zu now). Freed memory is often not returned to the system, so RSS can stay "
             "near the peak: MEMORY PURGE asks the allocator to give back what it can.",
             double(m.peak_allocated) / double(m.total_allocated), m.peak_allocated,
             m.total_allocated);
    add(buf);
  }
  double frag = m.total_allocated ? double(m.rss) / double(m.total_allocated) : 0;
  if (frag > 1.4) {
    snprintf(buf, sizeof(buf),
             "Fragmentation: the process's RSS is %.2f times the heap in use (%zu bytes more). "
             "Allocator free lists and partly used pages hold the difference; MEMORY PURGE may "
             "return some of it.",
             frag, m.rss - m.total_allocated);
    add(buf);
  }
  if (m.clients > 0 && m.clients_normal / m.clients > 200 * 1024) {
    snprintf(buf, sizeof(buf),
             "Client buffers: the %zu clients hold %zu bytes of query and output buffers, "
             "%zu on average. Clients that pipeline a lot or read their replies slowly cost "
             "memory; see client-output-buffer-limit and CLIENT LIST.",
             m.clients, m.clients_normal, m.clients_normal / m.clients);
    add(buf);
  }
  if (issues.empty())
    return "No memory issue found: peak, fragmentation and client buffers look normal.\n";
  return "Memory issues found in this instance:\n\n" + issues;
}

}  // namespace troupe
