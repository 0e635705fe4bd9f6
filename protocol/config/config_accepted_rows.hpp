// Directives of Redis 7.0's redis.conf that cannot mean anything for Troupe:
// jemalloc and active defragmentation (Troupe does not use jemalloc), I/O
// threads (Troupe has `threads`: reactors that run commands too), process
// title, syslog, supervision, crash reports, CPU lists of forked children
// (Troupe never forks), and the like. Each is accepted with Redis's type,
// default and bounds, so a redis.conf loads unchanged and CONFIG GET/SET
// answer as Redis's; none changes Troupe's behaviour, and the README lists
// them ("Configuration: accepted directives").
#pragma once
#include <climits>
#include <cstdint>
#include <cstdlib>

#include "protocol/config/config_rows.hpp"

namespace troupe {

enum class oom_adj_mode { no, yes, relative, absolute };
enum class propagation_error { ignore, panic, panic_on_replicas };
enum class sanitize_payload { no, yes, clients };
enum class supervised_mode { no, upstart, systemd, autodetect };
enum class syslog_facility { user, local0, local1, local2, local3, local4, local5, local6, local7 };

struct accepted_rows {
  explicit accepted_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  // -- jemalloc and defragmentation ---------------------------------------------------
  bool_row activedefrag{t_, "activedefrag", false,
                        "Accepted, no effect: Troupe's allocator is not jemalloc and its tables "
                        "do not fragment the way Redis's defragmenter repairs."};
  memory_row active_defrag_ignore_bytes{t_,          "active-defrag-ignore-bytes",
                                        100LL << 20, 1,
                                        INT64_MAX,   "Accepted, no effect (activedefrag)."};
  int_row active_defrag_threshold_lower{t_,   "active-defrag-threshold-lower",      10, 0,
                                        1000, "Accepted, no effect (activedefrag)."};
  int_row active_defrag_threshold_upper{t_,   "active-defrag-threshold-upper",      100, 0,
                                        1000, "Accepted, no effect (activedefrag)."};
  int_row active_defrag_cycle_min{
      t_, "active-defrag-cycle-min", 1, 1, 99, "Accepted, no effect (activedefrag)."};
  int_row active_defrag_cycle_max{
      t_, "active-defrag-cycle-max", 25, 1, 99, "Accepted, no effect (activedefrag)."};
  int_row active_defrag_max_scan_fields{t_,        "active-defrag-max-scan-fields",      1000, 1,
                                        INT64_MAX, "Accepted, no effect (activedefrag)."};
  bool_row jemalloc_bg_thread{t_, "jemalloc-bg-thread", true,
                              "Accepted, no effect: Troupe does not use jemalloc."};
  bool_row activerehashing{t_, "activerehashing", true,
                           "Accepted: Troupe's tables always rehash incrementally, a step per "
                           "operation and a slice per cron tick."};
  int_row active_expire_effort{t_,
                               "active-expire-effort",
                               1,
                               1,
                               10,
                               "Accepted, no effect: each shard's expiry cycle has Redis's "
                               "default effort."};

  // -- threads, processes, the operating system ------------------------------------------
  int_row io_threads{t_,
                     "io-threads",
                     1,
                     1,
                     128,
                     "Accepted, no effect: Troupe's `threads` reactors read, run and write.",
                     row_immutable()};
  bool_row io_threads_do_reads{t_, "io-threads-do-reads", false,
                               "Accepted, no effect (see threads).", row_immutable()};
  string_row server_cpulist{t_, "server_cpulist", "", "Accepted, no effect.", row_immutable()};
  string_row bio_cpulist{t_, "bio_cpulist", "", "Accepted, no effect.", row_immutable()};
  string_row aof_rewrite_cpulist{t_, "aof_rewrite_cpulist", "",
                                 "Accepted, no effect: Troupe never forks.", row_immutable()};
  string_row bgsave_cpulist{t_, "bgsave_cpulist", "", "Accepted, no effect: Troupe never forks.",
                            row_immutable()};
  bool_row disable_thp{t_, "disable-thp", true,
                       "Accepted, no effect: without fork there is no copy-on-write for "
                       "transparent huge pages to make expensive.",
                       row_immutable()};
  enum_row<oom_adj_mode> oom_score_adj{t_,
                                       "oom-score-adj",
                                       oom_adj_mode::no,
                                       {{"no", oom_adj_mode::no},
                                        {"yes", oom_adj_mode::yes},
                                        {"relative", oom_adj_mode::relative},
                                        {"absolute", oom_adj_mode::absolute}},
                                       "Accepted, no effect."};
  args_row oom_score_adj_values{
      t_, "oom-score-adj-values", {"0", "200", "800"}, "Accepted, no effect (oom-score-adj).",
      {}, check_oom_values};
  bool_row set_proc_title{t_, "set-proc-title", true, "Accepted, no effect.", row_immutable()};
  string_row proc_title_template{t_, "proc-title-template", "{title} {listen-addr} {server-mode}",
                                 "Accepted, no effect (set-proc-title)."};
  enum_row<supervised_mode> supervised{t_,
                                       "supervised",
                                       supervised_mode::no,
                                       {{"no", supervised_mode::no},
                                        {"upstart", supervised_mode::upstart},
                                        {"systemd", supervised_mode::systemd},
                                        {"auto", supervised_mode::autodetect}},
                                       "Accepted, no effect: run Troupe in the foreground under "
                                       "your supervisor.",
                                       row_immutable()};
  bool_row syslog_enabled{t_, "syslog-enabled", false,
                          "Accepted, no effect: the log goes to logfile or stdout.",
                          row_immutable()};
  string_row syslog_ident{t_, "syslog-ident", "redis", "Accepted, no effect (syslog-enabled).",
                          row_immutable()};
  enum_row<syslog_facility> syslog_facility_row{t_,
                                                "syslog-facility",
                                                syslog_facility::local0,
                                                {{"user", syslog_facility::user},
                                                 {"local0", syslog_facility::local0},
                                                 {"local1", syslog_facility::local1},
                                                 {"local2", syslog_facility::local2},
                                                 {"local3", syslog_facility::local3},
                                                 {"local4", syslog_facility::local4},
                                                 {"local5", syslog_facility::local5},
                                                 {"local6", syslog_facility::local6},
                                                 {"local7", syslog_facility::local7}},
                                                "Accepted, no effect (syslog-enabled).",
                                                row_immutable()};
  bool_row always_show_logo{t_, "always-show-logo", false, "Accepted, no effect: no logo.",
                            row_immutable()};
  bool_row crash_log_enabled{t_, "crash-log-enabled", true, "Accepted, no effect."};
  bool_row crash_memcheck_enabled{t_, "crash-memcheck-enabled", true, "Accepted, no effect."};
  string_row ignore_warnings{t_, "ignore-warnings", "", "Accepted, no effect."};
  int_row socket_mark_id{
      t_, "socket-mark-id", 0, 0, UINT_MAX, "Accepted, no effect.", row_immutable()};
  string_row bind_source_addr{t_, "bind-source-addr", "",
                              "Accepted, no effect: outgoing connections use the kernel's "
                              "choice of source address."};

  // -- persistence and replication details Troupe handles its own way ---------------------
  bool_row aof_disable_auto_gc{t_, "aof-disable-auto-gc", false,
                               "Accepted, no effect: the AOF history files go after a rewrite."};
  bool_row aof_timestamp_enabled{t_, "aof-timestamp-enabled", false,
                                 "Accepted, no effect: no timestamp annotations are written."};
  bool_row rdb_del_sync_files{t_, "rdb-del-sync-files", false,
                              "Accepted, no effect: diskless or a temporary file already."};
  enum_row<propagation_error> propagation_error_behavior{
      t_,
      "propagation-error-behavior",
      propagation_error::ignore,
      {{"ignore", propagation_error::ignore},
       {"panic", propagation_error::panic},
       {"panic-on-replicas", propagation_error::panic_on_replicas}},
      "Accepted: a replica's failing command is logged and skipped (ignore)."};
  enum_row<sanitize_payload> sanitize_dump_payload{
      t_,
      "sanitize-dump-payload",
      sanitize_payload::no,
      {{"no", sanitize_payload::no},
       {"yes", sanitize_payload::yes},
       {"clients", sanitize_payload::clients}},
      "Accepted: RESTORE payloads and RDB files are always checked in depth."};

 private:
  static config_error check_oom_values(const std::vector<std::string>& v) {
    if (v.size() != 3) return "wrong number of arguments";
    for (auto& s : v) {
      char* end = nullptr;
      long n = std::strtol(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0' || n < -2000 || n > 2000) return "Invalid oom-score-adj-values";
    }
    return std::nullopt;
  }
};

}  // namespace troupe
