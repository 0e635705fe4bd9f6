#include "storage/acl/acl_log.hpp"

namespace troupe {
namespace {
constexpr int64_t grouping_ms = 60000;  // repeats within a minute share an entry
constexpr size_t grouping_depth = 10;   // how many recent entries are looked at
}  // namespace

void acl_log::add(acl_log_entry e, size_t max_len) {
  std::lock_guard<std::mutex> g(mutex_);
  for (size_t i = 0; i < entries_.size() && i < grouping_depth; ++i) {
    acl_log_entry& old = entries_[i];
    if (old.reason == e.reason && old.context == e.context && old.object == e.object &&
        old.username == e.username && e.created_ms - old.created_ms < grouping_ms) {
      old.count++;
      old.created_ms = e.created_ms;
      old.client_info = std::move(e.client_info);
      acl_log_entry moved = std::move(old);
      entries_.erase(entries_.begin() + long(i));
      entries_.push_front(std::move(moved));
      return;
    }
  }
  entries_.push_front(std::move(e));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<acl_log_entry> acl_log::recent(size_t count) const {
  std::lock_guard<std::mutex> g(mutex_);
  size_t n = std::min(count, entries_.size());
  return {entries_.begin(), entries_.begin() + long(n)};
}

void acl_log::reset() {
  std::lock_guard<std::mutex> g(mutex_);
  entries_.clear();
}

void acl_log::trim(size_t max_len) {
  std::lock_guard<std::mutex> g(mutex_);
  while (entries_.size() > max_len) entries_.pop_back();
}

}  // namespace troupe
