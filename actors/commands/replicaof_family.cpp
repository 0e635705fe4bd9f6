// REPLICAOF (and its old name SLAVEOF) and ROLE: a node's role in
// replication, changed and shown. The work is in actors/replication/.
#include <strings.h>

#include <mutex>

#include "actors/commands/command_families.hpp"
#include "actors/commands/describe_client.hpp"
#include "actors/commands/server_of.hpp"
#include "actors/replication/replica_control.hpp"
#include "actors/replication/role_master.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/text/numbers.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

// REPLICAOF host port | REPLICAOF NO ONE
void cmd_replicaof(exec_context& c) {
  replica_control& ctl = srv_of(c).replica();
  if (c.arg_is(1, "no") && c.arg_is(2, "one")) {
    ctl.promote(describe_client(c.client));
    return c.out.ok();
  }
  // A replica of this node would be dropped with the others: not from itself.
  if (c.client.has(client_replica))
    return c.out.error("ERR Command is not valid when client is a replica.");
  auto port = parse_int64(c.arg(2));
  if (!port || *port < 0 || *port > 65535) return c.out.error("ERR Invalid master port");
  if (!ctl.follow(std::string(c.arg(1)), int(*port), describe_client(c.client)))
    return c.out.simple("OK Already connected to specified master");
  c.out.ok();
}

// FAILOVER [TO host port [FORCE]] [TIMEOUT ms] | FAILOVER ABORT: OK at once;
// the switch happens when a replica has caught up (actors/replication/failover.hpp).
void cmd_failover(exec_context& c) {
  std::vector<std::string_view> args(c.argv.begin() + 1, c.argv.end());
  auto parsed = parse_failover(args);
  if (auto* err = std::get_if<std::string>(&parsed)) return c.out.error(*err);
  if (auto err = srv_of(c).failover().request(std::get<failover_request>(parsed)))
    return c.out.error(*err);
  c.out.ok();
}

// ROLE: ["slave", host, port, link state, offset] on a replica.
void cmd_role(exec_context& c) {
  if (command_table::sentinel_mode() && sentinel_role(c)) return;
  server& srv = srv_of(c);
  if (!srv.is_replica()) return reply_master_role(c, srv);
  std::string host;
  int port;
  {
    replication_state& rs = srv.replication();
    std::lock_guard<std::mutex> g(rs.mutex);
    host = rs.master_host;
    port = rs.master_port;
  }
  replica_control& ctl = srv.replica();
  replica_link_state st = ctl.state();
  if (st == replica_link_state::none) st = replica_link_state::connect;
  c.out.array(5);
  c.out.bulk("slave");
  c.out.bulk(host);
  c.out.integer(port);
  c.out.bulk(role_state_name(st));
  c.out.integer(ctl.role_offset());
}

const command_def replicaof_commands[] = {
    {"replicaof", 3, "admin noscript stale no_async_loading no_keyspace", 0, 0, 0, "",
     cmd_replicaof, "Make the server a replica of another instance, or promote it as master.",
     "5.0.0", "O(1)", "host port"},
    {"slaveof", 3, "admin noscript stale no_async_loading no_keyspace", 0, 0, 0, "", cmd_replicaof,
     "Make the server a replica of another instance, or promote it as master.", "1.0.0", "O(1)",
     "host port", nullptr, "deprecated", "`REPLICAOF`"},
    {"failover", -1, "admin noscript stale", 0, 0, 0, "", cmd_failover,
     "Start a coordinated failover between this server and one of its replicas.", "6.2.0", "O(1)",
     "[TO host port [FORCE]] [ABORT] [TIMEOUT milliseconds]"},
    {"role", 1, "noscript loading stale fast no_keyspace sentinel", 0, 0, 0, "@admin @dangerous",
     cmd_role, "Return the role of the instance in the context of replication", "2.8.12", "O(1)",
     ""},
};

}  // namespace

void register_replicaof_family(command_table& t) {
  t.add_all("server", replicaof_commands);
}

}  // namespace troupe
