#include "storage/commands/command_families.hpp"

#include "protocol/commands/command_table.hpp"

namespace troupe {

void register_storage_commands(command_table& t) {
  register_string_family(t);
  register_bitmap_family(t);
  register_bitfield_family(t);
  register_lcs_family(t);
  register_list_family(t);
  register_blocking_family(t);
  register_hash_family(t);
  register_set_family(t);
  register_zset_family(t);
  register_hyperloglog_family(t);
  register_hyperloglog_debug_family(t);
  register_geo_family(t);
  register_geo_search_family(t);
  register_stream_family(t);
  register_stream_group_family(t);
  register_stream_info_family(t);
  register_key_family(t);
  register_sort_family(t);
  register_dump_family(t);
  register_migrate_family(t);
  register_transaction_family(t);
  register_slowlog_family(t);
  register_script_family(t);
  register_function_family(t);
}

}  // namespace troupe
