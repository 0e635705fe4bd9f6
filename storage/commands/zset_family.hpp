// Sorted set operations the blocking commands (BZPOPMIN, BZPOPMAX, BZMPOP) reuse.
#pragma once
#include <cstdint>

#include "storage/commands/exec_context.hpp"
#include "storage/types/zset_type.hpp"

namespace troupe {

// Pops from a sorted set that exists and is not empty, replies, sends
// "zpopmin"/"zpopmax" (and "del" when emptied), and deletes an emptied key.
// count -1 pops one element. Reply shapes are Redis's genericZpopCommand ones:
//   !emit_key, !nested: [m, s, m, s...]         ZPOPMIN/ZPOPMAX (RESP2, or no count)
//   !emit_key,  nested: [[m, s], ...]           ZPOPMIN/ZPOPMAX with count in RESP3
//    emit_key, !nested: [key, m, s, ...]        BZPOPMIN/BZPOPMAX
//    emit_key,  nested: [key, [[m, s], ...]]    ZMPOP/BZMPOP
void zset_pop_reply(exec_context& c, const key_ref& k, kv_entry* e, bool max, int64_t count,
                    bool emit_key, bool nested);

}  // namespace troupe
