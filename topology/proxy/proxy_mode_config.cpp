#include "topology/proxy/proxy_mode_config.hpp"

#include <sstream>
#include <vector>

#include "protocol/resp/split_args.hpp"

namespace troupe::proxy {
namespace {

// A YAML double-quoted scalar.
std::string yaml_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

bool pool_ok_for_redis(const pool_config& p, std::string& err) {
  if (!p.redis) {
    err = "pool '" + p.name +
          "': Troupe's proxy speaks the Redis protocol only (set `redis: true`; memcached pools "
          "are nutcracker's)";
    return false;
  }
  for (const auto& s : p.servers)
    if (s.is_unix()) {
      err = "pool '" + p.name + "': backends on unix sockets are not supported (" + s.pname + ")";
      return false;
    }
  return true;
}

}  // namespace

bool is_yaml_file_name(std::string_view path) {
  auto ends = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  return ends(".yml") || ends(".yaml");
}

std::string pool_from_yaml(std::string_view text, std::string_view pool_name, pool_config& out,
                           std::string& directives) {
  std::vector<pool_config> pools;
  std::string err = parse_nutcracker_yaml(text, pools);
  if (!err.empty()) return err;
  if (pools.empty()) return "the file defines no pool";
  const pool_config* pick = &pools.front();
  if (!pool_name.empty()) {
    pick = nullptr;
    for (auto& p : pools)
      if (p.name == pool_name) pick = &p;
    if (pick == nullptr) return "the file has no pool named '" + std::string(pool_name) + "'";
  }
  if (!pool_ok_for_redis(*pick, err)) return err;
  out = *pick;
  directives.clear();
  if (out.listen_is_unix()) {
    directives += "port 0\nunixsocket " + yaml_quoted(out.listen_host) + "\n";
    if (out.listen_perm >= 0) {
      std::ostringstream perm;
      perm << std::oct << out.listen_perm;
      directives += "unixsocketperm " + perm.str() + "\n";
    }
  } else {
    directives += "port " + std::to_string(out.listen_port) + "\n";
    std::string host = out.listen_host == "0.0.0.0" ? "*" : out.listen_host;
    directives += "bind " + host + "\n";
  }
  directives += "tcp-backlog " + std::to_string(out.backlog) + "\n";
  if (out.tcpkeepalive) directives += "tcp-keepalive 300\n";
  return "";
}

std::string pool_from_proxy_lines(std::string_view conf_text, std::string_view listen,
                                  pool_config& out) {
  std::string yaml = "troupe:\n  redis: true\n  listen: " + yaml_quoted(listen) + "\n";
  std::string servers;
  std::istringstream in{std::string(conf_text)};
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    auto parts = split_args(line);
    if (!parts) return "line " + std::to_string(lineno) + ": unbalanced quotes";
    if (parts->empty()) continue;
    std::string word = (*parts)[0];
    for (auto& c : word) c = char(tolower(static_cast<unsigned char>(c)));
    if (word != "proxy") continue;
    const auto& p = *parts;
    auto where = [&] { return "line " + std::to_string(lineno) + ": "; };
    if (p.size() < 3) return where() + "`proxy <key> <value>` expected";
    std::string key = p[1];
    for (auto& c : key) c = char(tolower(static_cast<unsigned char>(c)));
    std::string value = p[2];
    for (size_t i = 3; i < p.size(); ++i) value += " " + p[i];
    if (key == "server" || key == "servers") {
      servers += "   - " + yaml_quoted(value) + "\n";
      continue;
    }
    if (key == "listen" || key == "redis")
      return where() + "`proxy " + key + "` is set by Troupe (bind/port; always redis)";
    if (key.empty() || key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos)
      return where() + "unknown proxy key '" + p[1] + "'";
    yaml += "  " + key + ": " + yaml_quoted(value) + "\n";
  }
  if (servers.empty()) return "proxy mode needs at least one `proxy server host:port:weight` line";
  yaml += "  servers:\n" + servers;
  std::vector<pool_config> pools;
  std::string err = parse_nutcracker_yaml(yaml, pools);
  if (!err.empty()) return err;
  if (pools.size() != 1) return "the proxy lines make no pool";
  if (!pool_ok_for_redis(pools[0], err)) return err;
  out = pools[0];
  return "";
}

}  // namespace troupe::proxy
