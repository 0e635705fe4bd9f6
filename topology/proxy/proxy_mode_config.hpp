// What proxy mode reads at start-up, from either kind of file:
//  - a nutcracker YAML file, read unchanged: one of its pools (the first, or
//    the one `--pool NAME` names), and the Troupe directives its `listen`,
//    `backlog` and `tcpkeepalive` imply;
//  - a Troupe config whose `proxy <key> <value>` lines are the pool's keys,
//    named as in nutcracker's YAML (`proxy hash fnv1a_64`, `proxy server
//    127.0.0.1:6379:1 name`, once per server), listening where `bind` and
//    `port` say.
// Both go through the one YAML reader, so both are checked the same way.
#pragma once
#include <string>
#include <string_view>

#include "topology/proxy/pool_config.hpp"

namespace troupe::proxy {

// True for a file name ending in .yml or .yaml.
bool is_yaml_file_name(std::string_view path);

// "" or the error. `directives` gets config lines ("port 22121\nbind 127.0.0.1\n").
std::string pool_from_yaml(std::string_view text, std::string_view pool_name, pool_config& out,
                           std::string& directives);

// "" or the error. `listen` is "host:port" (or a unix socket path).
std::string pool_from_proxy_lines(std::string_view conf_text, std::string_view listen,
                                  pool_config& out);

}  // namespace troupe::proxy
