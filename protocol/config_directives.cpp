#include "protocol/config_directives.hpp"

#include <unistd.h>

#include <strings.h>
#include <climits>
#include <cstring>

#include "protocol/numbers.hpp"
#include "protocol/split_args.hpp"

namespace troupe {
namespace {

config_directive boolean(const char* name, bool def, const char* comment, bool immutable = false) {
  config_directive d;
  d.name = name;
  d.type = config_type::boolean;
  d.default_value = def ? "yes" : "no";
  d.comment = comment;
  d.immutable = immutable;
  return d;
}

config_directive integer(const char* name, int64_t def, int64_t min, int64_t max,
                         const char* comment, bool immutable = false) {
  config_directive d;
  d.name = name;
  d.type = config_type::integer;
  d.default_value = std::to_string(def);
  d.min = min;
  d.max = max;
  d.comment = comment;
  d.immutable = immutable;
  return d;
}

config_directive memory(const char* name, int64_t def, int64_t min, int64_t max,
                        const char* comment) {
  config_directive d = integer(name, def, min, max, comment);
  d.type = config_type::memory;
  return d;
}

config_directive string(const char* name, const char* def, const char* comment,
                        bool immutable = false) {
  config_directive d;
  d.name = name;
  d.type = config_type::string;
  d.default_value = def;
  d.comment = comment;
  d.immutable = immutable;
  return d;
}

config_directive enumeration(const char* name, const char* def, std::vector<std::string> choices,
                             const char* comment, bool immutable = false) {
  config_directive d;
  d.name = name;
  d.type = config_type::enumeration;
  d.default_value = def;
  d.choices = std::move(choices);
  d.comment = comment;
  d.immutable = immutable;
  return d;
}

config_directive special(const char* name, const char* def, const char* comment,
                         config_parser parse, bool multi_arg = true) {
  config_directive d;
  d.name = name;
  d.type = config_type::special;
  d.default_value = def;
  d.comment = comment;
  d.parse = std::move(parse);
  d.multi_arg = multi_arg;
  return d;
}

// The value of a multi-argument directive: its arguments joined by spaces, each
// quoted if it needs to be, so that split_args gives them back exactly (the
// listener splits `bind` this way) and CONFIG REWRITE writes a line that reads
// back the same. Plain arguments (addresses, numbers) are written as they are.
std::string join_args(const std::vector<std::string>& args) {
  std::string o;
  for (size_t i = 0; i < args.size(); ++i) o += (i ? " " : "") + quote_arg(args[i]);
  return o;
}

}  // namespace

void define_directives(config_registry& reg) {
  // -- network -------------------------------------------------------------------
  config_directive bind = special(
      "bind", "* -::*",
      "Addresses to listen on; '*' is every IPv4 address, a leading '-' means the address may "
      "be unavailable. Without this line Troupe listens on every interface.",
      [](const std::vector<std::string>& args, const std::string&, bool,
         std::string& value) -> std::optional<std::string> {
        if (args.empty() || (args.size() == 1 && args[0].empty()))
          return "Too many bind addresses specified.";
        if (args.size() > 16) return "Too many bind addresses specified.";
        value = join_args(args);
        return std::nullopt;
      });
  bind.sample_value = "127.0.0.1 -::1";
  reg.define(bind);
  reg.define(integer("port", 6379, 0, 65535, "TCP port to accept connections on (0: no TCP)."));
  reg.define(integer("tcp-backlog", 511, 0, INT_MAX, "Backlog of the listening sockets.", true));
  reg.define(string("unixsocket", "", "Path of a unix socket to accept connections on too.", true));
  {
    config_directive d = special(
        "unixsocketperm", "0", "Permissions of the unix socket, in octal (0: leave as created).",
        [](const std::vector<std::string>& args, const std::string&, bool,
           std::string& value) -> std::optional<std::string> {
          if (args.size() != 1) return "wrong number of arguments";
          char* end = nullptr;
          errno = 0;
          long v = strtol(args[0].c_str(), &end, 8);
          if (args[0].empty() || *end != 0 || errno != 0 || v < 0 || v > 0777)
            return "argument must be an octal number between 0 and 0777";
          char buf[16];
          snprintf(buf, sizeof(buf), "%lo", v);
          value = buf;
          return std::nullopt;
        },
        false);
    d.immutable = true;
    reg.define(d);
  }
  reg.define(integer("timeout", 0, 0, INT_MAX,
                     "Close a client after it is idle this many seconds (0: never)."));
  reg.define(integer("tcp-keepalive", 300, 0, INT_MAX,
                     "Send TCP keepalives every this many seconds (0: off)."));
  reg.define(integer("maxclients", 10000, 1, UINT32_MAX, "Maximum number of connected clients."));
  define_client_directives(reg);

  // -- general -------------------------------------------------------------------
  reg.define(
      boolean("daemonize", false, "Run in the background, detached from the terminal.", true));
  reg.define(
      string("pidfile", "", "Write the process id to this file (always when daemonized).", true));
  reg.define(enumeration("loglevel", "notice", {"debug", "verbose", "notice", "warning"},
                         "Log verbosity."));
  reg.define(string("logfile", "", "Log file; empty logs to standard output.", true));
  reg.define(integer("databases", 16, 1, INT_MAX, "Number of databases (SELECT 0 .. n-1).", true));
  {
    config_directive d = integer(
        "hz", 10, 0, INT_MAX, "Background task frequency (expiry, timeouts), 1 to 500 per second.");
    d.clamp = [](int64_t v) { return v < 1 ? int64_t(1) : (v > 500 ? int64_t(500) : v); };
    reg.define(d);
  }
  reg.define(enumeration("enable-protected-configs", "no", {"no", "yes", "local"},
                         "Allow CONFIG SET of protected directives such as dir.", true));

  // -- Troupe's own: reactors and shards -------------------------------------------
  reg.define(integer("threads", 1, 1, 64,
                     "Reactors: event loops, each with its connections and shards. On a 2-core "
                     "machine the benchmark client needs a core too.",
                     true));
  reg.define(integer("shards", 4, 1, 1024,
                     "Keyspace shards, a multiple of threads; a key's hash slot picks its shard.",
                     true));
  reg.define(integer("reactor-spin-us", 0, 0, 1000,
                     "Microseconds a reactor keeps polling after a busy pass before it sleeps: "
                     "saves the clients' wake-up cost for more server CPU (0: sleep at once)."));

  // -- limits --------------------------------------------------------------------
  reg.define(memory("proto-max-bulk-len", 512LL * 1024 * 1024, 1024 * 1024, INT64_MAX,
                    "Largest bulk string a client may send."));
  reg.define(memory("client-query-buffer-limit", 1024LL * 1024 * 1024, 1024 * 1024, INT64_MAX,
                    "Largest unparsed input buffered for one client before it is closed."));

  // -- security ------------------------------------------------------------------
  reg.define(string("requirepass", "", "Password clients must give with AUTH (empty: none)."));

  // -- persistence (files are written by the persistence issue) ---------------------
  {
    config_directive d = special(
        "dir", "./", "Working directory: data files are written here.",
        [](const std::vector<std::string>& args, const std::string&, bool,
           std::string& value) -> std::optional<std::string> {
          if (args.size() != 1 || args[0].empty()) return "wrong number of arguments";
          value = args[0];
          return std::nullopt;
        },
        false);
    d.protected_config = true;
    reg.define(d);
  }
  {
    config_directive d = special(
        "dbfilename", "dump.rdb", "Name of the RDB snapshot file inside dir.",
        [](const std::vector<std::string>& args, const std::string&, bool,
           std::string& value) -> std::optional<std::string> {
          if (args.size() != 1) return "wrong number of arguments";
          if (args[0].find('/') != std::string::npos)
            return "dbfilename can't be a path, just a filename";
          value = args[0];
          return std::nullopt;
        },
        false);
    d.protected_config = true;
    reg.define(d);
  }

  define_persistence_directives(reg);

  // -- lazy freeing ----------------------------------------------------------------
  reg.define(
      boolean("lazyfree-lazy-user-del", false, "DEL frees values in the background, as UNLINK."));
  reg.define(
      boolean("lazyfree-lazy-user-flush", false, "FLUSHDB/FLUSHALL without a mode are ASYNC."));
  reg.define(boolean("lazyfree-lazy-expire", false, "Expired values are freed in the background."));
  reg.define(boolean("lazyfree-lazy-server-del", false,
                     "Values deleted implicitly (SET over, RENAME) are freed in the background."));

  // -- replication (the link itself comes with the replication issue) ---------------
  {
    config_directive d = special(
        "replicaof", "", "Replicate the master at <host> <port>.",
        [](const std::vector<std::string>& args, const std::string&, bool,
           std::string& value) -> std::optional<std::string> {
          if (args.size() != 2) return "wrong number of arguments";
          if (strcasecmp(args[0].c_str(), "no") == 0 && strcasecmp(args[1].c_str(), "one") == 0) {
            value = "";
            return std::nullopt;
          }
          auto port = parse_int64(args[1]);
          if (!port || *port < 0 || *port > 65535) return "Invalid master port";
          value = join_args(args);
          return std::nullopt;
        });
    d.aliases = {"slaveof"};
    d.immutable = true;
    reg.define(d);
  }
  define_data_model_directives(reg);
}

}  // namespace troupe
