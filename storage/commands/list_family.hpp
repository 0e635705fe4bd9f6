// List operations the blocking commands (BLPOP, BRPOP, BLMOVE, BLMPOP) reuse:
// each pops from a list that exists and is not empty, writes the reply, sends
// the keyspace events and deletes the key if it became empty.
#pragma once
#include <string_view>

#include "storage/commands/exec_context.hpp"
#include "storage/encodings/quicklist.hpp"

namespace troupe {

kv_entry* make_list_entry(std::string_view key, int fill, bool with_expire);
inline quicklist* list_of(const kv_entry* e) {
  return static_cast<quicklist*>(e->object());
}

// Pops one element (left: the head) and replies with it as a bulk string; with
// `with_key` replies [key, element] as BLPOP does.
void list_pop_one_reply(exec_context& c, const key_ref& k, kv_entry* e, bool left, bool with_key);
// Pops up to count elements and replies with them as an array; with `with_key`
// replies [key, [elements]] as LMPOP does.
void list_pop_many_reply(exec_context& c, const key_ref& k, kv_entry* e, bool left, int64_t count,
                         bool with_key);
// LMOVE's work once the source is known to be a non-empty list: checks the
// destination's type (replying WRONGTYPE and returning false), moves one element
// and replies with it.
bool list_move_reply(exec_context& c, const key_ref& src, kv_entry* se, const key_ref& dst,
                     bool from_left, bool to_left);

}  // namespace troupe
