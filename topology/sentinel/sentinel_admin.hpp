// The administration subcommands of SENTINEL as redis-sentinel 7.0.15 answers
// them (sentinelCommand, sentinelSetCommand, sentinelConfig{Get,Set}Command,
// sentinelSetDebugConfigParameters, addReplySentinelRedisInstance), on top of
// sentinel_state, and INFO's "# Sentinel" section.
//
// Handled here: HELP, MASTERS, MASTER, REPLICAS / SLAVES, SENTINELS,
// CKQUORUM, RESET, MONITOR, REMOVE, SET, CONFIG GET / SET, INFO-CACHE,
// SIMULATE-FAILURE, DEBUG. The others (GET-MASTER-ADDR-BY-NAME,
// IS-MASTER-DOWN-BY-ADDR, MYID, FAILOVER, FLUSHCONFIG, PENDING-SCRIPTS) and
// unknown subcommands are the caller's.
//
// Replies are written in the writer's protocol (maps in RESP3 where Redis
// uses deferred map lengths). Each subcommand's arity is checked first, as
// Redis's command table does ("wrong number of arguments for
// 'sentinel|<sub>' command"). State changes go through sentinel_state: the
// caller then takes its output (links to close or open, events, save_config).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/resp/reply_writer.hpp"
#include "topology/sentinel/sentinel_state.hpp"

namespace troupe::sentinel {

// `args`: the words after SENTINEL (args[0] is the subcommand). False when
// the subcommand is not one of these (nothing written).
bool sentinel_admin_command(sentinel_state& st, const std::vector<std::string_view>& args,
                            reply_writer& out, int64_t now_ms);

// INFO's "# Sentinel" section: the header line and its fields, each line
// ending in "\r\n" (tilt_since_seconds counted from the state's last input).
std::string sentinel_info_section(const sentinel_state& st);

}  // namespace troupe::sentinel
