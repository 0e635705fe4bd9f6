// A connection blocked on keys: the timeout, CLIENT UNBLOCK, and resuming the
// pipeline once served; and a connection whose command waits for a pause to end. Registering and
// serving waiters is the dispatcher's (storage/dispatcher.hpp); this file is the connection's side
// of it.
#include <caf/all.hpp>

#include "actors/client/connection.hpp"
#include "actors/runtime/messages.hpp"
#include "actors/server/server.hpp"
#include "protocol/commands/command_table.hpp"
#include "storage/dispatch/dispatcher.hpp"
#include "storage/dispatch/slot_check.hpp"

namespace troupe {

void connection::on_block(const blocked_ptr& w, int64_t timeout_ms) {
  caf::actor self = caf::actor_cast<caf::actor>(this);
  w->wake = [self](std::string reply) {
    caf::anon_send(self, unblock_atom::value, std::move(reply));
  };
  blocked_ = w;
  // A deadline beyond any clock (Redis's would overflow) is a wait for ever.
  constexpr int64_t max_timer_ms = int64_t(1) << 52;
  if (timeout_ms > 0 && timeout_ms < max_timer_ms)
    block_timer_ = home().after(timeout_ms, [this] {
      block_timer_ = 0;
      if (blocked_) end_block(unblock_reason::timeout);
    });
  if (srv_.cluster_enabled() && !w->keys.empty()) watch_blocked_slot();
}

void connection::watch_blocked_slot() {
  // As often as Redis's clients cron looks at a client: every 100 ms.
  slot_check_timer_ = home().after(100, [this] {
    slot_check_timer_ = 0;
    if (!blocked_) return;
    bool readonly_read = session_.has(client_readonly) && blocked_->cmd != nullptr &&
                         !(blocked_->cmd->flags & cmd_write);
    if (auto err = blocked_redirect(srv_, blocked_->keys, readonly_read))
      end_block(unblock_reason::cluster_redirect, *err);
    else
      watch_blocked_slot();
  });
}

bool connection::on_postpone(pause_kind held) {
  postponed_ = true;
  srv_.pauses().postpone(caf::actor_cast<caf::actor>(this), held);
  return true;
}

void connection::forget_block() {
  blocked_.reset();
  session_.clear(client_blocked);
  if (block_timer_ != 0) home().cancel(block_timer_);
  block_timer_ = 0;
  if (slot_check_timer_ != 0) home().cancel(slot_check_timer_);
  slot_check_timer_ = 0;
}

void connection::end_block(unblock_reason why, std::string_view error) {
  blocked_ptr w = blocked_;
  if (!w) return;
  if (!engine_.end_block(w)) return;  // already served: the reply is on its way
  forget_block();
  if (why == unblock_reason::closing) return;
  if (why == unblock_reason::error)
    writer_.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  else if (why == unblock_reason::cluster_redirect)
    writer_.error(error);
  else if (why == unblock_reason::role_change)
    writer_.error(
        "UNBLOCKED force unblock from blocking operation, instance state changed (master -> "
        "replica?)");
  else if (w->cmd != nullptr && w->cmd->name == "wait")
    writer_.integer(srv_.replicas().acked_for(w));  // WAIT's timeout answer: the count so far
  else
    writer_.null_array();
  process_input();  // commands pipelined behind the blocking one
  want_flush();
}

void connection::on_served(const std::string& reply) {
  if (!blocked_) return;
  forget_block();
  out_.append(reply);
  process_input();
  want_flush();
}

}  // namespace troupe
