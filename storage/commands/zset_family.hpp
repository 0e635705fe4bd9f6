// Sorted set operations other families reuse: the blocking commands (BZPOPMIN,
// BZPOPMAX, BZMPOP) and GEOADD.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

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

// Redis's getDoubleFromObject (scores, GEO coordinates and distances): strtod
// over the whole string, no leading space, not NaN, no overflow and no
// underflow to zero.
bool parse_score(std::string_view s, double& v);

// ZADD's work once its arguments are parsed: members[i] gets scores[i] under
// the zadd_flags (ch: count changed members too); replies as ZADD does.
void zadd_apply(exec_context& c, const key_ref& k, int flags, bool ch,
                const std::vector<double>& scores, const std::vector<std::string_view>& members);

}  // namespace troupe
