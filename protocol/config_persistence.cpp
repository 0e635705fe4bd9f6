// Persistence directives: RDB snapshots (save points, files) and the AOF.
#include "protocol/config_directives.hpp"
#include "protocol/numbers.hpp"

namespace troupe {
namespace {

config_directive flag(const char* name, bool def, const char* comment) {
  config_directive d;
  d.name = name;
  d.type = config_type::boolean;
  d.default_value = def ? "yes" : "no";
  d.comment = comment;
  return d;
}

}  // namespace

void define_persistence_directives(config_registry& reg) {
  config_directive save;
  save.name = "save";
  save.type = config_type::special;
  save.multi_arg = true;
  save.default_value = "3600 1 300 100 60 10000";
  save.comment =
      "Snapshot after <seconds> if at least <changes> writes happened; several pairs allowed; "
      "save \"\" disables snapshots.";
  save.parse = [](const std::vector<std::string>& args, const std::string& current,
                  bool first_in_file, std::string& value) -> std::optional<std::string> {
    if (args.size() == 1 && args[0].empty()) {
      value = "";
      return std::nullopt;
    }
    if (args.size() % 2 != 0) return "Invalid save parameters";
    for (auto& a : args) {
      auto v = parse_int64(a);
      if (!v || *v < 0) return "Invalid save parameters";
    }
    std::string joined;
    for (auto& a : args) joined += (joined.empty() ? "" : " ") + a;
    // In a file, save lines add up; the first one replaces the defaults.
    value = first_in_file || current.empty() ? joined : current + " " + joined;
    return std::nullopt;
  };
  reg.define(save);
  reg.define(flag("stop-writes-on-bgsave-error", true,
                  "Refuse writes while the last background save failed (with save points set)."));
  reg.define(flag("rdbcompression", true, "Compress strings in RDB files with LZF."));
  {
    config_directive d =
        flag("rdbchecksum", true, "Write and check the CRC64 at the end of RDB files.");
    d.immutable = true;  // as in Redis 7.0
    reg.define(d);
  }

  reg.define(flag("appendonly", false, "Log every write to the append only file."));
  {
    config_directive d;
    d.name = "appendfilename";
    d.type = config_type::string;
    d.default_value = "appendonly.aof";
    d.immutable = true;
    d.comment = "Base name of the AOF files.";
    reg.define(d);
    d.name = "appenddirname";
    d.default_value = "appendonlydir";
    d.comment = "Directory inside dir holding the AOF files and their manifest.";
    reg.define(d);
  }
  {
    config_directive d;
    d.name = "appendfsync";
    d.type = config_type::enumeration;
    d.default_value = "everysec";
    d.choices = {"everysec", "always", "no"};  // Redis's order, as its error lists them
    d.comment =
        "always: a write is acknowledged once on disk; everysec: fsync every second; no: let "
        "the OS decide.";
    reg.define(d);
  }
  reg.define(flag("no-appendfsync-on-rewrite", false, "Skip fsync while a rewrite runs."));
  {
    config_directive d;
    d.name = "auto-aof-rewrite-percentage";
    d.type = config_type::integer;
    d.default_value = "100";
    d.min = 0;
    d.max = INT32_MAX;
    d.comment =
        "Rewrite the AOF when it grew by this percentage since the last rewrite (0: never).";
    reg.define(d);
    d.name = "auto-aof-rewrite-min-size";
    d.type = config_type::memory;
    d.default_value = std::to_string(64 * 1024 * 1024);
    d.max = INT64_MAX;
    d.comment = "...but not before it reaches this size.";
    reg.define(d);
  }
  reg.define(flag("aof-load-truncated", true,
                  "Load an AOF whose last command is cut short, dropping that command."));
  reg.define(flag("aof-use-rdb-preamble", true,
                  "The AOF base written by a rewrite is an RDB snapshot (else commands)."));
  reg.define(flag("aof-rewrite-incremental-fsync", true, "Fsync the rewrite every 4 MB."));
  reg.define(flag("rdb-save-incremental-fsync", true, "Fsync snapshots every 4 MB."));
}

}  // namespace troupe
