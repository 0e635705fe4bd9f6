// Every directive Troupe knows, one typed row each, as named members: code
// reads `cfg.hz.get()`, `cfg.appendfsync.get()`, `*cfg.dir.get()`. The rows
// register in declaration order with the config_table this struct is, which
// enumerates them for CONFIG GET/SET/REWRITE, redis.conf and default.conf.
//
// Adding a directive is one member in one of the group headers below (name,
// default, bounds, comment, options); a live effect is one on_apply() call where
// the effect lives (the server's attach_config_hooks, or the component's set-up).
#pragma once
#include <string>

#include "protocol/config/config_accepted_rows.hpp"
#include "protocol/config/config_admin_rows.hpp"
#include "protocol/config/config_cluster_rows.hpp"
#include "protocol/config/config_data_model_rows.hpp"
#include "protocol/config/config_general_rows.hpp"
#include "protocol/config/config_memory_rows.hpp"
#include "protocol/config/config_network_rows.hpp"
#include "protocol/config/config_persistence_rows.hpp"
#include "protocol/config/config_replication_rows.hpp"
#include "protocol/config/config_security_rows.hpp"
#include "protocol/config/config_table.hpp"
#include "protocol/config/config_tls_rows.hpp"

namespace troupe {

struct server_config : config_table,
                       network_rows,
                       general_rows,
                       persistence_rows,
                       replication_rows,
                       cluster_rows,
                       memory_rows,
                       data_model_rows,
                       admin_rows,
                       accepted_rows,
                       tls_rows,
                       security_rows {
  server_config()
      : network_rows(table()),
        general_rows(table()),
        persistence_rows(table()),
        replication_rows(table()),
        cluster_rows(table()),
        memory_rows(table()),
        data_model_rows(table()),
        admin_rows(table()),
        accepted_rows(table()),
        tls_rows(table()),
        security_rows(table()) {
    // As Redis: a smaller backlog is taken as 16kb.
    repl_backlog_size.clamp_to(16 * 1024, INT64_MAX);
  }
  server_config(const server_config&) = delete;
  server_config& operator=(const server_config&) = delete;

  config_table& table() { return *this; }

  // conf/default.conf: every directive with its comment and default.
  static std::string default_conf_text();
};

}  // namespace troupe
