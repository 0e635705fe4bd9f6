// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP, as Redis 7.0 has
// them. USAGE sizes one key (storage/memory_usage.hpp says what it counts); the
// others report on the whole server (actors/memory_stats.hpp).
#include <malloc.h>

#include <cstdio>
#include <cstdlib>

#include "actors/commands/command_families.hpp"
#include "actors/commands/server_of.hpp"
#include "actors/server/memory_stats.hpp"
#include "actors/server/server.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/types/memory_usage.hpp"

namespace troupe {
namespace {

void cmd_memory(exec_context&) {}

// MEMORY USAGE key [SAMPLES count]: options are checked before the key is looked
// up; the key is found as it is stored (no expiry check, no LRU touch), as Redis
// does.
void cmd_memory_usage(exec_context& c) {
  size_t samples = memory_usage_default_samples;
  for (size_t i = 3; i < c.argc(); ++i) {
    if (c.arg_is(i, "samples") && i + 1 < c.argc()) {
      auto v = parse_int64(c.arg(++i));
      if (!v) return c.out.error(errors::not_integer);
      if (*v < 0) return c.syntax_error();
      samples = *v == 0 ? SIZE_MAX : size_t(*v);
    } else {
      return c.syntax_error();
    }
  }
  key_ref k = c.key_at(2);
  kv_entry* e = k.db->keys.find(k.name, k.hash);
  if (e == nullptr) return c.out.null();
  c.out.integer(int64_t(key_memory_usage(*k.db, e, samples)));
}

void cmd_memory_stats(exec_context& c) {
  memory_overview m = gather_memory_overview(srv_of(c));
  size_t mark = c.out.begin_deferred(), fields = 0;
  auto num = [&](const char* name, size_t v) {
    c.out.bulk(name);
    c.out.integer(int64_t(v));
    ++fields;
  };
  auto real = [&](const char* name, float v) {
    c.out.bulk(name);
    c.out.dbl(double(v));
    ++fields;
  };
  num("peak.allocated", m.peak_allocated);
  num("total.allocated", m.total_allocated);
  num("startup.allocated", m.startup_allocated);
  num("replication.backlog", m.repl_backlog);
  num("clients.slaves", m.clients_replicas);
  num("clients.normal", m.clients_normal);
  num("cluster.links", m.cluster_links);
  num("aof.buffer", m.aof_buffer);
  num("lua.caches", m.lua_caches);
  num("functions.caches", m.functions_caches);
  for (auto& d : m.dbs) {
    c.out.bulk("db." + std::to_string(d.db));
    c.out.map(3);
    for (auto [name, v] : {std::pair{"overhead.hashtable.main", d.main},
                           {"overhead.hashtable.expires", d.expires},
                           {"overhead.hashtable.slot-to-keys", d.slot_to_keys}}) {
      c.out.bulk(name);
      c.out.integer(int64_t(v));
    }
    ++fields;
  }
  num("overhead.total", m.overhead_total);
  num("keys.count", m.keys_count);
  num("keys.bytes-per-key", m.bytes_per_key);
  num("dataset.bytes", m.dataset);
  real("dataset.percentage", m.dataset_perc);
  real("peak.percentage", m.peak_perc);
  num("allocator.allocated", m.allocator_allocated);
  num("allocator.active", m.allocator_active);
  num("allocator.resident", m.allocator_resident);
  auto ratio = [](size_t a, size_t b) { return b ? float(double(a) / double(b)) : 0.0f; };
  auto diff = [](size_t a, size_t b) { return a > b ? a - b : 0; };
  real("allocator-fragmentation.ratio", ratio(m.allocator_active, m.allocator_allocated));
  num("allocator-fragmentation.bytes", diff(m.allocator_active, m.allocator_allocated));
  real("allocator-rss.ratio", ratio(m.allocator_resident, m.allocator_active));
  num("allocator-rss.bytes", diff(m.allocator_resident, m.allocator_active));
  real("rss-overhead.ratio", ratio(m.rss, m.allocator_resident));
  num("rss-overhead.bytes", diff(m.rss, m.allocator_resident));
  real("fragmentation", ratio(m.rss, m.total_allocated));
  num("fragmentation.bytes", diff(m.rss, m.total_allocated));
  c.out.end_deferred_map(mark, fields);
}

void cmd_memory_doctor(exec_context& c) {
  c.out.verbatim(memory_doctor_report(gather_memory_overview(srv_of(c))));
}

// glibc's own report (malloc_info's XML: arenas, free-list bins, mmapped blocks).
void cmd_memory_malloc_stats(exec_context& c) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  if (f == nullptr) return c.out.verbatim("Stats not supported for the current allocator");
  malloc_info(0, f);
  fclose(f);
  c.out.verbatim(std::string_view(buf, len));
  free(buf);
}

// Gives free heap memory back to the system (glibc's malloc_trim).
void cmd_memory_purge(exec_context& c) {
  malloc_trim(0);
  c.out.ok();
}

void cmd_memory_help(exec_context& c) {
  static const char* lines[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Return memory problems reports.",
      "MALLOC-STATS",
      "    Return internal statistics report from the memory allocator.",
      "PURGE",
      "    Attempt to purge dirty pages for reclamation by the allocator.",
      "STATS",
      "    Return information about the memory usage of the server.",
      "USAGE <key> [SAMPLES <count>]",
      "    Return memory in bytes used by <key> and its value. Nested values are",
      "    sampled up to <count> times (default: 5, 0 means sample all).",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

// STATS and DOCTOR read every shard's tables: all_shards holds them.
const command_def memory_commands[] = {
    {"memory", -2, "", 0, 0, 0, "", cmd_memory, "A container for memory diagnostics commands",
     "4.0.0", "Depends on subcommand.", ""},
    {"memory|purge", 2, "", 0, 0, 0, "", cmd_memory_purge, "Ask the allocator to release memory",
     "4.0.0", "Depends on how much memory is allocated, could be slow", ""},
    {"memory|stats", 2, "all_shards", 0, 0, 0, "", cmd_memory_stats, "Show memory usage details",
     "4.0.0", "O(1)", ""},
    {"memory|usage", -3, "readonly", 2, 2, 1, "", cmd_memory_usage,
     "Estimate the memory usage of a key", "4.0.0", "O(N) where N is the number of samples.",
     "key [SAMPLES count]"},
    {"memory|doctor", 2, "all_shards", 0, 0, 0, "", cmd_memory_doctor,
     "Outputs memory problems report", "4.0.0", "O(1)", ""},
    {"memory|help", 2, "loading stale", 0, 0, 0, "", cmd_memory_help,
     "Show helpful text about the different subcommands", "4.0.0", "O(1)", ""},
    {"memory|malloc-stats", 2, "", 0, 0, 0, "", cmd_memory_malloc_stats,
     "Show allocator internal stats", "4.0.0",
     "Depends on how much memory is allocated, could be slow", ""},
};
}  // namespace

void register_memory_family(command_table& t) {
  t.add_all("server", memory_commands);
}

}  // namespace troupe
