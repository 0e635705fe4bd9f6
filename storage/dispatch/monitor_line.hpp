// MONITOR's line for one executed command, as Redis 7.0 writes it:
//   +<unix seconds>.<micros> [<db> <source>] "<arg>" "<arg>" ...\r\n
// where source is the client's address ("127.0.0.1:51234", "unix:/path",
// "lua" for a script's calls), every argument is quoted with C escapes, and
// passwords (AUTH, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2) read "(redacted)".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {

struct command_spec;

// Whether MONITOR shows this command at all: Redis hides admin commands
// (CONFIG, DEBUG, SLOWLOG, CLIENT LIST...) and those flagged skip_monitor.
bool shown_by_monitor(const command_spec& cmd);

std::string monitor_line(int64_t unix_us, int db, std::string_view source,
                         const std::vector<std::string_view>& args);

}  // namespace troupe
