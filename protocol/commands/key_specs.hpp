// Redis 7.0's key specs: where a command's keys are and what it does to each
// (read, overwrite, delete...). The table (key_specs_table.cpp) is generated
// from redis-server's COMMAND INFO by tools/gen-key-specs; this file gives the
// types, the lookup by command name and Redis's search over the arguments
// (getKeysUsingKeySpecs). COMMAND INFO shows the specs, COMMAND
// GETKEYSANDFLAGS the keys they find with their flags.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace troupe {

// Key flags, in the order Redis names them.
enum key_flag : uint16_t {
  key_RW = 1u << 0,
  key_RO = 1u << 1,
  key_OW = 1u << 2,
  key_RM = 1u << 3,
  key_access = 1u << 4,
  key_update = 1u << 5,
  key_insert = 1u << 6,
  key_delete = 1u << 7,
  key_not_key = 1u << 8,
  key_incomplete = 1u << 9,
  key_variable_flags = 1u << 10,
};
std::vector<std::string_view> key_flag_names(uint16_t flags);

enum class key_search : uint8_t { index, keyword, unknown };
enum class key_find : uint8_t { range, keynum, unknown };

struct key_spec_row {
  const char* command;  // "zunionstore", "xinfo|stream"
  uint16_t flags;
  key_search search;
  int search_arg;       // index: the position; keyword: startfrom
  const char* keyword;  // keyword search only
  key_find find;
  // range: lastkey, keystep, limit; keynum: keynumidx, firstkey, keystep.
  int find_a, find_b, find_c;
  const char* notes;
};
extern const key_spec_row key_spec_rows[];
extern const size_t key_spec_row_count;

// The specs of a command (by its full name), in Redis's order; empty when it
// has none.
std::span<const key_spec_row> key_specs_of(std::string_view command);

struct found_key {
  int pos;
  uint16_t flags;
};

// Redis's getKeysUsingKeySpecs: the keys the specs find in args (args[0] is
// the command name), skipping not_key specs (the table's arity check has
// run, so a range never runs past the arguments). False when a spec cannot be
// followed (unknown, incomplete, numkeys out of range...): the caller then
// falls back to the command's own key finder, as Redis does. With `partial`,
// such specs are skipped and the others' keys still found.
bool keys_from_specs(std::span<const key_spec_row> specs, const std::vector<std::string_view>& args,
                     std::vector<found_key>& out, bool partial = false);

struct command_spec;

// Redis's getKeysFromCommandWithSpecs: a command's keys with their flags, from
// its key specs when they can be followed (and do not vary with the
// arguments), else from its own key finder with the flags Redis's finders
// give (SET with GET reads, BITFIELD with SET/INCRBY writes, SORT's STORE
// overwrites...). Empty on a syntax error. COMMAND GETKEYSANDFLAGS and the
// ACL key checks use it.
void keys_with_flags(const command_spec& cmd, const std::vector<std::string_view>& args,
                     std::vector<found_key>& out);

}  // namespace troupe
