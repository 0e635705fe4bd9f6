// MONITOR: the connection is shown every command the server runs from then on
// (actors/client/connection_monitor.cpp, storage/dispatch/monitor_line.hpp).
#include "actors/client/connection.hpp"
#include "actors/commands/command_families.hpp"
#include "protocol/commands/command_table.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

void cmd_monitor(exec_context& c) {
  // Inside EXEC the client expects one reply per command, as Redis says.
  if (c.origin == command_origin::transaction)
    return c.out.error("ERR MONITOR isn't allowed for DENY BLOCKING client");
  // Already a monitor (or a replica): Redis ignores it, without a reply.
  if (c.client.has(client_monitor) || c.client.has(client_replica) || c.client.endpoint == nullptr)
    return;
  static_cast<connection*>(c.client.endpoint)->start_monitoring();
  c.out.ok();
}

const command_def monitor_commands[] = {
    {"monitor", 1, "admin noscript loading stale", 0, 0, 0, "", cmd_monitor,
     "Listen for all requests received by the server in real time", "1.0.0", "", ""},
};

}  // namespace

void register_monitor_family(command_table& t) {
  t.add_all("server", monitor_commands);
}

}  // namespace troupe
