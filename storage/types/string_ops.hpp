// Operations on string values shared by the string, bitmap and key families.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

#include "storage/commands/exec_context.hpp"

namespace troupe {

// SETBIT / GETBIT / BITFIELD / BITPOS's error for a bad bit offset.
inline constexpr std::string_view bit_offset_error =
    "ERR bit offset is not an integer or out of range";

// Stores value v at key k, replacing whatever is there. `expire_at` >= 0 sets a
// TTL (ms); `keep_ttl` keeps the current one; otherwise the key is persistent.
// Returns the entry (valid until the next change of the database).
kv_entry* store_string(exec_context& c, const key_ref& k, dict::location loc, std::string_view v,
                       int64_t expire_at, bool keep_ttl);

// The longest string a command may build: proto-max-bulk-len, and never more
// than a string value's 32-bit length holds, whatever proto-max-bulk-len says.
uint64_t max_string_size(const exec_context& c);
// True when a string of size + more bytes is allowed (computed without
// overflow); otherwise replies Redis's "string exceeds maximum allowed size".
bool check_string_size(exec_context& c, uint64_t size, uint64_t more);

// Parses the expire options of SET and GETEX starting at argument `from`.
struct expire_options {
  bool nx = false, xx = false, get = false, keep_ttl = false, persist = false;
  size_t time_arg = 0;  // index of the EX/PX/EXAT/PXAT value, 0 if none
  int64_t unit_ms = 1;
  bool absolute = false;
  int64_t expire_at = -1;  // absolute ms once resolved, -1 if none
};
// Checks the options' syntax (SET when is_set, else GETEX). Replies with the
// error and returns false on bad input.
bool parse_expire_options(exec_context& c, size_t from, bool is_set, expire_options& out);
// Turns the EX/PX/EXAT/PXAT value into expire_at; replies with the error and
// returns false when it is not a valid time.
bool resolve_expire(exec_context& c, expire_options& o, std::string_view command);

// Converts a relative or absolute time argument to absolute ms. `unit_ms` is 1000
// for seconds. Returns nullopt (after replying) when invalid.
std::optional<int64_t> absolute_expire(exec_context& c, std::string_view arg, int64_t unit_ms,
                                       bool absolute, std::string_view command);

}  // namespace troupe
