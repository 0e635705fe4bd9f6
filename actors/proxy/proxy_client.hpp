// A client of the proxy: its socket, read buffer and RESP parser, and the
// replies it is owed in order. Each request is planned from the command table
// (topology/proxy/request_plan) and then answered here (PING, AUTH, INFO...),
// refused with an error, or sent to the backend holding its keys through this
// reactor's router, as it arrived (no re-encoding); MGET, MSET, DEL and
// friends are split over the backends and their replies merged. Replies leave
// in the client's order, gathered into one write per reactor pass.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "actors/proxy/proxy_request.hpp"
#include "actors/runtime/hosted_actor.hpp"
#include "protocol/resp/request_parser.hpp"
#include "topology/proxy/request_plan.hpp"

namespace troupe {

class server;
class proxy_control;
class proxy_router;
class proxy_backend;

class proxy_client : public hosted_actor, public io_handler, public flushable {
 public:
  proxy_client(caf::actor_config& cfg, reactor& home, server& srv, proxy_control& control, int fd,
               std::string peer);
  ~proxy_client() override;

  caf::behavior make_behavior() override;
  const char* name() const override { return "proxy_client"; }
  void on_io(uint32_t events) override;
  void flush_pending() override;

  // A request of this client is complete: give what is done, in order.
  void request_done();

 private:
  void on_readable();
  void process_input();
  void serve(size_t command_start);
  void serve_local(const std::vector<std::string_view>& args);
  void forward(size_t command_start);
  void split();
  // This client's link to `server`, connecting it if need be; null (and the
  // error given to the client) when that fails at once.
  proxy_backend* open_link(size_t server);
  // A reply known now: after those still owed, in order.
  void give(std::string reply);
  void give_error(const std::string& error_line_without_dash);
  void want_flush();
  void flush_output();
  // Closes the socket now and ends the actor soon (from its own message).
  void close_now();
  void teardown();
  void set_reading(bool on);
  // Reads again once the owed requests and unsent replies are down to a quarter.
  void resume_if_drained();
  void update_interest();

  server& srv_;
  proxy_control& control_;
  proxy_router& router_;
  int fd_;
  std::string peer_;
  uint64_t id_;
  bool closed_ = false;
  bool close_after_reply_ = false;
  bool authenticated_ = false;
  bool reading_ = true;
  bool write_armed_ = false;
  bool flush_queued_ = false;
  uint32_t interest_ = 0;  // epoll events registered for fd_
  caf::strong_actor_ptr keep_alive_;

  request_parser parser_;
  request_parser::limits limits_;
  proxy::request_plan plan_;
  char* in_ = nullptr;
  size_t in_len_ = 0, in_cap_ = 0;
  std::string out_;
  size_t out_sent_ = 0;
  std::deque<request_ptr> owed_;  // requests whose replies are not given yet, in order
  std::vector<std::string_view> sub_args_;
};

}  // namespace troupe
