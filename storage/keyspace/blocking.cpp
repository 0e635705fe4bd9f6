// The storage side of blocking commands (blocking.hpp): timeouts, asking to
// block, and noting keys that became ready for their waiters.
#include "storage/keyspace/blocking.hpp"

#include <cmath>

#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {

std::optional<int64_t> parse_block_timeout(exec_context& c, std::string_view arg) {
  auto v = parse_long_double(arg);
  if (!v) {
    c.out.error("ERR timeout is not a float or out of range");
    return std::nullopt;
  }
  long double ms = *v * 1000.0L;
  // Like Redis 7.0, a value too large for 64 bits wraps to negative.
  int64_t t = (std::isinf(ms) || ms >= 9.2233720368547758e18L) ? INT64_MIN : int64_t(std::ceil(ms));
  if (t < 0) {
    c.out.error("ERR timeout is negative");
    return std::nullopt;
  }
  return t;
}

void block_for_keys(exec_context& c, const std::vector<std::string_view>& keys, int64_t timeout_ms,
                    bool null_bulk) {
  switch (c.blocking) {
    case block_mode::reply_null:
      if (null_bulk)
        c.out.null();
      else
        c.out.null_array();
      return;
    case block_mode::retry:
      return;
    case block_mode::can_block:
      c.block_requested = true;
      c.block_timeout_ms = timeout_ms;
      c.block_keys.assign(keys.begin(), keys.end());
      return;
  }
}

void signal_key_ready(keyspace& ks, shard_store& shard, int db, std::string_view key) {
  blocked_map& waiting = shard.blocked(db);
  if (waiting.empty()) return;
  std::string k(key);
  if (!waiting.count(k)) return;
  shard.ready_keys().emplace_back(db, std::move(k));
  ks.ready_pending.store(true, std::memory_order_relaxed);
}

void signal_ready_keys_in_db(keyspace& ks, int db) {
  if (ks.blocked_clients.load(std::memory_order_relaxed) == 0) return;
  for (int s = 0; s < ks.shard_count(); ++s) {
    shard_store& shard = ks.shard(s);
    for (auto& [key, waiters] : shard.blocked(db)) {
      if (waiters.empty()) continue;
      // Every waited key, present or gone: a waiter replayed on a key of
      // another type, or on a missing one, keeps waiting; XREADGROUP on a
      // stream that is gone answers UNBLOCKED, as Redis 7.0's deleted-key
      // signal makes it.
      shard.ready_keys().emplace_back(db, key);
      ks.ready_pending.store(true, std::memory_order_relaxed);
    }
  }
}

}  // namespace troupe
