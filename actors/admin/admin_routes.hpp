// What the admin endpoint answers, path by path:
//   /metrics        Prometheus text (protocol/text/prometheus_metrics.hpp)
//   /info           INFO everything as JSON
//   /topology       every live actor and the remote peers, as JSON
//   /slowlog        the slow log's newest entries, as JSON
//   /health         200 when ready, 503 while loading or cut from the master
//   / (dashboard)   one page, no external resources (actors/admin/dashboard_page.cpp)
// Authentication: with requirepass (or ACL users) set, HTTP Basic with a user
// and password AUTH would accept; without, loopback clients only.
#pragma once
#include "actors/admin/admin_http.hpp"

namespace troupe {

class server;

admin_response admin_route(server& srv, const admin_request& r);

// The dashboard page.
const char* dashboard_page();
// GET /topology's JSON.
std::string topology_json(server& srv);

}  // namespace troupe
