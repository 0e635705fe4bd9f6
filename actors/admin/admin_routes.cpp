#include "actors/admin/admin_routes.hpp"

#include "actors/server/info.hpp"
#include "actors/server/server.hpp"
#include "protocol/text/info_text.hpp"
#include "protocol/text/prometheus_metrics.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {
namespace {

std::string base64_decode(std::string_view in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, acc = 0;
  for (char c : in) {
    int v = value(c);
    if (v < 0) break;  // '=' padding or junk ends it
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((acc >> bits) & 0xff);
    }
  }
  return out;
}

bool loopback(const std::string& ip) {
  return ip.rfind("127.", 0) == 0 || ip == "::1" || ip.rfind("::ffff:127.", 0) == 0;
}

// Whether the request may see the endpoint.
std::optional<admin_response> refused(server& srv, const admin_request& r) {
  if (!srv.auth_required()) {
    if (loopback(r.peer_ip)) return std::nullopt;
    return admin_response{403, "text/plain; charset=utf-8",
                          "The admin endpoint answers loopback clients only while no password is "
                          "set (requirepass or ACL users).\n",
                          ""};
  }
  std::string_view auth = r.authorization;
  if (auth.rfind("Basic ", 0) == 0) {
    std::string pair = base64_decode(auth.substr(6));
    size_t colon = pair.find(':');
    if (colon != std::string::npos &&
        srv.admin_credentials_ok(pair.substr(0, colon), pair.substr(colon + 1)))
      return std::nullopt;
  }
  return admin_response{401, "text/plain; charset=utf-8", "Authentication required.\n",
                        "Basic realm=\"troupe\""};
}

std::string info_everything(server& srv) {
  return build_info(srv, {"everything"});
}

std::string slowlog_json(server& srv) {
  std::string o = "[";
  bool first = true;
  for (auto& e : srv.slow_log.newest(20)) {
    if (!first) o += ',';
    first = false;
    o += "{\"id\":" + std::to_string(e.id) + ",\"time\":" + std::to_string(e.unix_time) +
         ",\"duration_us\":" + std::to_string(e.duration_us) + ",\"args\":[";
    for (size_t i = 0; i < e.args.size(); ++i) o += (i ? "," : "") + json_quote(e.args[i]);
    o += "],\"client\":" + json_quote(e.peer) + ",\"name\":" + json_quote(e.client_name) + "}";
  }
  return o + "]";
}

admin_response health(server& srv) {
  std::string status = "ok";
  int code = 200;
  bool loading = srv.loading() != dataset_loading::none;
  std::string link = "none";
  if (srv.is_replica()) link = srv.master_link_up() ? "up" : "down";
  if (loading) {
    status = "loading";
    code = 503;
  } else if (link == "down") {
    status = "master_link_down";
    code = 503;
  }
  std::string body = "{\"status\":" + json_quote(status) +
                     ",\"loading\":" + (loading ? "true" : "false") +
                     ",\"role\":" + json_quote(srv.is_replica() ? "slave" : "master") +
                     ",\"master_link\":" + json_quote(link) + ",\"cluster_state\":\"disabled\"}\n";
  return {code, "application/json", body, ""};
}

}  // namespace

admin_response admin_route(server& srv, const admin_request& r) {
  if (r.method != "GET" && r.method != "HEAD")
    return {405, "text/plain; charset=utf-8", "Only GET.\n", ""};
  if (auto no = refused(srv, r)) return *no;
  std::string path = r.target.substr(0, r.target.find('?'));
  if (path == "/metrics")
    return {200, "text/plain; version=0.0.4; charset=utf-8",
            prometheus_metrics(parse_info(info_everything(srv))), ""};
  if (path == "/info")
    return {200, "application/json", info_json(parse_info(info_everything(srv))) + "\n", ""};
  if (path == "/topology") return {200, "application/json", topology_json(srv) + "\n", ""};
  if (path == "/slowlog") return {200, "application/json", slowlog_json(srv) + "\n", ""};
  if (path == "/health") return health(srv);
  if (path == "/" || path == "/index.html" || path == "/topology.html")
    return {200, "text/html; charset=utf-8", dashboard_page(), ""};
  return {404, "text/plain; charset=utf-8",
          "Not found. Try /, /metrics, /info, /topology, "
          "/slowlog or /health.\n",
          ""};
}

}  // namespace troupe
