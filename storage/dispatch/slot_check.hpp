// Cluster mode's routing step: whether this node serves a request's keys, as
// Redis 7.0's processCommand asks getNodeByQuery (-MOVED, -ASK, -TRYAGAIN,
// -CROSSSLOT, -CLUSTERDOWN), and the same question for each redis.call of a
// script (scriptVerifyClusterState). The decision itself is
// topology/cluster/slot_routing.hpp's route(); this file finds the keys and
// counts those missing here when the slot is being migrated or imported.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

struct check_input;
struct command_spec;
struct session;
class keyspace;
class server_services;

// The check chain's step (command_checks.cpp): the redirect or CLUSTERDOWN
// error for a client's command (EXEC: for its queued commands), or nothing to
// serve it here. Standalone, one branch.
std::optional<std::string> cluster_redirect(const check_input& in);

// Whether an error reply is a routing one: EXEC answers it as it is (the
// transaction is discarded) instead of as EXECABORT.
bool is_cluster_redirect(std::string_view error);

// A client blocked on `keys` (BLPOP, XREAD...): the error that unblocks it
// when their slot is no longer served here, as Redis 7.0's
// clusterRedirectBlockedClientIfNeeded (-CLUSTERDOWN when the cluster is down
// or the slot unbound, -MOVED when another node owns it and this one does not
// import it); nothing while it may wait on. `readonly_read`: a READONLY
// client's read, which a replica of the owner keeps.
std::optional<std::string> blocked_redirect(server_services& srv,
                                            const std::vector<std::string>& keys,
                                            bool readonly_read);

// redis.call's cluster check, with the script's shards held: the error
// message (without its ERR code), or nothing. `script_slot` is the slot the
// script's keys hashed to so far (-1: none yet); unless `cross_slot_allowed`,
// a command on another slot is refused and the first keyed command sets it.
std::optional<std::string> script_call_route(const command_spec& cmd,
                                             const std::vector<std::string_view>& args,
                                             const session& caller, server_services& srv,
                                             keyspace& ks, int& script_slot,
                                             bool cross_slot_allowed);

}  // namespace troupe
