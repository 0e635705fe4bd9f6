// Helpers shared by the stream command families (stream_family.cpp,
// stream_group_family.cpp, stream_info_family.cpp): ID arguments with Redis's
// parsing and errors, entry replies, and the stream at a key.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "storage/types/stream_type.hpp"
#include "storage/types/type_support.hpp"

namespace troupe {

namespace stream_errors {
inline constexpr std::string_view invalid_id =
    "ERR Invalid stream ID specified as stream command argument";
inline constexpr std::string_view no_group_prefix = "NOGROUP No such key '";
}  // namespace stream_errors

// Parses an ID as Redis's streamGenericParseIDOrReply: "ms-seq", or "ms" with
// `missing_seq`; "-" and "+" unless strict; "ms-*" when seq_given is asked for
// (it is then false). Replies with the error when invalid (when c is given).
bool parse_stream_id(exec_context* c, std::string_view arg, stream_id& id, uint64_t missing_seq,
                     bool strict, bool* seq_given = nullptr);
inline bool parse_strict_id(exec_context& c, std::string_view arg, stream_id& id,
                            uint64_t missing_seq = 0, bool* seq_given = nullptr) {
  return parse_stream_id(&c, arg, id, missing_seq, true, seq_given);
}
// A range bound: "(" makes it exclusive (the rest then parsed strictly).
bool parse_interval_id(exec_context& c, std::string_view arg, stream_id& id, bool& exclusive,
                       uint64_t missing_seq);

inline stream_node_limits stream_limits_of(const exec_context& c) {
  const server_config& s = c.srv.config();
  return {size_t(s.stream_node_max_bytes.get()), s.stream_node_max_entries.get()};
}

// One entry as Redis replies it: [id, [field, value, ...]].
void reply_stream_entry(exec_context& c, const stream_entry& e);
// Entries in [start, end] (reverse from end when rev), at most count (0: all).
size_t reply_stream_range(exec_context& c, const stream& s, stream_id start, stream_id end,
                          size_t count, bool rev);

// The stream at k for reading; nullptr when absent or after a WRONGTYPE reply
// (`bad` tells which).
inline stream* read_stream(exec_context& c, const key_ref& k, bool& bad) {
  kv_entry* e = lookup_read_typed(c, k, value_type::stream, bad);
  return e ? &stream_of(e) : nullptr;
}
inline stream* write_stream(exec_context& c, const key_ref& k, bool& bad) {
  kv_entry* e = lookup_write_typed(c, k, value_type::stream, bad);
  return e ? &stream_of(e) : nullptr;
}

// "NOGROUP No such key 'k' or consumer group 'g' in XREADGROUP with GROUP option"
// and the like: Redis's text names the command it comes from.
std::string no_group_error(std::string_view key, std::string_view group, std::string_view where);

// The ID to journal for a claimed entry: XCLAIM key group consumer 0 id TIME ms
// RETRYCOUNT n FORCE JUSTID LASTID last (as Redis propagates XREADGROUP and
// XCLAIM); and XGROUP SETID key group id ENTRIESREAD n.
std::vector<std::string> xclaim_propagation(std::string_view key, std::string_view group,
                                            stream_id id, const stream_nack& nack,
                                            const stream_group& g);
std::vector<std::string> setid_propagation(std::string_view key, std::string_view group,
                                           const stream_group& g);

// Wakes clients blocked on k (XREAD/XREADGROUP BLOCK): new entries, a group
// gone, the key gone.
void signal_stream_ready(exec_context& c, const key_ref& k);

}  // namespace troupe
