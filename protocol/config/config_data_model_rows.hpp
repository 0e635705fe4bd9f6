// Directives of the data model: when small lists, hashes, sets, sorted sets
// HyperLogLogs and streams use their compact encodings. Names, aliases (the pre-7.0
// "ziplist" ones), ranges and defaults are Redis 7.0's.
#pragma once
#include <climits>
#include <cstdint>

#include "protocol/config/config_rows.hpp"

namespace troupe {

struct data_model_rows {
  explicit data_model_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  int_row hash_max_listpack_entries{
      t_,
      "hash-max-listpack-entries",
      512,
      0,
      INT64_MAX,
      "A hash stays a listpack while it has at most this many fields.",
      row_alias("hash-max-ziplist-entries")};
  memory_row hash_max_listpack_value{
      t_,
      "hash-max-listpack-value",
      64,
      0,
      INT64_MAX,
      "A hash stays a listpack while no field or value is longer than this.",
      row_alias("hash-max-ziplist-value")};
  int_row list_max_listpack_size{t_,
                                 "list-max-listpack-size",
                                 -2,
                                 INT_MIN,
                                 INT_MAX,
                                 "Size of each list node: negative -1..-5 caps its bytes at 4, 8, "
                                 "16, 32 or 64 KB, positive caps its elements.",
                                 row_alias("list-max-ziplist-size")};
  int_row list_compress_depth{t_,
                              "list-compress-depth",
                              0,
                              0,
                              INT_MAX,
                              "List nodes kept uncompressed at each end (accepted for "
                              "compatibility; Troupe does not compress list nodes)."};
  int_row set_max_intset_entries{
      t_,        "set-max-intset-entries",
      512,       0,
      INT64_MAX, "A set of integers stays an intset while it has at most this many members."};
  int_row zset_max_listpack_entries{
      t_,
      "zset-max-listpack-entries",
      128,
      0,
      INT64_MAX,
      "A sorted set stays a listpack while it has at most this many members.",
      row_alias("zset-max-ziplist-entries")};
  memory_row zset_max_listpack_value{
      t_,
      "zset-max-listpack-value",
      64,
      0,
      INT64_MAX,
      "A sorted set stays a listpack while no member is longer than this.",
      row_alias("zset-max-ziplist-value")};
  memory_row hll_sparse_max_bytes{
      t_,
      "hll-sparse-max-bytes",
      3000,
      0,
      INT64_MAX,
      "A HyperLogLog keeps its sparse encoding while it is at most this many bytes long."};
  memory_row stream_node_max_bytes{
      t_,
      "stream-node-max-bytes",
      4096,
      0,
      INT64_MAX,
      "A stream node (a listpack of entries) starts a new node past this many bytes (0: no "
      "limit)."};
  int_row stream_node_max_entries{
      t_,
      "stream-node-max-entries",
      100,
      0,
      INT64_MAX,
      "A stream node starts a new node past this many entries, deleted ones included (0: no "
      "limit)."};
};

}  // namespace troupe
