#include "actors/replication/replica_dataset.hpp"

#include <chrono>
#include <cstdlib>
#include <thread>

#include "actors/runtime/log.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/dispatch/server_services.hpp"
#include "storage/encodings/hash.hpp"
#include "storage/keyspace/blocking.hpp"
#include "storage/keyspace/clock.hpp"
#include "storage/keyspace/snapshot.hpp"
#include "storage/rdb/loading_progress.hpp"
#include "storage/scripting/function_payload.hpp"

namespace troupe {

void wait_key_load_delay(int64_t us) {
  if (us < 0) us = (std::rand() % -us) == 0 ? 1 : 0;
  if (us > 0) std::this_thread::sleep_for(std::chrono::microseconds(us));
}

rdb_load_result load_rdb_into(rdb_source& src, const rdb_load_options& opt, keyspace& ks,
                              const std::function<void(std::string_view, std::string_view)>& on_aux,
                              library_set* functions) {
  rdb_callbacks cb;
  std::vector<std::string> function_errors;
  if (functions != nullptr)
    cb.on_function = [functions, &function_errors](std::string_view code) {
      std::string err;
      if (!install_library_code(code, false, *functions, err))
        function_errors.push_back("Failed loading library: " + err);
    };
  int64_t delay = opt.key_delay_us;
  uint64_t keys = 0;
  cb.on_entry = [&ks, delay, &keys](int db, kv_entry* e) {
    ++keys;
    if (delay != 0) wait_key_load_delay(delay);
    std::string_view key = e->key();
    db_slice& slice = ks.shard(ks.shard_of_key(key)).db(db);
    uint64_t h = hash_key(key);
    if (auto loc = slice.keys.locate(key, h))
      slice.replace(loc, e);  // a duplicate: the last one wins
    else
      slice.add(e, h);
  };
  cb.on_aux = on_aux;
  if (loading_progress* p = opt.progress) {
    cb.on_aux = [&on_aux, p](std::string_view key, std::string_view value) {
      if (key == "used-mem")
        if (auto v = parse_int64(value); v && *v >= 0) p->set_rdb_used_mem(uint64_t(*v));
      if (on_aux) on_aux(key, value);
    };
    cb.on_progress = [p, &keys](uint64_t offset) {
      if (auto line = p->advance(offset, keys, wall_clock_ms())) log_notice("{}", *line);
    };
  }
  rdb_load_result r = load_rdb(src, opt, cb);
  for (auto& e : function_errors) r.warnings.push_back(e);
  return r;
}

void install_dataset(keyspace& live, keyspace& staged) {
  for (int s = 0; s < live.shard_count(); ++s) {
    for (int db = 0; db < live.databases(); ++db) {
      snapshot_drain_db(live.shard(s), db);
      live.shard(s).db(db).swap(staged.shard(s).db(db));
    }
  }
  for (int db = 0; db < live.databases(); ++db) {
    live.key_modified(db, {});
    signal_ready_keys_in_db(live, db);
  }
  live.dataset_flushed();
}

void free_dataset(server_services& srv, keyspace& ks, bool lazy) {
  for (int s = 0; s < ks.shard_count(); ++s) {
    for (int db = 0; db < ks.databases(); ++db) {
      db_slice& slice = ks.shard(s).db(db);
      if (slice.size() == 0) continue;
      if (lazy)
        srv.free_later(entry_chain::whole_table(slice.release_all()));
      else
        slice.clear();
    }
  }
}

void flush_dataset(server_services& srv, keyspace& live, bool lazy) {
  for (int s = 0; s < live.shard_count(); ++s)
    for (int db = 0; db < live.databases(); ++db) snapshot_drain_db(live.shard(s), db);
  free_dataset(srv, live, lazy);
  for (int db = 0; db < live.databases(); ++db) live.key_modified(db, {});
  live.dataset_flushed();
}

}  // namespace troupe
