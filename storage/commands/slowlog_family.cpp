// SLOWLOG GET / LEN / RESET / HELP: the log itself is storage/dispatch/slowlog.hpp,
// filled by the dispatcher.
#include "protocol/commands/command_table.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/command_families.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

void cmd_slowlog(exec_context&) {}

// SLOWLOG GET [count]: newest first; 10 by default, -1 for all.
void cmd_slowlog_get(exec_context& c) {
  int64_t count = 10;
  if (c.argc() == 3) {
    auto v = parse_int64(c.arg(2));
    if (!v || *v < -1) return c.out.error("ERR count should be greater than or equal to -1");
    count = *v;
  } else if (c.argc() > 3) {
    return c.subcommand_syntax_error();
  }
  auto entries = c.srv.slow_log.newest(count);
  c.out.array(entries.size());
  for (auto& e : entries) {
    c.out.array(6);
    c.out.integer(int64_t(e.id));
    c.out.integer(e.unix_time);
    c.out.integer(e.duration_us);
    c.out.array(e.args.size());
    for (auto& a : e.args) c.out.bulk(a);
    c.out.bulk(e.peer);
    c.out.bulk(e.client_name);
  }
}

void cmd_slowlog_len(exec_context& c) {
  c.out.integer(int64_t(c.srv.slow_log.length()));
}

void cmd_slowlog_reset(exec_context& c) {
  c.srv.slow_log.reset();
  c.out.ok();
}

void cmd_slowlog_help(exec_context& c) {
  static const char* lines[] = {
      "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GET [<count>]",
      "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
      "    Entries are made of:",
      "    id, timestamp, time in microseconds, arguments array, client IP and port,",
      "    client name",
      "LEN",
      "    Return the length of the slowlog.",
      "RESET",
      "    Reset the slowlog.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (auto* l : lines) c.out.simple(l);
}

const command_def slowlog_commands[] = {
    {"slowlog", -2, "", 0, 0, 0, "", cmd_slowlog, "A container for slow log commands", "2.2.12",
     "Depends on subcommand.", ""},
    {"slowlog|get", -2, "admin loading stale", 0, 0, 0, "", cmd_slowlog_get,
     "Get the slow log's entries", "2.2.12", "O(N) where N is the number of entries returned",
     "[count]"},
    {"slowlog|len", 2, "admin loading stale", 0, 0, 0, "", cmd_slowlog_len,
     "Get the slow log's length", "2.2.12", "O(1)", ""},
    {"slowlog|reset", 2, "admin loading stale", 0, 0, 0, "", cmd_slowlog_reset,
     "Clear all entries from the slow log", "2.2.12",
     "O(N) where N is the number of entries in the slowlog", ""},
    {"slowlog|help", 2, "loading stale", 0, 0, 0, "", cmd_slowlog_help,
     "Show helpful text about the different subcommands", "6.2.0", "O(1)", ""},
};

}  // namespace

void register_slowlog_family(command_table& t) {
  t.add_all("server", slowlog_commands);
}

}  // namespace troupe
