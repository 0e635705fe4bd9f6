// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE. The values are strings in
// Redis's own HyperLogLog layout (storage/types/hyperloglog.hpp); PFDEBUG and
// PFSELFTEST are in hyperloglog_debug_family.cpp.
#include <cstring>
#include <string>

#include "storage/commands/hyperloglog_support.hpp"
#include "storage/keyspace/snapshot.hpp"
#include "storage/types/string_ops.hpp"

namespace troupe {
namespace {

// Writes v back as k's value (keeping its TTL) and returns the entry. A
// HyperLogLog is changed in place in Redis, so its encoding reads "raw".
kv_entry* store_hll(exec_context& c, const key_ref& k, dict::location loc, const std::string& v) {
  kv_entry* e = store_string(c, k, loc, v, -1, true);
  e->flags |= kv_entry::flag_raw;
  return e;
}

unsigned char* dense_registers(kv_entry* e) {
  return reinterpret_cast<unsigned char*>(e->str_data()) + hll::header_size;
}

void cmd_pfadd(exec_context& c) {
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  kv_entry* e = loc ? loc.entry() : nullptr;
  if (e && !hll_or_reply(c, e)) return;
  int64_t updated = 0;
  bool corrupt = false;
  if (e && hll::encoding_of(e->str()) == hll::enc_dense) {
    // Dense values keep their size: registers change in place.
    unsigned char* regs = dense_registers(e);
    for (size_t i = 2; i < c.argc(); ++i) {
      int index;
      int run = hll::pattern_length(c.arg(i), index);
      updated += hll::dense_raise(regs, index, uint8_t(run));
    }
    e->flags |= kv_entry::flag_raw;
  } else {
    // Creating the key counts as an update, even with no elements.
    std::string v = e ? std::string(e->str()) : hll::make_empty();
    if (!e) updated = 1;
    size_t max_sparse = hll_sparse_max(c);
    for (size_t i = 2; i < c.argc(); ++i) {
      int r = hll::add(v, c.arg(i), max_sparse);
      if (r < 0) {
        corrupt = true;
        break;
      }
      updated += r;
    }
    e = store_hll(c, k, loc, v);
  }
  if (corrupt) return c.out.error(hll_invalid_obj);
  if (updated) {
    hll::invalidate_cache(e->str_data());
    c.changed(k, updated);
    c.notify(notify_string, "pfadd", k);
  }
  c.out.integer(updated ? 1 : 0);
}

// The union of several HyperLogLogs, estimated on the fly (nothing is stored).
void pfcount_union(exec_context& c) {
  unsigned char max[hll::registers];
  memset(max, 0, sizeof(max));
  for (size_t i = 1; i < c.argc(); ++i) {
    kv_entry* e = c.lookup_read(c.key_at(i));
    if (e == nullptr) continue;  // an empty HyperLogLog
    if (!hll_or_reply(c, e)) return;
    if (!hll::merge_into(max, e->str())) return c.out.error(hll_invalid_obj);
  }
  c.out.integer(int64_t(hll::count_registers(max)));
}

// One key: the cached cardinality, recomputed and cached when stale. Storing
// the cache changes the value, so the command is journaled then (as Redis
// propagates it) although it is a read.
void cmd_pfcount(exec_context& c) {
  if (c.argc() > 2) return pfcount_union(c);
  key_ref k = c.key_at(1);
  kv_entry* e = c.lookup(k);
  if (e == nullptr) return c.out.integer(0);
  if (!hll_or_reply(c, e)) return;
  if (hll::cache_valid(e->str())) return c.out.integer(int64_t(hll::cached(e->str())));
  bool invalid = false;
  uint64_t card = hll::count(e->str(), &invalid);
  if (invalid) return c.out.error(hll_invalid_obj);
  snapshot_touch(*k.shard, k.db_index, e);  // a snapshot in progress keeps the old bytes
  hll::set_cached(e->str_data(), card);
  e->flags |= kv_entry::flag_raw;
  c.changed(k);
  c.out.integer(int64_t(card));
}

// PFMERGE dest src...: dest takes the register-wise maximum of itself and the
// sources. It stays sparse unless a source is dense (or it outgrows sparse).
void cmd_pfmerge(exec_context& c) {
  unsigned char max[hll::registers];
  memset(max, 0, sizeof(max));
  bool use_dense = false;
  for (size_t i = 1; i < c.argc(); ++i) {
    kv_entry* e = c.lookup_read(c.key_at(i));
    if (e == nullptr) continue;
    if (!hll_or_reply(c, e)) return;
    if (hll::encoding_of(e->str()) == hll::enc_dense) use_dense = true;
    if (!hll::merge_into(max, e->str())) return c.out.error(hll_invalid_obj);
  }
  key_ref k = c.key_at(1);
  dict::location loc = c.locate(k);
  std::string v = loc ? std::string(loc.entry()->str()) : hll::make_empty();
  if (use_dense && !hll::to_dense(v)) return c.out.error(hll_invalid_obj);
  size_t max_sparse = hll_sparse_max(c);
  for (int j = 0; j < hll::registers; ++j)
    if (max[j] != 0) hll::raise_register(v, j, max[j], max_sparse);
  hll::invalidate_cache(v.data());
  store_hll(c, k, loc, v);
  c.changed(k);
  // Redis announces a merge as "pfadd" too.
  c.notify(notify_string, "pfadd", k);
  c.out.ok();
}

// Redis 7.0 describes PFMERGE's keys with two key specs, the destination and
// the sources from index 2: without a source the second starts past the
// arguments, so Redis finds no keys at all (its ACL checks none, COMMAND
// GETKEYS refuses the call). The keys are fixed positions all the same, so the
// command is not "movablekeys" (see register_hyperloglog_family).
bool pfmerge_keys(const std::vector<std::string_view>& args, std::vector<int>& positions) {
  if (args.size() < 3) return false;
  for (size_t i = 1; i < args.size(); ++i) positions.push_back(int(i));
  return true;
}

const command_def hyperloglog_commands[] = {
    {"pfadd", -2, "write denyoom fast", 1, 1, 1, "", cmd_pfadd,
     "Adds the specified elements to the specified HyperLogLog.", "2.8.9",
     "O(1) to add every element.", "key [element [element ...]]"},
    {"pfcount", -2, "readonly", 1, -1, 1, "", cmd_pfcount,
     "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
     "2.8.9",
     "O(1) with a very small average constant time when called with a single key. O(N) with N "
     "being the number of keys, and much bigger constant times, when called with multiple keys.",
     "key [key ...]"},
    {"pfmerge", -2, "write denyoom", 1, -1, 1, "", cmd_pfmerge,
     "Merge N different HyperLogLogs into a single one.", "2.8.9",
     "O(N) to merge N HyperLogLogs, but with high constant times.",
     "destkey [sourcekey [sourcekey ...]]", pfmerge_keys},
};

}  // namespace

void register_hyperloglog_family(command_table& t) {
  t.add_all("hyperloglog", hyperloglog_commands);
  t.find("pfmerge")->flags &= ~cmd_movablekeys;
}

}  // namespace troupe
