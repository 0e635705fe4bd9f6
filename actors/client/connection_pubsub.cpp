// SUBSCRIBE and friends for one connection, delivery of published messages,
// and client-output-buffer-limit, which protects the server from subscribers
// that do not read.
#include "actors/client/connection.hpp"
#include "actors/runtime/log.hpp"
#include "actors/server/server.hpp"
#include "storage/dispatch/invalidation_reply.hpp"

namespace troupe {

namespace {
const char* subscribe_reply(sub_kind k) {
  return k == sub_kind::channel   ? "subscribe"
         : k == sub_kind::pattern ? "psubscribe"
                                  : "ssubscribe";
}
const char* unsubscribe_reply(sub_kind k) {
  return k == sub_kind::channel   ? "unsubscribe"
         : k == sub_kind::pattern ? "punsubscribe"
                                  : "sunsubscribe";
}
}  // namespace

void connection::publish_subscription_counts() {
  session_.subscriptions.store(int(channels_.size()), std::memory_order_relaxed);
  session_.pattern_subscriptions.store(int(patterns_.size()), std::memory_order_relaxed);
  session_.shard_subscriptions.store(int(shard_channels_.size()), std::memory_order_relaxed);
  if (subscription_count() + shard_channels_.size() > 0)
    session_.set(client_pubsub);
  else
    session_.clear(client_pubsub);
}

void connection::subscribe(const std::vector<std::string_view>& names, sub_kind kind) {
  pubsub_hub& hub = srv_.pubsub();
  pubsub_hub::subscriber me{this, caf::actor_cast<caf::actor>(this), reactor_index_};
  auto& mine = subscriptions(kind);
  for (auto n : names) {
    std::string name(n);
    if (mine.insert(name).second) hub.add(kind, session_.id, me, name);
    writer_.push(3);
    writer_.bulk(subscribe_reply(kind));
    writer_.bulk(name);
    writer_.integer(count_for(kind));
  }
  publish_subscription_counts();
}

void connection::unsubscribe(const std::vector<std::string_view>& names, sub_kind kind) {
  pubsub_hub& hub = srv_.pubsub();
  auto& mine = subscriptions(kind);
  const char* reply = unsubscribe_reply(kind);
  std::vector<std::string> targets;
  if (names.empty())
    targets.assign(mine.begin(), mine.end());
  else
    for (auto n : names) targets.emplace_back(n);
  if (targets.empty()) {
    // Nothing to leave: Redis still answers once, with a nil name.
    writer_.push(3);
    writer_.bulk(reply);
    writer_.null();
    writer_.integer(count_for(kind));
  }
  for (auto& name : targets) {
    if (mine.erase(name) > 0) hub.remove(kind, session_.id, name);
    writer_.push(3);
    writer_.bulk(reply);
    writer_.bulk(name);
    writer_.integer(count_for(kind));
  }
  publish_subscription_counts();
}

void connection::leave_all_subscriptions() {
  pubsub_hub& hub = srv_.pubsub();
  for (sub_kind k : {sub_kind::channel, sub_kind::pattern, sub_kind::shard}) {
    for (auto& c : subscriptions(k)) hub.remove(k, session_.id, c);
    subscriptions(k).clear();
  }
  publish_subscription_counts();
}

void connection::deliver_invalidation(const std::vector<std::string>& keys, bool flush,
                                      bool redirected) {
  if (session_.has(client_close_asap)) return;
  if (!write_invalidation(writer_, session_.resp, redirected, session_.has(client_pubsub), keys,
                          flush))
    return;
  if (!output_within_limits()) session_.set(client_close_asap);
  want_flush();
}

void connection::tracking_redirect_broken(uint64_t redirect) {
  // Told once, as Redis: the flag stays until tracking is enabled again.
  if (!session_.has(client_tracking) || session_.has(client_tracking_broken_redir)) return;
  session_.set(client_tracking_broken_redir);
  if (session_.has(client_close_asap)) return;
  if (write_redirect_broken(writer_, session_.resp, redirect)) want_flush();
}

void connection::deliver_pubsub(std::string_view pattern, std::string_view channel,
                                std::string_view message, bool shard) {
  if (closed_ || session_.has(client_close_asap)) return;
  if (pattern.empty()) {
    writer_.push(3);
    writer_.bulk(shard ? "smessage" : "message");
  } else {
    writer_.push(4);
    writer_.bulk("pmessage");
    writer_.bulk(pattern);
  }
  writer_.bulk(channel);
  writer_.bulk(message);
  // Never close from here: the hub's lock is held. Mark, and close at flush.
  if (!output_within_limits()) session_.set(client_close_asap);
  want_flush();
}

bool connection::output_within_limits() {
  size_t pending = out_.size() - out_sent_;
  output_limit lim = srv_.output_limit_for(session_);
  if (lim.hard == 0 && lim.soft == 0) return true;
  if (lim.hard > 0 && int64_t(pending) >= lim.hard) {
    log_warning(
        "Client id={} addr={} scheduled to be closed ASAP for overcoming of output buffer "
        "limits.",
        session_.id, session_.addr);
    return false;
  }
  if (lim.soft > 0 && int64_t(pending) >= lim.soft) {
    int64_t now = wall_clock_ms();
    if (soft_limit_since_ms_ == 0) soft_limit_since_ms_ = now;
    if (now - soft_limit_since_ms_ >= lim.soft_seconds * 1000) {
      log_warning(
          "Client id={} addr={} scheduled to be closed ASAP for overcoming of output "
          "buffer limits.",
          session_.id, session_.addr);
      return false;
    }
  } else {
    soft_limit_since_ms_ = 0;
  }
  return true;
}

}  // namespace troupe
