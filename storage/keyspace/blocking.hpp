// Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN...). A blocked client waits
// on keys that do not exist (an existing list or sorted set is never empty), so
// the moment such a key is created is the moment to serve its waiters: the
// shard notes it as ready and, after the command that created it has finished
// (a whole MULTI/EXEC, a whole multi-key write), the server replays each
// waiter's command for it, first come first served.
#pragma once
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace troupe {

struct session;
struct command_spec;
struct exec_context;
class keyspace;
class shard_store;

struct blocked_client {
  // Set once, under the shards of `shards`, by whoever ends the wait: serving,
  // timeout, CLIENT UNBLOCK or disconnect. Nobody else may touch the waiter then.
  std::atomic<bool> done{false};
  session* s = nullptr;
  int db = 0;
  const command_spec* cmd = nullptr;
  std::vector<std::string> args;  // the command, replayed when a key is ready
  std::vector<std::string> keys;  // the keys it waits on
  std::vector<int> shards;        // every shard the command touches
  // Hands the reply of the replayed command to the blocked client's connection
  // (on whichever reactor it lives); set by the connection.
  std::function<void(std::string reply)> wake;
};
using blocked_ptr = std::shared_ptr<blocked_client>;
// Per database and shard: key -> clients waiting on it, in the order they blocked.
using blocked_map = std::unordered_map<std::string, std::deque<blocked_ptr>>;

// Parses a blocking timeout in seconds (decimals allowed, 0 is forever) into
// milliseconds, replying with Redis's error when it is invalid.
std::optional<int64_t> parse_block_timeout(exec_context& c, std::string_view arg);

// Called by a blocking command that found nothing to serve: blocks the client
// (or, inside MULTI, replies nil at once; or, when replayed for a waiter, does
// nothing so the client keeps waiting). `null_bulk` picks the nil reply used
// inside MULTI (BLMOVE and BRPOPLPUSH answer a nil bulk, the rest a nil array).
void block_for_keys(exec_context& c, const std::vector<std::string_view>& keys, int64_t timeout_ms,
                    bool null_bulk);

// A key of db in `shard` was created (or replaced by a new value): if clients
// wait on it, note it as ready so they are served after the current command.
// The shard is held by the caller.
void signal_key_ready(keyspace& ks, shard_store& shard, int db, std::string_view key);
// Notes as ready every key of db that clients wait on (its contents changed
// wholesale: SWAPDB, FLUSHDB, FLUSHALL). Every shard is held by the caller.
void signal_ready_keys_in_db(keyspace& ks, int db);

}  // namespace troupe
