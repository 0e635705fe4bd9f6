// What every reactor's script engine shares: the bodies of the scripts EVAL and
// SCRIPT LOAD cached, by SHA1, and the function libraries FUNCTION LOAD
// installed. Engines compile from here lazily (one lua_State per reactor);
// the generation counters tell an engine when what it compiled is stale.
// Guarded by a mutex: touched on cache misses and by SCRIPT/FUNCTION only.
#pragma once
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/scripting/sha1.hpp"  // sha1_hex, for the stores' users

namespace troupe {

struct function_info {
  std::string name;
  std::string description;  // empty: none given
  bool has_description = false;
  uint32_t flags = 0;  // script_flags.hpp
};

struct function_library {
  std::string name;
  std::string code;  // as given to FUNCTION LOAD, shebang included
  std::vector<function_info> functions;
};

// Libraries by name (FUNCTION LIST and DUMP order them by name).
using library_set = std::map<std::string, function_library>;

class script_store {
 public:
  // -- EVAL scripts ------------------------------------------------------------
  void add_script(const std::string& sha, std::string_view body);
  std::optional<std::string> script_body(const std::string& sha) const;
  bool has_script(const std::string& sha) const;
  void flush_scripts();
  size_t script_count() const;
  size_t script_bytes() const;
  uint64_t scripts_generation() const { return scripts_gen_.load(std::memory_order_acquire); }

  // -- function libraries -------------------------------------------------------
  std::shared_ptr<const library_set> libraries() const;
  // Installs a new set (every engine reloads its functions).
  void set_libraries(std::shared_ptr<const library_set> libs);
  uint64_t functions_generation() const { return functions_gen_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::string> scripts_;
  size_t script_bytes_ = 0;
  std::shared_ptr<const library_set> libraries_ = std::make_shared<library_set>();
  std::atomic<uint64_t> scripts_gen_{1};
  std::atomic<uint64_t> functions_gen_{1};
};

}  // namespace troupe
