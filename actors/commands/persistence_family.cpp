// SAVE BGSAVE LASTSAVE BGREWRITEAOF (the work is in persistence.cpp).
#include "actors/commands/server_of.hpp"
#include "actors/server/server.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

void cmd_save(exec_context& c) {
  if (auto err = srv_of(c).snapshots().save()) {
    if (*err == "ERR") return c.out.error("ERR");
    return c.out.error("ERR " + *err);
  }
  c.out.ok();
}

void cmd_bgsave(exec_context& c) {
  bool schedule = false;
  if (c.argc() == 2) {
    if (!c.arg_is(1, "schedule")) return c.syntax_error();
    schedule = true;
  } else if (c.argc() > 2) {
    return c.syntax_error();
  }
  std::string reply;
  if (auto err = srv_of(c).snapshots().bgsave(schedule, reply)) return c.out.error("ERR " + *err);
  c.out.simple(reply);
}

void cmd_lastsave(exec_context& c) {
  c.out.integer(srv_of(c).snapshots().lastsave());
}

void cmd_bgrewriteaof(exec_context& c) {
  std::string reply;
  if (auto err = srv_of(c).snapshots().bgrewriteaof(reply)) return c.out.error("ERR " + *err);
  c.out.simple(reply);
}

const command_def persistence_commands[] = {
    {"save", 1, "admin noscript no_async_loading no_multi", 0, 0, 0, "", cmd_save,
     "Synchronously save the dataset to disk", "1.0.0",
     "O(N) where N is the total number of keys in all databases", ""},
    {"bgsave", -1, "admin noscript no_async_loading", 0, 0, 0, "", cmd_bgsave,
     "Asynchronously save the dataset to disk", "1.0.0", "O(1)", "[SCHEDULE]"},
    {"lastsave", 1, "loading stale fast", 0, 0, 0, "@admin @dangerous", cmd_lastsave,
     "Get the UNIX time stamp of the last successful save to disk", "1.0.0", "O(1)", ""},
    {"bgrewriteaof", 1, "admin noscript no_async_loading", 0, 0, 0, "", cmd_bgrewriteaof,
     "Asynchronously rewrite the append-only file", "1.0.0", "O(1)", ""},
};

}  // namespace

void register_persistence_family(command_table& t) {
  t.add_all("server", persistence_commands);
}

}  // namespace troupe
