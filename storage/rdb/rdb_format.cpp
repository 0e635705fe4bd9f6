#include "storage/rdb/rdb_format.hpp"

namespace troupe::rdb {

const char* type_name(uint8_t t) {
  switch (t) {
    case type_string:
      return "string";
    case type_list:
      return "list-linked";
    case type_set:
      return "set-hashtable";
    case type_zset:
      return "zset-v1";
    case type_hash:
      return "hash-hashtable";
    case type_zset_2:
      return "zset-v2";
    case type_module_pre_ga:
      return "module-pre-release";
    case type_module_2:
      return "module-value";
    case type_hash_zipmap:
      return "hash-zipmap";
    case type_list_ziplist:
      return "list-ziplist";
    case type_set_intset:
      return "set-intset";
    case type_zset_ziplist:
      return "zset-ziplist";
    case type_hash_ziplist:
      return "hash-ziplist";
    case type_list_quicklist:
      return "quicklist";
    case type_stream_listpacks:
      return "stream";
    case type_hash_listpack:
      return "hash-listpack";
    case type_zset_listpack:
      return "zset-listpack";
    case type_list_quicklist_2:
      return "quicklist-v2";
    case type_stream_listpacks_2:
      return "stream-v2";
  }
  return "unknown";
}

}  // namespace troupe::rdb
