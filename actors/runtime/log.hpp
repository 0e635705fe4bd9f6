// Logging in Redis's format and levels, through spdlog:
//   pid:role day mon year hh:mm:ss.mmm <level char> message
// where the level char is '.' debug, '-' verbose, '*' notice, '#' warning.
#pragma once
#include <spdlog/spdlog.h>

#include <string>

namespace troupe {

enum class log_level { debug, verbose, notice, warning };
enum class log_verbosity;  // the loglevel directive (protocol/config_general_rows.hpp)

// Sets up the process logger: `file` empty means stdout. Throws on a bad file.
void log_init(const std::string& file, log_level level, char role = 'M');
void log_set_level(log_level level);
void log_set_role(char role);
log_level to_log_level(log_verbosity v);
const char* log_level_name(log_level l);

template <class... Ts>
void log_debug(spdlog::format_string_t<Ts...> fmt, Ts&&... args) {
  spdlog::trace(fmt, std::forward<Ts>(args)...);
}
template <class... Ts>
void log_verbose(spdlog::format_string_t<Ts...> fmt, Ts&&... args) {
  spdlog::debug(fmt, std::forward<Ts>(args)...);
}
template <class... Ts>
void log_notice(spdlog::format_string_t<Ts...> fmt, Ts&&... args) {
  spdlog::info(fmt, std::forward<Ts>(args)...);
}
template <class... Ts>
void log_warning(spdlog::format_string_t<Ts...> fmt, Ts&&... args) {
  spdlog::warn(fmt, std::forward<Ts>(args)...);
}

}  // namespace troupe
