#include "storage/dispatch/slowlog.hpp"

#include <algorithm>
#include <cstring>

namespace troupe {
namespace {

constexpr size_t max_args = 32;        // Redis's SLOWLOG_ENTRY_MAX_ARGC
constexpr size_t max_arg_bytes = 128;  // Redis's SLOWLOG_ENTRY_MAX_STRING

}  // namespace

void slowlog::add(const std::vector<std::string_view>& args, int64_t duration_us, int64_t unix_time,
                  std::string peer, std::string client_name, size_t max_len) {
  slowlog_entry e;
  e.unix_time = unix_time;
  e.duration_us = duration_us;
  e.peer = std::move(peer);
  e.client_name = std::move(client_name);
  size_t kept = std::min(args.size(), max_args);
  for (size_t i = 0; i < kept; ++i) {
    // The last slot says how many arguments did not fit.
    if (kept != args.size() && i == kept - 1) {
      e.args.push_back("... (" + std::to_string(args.size() - kept + 1) + " more arguments)");
      break;
    }
    std::string_view a = args[i];
    if (a.size() > max_arg_bytes)
      e.args.push_back(std::string(a.substr(0, max_arg_bytes)) + "... (" +
                       std::to_string(a.size() - max_arg_bytes) + " more bytes)");
    else
      e.args.emplace_back(a);
  }
  std::lock_guard<std::mutex> g(mutex_);
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  while (entries_.size() > max_len) entries_.pop_back();
}

std::vector<slowlog_entry> slowlog::newest(int64_t count) const {
  std::lock_guard<std::mutex> g(mutex_);
  size_t n = count < 0 ? entries_.size() : std::min(entries_.size(), size_t(count));
  return {entries_.begin(), entries_.begin() + long(n)};
}

size_t slowlog::length() const {
  std::lock_guard<std::mutex> g(mutex_);
  return entries_.size();
}

void slowlog::reset() {
  std::lock_guard<std::mutex> g(mutex_);
  entries_.clear();
}

void slowlog::trim(size_t max_len) {
  std::lock_guard<std::mutex> g(mutex_);
  while (entries_.size() > max_len) entries_.pop_back();
}

}  // namespace troupe
