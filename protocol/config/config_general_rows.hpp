// General directives: the process (daemon, logs, databases), the cron's
// frequency, Troupe's reactors and shards, lazy freeing and replication.
#pragma once
#include <climits>
#include <cstdint>

#include "protocol/config/config_rows.hpp"
#include "protocol/config/config_special_rows.hpp"

namespace troupe {

enum class log_verbosity { debug, verbose, notice, warning };
enum class protected_mode { no, yes, local };

struct general_rows {
  explicit general_rows(config_table& t);

 private:
  config_table& t_;

 public:
  bool_row daemonize{t_, "daemonize", false, "Run in the background, detached from the terminal.",
                     row_immutable()};
  string_row pidfile{t_, "pidfile", "",
                     "Write the process id to this file (always when daemonized).",
                     row_immutable()};
  enum_row<log_verbosity> loglevel{t_,
                                   "loglevel",
                                   log_verbosity::notice,
                                   {{"debug", log_verbosity::debug},
                                    {"verbose", log_verbosity::verbose},
                                    {"notice", log_verbosity::notice},
                                    {"warning", log_verbosity::warning}},
                                   "Log verbosity."};
  string_row logfile{t_, "logfile", "", "Log file; empty logs to standard output.",
                     row_immutable()};
  int_row databases{
      t_, "databases", 16, 1, INT_MAX, "Number of databases (SELECT 0 .. n-1).", row_immutable()};
  // Values out of 1..500 are taken as the nearest bound (general_rows's constructor).
  int_row hz{t_, "hz",    10,
             0,  INT_MAX, "Background task frequency (expiry, timeouts), 1 to 500 per second."};
  bool_row dynamic_hz{t_, "dynamic-hz", true,
                      "Raise the background task frequency while many clients are connected "
                      "(doubling it per 200 clients per tick, up to 500)."};
  enum_row<protected_mode> enable_protected_configs{
      t_,
      "enable-protected-configs",
      protected_mode::no,
      {{"no", protected_mode::no}, {"yes", protected_mode::yes}, {"local", protected_mode::local}},
      "Allow CONFIG SET of protected directives such as dir.",
      row_immutable()};
  enum_row<protected_mode> enable_module_command{
      t_,
      "enable-module-command",
      protected_mode::no,
      {{"no", protected_mode::no}, {"yes", protected_mode::yes}, {"local", protected_mode::local}},
      "Allow the MODULE command (Troupe loads no Redis modules: MODULE LIST is empty and "
      "MODULE LOAD fails).",
      row_immutable()};
  enum_row<protected_mode> enable_debug_command{
      t_,
      "enable-debug-command",
      protected_mode::no,
      {{"no", protected_mode::no}, {"yes", protected_mode::yes}, {"local", protected_mode::local}},
      "Allow the DEBUG command (DEBUG SLEEP stalls and DEBUG SEGFAULT crashes the server).",
      row_immutable()};

  // -- shutting down ---------------------------------------------------------------
  int_row shutdown_timeout{t_,
                           "shutdown-timeout",
                           10,
                           0,
                           INT_MAX,
                           "Seconds a master's SHUTDOWN (or SIGTERM) waits, with writes paused, "
                           "for its replicas to acknowledge the whole stream (0: no wait)."};
  shutdown_flags_row shutdown_on_sigterm{
      t_, "shutdown-on-sigterm",
      "What SIGTERM does: default, or any of save, nosave, now, force (as SHUTDOWN's flags)."};
  shutdown_flags_row shutdown_on_sigint{t_, "shutdown-on-sigint",
                                        "What SIGINT does: as shutdown-on-sigterm."};

  // -- scripts ------------------------------------------------------------------------
  int_row busy_reply_threshold{
      t_,
      "busy-reply-threshold",
      5000,
      0,
      INT64_MAX,
      "Milliseconds a script or function runs before other clients get -BUSY and SCRIPT KILL "
      "or FUNCTION KILL may stop it (0: at once).",
      row_alias("lua-time-limit")};

  // -- the slow log ----------------------------------------------------------------
  int_row slowlog_log_slower_than{
      t_,
      "slowlog-log-slower-than",
      10000,
      -1,
      INT64_MAX,
      "Log commands that run longer than this many microseconds (0: every command, "
      "-1: none)."};
  int_row slowlog_max_len{t_,        "slowlog-max-len",
                          128,       0,
                          INT64_MAX, "Entries the slow log keeps (the oldest go first)."};

  // -- latency ---------------------------------------------------------------------
  int_row latency_monitor_threshold{
      t_,
      "latency-monitor-threshold",
      0,
      0,
      INT64_MAX,
      "Record a LATENCY event for operations of at least this many milliseconds (0: off)."};
  bool_row latency_tracking{t_, "latency-tracking", true,
                            "Keep a latency histogram per command (LATENCY HISTOGRAM, INFO "
                            "latencystats)."};
  percentiles_row latency_tracking_info_percentiles{
      t_,
      "latency-tracking-info-percentiles",
      {50, 99, 99.9},
      "The percentiles INFO latencystats shows for each command."};

  // -- client-side caching ---------------------------------------------------------
  int_row tracking_table_max_keys{
      t_,
      "tracking-table-max-keys",
      1000000,
      0,
      INT64_MAX,
      "Keys the CLIENT TRACKING table remembers at most; past it, keys are invalidated "
      "(0: no limit)."};

  // -- Troupe's own: reactors and shards -------------------------------------------
  int_row threads{t_,
                  "threads",
                  1,
                  1,
                  64,
                  "Reactors: event loops, each with its connections and shards. On a 2-core "
                  "machine the benchmark client needs a core too.",
                  row_immutable()};
  int_row shards{t_,
                 "shards",
                 4,
                 1,
                 1024,
                 "Keyspace shards, a multiple of threads; a key's hash slot picks its shard.",
                 row_immutable()};
  int_row reactor_spin_us{t_,
                          "reactor-spin-us",
                          0,
                          0,
                          1000,
                          "Microseconds a reactor keeps polling after a busy pass before it "
                          "sleeps: saves the clients' wake-up cost for more server CPU (0: sleep "
                          "at once)."};
  int_row reactor_coalesce_us{
      t_,
      "reactor-coalesce-us",
      0,
      0,
      1000,
      "While the machine has no idle CPU, microseconds a reactor waits after a pass with "
      "several events before it polls again, so that what comes meanwhile wakes nobody and is "
      "handled in one pass (0: never; proxy mode: 100 unless set)."};

  // -- lazy freeing ----------------------------------------------------------------
  bool_row lazyfree_lazy_user_del{t_, "lazyfree-lazy-user-del", false,
                                  "DEL frees values in the background, as UNLINK."};
  bool_row lazyfree_lazy_user_flush{t_, "lazyfree-lazy-user-flush", false,
                                    "FLUSHDB/FLUSHALL without a mode are ASYNC."};
  bool_row lazyfree_lazy_expire{t_, "lazyfree-lazy-expire", false,
                                "Expired values are freed in the background."};
  bool_row lazyfree_lazy_server_del{
      t_, "lazyfree-lazy-server-del", false,
      "Values deleted implicitly (SET over, RENAME) are freed in the background."};
};

}  // namespace troupe
