// Starting the admin endpoint: the HTTP thread (admin_http) and the
// `admin_endpoint` actor that answers its requests on CAF's scheduler.
#include "actors/admin/admin_endpoint.hpp"

#include "actors/admin/admin_routes.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/runtime/registered_actor.hpp"
#include "actors/runtime/spawn.hpp"
#include "actors/server/server.hpp"

namespace troupe {

admin_endpoint::admin_endpoint(server& srv) : srv_(srv) {}

admin_endpoint::~admin_endpoint() {
  stop();
}

void admin_endpoint::start() {
  server_config& cfg = srv_.config();
  int port = int(cfg.admin_port.get());
  if (port < 0) port = derived_admin_port(srv_.tcp_port());
  if (port == 0) return;
  std::string bind = cfg.admin_bind.str();
  // Each request becomes a message to the actor; its answer goes back to the
  // HTTP thread. Neither ever runs on a reactor.
  http_ = std::make_shared<admin_http>([this](admin_request r) {
    caf::anon_send(actor_, http_atom::value, r.id, std::move(r.method), std::move(r.target),
                   std::move(r.authorization), std::move(r.peer_ip));
  });
  std::string err;
  if (!http_->listen(bind, port, err)) {
    log_warning("Admin endpoint not started: can't listen on {}:{}: {}", bind, port, err);
    http_.reset();
    return;
  }
  // The actor keeps the HTTP side alive for the messages still in its mailbox.
  std::shared_ptr<admin_http> http = http_;
  server* srv = &srv_;
  actor_ = spawn_actor<function_actor>(
      srv_.registry(), placement::scheduler(), {"http://" + bind + ":" + std::to_string(port)},
      "admin_endpoint", [srv, http](function_actor*) -> caf::behavior {
        return {[srv, http](http_atom, uint64_t id, std::string& method, std::string& target,
                            std::string& auth, std::string& peer) {
          admin_request r{id, std::move(method), std::move(target), std::move(auth),
                          std::move(peer)};
          // Whatever goes wrong answers 500: the actor must outlive any request.
          admin_response resp;
          try {
            resp = admin_route(*srv, r);
          } catch (const std::exception& e) {
            resp = {500, "text/plain; charset=utf-8",
                    std::string("Internal error: ") + e.what() + "\n", ""};
          }
          http->respond(id, std::move(resp));
        }};
      });
  http_->start();
  log_notice("Admin endpoint listening on http://{}:{}/", bind, http_->port());
}

void admin_endpoint::stop() {
  if (http_) http_->stop();
  if (actor_) caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  actor_ = nullptr;
}

int admin_endpoint::port() const {
  return http_ ? http_->port() : 0;
}

}  // namespace troupe
