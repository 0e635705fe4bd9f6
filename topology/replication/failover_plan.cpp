#include "topology/replication/failover_plan.hpp"

#include <strings.h>

#include <algorithm>
#include <cstring>

#include "protocol/text/numbers.hpp"

namespace troupe {
namespace {

bool is(std::string_view a, const char* b) {
  return a.size() == strlen(b) && strncasecmp(a.data(), b, a.size()) == 0;
}

const failover_candidate* find(const std::vector<failover_candidate>& replicas,
                               const std::string& host, int64_t port) {
  for (auto& r : replicas)
    if (r.host == host && r.port == port) return &r;
  return nullptr;
}

}  // namespace

std::variant<failover_request, std::string> parse_failover(
    const std::vector<std::string_view>& args) {
  failover_request req;
  // ABORT stands alone (with anything else it is a syntax error, as in Redis).
  if (args.size() == 1 && is(args[0], "abort")) {
    req.abort = true;
    return req;
  }
  for (size_t j = 0; j < args.size(); ++j) {
    if (is(args[j], "timeout") && j + 1 < args.size() && req.timeout_ms == 0) {
      auto v = parse_int64(args[j + 1]);
      if (!v) return std::string("ERR value is not an integer or out of range");
      if (*v <= 0) return std::string("ERR FAILOVER timeout must be greater than 0");
      req.timeout_ms = *v;
      ++j;
    } else if (is(args[j], "to") && j + 2 < args.size() && !req.has_target) {
      auto port = parse_int64(args[j + 2]);
      if (!port) return std::string("ERR value is not an integer or out of range");
      req.has_target = true;
      req.host = std::string(args[j + 1]);
      req.port = *port;
      j += 2;
    } else if (is(args[j], "force") && !req.force) {
      req.force = true;
    } else {
      return std::string("ERR syntax error");
    }
  }
  return req;
}

std::optional<std::string> failover_plan::begin(const failover_request& req, bool is_replica,
                                                const std::vector<failover_candidate>& replicas,
                                                int64_t now_ms) {
  if (req.abort) {
    if (phase_ == phase::none) return "ERR No failover in progress.";
    return std::nullopt;  // the caller aborts
  }
  if (phase_ != phase::none) return "ERR FAILOVER already in progress.";
  if (is_replica) return "ERR FAILOVER is not valid when server is a replica.";
  if (replicas.empty()) return "ERR FAILOVER requires connected replicas.";
  if (req.force && (req.timeout_ms == 0 || !req.has_target))
    return "ERR FAILOVER with force option requires both a timeout and target HOST and IP.";
  if (req.has_target) {
    const failover_candidate* r = find(replicas, req.host, req.port);
    if (r == nullptr) return "ERR FAILOVER target HOST and PORT is not a replica.";
    if (!r->online) return "ERR FAILOVER target replica is not online.";
    target_host_ = req.host;
    target_port_ = int(req.port);
  } else {
    target_host_.clear();
    target_port_ = 0;
  }
  force_ = req.force;
  end_ms_ = req.timeout_ms > 0 ? now_ms + req.timeout_ms : 0;
  phase_ = phase::waiting_for_sync;
  return std::nullopt;
}

failover_plan::decision failover_plan::check(int64_t now_ms, int64_t master_offset,
                                             const std::vector<failover_candidate>& replicas) {
  decision d;
  if (phase_ != phase::waiting_for_sync) return d;
  if (end_ms_ != 0 && end_ms_ <= now_ms) {
    if (force_) {
      d.what = decision::kind::switch_roles;
      d.forced = true;
    } else {
      d.what = decision::kind::abort;
      d.reason = "Replica never caught up before timeout";
    }
    return d;
  }
  if (has_target()) {
    const failover_candidate* r = find(replicas, target_host_, target_port_);
    if (r != nullptr && r->acked == master_offset) d.what = decision::kind::switch_roles;
    return d;
  }
  for (auto& r : replicas) {
    if (r.acked != master_offset) continue;
    target_host_ = r.host;
    target_port_ = r.port;
    d.what = decision::kind::switch_roles;
    break;
  }
  return d;
}

void failover_plan::switched(int64_t now_ms) {
  phase_ = phase::in_progress;
  switched_at_ms_ = now_ms;
}

bool failover_plan::switch_timed_out(int64_t now_ms) const {
  if (phase_ != phase::in_progress) return false;
  int64_t deadline = std::max(end_ms_, switched_at_ms_ + failover_switch_grace_ms);
  return now_ms >= deadline;
}

void failover_plan::clear() {
  phase_ = phase::none;
  target_host_.clear();
  target_port_ = 0;
  force_ = false;
  end_ms_ = 0;
  switched_at_ms_ = 0;
}

const char* failover_plan::state_name() const {
  switch (phase_) {
    case phase::none:
      return "no-failover";
    case phase::waiting_for_sync:
      return "waiting-for-sync";
    case phase::in_progress:
      return "failover-in-progress";
  }
  return "no-failover";
}

}  // namespace troupe
