// MULTI EXEC DISCARD WATCH UNWATCH (the work is in storage/transaction.cpp).
#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

void cmd_multi(exec_context& c) {
  if (c.client.has(client_multi)) return c.out.error("ERR MULTI calls can not be nested");
  c.engine.begin_transaction(c.client);
  c.out.ok();
}

void cmd_exec(exec_context& c) {
  if (!c.client.has(client_multi)) return c.out.error("ERR EXEC without MULTI");
  c.engine.exec_transaction(c);
}

void cmd_discard(exec_context& c) {
  if (!c.client.has(client_multi)) return c.out.error("ERR DISCARD without MULTI");
  c.engine.discard_transaction(c.client);
  c.out.ok();
}

void cmd_watch(exec_context& c) {
  if (c.client.has(client_multi)) return c.out.error("ERR WATCH inside MULTI is not allowed");
  std::vector<std::string_view> keys(c.argv.begin() + 1, c.argv.end());
  // Expire what is already expired, so a later expiry is a change.
  for (auto k : keys) c.lookup(c.key(k));
  c.engine.watch(c.client, c.db_index, keys);
  c.out.ok();
}

void cmd_unwatch(exec_context& c) {
  c.engine.unwatch_all(c.client);
  c.out.ok();
}

// EXEC takes the shards of its queued commands itself, hence no_keyspace.
const command_def transaction_commands[] = {
    {"multi", 1, "noscript loading stale fast allow_busy tx_control", 0, 0, 0, "", cmd_multi,
     "Mark the start of a transaction block", "1.2.0", "O(1)", ""},
    {"exec", 1, "noscript loading stale skip_slowlog tx_control no_keyspace", 0, 0, 0, "", cmd_exec,
     "Execute all commands issued after MULTI", "1.2.0", "Depends on commands in the transaction",
     ""},
    {"discard", 1, "noscript loading stale fast allow_busy tx_control", 0, 0, 0, "", cmd_discard,
     "Discard all commands issued after MULTI", "2.0.0",
     "O(N), when N is the number of queued commands", ""},
    {"watch", -2, "noscript loading stale fast allow_busy tx_control", 1, -1, 1, "", cmd_watch,
     "Watch the given keys to determine execution of the MULTI/EXEC block", "2.2.0",
     "O(1) for every key.", "key [key ...]"},
    {"unwatch", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "", cmd_unwatch,
     "Forget about all watched keys", "2.2.0", "O(1)", ""},
};

}  // namespace

void register_transaction_family(command_table& t) {
  t.add_all("transactions", transaction_commands);
}

}  // namespace troupe
