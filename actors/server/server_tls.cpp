// The server's TLS: the contexts (built from the tls-* rows at start-up and
// rebuilt by CONFIG SET of any of them, as Redis 7.0 does) and the tls-port
// listeners. Connections read the contexts once, when they are accepted.
#include <caf/all.hpp>

#include "actors/client/listener.hpp"
#include "actors/net/tls_context.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"

namespace troupe {
namespace {
const char* const update_failed = "Unable to update TLS configuration. Check server logs.";
}  // namespace

std::shared_ptr<const tls_context> server::tls() const {
  std::lock_guard<std::mutex> g(tls_mutex_);
  return tls_;
}

config_error server::reload_tls() {
  std::string err;
  auto ctx = tls_context::build(cfg_, err);
  if (!ctx) {
    log_warning("Failed to configure TLS: {}", err);
    return std::string(update_failed);
  }
  std::lock_guard<std::mutex> g(tls_mutex_);
  tls_ = std::move(ctx);
  return std::nullopt;
}

bool server::start_tls() {
  if (cfg_.tls_port.get() != 0 || cfg_.tls_replication.get() || cfg_.tls_cluster.get()) {
    if (reload_tls()) {
      log_warning("Failed to configure TLS. Check logs for more info.");
      return false;
    }
  }
  std::string err;
  if (!listen_tls(err)) {
    log_warning("Failed listening on port {} (tls), aborting.", cfg_.tls_port.get());
    return false;
  }
  return true;
}

bool server::listen_tls(std::string& err) {
  int port = int(cfg_.tls_port.get());
  auto addrs = cfg_.bind.get();
  if (port == tls_bound_port_ && *addrs == tls_bound_addrs_) return true;
  std::vector<caf::actor> fresh;
  if (port != 0) {
    int opened = 0;
    for (auto addr : *addrs) {
      bool optional = !addr.empty() && addr[0] == '-';
      if (optional) addr = addr.substr(1);
      int fd = listener::open_tcp(addr, port, int(cfg_.tcp_backlog.get()), err);
      if (fd < 0) {
        if (optional) continue;
        log_warning("Warning: Could not create server TLS listening socket {}:{}: {}", addr, port,
                    err);
        for (auto& a : fresh) caf::anon_send(a, close_atom::value);
        return false;
      }
      std::string label = addr + ":" + std::to_string(port) + " (tls)";
      fresh.push_back(spawn_actor<listener>(registry_, placement::on(*reactors_[0]), {label}, *this,
                                            fd, label, false, true));
      ++opened;
    }
    if (opened == 0) {
      err = "no address to listen on";
      return false;
    }
  }
  for (auto& a : tls_listeners_) caf::anon_send(a, close_atom::value);
  tls_listeners_ = std::move(fresh);
  tls_bound_port_ = port;
  tls_bound_addrs_ = *addrs;
  return true;
}

void server::attach_tls_hooks() {
  // Every setting the contexts are built from: rebuild them if TLS is in use
  // (at start-up start_tls() does it once).
  auto rebuild = [this]() -> config_error {
    if (reactors_.empty()) return std::nullopt;
    if (cfg_.tls_port.get() == 0 && !cfg_.tls_replication.get() && !cfg_.tls_cluster.get())
      return std::nullopt;
    return reload_tls();
  };
  auto on_text = [rebuild](const std::string&) { return rebuild(); };
  auto on_flag = [rebuild](bool) { return rebuild(); };
  auto on_number = [rebuild](int64_t) { return rebuild(); };
  for (string_row* r :
       {&cfg_.tls_cert_file, &cfg_.tls_key_file, &cfg_.tls_key_file_pass,
        &cfg_.tls_client_cert_file, &cfg_.tls_client_key_file, &cfg_.tls_client_key_file_pass,
        &cfg_.tls_dh_params_file, &cfg_.tls_ca_cert_file, &cfg_.tls_ca_cert_dir,
        &cfg_.tls_protocols, &cfg_.tls_ciphers, &cfg_.tls_ciphersuites})
    r->on_apply(on_text);
  for (bool_row* r : {&cfg_.tls_prefer_server_ciphers, &cfg_.tls_session_caching,
                      &cfg_.tls_replication, &cfg_.tls_cluster})
    r->on_apply(on_flag);
  for (int_row* r : {&cfg_.tls_session_cache_size, &cfg_.tls_session_cache_timeout})
    r->on_apply(on_number);
  cfg_.tls_port.on_apply([this](int64_t port) -> config_error {
    if (reactors_.empty()) return std::nullopt;
    if (port != 0 && !tls()) {
      if (auto e = reload_tls()) return e;
    }
    std::string err;
    if (!listen_tls(err)) return std::string("Unable to listen on this port. Check server logs.");
    return std::nullopt;
  });
}

}  // namespace troupe
