// Script flags: what a script declares about itself, in the shebang of an EVAL
// script ("#!lua flags=no-writes,allow-oom") or in redis.register_function's
// flags, as Redis 7.0 names them.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

enum script_flag : uint32_t {
  script_no_writes = 1u << 0,
  script_allow_oom = 1u << 1,
  script_allow_stale = 1u << 2,
  script_no_cluster = 1u << 3,
  script_allow_cross_slot = 1u << 4,
  // Troupe's own: an EVAL script without a shebang (Redis's legacy mode: its
  // commands are checked one by one as they run).
  script_no_shebang = 1u << 31,
};

// The flag called `name` ("no-writes"...), or 0 if there is none.
uint32_t script_flag_by_name(std::string_view name);
// The names of the flags set, in Redis's order.
std::vector<std::string_view> script_flag_names(uint32_t flags);

// Reads an EVAL script's shebang. Without one, flags = script_no_shebang and
// true. With one, its flags, or false with Redis's error in `err`.
bool parse_eval_shebang(std::string_view body, uint32_t& flags, std::string& err);

}  // namespace troupe
