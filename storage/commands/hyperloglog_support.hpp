// What the HyperLogLog command files share: Redis's error replies and the
// check that a string value is a HyperLogLog.
#pragma once
#include <string_view>

#include "storage/commands/exec_context.hpp"
#include "storage/types/hyperloglog.hpp"

namespace troupe {

inline constexpr std::string_view hll_invalid_obj = "INVALIDOBJ Corrupted HLL object detected";

// True when e holds a HyperLogLog; otherwise replies WRONGTYPE (another type,
// or a string that is no HyperLogLog) and returns false.
inline bool hll_or_reply(exec_context& c, const kv_entry* e) {
  if (e->type() != value_type::string) {
    c.wrongtype();
    return false;
  }
  if (!hll::is_valid(e->str())) {
    c.out.error("WRONGTYPE Key is not a valid HyperLogLog string value.");
    return false;
  }
  return true;
}

inline size_t hll_sparse_max(const exec_context& c) {
  return size_t(c.srv.config().hll_sparse_max_bytes.get());
}

}  // namespace troupe
