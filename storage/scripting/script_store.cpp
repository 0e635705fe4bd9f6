#include "storage/scripting/script_store.hpp"

namespace troupe {

void script_store::add_script(const std::string& sha, std::string_view body) {
  std::lock_guard<std::mutex> g(mutex_);
  auto [it, added] = scripts_.try_emplace(sha, body);
  if (added) script_bytes_ += body.size();
}

std::optional<std::string> script_store::script_body(const std::string& sha) const {
  std::lock_guard<std::mutex> g(mutex_);
  auto it = scripts_.find(sha);
  if (it == scripts_.end()) return std::nullopt;
  return it->second;
}

bool script_store::has_script(const std::string& sha) const {
  std::lock_guard<std::mutex> g(mutex_);
  return scripts_.count(sha) != 0;
}

void script_store::flush_scripts() {
  std::unordered_map<std::string, std::string> old;
  {
    std::lock_guard<std::mutex> g(mutex_);
    old.swap(scripts_);
    script_bytes_ = 0;
    scripts_gen_.fetch_add(1, std::memory_order_acq_rel);
  }
}

size_t script_store::script_count() const {
  std::lock_guard<std::mutex> g(mutex_);
  return scripts_.size();
}

size_t script_store::script_bytes() const {
  std::lock_guard<std::mutex> g(mutex_);
  return script_bytes_;
}

std::shared_ptr<const library_set> script_store::libraries() const {
  std::lock_guard<std::mutex> g(mutex_);
  return libraries_;
}

void script_store::set_libraries(std::shared_ptr<const library_set> libs) {
  std::lock_guard<std::mutex> g(mutex_);
  libraries_ = std::move(libs);
  functions_gen_.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace troupe
