#include "actors/proxy/proxy_backend.hpp"

#include <caf/all.hpp>

#include "actors/proxy/proxy_router.hpp"
#include "actors/proxy/proxy_stats.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/messages.hpp"
#include "protocol/resp/resp_value.hpp"
#include "storage/keyspace/clock.hpp"

namespace troupe {
proxy_backend::proxy_backend(caf::actor_config& cfg, reactor& home, proxy_router& router,
                             size_t server, std::string host, int port, proxy_server_stats& stats)
    : hosted_actor(cfg, home),
      router_(router),
      server_(server),
      host_(std::move(host)),
      port_(port),
      address_(host_ + ":" + std::to_string(port_)),
      stats_(stats),
      link_(home) {
  link_.set_callbacks({
      [] {},
      [this](size_t) { on_readable(); },
      [this](std::string why) { fail(why); },
  });
}

proxy_backend::~proxy_backend() {
  if (flush_queued_) home().cancel_flush(this);
}

caf::behavior proxy_backend::make_behavior() {
  keep_alive_ = ctrl();
  return {
      [this](close_atom) {
        fail("the proxy is stopping");
        if (flush_queued_) {
          home().cancel_flush(this);
          flush_queued_ = false;
        }
        keep_alive_.reset();
        quit();
      },
  };
}

bool proxy_backend::ensure_open(std::string& why) {
  if (link_.is_open()) return true;
  if (!link_.connect(host_, port_, why)) return false;
  active_ = true;
  bump(stats_.connections);
  // The pool's password and database come before any request.
  const auto& pool = router_.pool();
  int64_t now = monotonic_us();
  if (!pool.redis_auth.empty()) {
    link_.queue(encode_command({"AUTH", pool.redis_auth}));
    inflight_.push_back({nullptr, {}, now});
  }
  if (pool.redis_db != 0) {
    link_.queue(encode_command({"SELECT", std::to_string(pool.redis_db)}));
    inflight_.push_back({nullptr, {}, now});
  }
  return true;
}

void proxy_backend::submit(inflight_part part, std::string_view bytes) {
  part.sent_us = monotonic_us();
  link_.queue(bytes);
  inflight_.push_back(std::move(part));
  bump(stats_.requests);
  want_flush();
}

void proxy_backend::submit_command(inflight_part part, const std::vector<std::string_view>& args) {
  part.sent_us = monotonic_us();
  append_command(link_.queue_buffer(), args);
  inflight_.push_back(std::move(part));
  bump(stats_.requests);
  want_flush();
}

// One batch in flight per link: while the backend works on what was written,
// the requests that come meanwhile wait here and leave together once its
// replies are back, not each pass in a small write of their own. A
// single-threaded backend serves a connection in order anyway, so they would
// have waited as long in its socket; what changes is the number of reads,
// writes and wake-ups on both sides, which is what a busy machine runs out of.
// A batch that grows past hold_limit leaves at once.
void proxy_backend::want_flush() {
  constexpr size_t hold_limit = 64 * 1024;
  if (flush_queued_ || (unanswered_ > 0 && link_.output_pending() < hold_limit)) return;
  flush_queued_ = true;
  home().defer_flush_first(this);
}

void proxy_backend::flush_pending() {
  flush_queued_ = false;
  link_.flush_queued();
  unanswered_ = inflight_.size();
}

void proxy_backend::on_readable() {
  // input() starts with the first reply not yet handed on; the scanner has
  // seen `scanned_` bytes of it already. Each complete reply's end is noted,
  // then the replies are handed on (which may fail the link) after the scan.
  const char* in = link_.input();
  size_t len = link_.input_size();
  ends_.clear();
  size_t seen = scanned_;
  scanned_ += scanner_.scan(in + seen, len - seen, [&](bool, std::string_view, size_t end) {
    ends_.push_back(seen + end);
  });
  size_t start = 0;
  int64_t now = 0;
  for (size_t end : ends_) {
    std::string_view reply(in + start, end - start);
    if (inflight_.empty()) {
      link_.consume(start);
      return fail("a reply nobody asked for");
    }
    // The scanner passes over RESP3 pushes; on a RESP2 link one is garbage.
    if (reply[0] == '>') {
      link_.consume(start);
      return fail("a push message on a RESP2 link");
    }
    start = end;
    inflight_part part = std::move(inflight_.front());
    inflight_.pop_front();
    if (unanswered_ > 0) --unanswered_;
    if (!part.req) {
      // The link's own AUTH / SELECT: a refusal makes the link useless.
      if (reply[0] == '-') {
        std::string why = "the backend refused the pool's AUTH/SELECT: " +
                          std::string(reply.substr(1, reply.size() - 3));
        link_.consume(start);
        return fail(why);
      }
      continue;
    }
    if (now == 0) now = monotonic_us();
    stats_.add_latency(uint64_t(std::max<int64_t>(0, now - part.sent_us)));
    if (reply[0] == '-') bump(stats_.error_replies);
    complete_part(part, reply);
  }
  link_.consume(start);
  scanned_ -= start;
  if (scanner_.failed()) return fail(scanner_.failure());
  if (start > 0) router_.backend_ok(server_);
  // The batch in flight is answered: what was held back leaves now.
  if (unanswered_ == 0 && !inflight_.empty()) want_flush();
}

void proxy_backend::check_timeout(int64_t now_us, int64_t timeout_us) {
  if (inflight_.empty() || now_us - inflight_.front().sent_us < timeout_us) return;
  bump(stats_.timeouts);
  fail("Connection timed out");
}

void proxy_backend::fail(const std::string& why) {
  // The link may be closed already (a refused connect is reported after it).
  bool had_link = active_;
  active_ = false;
  unanswered_ = 0;
  link_.close();
  scanner_.reset();
  scanned_ = 0;
  std::string line = "-ERR proxy backend " + address_ + ": " + why + "\r\n";
  std::deque<inflight_part> lost;
  lost.swap(inflight_);
  for (auto& part : lost) {
    if (part.req) bump(stats_.errors);
    fail_part(part, line);
  }
  if (had_link && why != "the proxy is stopping") {
    log_verbose("Proxy backend {} failed: {}", address_, why);
    router_.backend_failed(server_);
  }
}

}  // namespace troupe
