// Directives of the admin endpoint (HTTP: /metrics, /topology, /info,
// /health and the dashboard; actors/admin/).
#pragma once
#include "protocol/config/config_rows.hpp"

namespace troupe {

struct admin_rows {
  explicit admin_rows(config_table& t) : t_(t) {}

 private:
  config_table& t_;

 public:
  int_row admin_port{t_,
                     "admin-port",
                     -1,
                     -1,
                     65535,
                     "HTTP port of the admin endpoint (0: off; -1: derived from port: port+30000, "
                     "or port-30000 above 35535, so that servers side by side never collide).",
                     row_immutable()};
  string_row admin_bind{t_, "admin-bind", "127.0.0.1",
                        "Address the admin endpoint listens on. Without requirepass or ACL users "
                        "it answers loopback clients only.",
                        row_immutable()};
};

// The port admin-port -1 stands for, given the data port (0 when there is none).
inline int derived_admin_port(int data_port) {
  if (data_port <= 0) return 0;
  return data_port + 30000 <= 65535 ? data_port + 30000 : data_port - 30000;
}

}  // namespace troupe
