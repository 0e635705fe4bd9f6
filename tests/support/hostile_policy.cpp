#include "hostile_policy.hpp"

#include <map>
#include <set>

namespace troupe::test {

compare_mode mode_of(const std::string& command) {
  // Replies that come from a hash table's iteration order.
  static const std::set<std::string> unordered = {
      "smembers", "sinter", "sunion", "sdiff",           "hgetall",
      "hkeys",    "hvals",  "keys",   "pubsub|channels", "pubsub|numsub"};
  // Values that differ between two correct servers.
  static const std::set<std::string> shape = {
      // SORT of a set BY a pattern without '*' keeps the hash table's order,
      // LIMIT included; sort_test.cpp checks the order of sorted replies
      "sort", "sort_ro",
      // random choices
      "randomkey", "spop", "srandmember", "hrandfield", "zrandmember",
      // clocks, ids, addresses, memory, versions
      "time", "lastsave", "info", "hello", "client|list", "client|info", "client|id",
      "object|idletime", "object|freq", "pttl", "pexpiretime", "expiretime", "memory|usage",
      "memory|stats", "memory|doctor", "memory|malloc-stats", "memory|help", "slowlog|get",
      "slowlog|len",
      // measured latencies and the commands each server happened to run; the
      // doctor's report is prose (latency_test.cpp checks these against Redis)
      "latency|doctor", "latency|histogram", "latency|latest", "latency|history", "latency|graph",
      // stream IDs made from each server's clock (XADD *); delivery and seen
      // times, idle times (streams_test.cpp and streams_groups_test.cpp
      // compare the rest of these replies with Redis's)
      "xadd", "xinfo|stream", "xinfo|consumers", "xpending",
      // SCAN cursors are each server's own encoding of its table position
      "scan", "sscan", "hscan", "zscan",
      // Troupe implements a subset of Redis's commands, subcommands and
      // directives: these list what each server has
      "command", "command|info", "command|docs", "command|count", "command|list", "config|get",
      "client|help", "config|help", "object|help", "command|help", "pubsub|help",
      // ACL: random passwords; ages and client details in the log; single
      // commands in a user's rules (and a category's commands) come in hash
      // table order in Redis (acl_test.cpp compares them as sets)
      "acl|genpass", "acl|log", "acl|cat", "acl|list", "acl|getuser",
      // LOLWUT VERSION 5 and 6 draw with random numbers on both servers
      "lolwut",
      // the redirect client's id differs between the two servers
      "client|getredir", "client|trackinginfo"};
  // Whether SAVE/BGSAVE/BGREWRITEAOF succeed depends on whether the previous
  // background job (a fork in Redis, a snapshot walk in Troupe) has finished.
  // CLIENT TRACKING ... REDIRECT <id>: an id one server has and the other has
  // not (tracking_test.cpp runs the same scripts on both, each with its ids).
  // Troupe's own commands (atomic slot migration, after Valkey 9): Redis 7.0
  // has no such subcommand; Troupe only has to survive and answer.
  static const std::set<std::string> answered = {"save",
                                                 "bgsave",
                                                 "bgrewriteaof",
                                                 "client|tracking",
                                                 "cluster|migrateslots",
                                                 "cluster|getslotmigrations",
                                                 "cluster|cancelslotmigrations",
                                                 "cluster|syncslots"};
  // Payloads follow a hash table's iteration order, and two LZF compressors
  // may pick different matches for the same bytes: the DUMP/RESTORE tests
  // check that payloads move between the servers.
  if (command == "dump") return compare_mode::shape;
  if (unordered.count(command)) return compare_mode::unordered;
  if (shape.count(command)) return compare_mode::shape;
  if (answered.count(command)) return compare_mode::answered;
  return compare_mode::exact;
}

bool diverges_state(const std::string& command) {
  // XADD * gives each server's stream an ID from its own clock.
  return command == "spop" || command == "xadd";
}

std::string exclusion_reason(const std::string& command) {
  static const std::map<std::string, std::string> reasons = {
      {"shutdown", "stops the server under test"},
      {"monitor", "turns the connection into a feed of every command"},
      {"sync", "turns the connection into a replication stream"},
      {"psync", "turns the connection into a replication stream"},
      {"debug", "DEBUG SEGFAULT/SLEEP/RELOAD crash or stall the server on purpose"},
      {"client|pause", "stops the server from serving the watchdog PING on purpose"},
      {"client|reply", "OFF/SKIP withhold replies the tester waits for"},
      {"replicaof", "makes the server a replica of an address, failing every write"},
      {"slaveof", "makes the server a replica of an address, failing every write"},
      {"failover", "needs replicas; would pause writes"},
      {"wait", "waits for replicas that do not exist until its timeout"},
      {"fcall",
       "redis-server 7.0.15 dies on FCALL/FCALL_RO with a numkeys near INT_MAX inside MULTI, "
       "which ends the differential run (functions_test.cpp covers FCALL's errors)"},
      {"fcall_ro", "as fcall"},
      {"script|debug",
       "Troupe has no Lua debugger (LDB): SCRIPT DEBUG YES/SYNC is refused, where Redis starts a "
       "debugging session on the next EVAL"},
  };
  auto it = reasons.find(command);
  return it == reasons.end() ? std::string() : it->second;
}

bool multi_reply(const std::string& command) {
  return command == "subscribe" || command == "psubscribe" || command == "unsubscribe" ||
         command == "punsubscribe" || command == "ssubscribe" || command == "sunsubscribe";
}

std::string directive_exclusion_reason(const std::string& directive) {
  static const std::map<std::string, std::string> reasons = {
      {"port", "moves the listening socket the tester talks to"},
      {"bind", "may close the listening socket the tester talks to"},
      {"requirepass", "every later command would need AUTH"},
      {"maxmemory",
       "-OOM and evictions then follow each server's own used_memory, which differ by design "
       "(Troupe holds the same data in less); eviction_test covers it"},
      {"maxclients", "a small value refuses the tester's own connections"},
      {"timeout", "closes the tester's idle admin connections at moments that depend on timing"},
      {"client-output-buffer-limit",
       "disconnects the tester's clients on big replies at moments that depend on timing"},
      {"appendonly",
       "starts a background rewrite (a fork in Redis): SAVE/BGREWRITEAOF replies "
       "then depend on timing; the AOF tests cover it"},
      {"save",
       "save points start background saves at moments that depend on timing; the "
       "snapshot tests cover them"},
  };
  auto it = reasons.find(directive);
  return it == reasons.end() ? std::string() : it->second;
}

}  // namespace troupe::test
