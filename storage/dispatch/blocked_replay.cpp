// Serving clients blocked on keys that a command just created (see
// storage/blocking.hpp): each waiter's command is replayed for it through the
// dispatcher, under every shard it touches, first come first served.
#include <algorithm>
#include <tuple>

#include "protocol/resp/reply_writer.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/dispatch/dispatcher.hpp"
#include "storage/keyspace/keyspace.hpp"

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

// Takes a blocked client off the queues of all its keys (their shards are held).
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

}  // namespace

bool dispatcher::end_block(const blocked_ptr& w) {
  shard_set_guard g;
  std::vector<int> shards = w->shards;
  g.acquire(ks_, shards);
  if (w->done.load()) return false;  // already served: the reply is on its way
  w->done.store(true);
  forget_waiter(ks_, w);
  w->s->clear(client_blocked);
  return true;
}

void dispatcher::serve_ready_keys() {
  while (ks_.ready_pending.exchange(false)) {
    std::vector<std::tuple<int, int, std::string>> ready;
    for (int s = 0; s < ks_.shard_count(); ++s) {
      shard_set_guard g;
      std::vector<int> one{s};
      g.acquire(ks_, one);
      for (auto& [db, key] : ks_.shard(s).ready_keys()) ready.emplace_back(s, db, std::move(key));
      ks_.shard(s).ready_keys().clear();
    }
    for (auto& [s, db, key] : ready) {
      // Serve waiters in the order they blocked, while the key has something.
      for (;;) {
        blocked_ptr w = first_waiter(ks_, s, db, key);
        if (!w) break;
        shard_set_guard g;
        std::vector<int> shards = w->shards;
        g.acquire(ks_, shards);
        if (w->done.load()) continue;
        std::string reply;
        reply_writer out(reply);
        out.set_resp(w->s->resp);
        std::vector<std::string_view> args(w->args.begin(), w->args.end());
        // A blocked client sends nothing, so its session still selects w->db.
        execute(*w->cmd, args, *w->s, out, command_origin::blocked_replay, true);
        if (reply.empty()) break;  // taken by someone else, or of another type now
        w->done.store(true);
        forget_waiter(ks_, w);
        g.release();
        w->wake(std::move(reply));
      }
    }
  }
}

}  // namespace troupe
