// Loads the RDB of a full sync into a keyspace of its own, on a thread of its
// own (a detached actor): a big dataset takes seconds to build, and meanwhile
// the reactors keep answering clients (-LOADING, or the old data with
// repl-diskless-load swapdb). It reads the file the master link saved, or
// the link's bytes as they arrive (rdb_stream_source), then tells the link
// (loaded_atom) and ends. On failure it frees what it built itself.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "actors/replication/rdb_stream_source.hpp"
#include "actors/runtime/registered_actor.hpp"
#include "storage/keyspace/keyspace.hpp"
#include "storage/rdb/rdb_loader.hpp"
#include "storage/scripting/script_store.hpp"

namespace troupe {

// One load. The link fills the inputs and touches nothing else (but the
// stream) until the loader reports; the loader fills the results.
struct replica_load_job {
  uint64_t id = 0;
  // -- inputs --------------------------------------------------------------------------
  std::string path;                           // disk: the file received
  std::string rename_to;                      // disk: where a good file goes (dbfilename)
  std::shared_ptr<rdb_stream_source> stream;  // diskless: the socket's bytes
  std::unique_ptr<keyspace> staged;           // empty, same shape as the live one
  rdb_load_options options;
  // -- results -------------------------------------------------------------------------
  bool ok = false;
  std::string error;
  uint64_t keys = 0, expired_skipped = 0;
  int stream_db = 0;      // repl-stream-db: the database the stream continues in
  library_set functions;  // the master's function libraries
  std::vector<std::string> warnings;
};

// Starts the job's loading progress (INFO's loading_* fields). The link calls it
// before it publishes the loading state, so INFO never shows loading:1 without
// the fields Redis shows with it.
void begin_load_progress(replica_load_job& job);

class replica_loader : public registered_actor {
 public:
  replica_loader(caf::actor_config& cfg, std::shared_ptr<replica_load_job> job, caf::actor link);
  caf::behavior make_behavior() override;
  const char* name() const override { return "replica_loader"; }

 private:
  void run();

  std::shared_ptr<replica_load_job> job_;
  caf::actor link_;
};

}  // namespace troupe
