#include "actors/blocking.hpp"

#include <algorithm>

#include "actors/server.hpp"
#include "storage/exec_context.hpp"

namespace troupe {
namespace {

// The first waiter still waiting on (db, key) in shard s, dropping finished ones.
blocked_ptr first_waiter(keyspace& ks, int s, int db, const std::string& key) {
  shard_set_guard g;
  std::vector<int> one{s};
  g.acquire(ks, one);
  blocked_map& m = ks.shard(s).blocked(db);
  auto it = m.find(key);
  if (it == m.end()) return nullptr;
  auto& q = it->second;
  while (!q.empty() && q.front()->done.load()) q.pop_front();
  if (q.empty()) {
    m.erase(it);
    return nullptr;
  }
  return q.front();
}

}  // namespace

void forget_waiter(keyspace& ks, const blocked_ptr& w) {
  for (auto& key : w->keys) {
    blocked_map& m = ks.shard(ks.shard_of_key(key)).blocked(w->db);
    auto it = m.find(key);
    if (it == m.end()) continue;
    auto& q = it->second;
    q.erase(std::remove(q.begin(), q.end(), w), q.end());
    if (q.empty()) m.erase(it);
  }
  ks.blocked_clients.fetch_sub(1, std::memory_order_relaxed);
}

void serve_ready_keys(server& srv) {
  keyspace& ks = srv.keys();
  while (ks.ready_pending.exchange(false)) {
    std::vector<std::tuple<int, int, std::string>> ready;
    for (int s = 0; s < ks.shard_count(); ++s) {
      shard_set_guard g;
      std::vector<int> one{s};
      g.acquire(ks, one);
      for (auto& [db, key] : ks.shard(s).ready_keys()) ready.emplace_back(s, db, std::move(key));
      ks.shard(s).ready_keys().clear();
    }
    for (auto& [s, db, key] : ready) {
      // Serve waiters in the order they blocked, while the key has something.
      for (;;) {
        blocked_ptr w = first_waiter(ks, s, db, key);
        if (!w) break;
        shard_set_guard g;
        std::vector<int> shards = w->shards;
        g.acquire(ks, shards);
        if (w->done.load()) continue;
        std::string reply;
        reply_writer out(reply);
        out.set_resp(w->s->resp);
        std::vector<std::string_view> args(w->args.begin(), w->args.end());
        exec_context ctx(args, out, *w->s, ks, srv, *w->cmd, wall_clock_ms());
        ctx.db_index = w->db;
        ctx.blocking = block_mode::retry;
        w->cmd->handler(ctx);
        if (reply.empty()) break;  // taken by someone else, or of another type now
        w->done.store(true);
        forget_waiter(ks, w);
        // Journal the served pop as its non-blocking form, under the same shards.
        std::vector<write_journal::op> ops;
        for (auto& r : ctx.rewritten) ops.emplace_back(w->db, std::move(r));
        srv.journal_log().append_ops(ops);
        g.release();
        w->wake(std::move(reply));
      }
    }
  }
}

}  // namespace troupe
