// One connection from the proxy to one backend server (twemproxy's "server
// connection"): requests are queued on it during a reactor pass and written
// together at the pass's end; replies come back in order and are matched to
// the parts in flight by position. It connects on first use (or at start with
// `preconnect`), sends the pool's AUTH and SELECT first, and on a failure
// (refused, reset, a reply timed out, garbage) fails every part in flight and
// tells its router, which counts the failure towards ejection.
#pragma once
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "actors/net/resp_link.hpp"
#include "actors/proxy/proxy_request.hpp"
#include "actors/runtime/hosted_actor.hpp"
#include "protocol/resp/reply_scanner.hpp"

namespace troupe {

class proxy_router;
struct proxy_server_stats;

class proxy_backend : public hosted_actor, public flushable {
 public:
  proxy_backend(caf::actor_config& cfg, reactor& home, proxy_router& router, size_t server,
                std::string host, int port, proxy_server_stats& stats);
  ~proxy_backend() override;

  caf::behavior make_behavior() override;
  const char* name() const override { return "proxy_backend"; }
  void flush_pending() override;

  // Connects if it is not; false (the reason in `why`) when that fails at once.
  bool ensure_open(std::string& why);
  // Queues a request's bytes for this pass's write; `part` waits for its reply.
  void submit(inflight_part part, std::string_view bytes);
  // The same with the request built here from its arguments.
  void submit_command(inflight_part part, const std::vector<std::string_view>& args);
  // Fails the link when its oldest part has waited `timeout_us` or more.
  void check_timeout(int64_t now_us, int64_t timeout_us);
  // Closes the link, failing what is in flight (shutdown, ejection).
  void fail(const std::string& why);
  size_t in_flight() const { return inflight_.size(); }
  const std::string& address() const { return address_; }

 private:
  void on_readable();
  void want_flush();

  proxy_router& router_;
  size_t server_;
  std::string host_;
  int port_;
  std::string address_;
  proxy_server_stats& stats_;
  resp_link link_;
  std::deque<inflight_part> inflight_;
  reply_scanner scanner_;
  size_t scanned_ = 0;        // bytes of the unfinished reply the scanner has seen
  std::vector<size_t> ends_;  // where the replies of one read end
  // Parts written to the socket (or to be written on connect) whose replies
  // have not come: while there are any, new requests are held back (see
  // want_flush).
  size_t unanswered_ = 0;
  bool flush_queued_ = false;
  bool active_ = false;  // connected or connecting, not failed since
  caf::strong_actor_ptr keep_alive_;
};

}  // namespace troupe
