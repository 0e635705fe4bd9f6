// Directives of the data model: when small lists, hashes, sets and sorted sets
// use their compact encodings. Names, aliases (the pre-7.0 "ziplist" ones),
// ranges and defaults are Redis 7.0's.
#include <climits>
#include <cstdint>

#include "protocol/config_directives.hpp"

namespace troupe {
namespace {

config_directive size_directive(const char* name, const char* alias, int64_t def, int64_t min,
                                int64_t max, const char* comment,
                                config_type type = config_type::integer) {
  config_directive d;
  d.name = name;
  if (alias != nullptr) d.aliases = {alias};
  d.type = type;
  d.default_value = std::to_string(def);
  d.min = min;
  d.max = max;
  d.comment = comment;
  return d;
}

}  // namespace

void define_data_model_directives(config_registry& reg) {
  reg.define(size_directive("hash-max-listpack-entries", "hash-max-ziplist-entries", 512, 0,
                            INT64_MAX,
                            "A hash stays a listpack while it has at most this many fields."));
  reg.define(size_directive("hash-max-listpack-value", "hash-max-ziplist-value", 64, 0, INT64_MAX,
                            "A hash stays a listpack while no field or value is longer than this.",
                            config_type::memory));
  reg.define(size_directive("list-max-listpack-size", "list-max-ziplist-size", -2, INT_MIN, INT_MAX,
                            "Size of each list node: negative -1..-5 caps its bytes at 4, 8, 16, "
                            "32 or 64 KB, positive caps its elements."));
  reg.define(size_directive("list-compress-depth", nullptr, 0, 0, INT_MAX,
                            "List nodes kept uncompressed at each end (accepted for "
                            "compatibility; Troupe does not compress list nodes)."));
  reg.define(size_directive("set-max-intset-entries", nullptr, 512, 0, INT64_MAX,
                            "A set of integers stays an intset while it has at most this many "
                            "members."));
  reg.define(
      size_directive("zset-max-listpack-entries", "zset-max-ziplist-entries", 128, 0, INT64_MAX,
                     "A sorted set stays a listpack while it has at most this many members."));
  reg.define(size_directive("zset-max-listpack-value", "zset-max-ziplist-value", 64, 0, INT64_MAX,
                            "A sorted set stays a listpack while no member is longer than this.",
                            config_type::memory));
}

}  // namespace troupe
