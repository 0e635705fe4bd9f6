// CLUSTER and its subcommands, READONLY, READWRITE, ASKING: Redis Cluster's
// client interface. On a server started without cluster-enabled they answer
// as redis-server 7.0 does there (the table's arity and subcommand checks
// first, then "cluster support disabled"); cluster mode (issue 11) gives them
// their cluster behaviour through the cluster_node actor.
#include "actors/commands/cluster_keyspace.hpp"
#include "actors/commands/command_families.hpp"
#include "storage/commands/exec_context.hpp"

namespace troupe {
namespace {

void cluster_disabled(exec_context& c) {
  c.out.error("ERR This instance has cluster support disabled");
}

#define ADMIN "admin stale no_async_loading"
#define ADMIN_ACL "@admin @slow @dangerous"

const command_def cluster_commands[] = {
    {"cluster", -2, "", 0, 0, 0, "@slow", cluster_disabled, "A container for cluster commands",
     "3.0.0", "Depends on subcommand.", ""},
    {"cluster|addslots", -3, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Assign new hash slots to receiving node", "3.0.0",
     "O(N) where N is the total number of hash slot arguments", "slot [slot ...]"},
    {"cluster|addslotsrange", -4, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Assign new hash slots to receiving node", "7.0.0",
     "O(N) where N is the total number of the slots between the start slot and end slot "
     "arguments.",
     "start-slot end-slot [start-slot end-slot ...]"},
    {"cluster|bumpepoch", 2, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Advance the cluster config epoch", "3.0.0", "O(1)", ""},
    {"cluster|count-failure-reports", 3, "admin stale", 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Return the number of failure reports active for a given node", "3.0.0",
     "O(N) where N is the number of failure reports", "node-id"},
    {"cluster|countkeysinslot", 3, "stale", 0, 0, 0, "@slow", cmd_cluster_countkeysinslot,
     "Return the number of local keys in the specified hash slot", "3.0.0", "O(1)", "slot"},
    {"cluster|delslots", -3, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Set hash slots as unbound in receiving node", "3.0.0",
     "O(N) where N is the total number of hash slot arguments", "slot [slot ...]"},
    {"cluster|delslotsrange", -4, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Set hash slots as unbound in receiving node", "7.0.0",
     "O(N) where N is the total number of the slots between the start slot and end slot "
     "arguments.",
     "start-slot end-slot [start-slot end-slot ...]"},
    {"cluster|failover", -2, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Forces a replica to perform a manual failover of its master.", "3.0.0", "O(1)",
     "[FORCE|TAKEOVER]"},
    {"cluster|flushslots", 2, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Delete a node's own slots information", "3.0.0", "O(1)", ""},
    {"cluster|forget", 3, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Remove a node from the nodes table", "3.0.0", "O(1)", "node-id"},
    {"cluster|getkeysinslot", 4, "stale", 0, 0, 0, "@slow", cmd_cluster_getkeysinslot,
     "Return local key names in the specified hash slot", "3.0.0",
     "O(log(N)) where N is the number of requested keys", "slot count"},
    {"cluster|help", 2, "loading stale", 0, 0, 0, "@slow", cluster_disabled,
     "Show helpful text about the different subcommands", "5.0.0", "O(1)", ""},
    {"cluster|info", 2, "stale", 0, 0, 0, "@slow", cluster_disabled,
     "Provides info about Redis Cluster node state", "3.0.0", "O(1)", ""},
    {"cluster|keyslot", 3, "stale", 0, 0, 0, "@slow", cluster_disabled,
     "Returns the hash slot of the specified key", "3.0.0",
     "O(N) where N is the number of bytes in the key", "key"},
    {"cluster|links", 2, "stale", 0, 0, 0, "@slow", cluster_disabled,
     "Returns a list of all TCP links to and from peer nodes in cluster", "7.0.0",
     "O(N) where N is the total number of Cluster nodes", ""},
    {"cluster|meet", -4, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Force a node cluster to handshake with another node", "3.0.0", "O(1)",
     "ip port [cluster-bus-port]"},
    {"cluster|myid", 2, "stale", 0, 0, 0, "@slow", cluster_disabled, "Return the node id", "3.0.0",
     "O(1)", ""},
    {"cluster|nodes", 2, "stale", 0, 0, 0, "@slow", cluster_disabled,
     "Get Cluster config for the node", "3.0.0",
     "O(N) where N is the total number of Cluster nodes", ""},
    {"cluster|replicas", 3, "admin stale", 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "List replica nodes of the specified master node", "5.0.0", "O(1)", "node-id"},
    {"cluster|replicate", 3, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Reconfigure a node as a replica of the specified master node", "3.0.0", "O(1)", "node-id"},
    {"cluster|reset", -2, "admin noscript stale", 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Reset a Redis Cluster node", "3.0.0",
     "O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side "
     "effect.",
     "[HARD|SOFT]"},
    {"cluster|saveconfig", 2, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Forces the node to save cluster state on disk", "3.0.0", "O(1)", ""},
    {"cluster|set-config-epoch", 3, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Set the configuration epoch in a new node", "3.0.0", "O(1)", "config-epoch"},
    {"cluster|setslot", -4, ADMIN, 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "Bind a hash slot to a specific node", "3.0.0", "O(1)",
     "slot IMPORTING node-id|MIGRATING node-id|NODE node-id|STABLE"},
    {"cluster|shards", 2, "stale", 0, 0, 0, "@slow", cluster_disabled,
     "Get array of cluster slots to node mappings", "7.0.0",
     "O(N) where N is the total number of cluster nodes", ""},
    {"cluster|slaves", 3, "admin stale", 0, 0, 0, ADMIN_ACL, cluster_disabled,
     "List replica nodes of the specified master node", "3.0.0", "O(1)", "node-id", nullptr,
     "deprecated 5.0.0", "`CLUSTER REPLICAS`"},
    {"cluster|slots", 2, "stale", 0, 0, 0, "@slow", cluster_disabled,
     "Get array of Cluster slot to node mappings", "3.0.0",
     "O(N) where N is the total number of Cluster nodes", "", nullptr, "deprecated 7.0.0",
     "`CLUSTER SHARDS`"},
    {"readonly", 1, "loading stale fast", 0, 0, 0, "@connection", cmd_readonly,
     "Enables read queries for a connection to a cluster replica node", "3.0.0", "O(1)", ""},
    {"readwrite", 1, "loading stale fast", 0, 0, 0, "@connection", cmd_readwrite,
     "Disables read queries for a connection to a cluster replica node", "3.0.0", "O(1)", ""},
    {"asking", 1, "fast", 0, 0, 0, "@connection", cmd_asking,
     "Sent by cluster clients after an -ASK redirect", "3.0.0", "O(1)", ""},
};

#undef ADMIN
#undef ADMIN_ACL

}  // namespace

void register_cluster_family(command_table& t) {
  t.add_all("cluster", cluster_commands);
}

}  // namespace troupe
