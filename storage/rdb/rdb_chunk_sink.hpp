// A snapshot sink writing RDB: each chunk selects its database and holds
// encoded entries (the file's header and trailer are the writer's).
#pragma once
#include "storage/keyspace/snapshot_chunker.hpp"
#include "storage/rdb/rdb_encoder.hpp"

namespace troupe {

class rdb_chunk_sink : public snapshot_chunker {
 public:
  rdb_chunk_sink(emit_fn emit, std::function<void()> done, bool compression, rdb::lru_mode lru,
                 uint32_t lru_clock)
      : snapshot_chunker(std::move(emit), std::move(done)),
        compression_(compression),
        lru_(lru),
        lru_clock_(lru_clock) {}

 protected:
  void select(std::string& out, int db) override { rdb_encoder(out, compression_).select_db(db); }
  void encode(std::string& out, const kv_entry* e) override {
    rdb_encoder(out, compression_).entry(e, lru_, lru_clock_);
  }

 private:
  bool compression_;
  rdb::lru_mode lru_;
  uint32_t lru_clock_;
};

}  // namespace troupe
