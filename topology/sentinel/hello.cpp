#include "topology/sentinel/hello.hpp"

#include <vector>

#include "topology/sentinel/sentinel_config.hpp"

namespace troupe::sentinel {

std::string format_hello(const hello_message& h) {
  return h.ip + "," + std::to_string(h.port) + "," + h.runid + "," +
         std::to_string(h.current_epoch) + "," + h.master_name + "," + h.master_ip + "," +
         std::to_string(h.master_port) + "," + std::to_string(h.master_config_epoch);
}

std::optional<hello_message> parse_hello(std::string_view payload) {
  std::vector<std::string_view> tok;
  size_t pos = 0;
  while (true) {
    size_t c = payload.find(',', pos);
    tok.push_back(
        payload.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos));
    if (c == std::string_view::npos) break;
    if (tok.size() > 8) return std::nullopt;
    pos = c + 1;
  }
  if (tok.size() != 8) return std::nullopt;
  hello_message h;
  h.ip = std::string(tok[0]);
  h.port = c_atoi(tok[1]);
  h.runid = std::string(tok[2]);
  h.current_epoch = c_strtoull(tok[3]);
  h.master_name = std::string(tok[4]);
  h.master_ip = std::string(tok[5]);
  h.master_port = c_atoi(tok[6]);
  h.master_config_epoch = c_strtoull(tok[7]);
  return h;
}

}  // namespace troupe::sentinel
