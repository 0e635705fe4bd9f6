// HyperLogLog values, byte for byte as Redis 7.0 stores them in a string, so a
// DUMP payload or an RDB string moves between Troupe and redis-server and
// PFCOUNT answers the same number for the same inserts:
//
//   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality
//   (8 bytes little endian; bit 7 of the last byte set = stale) | registers
//
// 16384 registers of 6 bits. Dense: 12288 bytes, register i at bit 6*i, least
// significant bit first. Sparse: a run-length code of opcodes
//   00xxxxxx           ZERO  : x+1 registers (1..64) at 0
//   01xxxxxx yyyyyyyy  XZERO : xy+1 registers (1..16384) at 0
//   1vvvvvll           VAL   : l+1 registers (1..4) at v+1 (1..32)
// A sparse value becomes dense when a register passes 32 or the value would
// grow past hll-sparse-max-bytes. The element hash is MurmurHash64A with
// Redis's seed; the estimate is Ertl's improved estimator over the register
// histogram, as Redis 7.0 computes it (same operations, same doubles).
//
// Values come from clients (SET, RESTORE), so every reader here is bounded by
// the value's length whatever its bytes say.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace troupe::hll {

inline constexpr int precision = 14;
inline constexpr int registers = 1 << precision;  // 16384
inline constexpr int register_bits = 6;
inline constexpr int register_max = (1 << register_bits) - 1;
inline constexpr size_t header_size = 16;
inline constexpr size_t dense_size = header_size + (registers * register_bits + 7) / 8;
inline constexpr uint8_t enc_dense = 0, enc_sparse = 1;
inline constexpr int sparse_val_max_value = 32;

uint64_t murmur64a(const void* key, size_t len, uint32_t seed);

// The register an element falls in and the run length of its hash (1..51).
int pattern_length(std::string_view element, int& index);

// True when v is a HyperLogLog Redis accepts: magic, a known encoding, and a
// dense value of exactly dense_size bytes (sparse opcodes are checked as read).
bool is_valid(std::string_view v);
uint8_t encoding_of(std::string_view v);

// A new, empty sparse HyperLogLog (cached cardinality 0, valid).
std::string make_empty();

// -- dense registers ----------------------------------------------------------
uint8_t dense_get(const unsigned char* regs, int i);
void dense_set(unsigned char* regs, int i, uint8_t value);
// Raises register i to `count` if lower; true when it changed.
bool dense_raise(unsigned char* regs, int i, uint8_t count);

// -- changes to a value (dense or sparse) -------------------------------------
// Raises register i of v to `count`: 1 changed, 0 not, -1 corrupt. A sparse v
// becomes dense when needed (a register above 32, or longer than max_sparse).
int raise_register(std::string& v, int i, uint8_t count, size_t max_sparse);
// Adds an element: 1 when a register changed, 0 not, -1 corrupt.
int add(std::string& v, std::string_view element, size_t max_sparse);
// Converts a sparse v to dense (no-op if dense); false when v is corrupt.
bool to_dense(std::string& v);

// -- reading --------------------------------------------------------------------
// max[i] = max(max[i], register i of v) over 16384 bytes; false when corrupt.
bool merge_into(unsigned char* max, std::string_view v);
// The estimate for v; *invalid set when its sparse opcodes are corrupt.
uint64_t count(std::string_view v, bool* invalid);
// The estimate for 16384 registers of one byte each (a merged union).
uint64_t count_registers(const unsigned char* regs);

// The cached cardinality in the header.
bool cache_valid(std::string_view v);
uint64_t cached(std::string_view v);
void set_cached(char* header, uint64_t card);
void invalidate_cache(char* header);

// PFDEBUG DECODE's text of a sparse value ("z:5 v:3,1 Z:16000").
std::string decode_sparse(std::string_view v);

// PFSELFTEST: checks the register code and the estimator; empty on success,
// else Redis's TESTFAILED message.
std::string self_test();

}  // namespace troupe::hll
