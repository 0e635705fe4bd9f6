#include "actors/proxy/proxy_client.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include <caf/all.hpp>

#include "actors/proxy/proxy_backend.hpp"
#include "actors/proxy/proxy_control.hpp"
#include "actors/proxy/proxy_router.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/server/info.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/resp/resp_value.hpp"

namespace troupe {
namespace {

constexpr size_t proxy_read_chunk = 16 * 1024;
// A client that pipelines faster than the backends answer stops being read
// while this many of its requests are owed (its socket's buffer holds the
// rest), and is read again when they are down to a quarter.
constexpr size_t max_owed = 4096;
// Likewise while this many bytes of replies wait for a client that does not
// read them: it stops being read (and so stops adding to them) until they leave.
constexpr size_t max_unsent = 64u << 20;

std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

bool same_word(std::string_view a, const char* b) {
  return a.size() == strlen(b) && strncasecmp(a.data(), b, a.size()) == 0;
}

}  // namespace

proxy_client::proxy_client(caf::actor_config& cfg, reactor& home, server& srv,
                           proxy_control& control, int fd, std::string peer)
    : hosted_actor(cfg, home),
      srv_(srv),
      control_(control),
      router_(control.router_of(home.index())),
      fd_(fd),
      peer_(std::move(peer)),
      id_(srv.next_client_id()) {
  authenticated_ = control.pool().redis_auth.empty();
}

proxy_client::~proxy_client() {
  free(in_);
  if (fd_ >= 0) ::close(fd_);
}

caf::behavior proxy_client::make_behavior() {
  keep_alive_ = ctrl();
  uint64_t clients = control_.clients.fetch_add(1, std::memory_order_relaxed) + 1;
  if (int64_t(clients) > srv_.config().maxclients.get()) {
    // maxclients reached: tell the client, as Redis does, and hang up.
    static const char msg[] = "-ERR max number of clients reached\r\n";
    ssize_t r = ::send(fd_, msg, sizeof(msg) - 1, MSG_NOSIGNAL);
    (void)r;
    close_now();
    return {[this](close_atom) {
      keep_alive_.reset();
      quit();
    }};
  }
  home().add_fd(fd_, this, EPOLLIN);
  interest_ = EPOLLIN;
  return {
      [this](close_atom) {
        teardown();
        keep_alive_.reset();
        quit();
      },
  };
}

void proxy_client::on_io(uint32_t events) {
  if (closed_) return;
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable();
  if (!closed_ && (events & EPOLLOUT)) flush_output();
}

void proxy_client::on_readable() {
  // Up to 1 MB per event, so one client cannot hold the reactor.
  for (size_t total = 0; total < (1u << 20) && reading_ && !closed_;) {
    size_t need = std::max(parser_.bytes_needed(), in_len_ + proxy_read_chunk);
    if (need > in_cap_) {
      size_t cap = std::max(need, in_cap_ * 2);
      char* grown = static_cast<char*>(realloc(in_, cap));
      if (grown == nullptr) return close_now();
      in_ = grown;
      in_cap_ = cap;
    }
    size_t room = in_cap_ - in_len_;
    ssize_t n = ::recv(fd_, in_ + in_len_, room, 0);
    if (n > 0) {
      in_len_ += size_t(n);
      total += size_t(n);
      process_input();
      // Less than the room: the socket is drained for now (the poll is level
      // triggered, so asking again would only cost an EAGAIN).
      if (size_t(n) < room) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    return close_now();  // EOF or error
  }
}

void proxy_client::process_input() {
  limits_.max_bulk_len = srv_.config().proto_max_bulk_len.get();
  while (!closed_ && !close_after_reply_ && reading_) {
    limits_.unauthenticated = !authenticated_;
    size_t command_start = parser_.consumed();
    auto r = parser_.parse(in_, in_len_, limits_);
    if (r == request_parser::result::incomplete) break;
    if (r == request_parser::result::error) {
      give_error("ERR " + parser_.error());
      close_after_reply_ = true;
      parser_.reset();
      in_len_ = 0;
      set_reading(false);  // nothing more is read from it: it closes once answered
      return;
    }
    if (parser_.args().empty()) continue;
    control_.requests.fetch_add(1, std::memory_order_relaxed);
    serve(command_start);
    if (owed_.size() >= max_owed || out_.size() - out_sent_ >= max_unsent) set_reading(false);
  }
  size_t consumed = parser_.consumed();
  if (consumed > 0) {
    memmove(in_, in_ + consumed, in_len_ - consumed);
    in_len_ -= consumed;
    parser_.shift(consumed);
  }
  // A buffer grown for a big request is given back once it is empty.
  if (in_len_ == 0 && in_cap_ > (1u << 20)) {
    free(in_);
    in_ = nullptr;
    in_cap_ = 0;
  }
  if (int64_t(in_len_) > srv_.config().client_query_buffer_limit.get()) {
    log_warning("Closing proxy client that reached max query buffer length: addr={}", peer_);
    close_now();
  }
}

void proxy_client::serve(size_t command_start) {
  const auto& args = parser_.args();
  proxy::plan_request(args, plan_);
  if (!authenticated_ && plan_.route != proxy::route_kind::local) {
    give_error("NOAUTH Authentication required.");
    return;
  }
  switch (plan_.route) {
    case proxy::route_kind::local:
      return serve_local(args);
    case proxy::route_kind::refused:
      control_.refused.fetch_add(1, std::memory_order_relaxed);
      return give_error(plan_.error);
    case proxy::route_kind::forward:
      return forward(command_start);
    case proxy::route_kind::split:
      return split();
  }
}

void proxy_client::serve_local(const std::vector<std::string_view>& args) {
  control_.local_replies.fetch_add(1, std::memory_order_relaxed);
  const std::string& name = plan_.spec->parent ? plan_.spec->parent->name : plan_.spec->name;
  const std::string& password = control_.pool().redis_auth;
  if (name == "auth") {
    if (password.empty())
      return give_error(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
    // AUTH password, or AUTH default password.
    bool ok = args.back() == password && (args.size() == 2 || args[1] == "default");
    authenticated_ = authenticated_ || ok;
    return ok ? give("+OK\r\n")
              : give_error("WRONGPASS invalid username-password pair or user is disabled.");
  }
  if (name == "quit") {
    give("+OK\r\n");
    close_after_reply_ = true;
    set_reading(false);
    return;
  }
  if (name == "hello") {
    if (args.size() >= 2 && args[1] != "2") {
      char* end = nullptr;
      std::string v(args[1]);
      long n = strtol(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0')
        return give_error("ERR Protocol version is not an integer or out of range");
      if (n != 2) return give_error("NOPROTO unsupported protocol version");
    }
    for (size_t i = 2; i < args.size(); ++i) {
      if (same_word(args[i], "auth") && i + 2 < args.size()) {
        if (password.empty() || args[i + 2] != password)
          return give_error("WRONGPASS invalid username-password pair or user is disabled.");
        authenticated_ = true;
        i += 2;
      } else if (same_word(args[i], "setname") && i + 1 < args.size()) {
        ++i;
      } else {
        return give_error("ERR Syntax error in HELLO option '" + std::string(args[i]) + "'");
      }
    }
    if (!authenticated_)
      return give_error(
          "NOAUTH HELLO must be called with the client already authenticated, "
          "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to "
          "authenticate the client and select the RESP protocol version at the "
          "same time");
    return give("*14\r\n" + bulk("server") + bulk("redis") + bulk("version") + bulk("7.0.15") +
                bulk("proto") + ":2\r\n" + bulk("id") + ":" + std::to_string(id_) + "\r\n" +
                bulk("mode") + bulk("proxy") + bulk("role") + bulk("master") + bulk("modules") +
                "*0\r\n");
  }
  if (!authenticated_) return give_error("NOAUTH Authentication required.");
  if (name == "ping") return give(args.size() > 1 ? bulk(args[1]) : std::string("+PONG\r\n"));
  if (name == "echo") return give(bulk(args[1]));
  if (name == "select") {
    if (args[1] == "0") return give("+OK\r\n");
    return give_error("ERR SELECT is not allowed through the proxy: its pool uses database " +
                      std::to_string(control_.pool().redis_db) + " of every backend");
  }
  if (name == "info") {
    std::vector<std::string_view> sections(args.begin() + 1, args.end());
    return give(bulk(build_info(srv_, sections)));
  }
  give_error("ERR '" + name + "' is not supported through the proxy");
}

void proxy_client::forward(size_t command_start) {
  const auto& args = parser_.args();
  size_t server = router_.server_for(args[size_t(plan_.keys[0])]);
  // A random pool sends each request anywhere, as nutcracker does: its keys
  // are not checked against each other.
  bool random = control_.pool().distribution == proxy::distribution_kind::random;
  for (size_t i = 1; i < plan_.keys.size() && !random; ++i)
    if (router_.server_for(args[size_t(plan_.keys[i])]) != server)
      return give_error(proxy::cross_backend_error(*plan_.spec));
  if (server == proxy_router::npos) return give_error("ERR no backend of the proxy's pool is up");
  proxy_backend* link = open_link(server);
  if (link == nullptr) return;
  auto req = std::make_shared<proxy_request>();
  req->client = this;
  owed_.push_back(req);
  inflight_part part{std::move(req), {}, 0};
  if (in_[command_start] == '*')
    link->submit(std::move(part),
                 std::string_view(in_ + command_start, parser_.consumed() - command_start));
  else
    link->submit_command(std::move(part), args);  // an inline command: sent as RESP
}

proxy_backend* proxy_client::open_link(size_t server) {
  proxy_backend& link = router_.link(server, id_);
  std::string why;
  if (link.ensure_open(why)) return &link;
  router_.backend_failed(server);
  give_error("ERR proxy backend " + link.address() + ": " + why);
  return nullptr;
}

void proxy_client::split() {
  const auto& args = parser_.args();
  // The keys of each server, in the client's order.
  std::map<size_t, std::vector<uint32_t>> by_server;
  for (size_t k = 0; k < plan_.keys.size(); ++k) {
    size_t server = router_.server_for(args[size_t(plan_.keys[k])]);
    if (server == proxy_router::npos) return give_error("ERR no backend of the proxy's pool is up");
    by_server[server].push_back(uint32_t(k));
  }
  for (auto& [server, keys] : by_server)
    if (open_link(server) == nullptr) return;
  auto req = std::make_shared<proxy_request>();
  req->client = this;
  req->merge = plan_.merge;
  req->parts_left = int(by_server.size());
  if (plan_.merge == proxy::merge_kind::values_in_order) req->values.resize(plan_.keys.size());
  owed_.push_back(req);
  for (auto& [server, keys] : by_server) {
    sub_args_.clear();
    sub_args_.push_back(args[0]);
    for (uint32_t k : keys)
      for (int g = 0; g < plan_.group; ++g) sub_args_.push_back(args[size_t(plan_.keys[k] + g)]);
    inflight_part part{req, {}, 0};
    if (plan_.merge == proxy::merge_kind::values_in_order) part.slots = keys;
    router_.link(server, id_).submit_command(std::move(part), sub_args_);
  }
}

void proxy_client::give(std::string reply) {
  if (owed_.empty()) {
    out_ += reply;
    want_flush();
    return;
  }
  auto req = std::make_shared<proxy_request>();
  req->reply = std::move(reply);
  req->parts_left = 0;
  owed_.push_back(std::move(req));
}

void proxy_client::give_error(const std::string& error) {
  give("-" + error + "\r\n");
}

void proxy_client::request_done() {
  bool any = false;
  while (!owed_.empty() && owed_.front()->done()) {
    out_ += owed_.front()->reply;
    owed_.pop_front();
    any = true;
  }
  if (any) want_flush();
  resume_if_drained();
}

void proxy_client::resume_if_drained() {
  if (!reading_ && owed_.size() <= max_owed / 4 && out_.size() - out_sent_ < max_unsent / 4 &&
      !closed_ && !close_after_reply_) {
    set_reading(true);
    // Requests may wait in the buffer already: serve them on the next pass.
    home().post([self = caf::actor_cast<caf::actor>(ctrl()), this] {
      if (!closed_ && reading_) {
        process_input();
        on_readable();
      }
    });
  }
}

void proxy_client::set_reading(bool on) {
  if (reading_ == on || closed_) return;
  reading_ = on;
  update_interest();
}

void proxy_client::update_interest() {
  uint32_t want = (reading_ ? uint32_t(EPOLLIN) : 0u) | (write_armed_ ? uint32_t(EPOLLOUT) : 0u);
  if (want == interest_) return;
  // With no interest the socket leaves the epoll set: epoll reports a hang-up
  // whatever the mask, and a client that is not being read must not spin on it.
  if (want == 0)
    home().remove_fd(fd_);
  else if (interest_ == 0)
    home().add_fd(fd_, this, want);
  else
    home().modify_fd(fd_, this, want);
  interest_ = want;
}

void proxy_client::want_flush() {
  if (flush_queued_) return;
  flush_queued_ = true;
  home().defer_flush(this);
}

void proxy_client::flush_pending() {
  flush_queued_ = false;
  flush_output();
}

void proxy_client::flush_output() {
  if (closed_) return;
  while (out_sent_ < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL);
    if (n > 0) {
      out_sent_ += size_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!write_armed_) {
        write_armed_ = true;
        update_interest();
      }
      return;
    }
    return close_now();
  }
  out_.clear();
  out_sent_ = 0;
  resume_if_drained();
  if (write_armed_) {
    write_armed_ = false;
    update_interest();
  }
  if (close_after_reply_ && owed_.empty()) close_now();
}

void proxy_client::close_now() {
  if (closed_) return;
  teardown();
  // Finish as an actor from inside a message handler: CAF cleans an actor up
  // only while it runs.
  caf::anon_send(caf::actor_cast<caf::actor>(this), close_atom::value);
}

void proxy_client::teardown() {
  if (closed_) return;
  closed_ = true;
  for (auto& r : owed_) r->client = nullptr;
  owed_.clear();
  if (flush_queued_) {
    home().cancel_flush(this);
    flush_queued_ = false;
  }
  if (interest_ != 0) home().remove_fd(fd_);
  interest_ = 0;
  ::close(fd_);
  fd_ = -1;
  control_.clients.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace troupe
