// Persistence directives: where data files go, RDB save points and the AOF.
#pragma once
#include <climits>
#include <cstdint>

#include "protocol/config/config_rows.hpp"
#include "protocol/config/config_special_rows.hpp"

namespace troupe {

enum class appendfsync_mode { always, everysec, no };

config_error check_dir(const std::string& dir);
config_error check_dbfilename(const std::string& name);

struct persistence_rows {
  explicit persistence_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  // Its apply hook changes the working directory, and stores the absolute path.
  string_row dir{
      t_,       "dir", "./", "Working directory: data files are written here.", row_protected(),
      check_dir};
  string_row dbfilename{t_,
                        "dbfilename",
                        "dump.rdb",
                        "Name of the RDB snapshot file inside dir.",
                        row_protected(),
                        check_dbfilename};
  save_row save{t_,
                "save",
                {{3600, 1}, {300, 100}, {60, 10000}},
                "Snapshot after <seconds> if at least <changes> writes happened; several pairs "
                "allowed; save \"\" disables snapshots."};
  bool_row stop_writes_on_bgsave_error{
      t_, "stop-writes-on-bgsave-error", true,
      "Refuse writes while the last background save failed (with save points set)."};
  bool_row rdbcompression{t_, "rdbcompression", true, "Compress strings in RDB files with LZF."};
  bool_row rdbchecksum{t_, "rdbchecksum", true,
                       "Write and check the CRC64 at the end of RDB files.",
                       row_immutable()};  // as in Redis 7.0

  bool_row appendonly{t_, "appendonly", false, "Log every write to the append only file."};
  string_row appendfilename{t_, "appendfilename", "appendonly.aof", "Base name of the AOF files.",
                            row_immutable()};
  string_row appenddirname{t_, "appenddirname", "appendonlydir",
                           "Directory inside dir holding the AOF files and their manifest.",
                           row_immutable()};
  enum_row<appendfsync_mode> appendfsync{
      t_,
      "appendfsync",
      appendfsync_mode::everysec,
      // Redis's order, as its error text lists them.
      {{"everysec", appendfsync_mode::everysec},
       {"always", appendfsync_mode::always},
       {"no", appendfsync_mode::no}},
      "always: a write is acknowledged once on disk; everysec: fsync every second; no: let the "
      "OS decide."};
  bool_row no_appendfsync_on_rewrite{t_, "no-appendfsync-on-rewrite", false,
                                     "Skip fsync while a rewrite runs."};
  int_row key_load_delay{t_,
                         "key-load-delay",
                         0,
                         INT_MIN,
                         INT_MAX,
                         "Testing aid: microseconds to wait after loading each key of an RDB "
                         "(negative -n: 1 us once every n keys).",
                         row_hidden()};
  int_row rdb_key_save_delay{t_,
                             "rdb-key-save-delay",
                             0,
                             INT_MIN,
                             INT_MAX,
                             "Testing aid: microseconds each saved key holds a snapshot back "
                             "(negative -n: 1 us once every n keys). The walk pauses between "
                             "keys; reactors go on serving.",
                             row_hidden()};
  int_row auto_aof_rewrite_percentage{
      t_,
      "auto-aof-rewrite-percentage",
      100,
      0,
      INT32_MAX,
      "Rewrite the AOF when it grew by this percentage since the last rewrite (0: never)."};
  memory_row auto_aof_rewrite_min_size{t_,         "auto-aof-rewrite-min-size",
                                       64LL << 20, 0,
                                       INT64_MAX,  "...but not before it reaches this size."};
  bool_row aof_load_truncated{
      t_, "aof-load-truncated", true,
      "Load an AOF whose last command is cut short, dropping that command."};
  bool_row aof_use_rdb_preamble{
      t_, "aof-use-rdb-preamble", true,
      "The AOF base written by a rewrite is an RDB snapshot (else commands)."};
  bool_row aof_rewrite_incremental_fsync{t_, "aof-rewrite-incremental-fsync", true,
                                         "Fsync the rewrite every 4 MB."};
  bool_row rdb_save_incremental_fsync{t_, "rdb-save-incremental-fsync", true,
                                      "Fsync snapshots every 4 MB."};
};

}  // namespace troupe
