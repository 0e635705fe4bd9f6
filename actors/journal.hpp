// The journal: the single ordered stream of writes, as RESP commands with
// SELECT where the database changes. Commands are appended while they hold
// their shards, so the journal's order is the order in which writes happened,
// across reactors too. Its consumers are the AOF (and, later, replicas); with
// no consumer appending costs one relaxed load.
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "storage/server_services.hpp"

namespace troupe {

class write_journal {
 public:
  bool active() const { return active_.load(std::memory_order_relaxed); }
  void set_active(bool on) { active_.store(on); }

  void append(int db, const std::vector<std::string_view>& args);
  void append(int db, const std::vector<std::string>& args);
  // The writes of one command or one EXEC, appended together; more than one is
  // wrapped in MULTI/EXEC so a replica or a reload applies them atomically.
  using op = journal_op;
  void append_ops(const std::vector<op>& ops);

  // Bytes appended so far (the replication offset).
  uint64_t offset() const { return offset_.load(std::memory_order_acquire); }
  // Moves the bytes not yet taken into `out`; returns the offset they end at.
  uint64_t take(std::string& out);
  // The next command starts with SELECT (a new AOF file begins).
  void forget_db();

 private:
  void append_locked(int db, const std::vector<std::string_view>& args);

  std::atomic<bool> active_{false};
  std::mutex mutex_;
  std::string pending_;
  int last_db_ = -1;
  std::atomic<uint64_t> offset_{0};
};

}  // namespace troupe
