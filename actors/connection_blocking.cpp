// A connection blocked on keys: registering the wait, timeouts, CLIENT UNBLOCK,
// and resuming the pipeline once served.
#include <algorithm>

#include <caf/all.hpp>

#include "actors/blocking.hpp"
#include "actors/connection.hpp"
#include "actors/messages.hpp"
#include "actors/server.hpp"
#include "protocol/command_table.hpp"
#include "storage/exec_context.hpp"

namespace troupe {

void connection::start_block(exec_context& ctx, const command_spec& cmd,
                             const std::vector<std::string_view>& args) {
  keyspace& ks = srv_.keys();
  auto w = std::make_shared<blocked_client>();
  w->s = &session_;
  w->db = ctx.db_index;
  w->cmd = &cmd;
  w->args.assign(args.begin(), args.end());
  w->keys = ctx.block_keys;
  std::vector<int> positions;
  cmd.key_positions(args, positions);
  for (int p : positions) w->shards.push_back(ks.shard_of_key(args[size_t(p)]));
  std::sort(w->shards.begin(), w->shards.end());
  w->shards.erase(std::unique(w->shards.begin(), w->shards.end()), w->shards.end());
  caf::actor self = caf::actor_cast<caf::actor>(this);
  w->wake = [self](std::string reply) {
    caf::anon_send(self, unblock_atom::value, std::move(reply));
  };
  // The command's shards are held by the caller: register on every key.
  for (auto& key : w->keys) ks.shard(ks.shard_of_key(key)).blocked(w->db)[key].push_back(w);
  ks.blocked_clients.fetch_add(1, std::memory_order_relaxed);
  blocked_ = w;
  session_.set(client_blocked);
  if (ctx.block_timeout_ms > 0)
    block_timer_ = home().after(ctx.block_timeout_ms, [this] {
      block_timer_ = 0;
      if (blocked_) end_block(unblock_reason::timeout);
    });
}

void connection::end_block(unblock_reason why) {
  blocked_ptr w = blocked_;
  if (!w) return;
  keyspace& ks = srv_.keys();
  {
    shard_set_guard g;
    std::vector<int> shards = w->shards;
    g.acquire(ks, shards);
    if (w->done.load()) return;  // already served: the reply is on its way
    w->done.store(true);
    forget_waiter(ks, w);
  }
  blocked_.reset();
  session_.clear(client_blocked);
  if (block_timer_ != 0) home().cancel(block_timer_);
  block_timer_ = 0;
  if (why == unblock_reason::closing) return;
  if (why == unblock_reason::error)
    writer_.error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
  else
    writer_.null_array();
  process_input();  // commands pipelined behind the blocking one
  want_flush();
}

void connection::on_served(const std::string& reply) {
  if (!blocked_) return;
  blocked_.reset();
  session_.clear(client_blocked);
  if (block_timer_ != 0) home().cancel(block_timer_);
  block_timer_ = 0;
  out_.append(reply);
  process_input();
  want_flush();
}

}  // namespace troupe
