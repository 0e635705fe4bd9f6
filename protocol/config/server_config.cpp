#include "protocol/config/server_config.hpp"

namespace troupe {

config_error check_bind(const std::vector<std::string>& addrs) {
  if (addrs.empty() || (addrs.size() == 1 && addrs[0].empty()) || addrs.size() > 16)
    return "Too many bind addresses specified.";
  return std::nullopt;
}

config_error check_dir(const std::string& dir) {
  // What chdir("") says, as Redis reports it.
  if (dir.empty()) return "No such file or directory";
  return std::nullopt;
}

config_error check_dbfilename(const std::string& name) {
  if (name.find('/') != std::string::npos) return "dbfilename can't be a path, just a filename";
  return std::nullopt;
}

general_rows::general_rows(config_table& t) : t_(t) {
  // Redis takes hz as a hint: 0 runs at 1 per second, 1000 at 500.
  hz.clamp_to(1, 500);
}

std::string server_config::default_conf_text() {
  server_config fresh;
  return fresh.default_conf();
}

}  // namespace troupe
