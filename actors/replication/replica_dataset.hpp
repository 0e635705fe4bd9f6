// What a full sync does to a replica's data, as plain functions on keyspaces:
// the new dataset is loaded into a keyspace of its own (nobody else sees it
// while it fills), then swapped with the live one in one step, all shards
// held, so clients see either the old dataset or the whole new one, never a
// part of it.
#pragma once
#include <functional>
#include <string_view>
#include "storage/scripting/script_store.hpp"

#include "storage/keyspace/keyspace.hpp"
#include "storage/rdb/rdb_loader.hpp"

namespace troupe {

class server_services;

// key-load-delay's wait after one key.
void wait_key_load_delay(int64_t us);

// Loads an RDB into `ks`, which nobody else uses meanwhile (or whose shards
// the caller holds: DEBUG RELOAD). `on_aux` sees each auxiliary field
// (repl-stream-db...); opt.key_delay_us paces it (key-load-delay). The file's
// function libraries go to `functions` (ignored when null).
rdb_load_result load_rdb_into(rdb_source& src, const rdb_load_options& opt, keyspace& ks,
                              const std::function<void(std::string_view, std::string_view)>& on_aux,
                              library_set* functions = nullptr);

// Swaps every database slice of `live` with the same slice of `staged` (same
// shard and database counts). The caller holds every shard of `live`. A
// snapshot in progress keeps the old data; WATCHers of any key fail their
// EXEC; clients blocked on keys that now exist are served.
void install_dataset(keyspace& live, keyspace& staged);

// Frees every key of `ks`; in the background (the server's freer) if `lazy`.
// The caller holds every shard of `ks` if others can see it.
void free_dataset(server_services& srv, keyspace& ks, bool lazy);

// Empties the live keyspace before a full sync loads (the caller holds every
// shard): as FLUSHALL, but not a write of its own (nothing is journaled).
void flush_dataset(server_services& srv, keyspace& live, bool lazy);

}  // namespace troupe
