// Registration of the command families. Each family file ends with the table
// of its commands and a register_<file>() that adds it; these lists are the
// only place that names them, so adding a family is one line here.
#pragma once

namespace troupe {

class command_table;

void register_bitfield_family(command_table& t);
void register_bitmap_family(command_table& t);
void register_blocking_family(command_table& t);
void register_dump_family(command_table& t);
void register_migrate_family(command_table& t);
void register_geo_family(command_table& t);
void register_geo_search_family(command_table& t);
void register_hash_family(command_table& t);
void register_hyperloglog_family(command_table& t);
void register_hyperloglog_debug_family(command_table& t);
void register_key_family(command_table& t);
void register_lcs_family(command_table& t);
void register_list_family(command_table& t);
void register_set_family(command_table& t);
void register_sort_family(command_table& t);
void register_script_family(command_table& t);
void register_function_family(command_table& t);
void register_stream_family(command_table& t);
void register_stream_group_family(command_table& t);
void register_stream_info_family(command_table& t);
void register_string_family(command_table& t);
void register_transaction_family(command_table& t);
void register_slowlog_family(command_table& t);
void register_zset_family(command_table& t);

// The commands of the data model (everything in storage/); the in-process
// test harness runs these.
void register_storage_commands(command_table& t);

}  // namespace troupe
