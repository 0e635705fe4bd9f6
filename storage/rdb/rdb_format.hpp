// Constants of Redis's RDB file format (version 10, as Redis 7.0 writes it):
// value types, opcodes, length encodings. Shared by the encoder, the loader,
// DUMP/RESTORE and troupe-check-rdb.
#pragma once
#include <cstdint>

namespace troupe::rdb {

constexpr int version = 10;     // what we write
constexpr int min_version = 1;  // what we read
constexpr int max_version = 10;

// Value types (the byte before a key).
enum type : uint8_t {
  type_string = 0,
  type_list = 1,
  type_set = 2,
  type_zset = 3,
  type_hash = 4,
  type_zset_2 = 5,  // binary double scores
  type_module_pre_ga = 6,
  type_module_2 = 7,
  type_hash_zipmap = 9,
  type_list_ziplist = 10,
  type_set_intset = 11,
  type_zset_ziplist = 12,
  type_hash_ziplist = 13,
  type_list_quicklist = 14,
  type_stream_listpacks = 15,
  type_hash_listpack = 16,
  type_zset_listpack = 17,
  type_list_quicklist_2 = 18,
  type_stream_listpacks_2 = 19,
};

// Opcodes (bytes that are not value types).
enum opcode : uint8_t {
  op_function2 = 245,
  op_function_pre_ga = 246,
  op_module_aux = 247,
  op_idle = 248,
  op_freq = 249,
  op_aux = 250,
  op_resizedb = 251,
  op_expiretime_ms = 252,
  op_expiretime = 253,
  op_selectdb = 254,
  op_eof = 255,
};

// Length encoding: the two top bits of the first byte.
constexpr uint8_t len_6bit = 0;
constexpr uint8_t len_14bit = 1;
constexpr uint8_t len_32bit = 0x80;
constexpr uint8_t len_64bit = 0x81;
constexpr uint8_t len_encval = 3;  // 11xxxxxx: a specially encoded string follows
// Special string encodings (the low six bits after 11).
constexpr uint8_t enc_int8 = 0;
constexpr uint8_t enc_int16 = 1;
constexpr uint8_t enc_int32 = 2;
constexpr uint8_t enc_lzf = 3;

// Quicklist 2 node containers.
constexpr uint64_t node_plain = 1;
constexpr uint64_t node_packed = 2;

// ZSET (type 3) scores as text: one length byte, with these special values.
constexpr uint8_t double_nan = 253;
constexpr uint8_t double_pos_inf = 254;
constexpr uint8_t double_neg_inf = 255;

// How a key's LRU/LFU information is saved (Redis saves IDLE under an LRU
// maxmemory-policy, FREQ under an LFU one, nothing otherwise).
enum class lru_mode : uint8_t { none, lru, lfu };

// Whether a byte read where a value type is expected is a known value type.
inline bool is_value_type(uint8_t t) {
  return t <= type_zset_2 || (t >= type_hash_zipmap && t <= type_stream_listpacks_2) ||
         t == type_module_pre_ga || t == type_module_2;
}

// Redis's name of a value type, as redis-check-rdb and DEBUG OBJECT say.
const char* type_name(uint8_t t);

}  // namespace troupe::rdb
