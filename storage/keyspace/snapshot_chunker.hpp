// Shared plumbing of snapshot sinks: bytes accumulate in a chunk that is handed
// on (to the snapshot writer) when it is big enough. Every chunk starts by
// selecting its database, so chunks from different shards may be written in
// any interleaving.
#pragma once
#include <functional>
#include <string>

#include "storage/keyspace/snapshot.hpp"

namespace troupe {

class stream;

class snapshot_chunker : public snapshot_sink {
 public:
  using emit_fn = std::function<void(std::string chunk)>;
  snapshot_chunker(emit_fn emit, std::function<void()> done)
      : emit_(std::move(emit)), done_(std::move(done)) {}

  void entry(int db, const kv_entry* e) final;
  void finish() final;

 protected:
  static constexpr size_t chunk_size = 64 * 1024;
  // Appends "select db" in the sink's format.
  virtual void select(std::string& out, int db) = 0;
  virtual void encode(std::string& out, const kv_entry* e) = 0;

 private:
  void flush();
  emit_fn emit_;
  std::function<void()> done_;
  std::string chunk_;
  int db_ = -1;
};

// Entries as the commands that recreate them: SET, RPUSH, HSET, SADD, ZADD in
// batches of 64 elements, PEXPIREAT for TTLs (an AOF base without RDB preamble).
class aof_command_sink : public snapshot_chunker {
 public:
  using snapshot_chunker::snapshot_chunker;

 protected:
  void select(std::string& out, int db) override;
  void encode(std::string& out, const kv_entry* e) override;
};

// The commands that recreate one entry (as aof_command_sink writes it), for
// whoever rebuilds a key elsewhere: an atomic slot migration's copy.
void append_entry_commands(std::string& out, const kv_entry* e);

}  // namespace troupe
