#include "audit_log.hpp"

#include <cctype>
#include <charconv>

namespace troupe::audit {

void audit_log::feed(std::string_view bytes, int64_t now_ms) {
  pending_.append(bytes);
  request_parser::limits lim;
  for (;;) {
    auto r = parser_.parse(pending_.data(), pending_.size(), lim);
    if (r == request_parser::result::incomplete) break;
    if (r == request_parser::result::error) {
      // The journal only holds well-formed commands; should that ever not
      // hold, lose the rest of this read rather than the actor.
      pending_.clear();
      parser_.reset();
      std::lock_guard lock(mutex_);
      ++gaps_;
      return;
    }
    record(parser_.args(), now_ms);
  }
  size_t used = parser_.consumed();
  if (used > 0) {
    pending_.erase(0, used);
    parser_.shift(used);
  }
  std::lock_guard lock(mutex_);
  bytes_ += bytes.size();
}

void audit_log::record(const std::vector<std::string_view>& args, int64_t now_ms) {
  if (args.empty()) return;
  std::string_view name = args[0];
  bool select = name.size() == 6;
  for (size_t i = 0; select && i < 6; ++i) select = char(tolower(name[i])) == "select"[i];
  if (select && args.size() == 2) {
    int db = 0;
    auto [p, ec] = std::from_chars(args[1].data(), args[1].data() + args[1].size(), db);
    if (ec == std::errc() && p == args[1].data() + args[1].size()) {
      db_ = db;  // only this thread writes db_
      return;
    }
  }
  entry e;
  e.unix_ms = now_ms;
  e.db = db_;
  e.args.assign(args.begin(), args.end());
  std::lock_guard lock(mutex_);
  e.id = next_id_++;
  entries_.push_back(std::move(e));
  if (entries_.size() > capacity_) entries_.pop_front();
}

void audit_log::gap() {
  pending_.clear();
  parser_.reset();
  db_ = 0;
  std::lock_guard lock(mutex_);
  ++gaps_;
}

std::vector<entry> audit_log::tail(size_t n) const {
  std::lock_guard lock(mutex_);
  n = std::min(n, entries_.size());
  return {entries_.rbegin(), entries_.rbegin() + std::ptrdiff_t(n)};
}

size_t audit_log::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void audit_log::reset() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

audit_log::counters audit_log::stats() const {
  std::lock_guard lock(mutex_);
  return {next_id_ - 1, bytes_, gaps_, entries_.size()};
}

}  // namespace troupe::audit
