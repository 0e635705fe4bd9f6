// CLUSTER and its subcommands, READONLY, READWRITE, ASKING: Redis Cluster's
// client interface. On a server started without cluster-enabled they answer
// as redis-server 7.0 does there (the table's arity and subcommand checks
// first, then "cluster support disabled"); cluster mode (issue 11) gives them
// their cluster behaviour through the cluster_node actor.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actors/cluster/cluster_control.hpp"
#include "actors/commands/cluster_keyspace.hpp"
#include "actors/commands/cluster_migration.hpp"
#include "actors/commands/command_families.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/key_slot.hpp"
#include "storage/commands/exec_context.hpp"
#include "topology/cluster/cluster_render.hpp"

namespace troupe {
namespace {

// Every CLUSTER subcommand but HELP and KEYSLOT answers like this on a
// standalone server.
void cluster_disabled(exec_context& c) {
  c.out.error("ERR This instance has cluster support disabled");
}

cluster_control* control_of(exec_context& c) {
  if (!c.srv.cluster_enabled()) return nullptr;
  return static_cast<server&>(c.srv).cluster();
}

std::vector<std::string_view> args_after_subcommand(exec_context& c) {
  return std::vector<std::string_view>(c.argv.begin() + 2, c.argv.end());
}

// A state command: OK, or its error.
template <class F>
void state_command(exec_context& c, F&& f) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  std::optional<std::string> err =
      ctl->command([&](cluster::cluster_state& st) -> std::optional<std::string> { return f(st); });
  if (err) return c.out.error(*err);
  c.out.ok();
}

void cmd_cluster_help(exec_context& c) {
  if (!control_of(c)) return cluster_disabled(c);
  static const char* const lines[] = {
      "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ADDSLOTS <slot> [<slot> ...]",
      "    Assign slots to current node.",
      "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
      "    Assign slots which are between <start-slot> and <end-slot> to current node.",
      "BUMPEPOCH",
      "    Advance the cluster config epoch.",
      "COUNT-FAILURE-REPORTS <node-id>",
      "    Return number of failure reports for <node-id>.",
      "COUNTKEYSINSLOT <slot>",
      "    Return the number of keys in <slot>.",
      "DELSLOTS <slot> [<slot> ...]",
      "    Delete slots information from current node.",
      "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
      "    Delete slots information which are between <start-slot> and <end-slot> from current "
      "node.",
      "FAILOVER [FORCE|TAKEOVER]",
      "    Promote current replica node to being a master.",
      "FORGET <node-id>",
      "    Remove a node from the cluster.",
      "GETKEYSINSLOT <slot> <count>",
      "    Return key names stored by current node in a slot.",
      "FLUSHSLOTS",
      "    Delete current node own slots information.",
      "INFO",
      "    Return information about the cluster.",
      "KEYSLOT <key>",
      "    Return the hash slot for <key>.",
      "MEET <ip> <port> [<bus-port>]",
      "    Connect nodes into a working cluster.",
      "MYID",
      "    Return the node id.",
      "NODES",
      "    Return cluster configuration seen by node. Output format:",
      "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
      "REPLICATE <node-id>",
      "    Configure current node as replica to <node-id>.",
      "RESET [HARD|SOFT]",
      "    Reset current node (default: soft).",
      "SET-CONFIG-EPOCH <epoch>",
      "    Set config epoch of current node.",
      "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
      "    Set slot state.",
      "REPLICAS <node-id>",
      "    Return <node-id> replicas.",
      "SAVECONFIG",
      "    Force saving cluster configuration on disk.",
      "SLOTS",
      "    Return information about slots range mappings. Each range is made of:",
      "    start, end, master and replicas IP addresses, ports and ids",
      "SHARDS",
      "    Return information about slot range mappings and the nodes associated with them.",
      "LINKS",
      "    Return information about all network links between this node and its peers.",
      "    Output format is an array where each array element is a map containing attributes "
      "of a link",
      "HELP",
      "    Prints this help.",
  };
  c.out.array(std::size(lines));
  for (const char* l : lines) c.out.simple(l);
}

void cmd_cluster_addslots(exec_context& c) {
  state_command(c,
                [&](cluster::cluster_state& st) { return st.addslots(args_after_subcommand(c)); });
}
void cmd_cluster_addslotsrange(exec_context& c) {
  state_command(
      c, [&](cluster::cluster_state& st) { return st.addslotsrange(args_after_subcommand(c)); });
}
void cmd_cluster_delslots(exec_context& c) {
  state_command(c,
                [&](cluster::cluster_state& st) { return st.delslots(args_after_subcommand(c)); });
}
void cmd_cluster_delslotsrange(exec_context& c) {
  state_command(
      c, [&](cluster::cluster_state& st) { return st.delslotsrange(args_after_subcommand(c)); });
}
void cmd_cluster_flushslots(exec_context& c) {
  state_command(c, [&](cluster::cluster_state& st) { return st.flushslots(); });
}
void cmd_cluster_setslot(exec_context& c) {
  state_command(c,
                [&](cluster::cluster_state& st) { return st.setslot(args_after_subcommand(c)); });
}
void cmd_cluster_forget(exec_context& c) {
  state_command(c, [&](cluster::cluster_state& st) { return st.forget(c.arg(2)); });
}
void cmd_cluster_set_config_epoch(exec_context& c) {
  state_command(c, [&](cluster::cluster_state& st) { return st.set_config_epoch(c.arg(2)); });
}
void cmd_cluster_failover(exec_context& c) {
  state_command(c,
                [&](cluster::cluster_state& st) { return st.failover(args_after_subcommand(c)); });
}
void cmd_cluster_meet(exec_context& c) {
  if (!control_of(c)) return cluster_disabled(c);
  if (c.argv.size() > 5)
    return c.out.error("ERR unknown subcommand or wrong number of arguments for '" +
                       std::string(c.arg(1)) + "'. Try CLUSTER HELP.");
  state_command(c, [&](cluster::cluster_state& st) {
    return st.meet(c.arg(2), c.arg(3), c.argv.size() > 4 ? c.arg(4) : std::string_view());
  });
}

// REPLICATE: a replica's data is its master's; a replica that was a master
// with keys is refused by the state (as Redis: it must be empty).
void cmd_cluster_replicate(exec_context& c) {
  state_command(c, [&](cluster::cluster_state& st) { return st.replicate(c.arg(2)); });
}

// RESET: a replica becomes a master without slots.
void cmd_cluster_reset(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  std::optional<std::string> err =
      ctl->command([&](cluster::cluster_state& st) { return st.reset(args_after_subcommand(c)); });
  if (err) return c.out.error(*err);
  c.out.ok();
}

void cmd_cluster_bumpepoch(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  c.out.simple(ctl->command([](cluster::cluster_state& st) { return st.bumpepoch(); }));
}

void cmd_cluster_count_failure_reports(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  auto r = ctl->view([&](const cluster::cluster_state& st) {
    // Reports expire by time; count them as of now.
    return const_cast<cluster::cluster_state&>(st).count_failure_reports(c.arg(2));
  });
  if (auto* e = std::get_if<std::string>(&r)) return c.out.error(*e);
  c.out.integer(std::get<int64_t>(r));
}

void cmd_cluster_info(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  c.out.verbatim(
      ctl->view([](const cluster::cluster_state& st) { return cluster::info_text(st); }));
}

void cmd_cluster_nodes(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  c.out.verbatim(
      ctl->view([](const cluster::cluster_state& st) { return cluster::nodes_text(st); }));
}

void cmd_cluster_myid(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  c.out.bulk(ctl->view([](const cluster::cluster_state& st) { return st.myself().id; }));
}

void cmd_cluster_keyslot(exec_context& c) {
  if (!control_of(c)) return cluster_disabled(c);
  c.out.integer(key_hash_slot(c.arg(2)));
}

void cmd_cluster_saveconfig(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  if (auto err = ctl->save_config_now()) return c.out.error(*err);
  c.out.ok();
}

void cmd_cluster_replicas(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  auto r = ctl->view(
      [&](const cluster::cluster_state& st) -> std::variant<std::vector<std::string>, std::string> {
        auto v = st.replicas_of(c.arg(2));
        if (auto* e = std::get_if<std::string>(&v)) return *e;
        std::vector<std::string> lines;
        for (const cluster::cluster_node* n : std::get<0>(v))
          lines.push_back(cluster::node_line(st, *n));
        return lines;
      });
  if (auto* e = std::get_if<std::string>(&r)) return c.out.error(*e);
  auto& lines = std::get<0>(r);
  c.out.array(lines.size());
  for (auto& l : lines) c.out.bulk(l);
}

cluster::endpoint_type preferred_endpoint(exec_context& c) {
  return cluster::endpoint_type(int(c.srv.config().cluster_preferred_endpoint_type.get()));
}

void cmd_cluster_slots(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  auto ranges = ctl->view([&](const cluster::cluster_state& st) {
    return cluster::cluster_slots_reply(st, preferred_endpoint(c));
  });
  c.out.array(ranges.size());
  for (const auto& r : ranges) {
    c.out.array(2 + r.nodes.size());
    c.out.integer(r.start);
    c.out.integer(r.end);
    for (const auto& n : r.nodes) {
      c.out.array(4);
      if (n.endpoint)
        c.out.bulk(*n.endpoint);
      else
        c.out.null();
      c.out.integer(n.port);
      c.out.bulk(n.id);
      c.out.map(n.metadata.size());
      for (const auto& [k, v] : n.metadata) {
        c.out.bulk(k);
        c.out.bulk(v);
      }
    }
  }
}

void cmd_cluster_shards(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  bool loading = c.srv.loading() != dataset_loading::none;
  auto shards = ctl->view([&](const cluster::cluster_state& st) {
    return cluster::cluster_shards_reply(st, preferred_endpoint(c), loading);
  });
  c.out.array(shards.size());
  for (const auto& sh : shards) {
    c.out.map(2);
    c.out.bulk("slots");
    c.out.array(sh.slots.size() * 2);
    for (const auto& [a, b] : sh.slots) {
      c.out.integer(a);
      c.out.integer(b);
    }
    c.out.bulk("nodes");
    c.out.array(sh.nodes.size());
    for (const auto& n : sh.nodes) {
      bool host = !n.hostname.empty();
      c.out.map(host ? 8 : 7);
      c.out.bulk("id");
      c.out.bulk(n.id);
      c.out.bulk("port");
      c.out.integer(n.port);
      c.out.bulk("ip");
      c.out.bulk(n.ip);
      c.out.bulk("endpoint");
      c.out.bulk(n.endpoint);
      if (host) {
        c.out.bulk("hostname");
        c.out.bulk(n.hostname);
      }
      c.out.bulk("role");
      c.out.bulk(n.role);
      c.out.bulk("replication-offset");
      c.out.integer(n.replication_offset);
      c.out.bulk("health");
      c.out.bulk(n.health);
    }
  }
}

void cmd_cluster_links(exec_context& c) {
  cluster_control* ctl = control_of(c);
  if (!ctl) return cluster_disabled(c);
  std::vector<cluster::link_info> links = ctl->links();
  c.out.array(links.size());
  for (const auto& l : links) {
    auto fields = cluster::link_fields(l);
    c.out.map(fields.size());
    for (const auto& f : fields) {
      c.out.bulk(f.name);
      if (f.text)
        c.out.bulk(*f.text);
      else
        c.out.integer(f.number);
    }
  }
}

#define ADMIN "admin stale no_async_loading"
#define ADMIN_ACL "@admin @slow @dangerous"

const command_def cluster_commands[] = {
    {"cluster", -2, "", 0, 0, 0, "@slow", cluster_disabled, "A container for cluster commands",
     "3.0.0", "Depends on subcommand.", ""},
    {"cluster|addslots", -3, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_addslots,
     "Assign new hash slots to receiving node", "3.0.0",
     "O(N) where N is the total number of hash slot arguments", "slot [slot ...]"},
    {"cluster|addslotsrange", -4, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_addslotsrange,
     "Assign new hash slots to receiving node", "7.0.0",
     "O(N) where N is the total number of the slots between the start slot and end slot "
     "arguments.",
     "start-slot end-slot [start-slot end-slot ...]"},
    {"cluster|bumpepoch", 2, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_bumpepoch,
     "Advance the cluster config epoch", "3.0.0", "O(1)", ""},
    {"cluster|count-failure-reports", 3, "admin stale", 0, 0, 0, ADMIN_ACL,
     cmd_cluster_count_failure_reports,
     "Return the number of failure reports active for a given node", "3.0.0",
     "O(N) where N is the number of failure reports", "node-id"},
    {"cluster|countkeysinslot", 3, "stale", 0, 0, 0, "@slow", cmd_cluster_countkeysinslot,
     "Return the number of local keys in the specified hash slot", "3.0.0", "O(1)", "slot"},
    {"cluster|delslots", -3, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_delslots,
     "Set hash slots as unbound in receiving node", "3.0.0",
     "O(N) where N is the total number of hash slot arguments", "slot [slot ...]"},
    {"cluster|delslotsrange", -4, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_delslotsrange,
     "Set hash slots as unbound in receiving node", "7.0.0",
     "O(N) where N is the total number of the slots between the start slot and end slot "
     "arguments.",
     "start-slot end-slot [start-slot end-slot ...]"},
    {"cluster|failover", -2, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_failover,
     "Forces a replica to perform a manual failover of its master.", "3.0.0", "O(1)",
     "[FORCE|TAKEOVER]"},
    {"cluster|flushslots", 2, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_flushslots,
     "Delete a node's own slots information", "3.0.0", "O(1)", ""},
    {"cluster|forget", 3, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_forget,
     "Remove a node from the nodes table", "3.0.0", "O(1)", "node-id"},
    {"cluster|getkeysinslot", 4, "stale all_shards", 0, 0, 0, "@slow", cmd_cluster_getkeysinslot,
     "Return local key names in the specified hash slot", "3.0.0",
     "O(log(N)) where N is the number of requested keys", "slot count"},
    {"cluster|help", 2, "loading stale", 0, 0, 0, "@slow", cmd_cluster_help,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", ""},
    {"cluster|info", 2, "stale", 0, 0, 0, "@slow", cmd_cluster_info,
     "Provides info about Redis Cluster node state", "3.0.0", "O(1)", ""},
    {"cluster|keyslot", 3, "stale", 0, 0, 0, "@slow", cmd_cluster_keyslot,
     "Returns the hash slot of the specified key", "3.0.0",
     "O(N) where N is the number of bytes in the key", "key"},
    {"cluster|links", 2, "stale", 0, 0, 0, "@slow", cmd_cluster_links,
     "Returns a list of all TCP links to and from peer nodes in cluster", "7.0.0",
     "O(N) where N is the total number of Cluster nodes", ""},
    {"cluster|meet", -4, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_meet,
     "Force a node cluster to handshake with another node", "3.0.0", "O(1)",
     "ip port [cluster-bus-port]"},
    {"cluster|migrateslots", -6, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_migrateslots,
     "Move slots to another node atomically (Troupe, as Valkey 9)", "9.0.0",
     "O(N) where N is the number of keys in the slots",
     "SLOTSRANGE start-slot end-slot [start-slot end-slot ...] NODE node-id [SLOTSRANGE ...]"},
    {"cluster|getslotmigrations", 2, "admin stale", 0, 0, 0, ADMIN_ACL,
     cmd_cluster_getslotmigrations, "Running and recent atomic slot migrations (Troupe)", "9.0.0",
     "O(N) where N is the number of migrations", ""},
    {"cluster|cancelslotmigrations", 2, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_cancelslotmigrations,
     "Cancel running atomic slot migrations (Troupe)", "9.0.0",
     "O(N) where N is the number of migrations", ""},
    {"cluster|syncslots", -3, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_syncslots,
     "A source node's import connection: ESTABLISH or FINISH (internal)", "9.0.0", "O(1)",
     "ESTABLISH source-id start-slot end-slot [start-slot end-slot ...] | FINISH"},
    {"cluster|myid", 2, "stale", 0, 0, 0, "@slow", cmd_cluster_myid, "Return the node id", "3.0.0",
     "O(1)", ""},
    {"cluster|nodes", 2, "stale", 0, 0, 0, "@slow", cmd_cluster_nodes,
     "Get Cluster config for the node", "3.0.0",
     "O(N) where N is the total number of Cluster nodes", ""},
    {"cluster|replicas", 3, "admin stale", 0, 0, 0, ADMIN_ACL, cmd_cluster_replicas,
     "List replica nodes of the specified master node", "5.0.0", "O(1)", "node-id"},
    {"cluster|replicate", 3, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_replicate,
     "Reconfigure a node as a replica of the specified master node", "3.0.0", "O(1)", "node-id"},
    {"cluster|reset", -2, "admin noscript stale", 0, 0, 0, ADMIN_ACL, cmd_cluster_reset,
     "Reset a Redis Cluster node", "3.0.0",
     "O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side "
     "effect.",
     "[HARD|SOFT]"},
    {"cluster|saveconfig", 2, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_saveconfig,
     "Forces the node to save cluster state on disk", "3.0.0", "O(1)", ""},
    {"cluster|set-config-epoch", 3, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_set_config_epoch,
     "Set the configuration epoch in a new node", "3.0.0", "O(1)", "config-epoch"},
    {"cluster|setslot", -4, ADMIN, 0, 0, 0, ADMIN_ACL, cmd_cluster_setslot,
     "Bind a hash slot to a specific node", "3.0.0", "O(1)",
     "slot IMPORTING node-id|MIGRATING node-id|NODE node-id|STABLE"},
    {"cluster|shards", 2, "stale", 0, 0, 0, "@slow", cmd_cluster_shards,
     "Get array of cluster slots to node mappings", "7.0.0",
     "O(N) where N is the total number of cluster nodes", ""},
    {"cluster|slaves", 3, "admin stale", 0, 0, 0, ADMIN_ACL, cmd_cluster_replicas,
     "List replica nodes of the specified master node", "3.0.0", "O(1)", "node-id", nullptr,
     "deprecated 5.0.0", "`CLUSTER REPLICAS`"},
    {"cluster|slots", 2, "stale", 0, 0, 0, "@slow", cmd_cluster_slots,
     "Get array of Cluster slot to node mappings", "3.0.0",
     "O(N) where N is the total number of Cluster nodes", "", nullptr, "deprecated 7.0.0",
     "`CLUSTER SHARDS`"},
    {"readonly", 1, "loading stale fast", 0, 0, 0, "@connection", cmd_readonly_command,
     "Enables read queries for a connection to a cluster replica node", "3.0.0", "O(1)", ""},
    {"readwrite", 1, "loading stale fast", 0, 0, 0, "@connection", cmd_readwrite_command,
     "Disables read queries for a connection to a cluster replica node", "3.0.0", "O(1)", ""},
    {"asking", 1, "fast", 0, 0, 0, "@connection", cmd_asking_command,
     "Sent by cluster clients after an -ASK redirect", "3.0.0", "O(1)", ""},
};

#undef ADMIN
#undef ADMIN_ACL

}  // namespace

void register_cluster_family(command_table& t) {
  t.add_all("cluster", cluster_commands);
}

}  // namespace troupe
