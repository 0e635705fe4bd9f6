// An extension that adds an actor type and a command family without touching
// the core: the `audit` actor follows the journal (every write the server
// makes, in order, as replicas and the AOF see it) and keeps the last
// `AUDIT_CAPACITY` of them; `AUDIT TAIL [n]`, `AUDIT LEN`, `AUDIT RESET` and
// `AUDIT HELP` read them from any client. It shows in /topology (type
// "audit") and in `INFO audit`.
//
// What following the journal costs: with the audit actor attached the journal
// is always active, so every write is encoded once into it (as with AOF on).
#include <caf/all.hpp>

#include "actors/extension/extension.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"
#include "audit_log.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe::audit {
namespace {

constexpr size_t audit_capacity = 1000;
// How far behind the journal the actor may fall before it is dropped (and
// re-attached at the end, counting a gap) rather than hold the server's memory.
constexpr uint64_t max_lag_bytes = 64ull << 20;

audit_log& the_log() {
  static audit_log log(audit_capacity);
  return log;
}

// -- the commands ---------------------------------------------------------------------

void cmd_audit(exec_context&) {}  // a container: the dispatcher picks the subcommand

void cmd_audit_tail(exec_context& c) {
  size_t n = 10;
  if (c.argc() == 3) {
    auto v = parse_int64(c.arg(2));
    if (!v || *v < 0) {
      c.out.error("ERR value is out of range, must be positive");
      return;
    }
    n = size_t(*v);
  }
  auto entries = the_log().tail(n);
  c.out.array(entries.size());
  for (const entry& e : entries) {
    c.out.array(4);
    c.out.integer(int64_t(e.id));
    c.out.integer(e.unix_ms);
    c.out.integer(e.db);
    c.out.array(e.args.size());
    for (const auto& a : e.args) c.out.bulk(a);
  }
}

void cmd_audit_len(exec_context& c) {
  c.out.integer(int64_t(the_log().size()));
}

void cmd_audit_reset(exec_context& c) {
  the_log().reset();
  c.out.ok();
}

void cmd_audit_help(exec_context& c) {
  static const char* lines[] = {
      "AUDIT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "TAIL [<count>]",
      "    Return the newest <count> writes (default 10), newest first, as",
      "    [id, unix-time-ms, db, [command, arg, ...]].",
      "LEN",
      "    Return the number of writes held.",
      "RESET",
      "    Forget the writes held.",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (const char* l : lines) c.out.simple(l);
}

const command_def audit_commands[] = {
    {"audit", -2, "", 0, 0, 0, "", cmd_audit, "A container for the audit trail's commands", "7.0.0",
     "Depends on subcommand.", ""},
    {"audit|tail", -2, "admin noscript loading stale", 0, 0, 0, "", cmd_audit_tail,
     "Return the newest writes the server journaled.", "7.0.0", "O(N)", "[count]"},
    {"audit|len", 2, "admin noscript loading stale fast", 0, 0, 0, "", cmd_audit_len,
     "Return the number of writes the audit trail holds.", "7.0.0", "O(1)", ""},
    {"audit|reset", 2, "admin noscript loading stale", 0, 0, 0, "", cmd_audit_reset,
     "Forget the writes the audit trail holds.", "7.0.0", "O(N)", ""},
    {"audit|help", 2, "loading stale", 0, 0, 0, "", cmd_audit_help,
     "Show helpful text about the different subcommands.", "7.0.0", "O(1)", ""},
};

// -- the actor --------------------------------------------------------------------------

// Reads what the journal has for it, each time the journal says there is
// something (one wake-up per reactor pass with writes, not one per write).
caf::behavior follow_journal(function_actor* self, journal& j) {
  auto reader = std::make_shared<journal::reader_id>();
  auto attach = [self, &j, reader] {
    caf::actor me = caf::actor_cast<caf::actor>(self);
    *reader = j.attach_at_end([me] { caf::anon_send(me, wake_atom::value); }, max_lag_bytes);
  };
  attach();
  self->attach_functor([&j, reader] { j.detach(*reader); });
  return {
      [self, &j, reader, attach](wake_atom) {
        std::vector<journal::span> spans;
        auto reached = j.read(*reader, spans, true);
        if (!reached) {  // dropped for falling behind: start again at the end
          the_log().gap();
          attach();
          return;
        }
        int64_t now = wall_clock_ms();
        for (const auto& s : spans) the_log().feed({s.data, s.size}, now);
        (void)self;
      },
  };
}

class audit_extension : public extension {
 public:
  const char* name() const override { return "audit"; }
  void add_commands(command_table& t) override { t.add_all("module", audit_commands); }
  bool start(server& srv) override {
    journal& j = srv.journal_log();
    spawn_actor<function_actor>(srv.registry(), placement::scheduler(), {"journal follower"},
                                "audit",
                                [&j](function_actor* self) { return follow_journal(self, j); });
    return true;
  }
  void info_fields(std::string& out) const override {
    auto s = the_log().stats();
    out += "audit_entries:" + std::to_string(s.held) + "\r\n";
    out += "audit_recorded:" + std::to_string(s.recorded) + "\r\n";
    out += "audit_bytes_read:" + std::to_string(s.bytes) + "\r\n";
    out += "audit_gaps:" + std::to_string(s.gaps) + "\r\n";
    out += "audit_capacity:" + std::to_string(audit_capacity) + "\r\n";
  }
};

}  // namespace
}  // namespace troupe::audit

namespace troupe::audit {
TROUPE_EXTENSION(audit_extension);
}
