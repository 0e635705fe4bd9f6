// MULTI EXEC DISCARD WATCH UNWATCH (the work is in connection_multi.cpp).
#include "actors/connection.hpp"
#include "storage/exec_context.hpp"

namespace troupe {
namespace {

connection& conn_of(exec_context& c) {
  return *static_cast<connection*>(c.client.owner);
}

void cmd_multi(exec_context& c) {
  connection& conn = conn_of(c);
  if (conn.in_multi()) return c.out.error("ERR MULTI calls can not be nested");
  conn.begin_multi();
  c.out.ok();
}

void cmd_exec(exec_context& c) {
  connection& conn = conn_of(c);
  if (!conn.in_multi()) return c.out.error("ERR EXEC without MULTI");
  conn.exec_multi();
}

void cmd_discard(exec_context& c) {
  connection& conn = conn_of(c);
  if (!conn.in_multi()) return c.out.error("ERR DISCARD without MULTI");
  conn.discard_multi();
  c.out.ok();
}

void cmd_watch(exec_context& c) {
  connection& conn = conn_of(c);
  if (conn.in_multi()) return c.out.error("ERR WATCH inside MULTI is not allowed");
  std::vector<std::string_view> keys(c.argv.begin() + 1, c.argv.end());
  // Expire what is already expired, so a later expiry is a change.
  for (auto k : keys) c.lookup(c.key(k));
  conn.watch(c.db_index, keys);
  c.out.ok();
}

void cmd_unwatch(exec_context& c) {
  conn_of(c).unwatch_all();
  c.out.ok();
}

const command_def transaction_commands[] = {
    {"multi", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "", cmd_multi,
     "Mark the start of a transaction block", "1.2.0", "O(1)", ""},
    {"exec", 1, "noscript loading stale skip_slowlog", 0, 0, 0, "", cmd_exec,
     "Execute all commands issued after MULTI", "1.2.0", "Depends on commands in the transaction",
     ""},
    {"discard", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "", cmd_discard,
     "Discard all commands issued after MULTI", "2.0.0",
     "O(N), when N is the number of queued commands", ""},
    {"watch", -2, "noscript loading stale fast allow_busy", 1, -1, 1, "", cmd_watch,
     "Watch the given keys to determine execution of the MULTI/EXEC block", "2.2.0",
     "O(1) for every key.", "key [key ...]"},
    {"unwatch", 1, "noscript loading stale fast allow_busy", 0, 0, 0, "", cmd_unwatch,
     "Forget about all watched keys", "2.2.0", "O(1)", ""},
};
TROUPE_REGISTER_COMMANDS("transactions", transaction_commands);

}  // namespace
}  // namespace troupe
