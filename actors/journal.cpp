#include "actors/journal.hpp"

#include "protocol/resp_value.hpp"

namespace troupe {

void write_journal::append_locked(int db, const std::vector<std::string_view>& args) {
  size_t before = pending_.size();
  if (db >= 0 && db != last_db_) {
    std::string n = std::to_string(db);
    append_command(pending_, {"SELECT", n});
    last_db_ = db;
  }
  append_command(pending_, args);
  offset_.fetch_add(pending_.size() - before, std::memory_order_release);
}

void write_journal::append(int db, const std::vector<std::string_view>& args) {
  if (!active()) return;
  std::lock_guard<std::mutex> g(mutex_);
  append_locked(db, args);
}

void write_journal::append(int db, const std::vector<std::string>& args) {
  if (!active()) return;
  std::vector<std::string_view> v(args.begin(), args.end());
  std::lock_guard<std::mutex> g(mutex_);
  append_locked(db, v);
}

void write_journal::append_ops(const std::vector<op>& ops) {
  if (!active() || ops.empty()) return;
  std::lock_guard<std::mutex> g(mutex_);
  if (ops.size() > 1) {
    // MULTI goes into the first command's database, like the commands after it.
    if (ops[0].first != last_db_) {
      std::string n = std::to_string(ops[0].first);
      append_locked(-1, {"SELECT", n});
      last_db_ = ops[0].first;
    }
    append_locked(-1, {"MULTI"});
  }
  for (auto& [db, args] : ops) {
    std::vector<std::string_view> v(args.begin(), args.end());
    append_locked(db, v);
  }
  if (ops.size() > 1) append_locked(-1, {"EXEC"});
}

uint64_t write_journal::take(std::string& out) {
  std::lock_guard<std::mutex> g(mutex_);
  out.swap(pending_);
  pending_.clear();
  return offset_.load(std::memory_order_relaxed);
}

void write_journal::forget_db() {
  std::lock_guard<std::mutex> g(mutex_);
  last_db_ = -1;
}

}  // namespace troupe
