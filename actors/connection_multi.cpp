// MULTI / EXEC / DISCARD / WATCH for one connection. Queued commands run under
// every shard they touch (and the watched keys' shards), held for the whole
// EXEC, so a transaction is atomic and isolated across reactors too.
#include <algorithm>

#include "actors/connection.hpp"
#include "actors/server.hpp"
#include "protocol/command_table.hpp"
#include "storage/exec_context.hpp"

namespace troupe {

void connection::begin_multi() {
  session_.set(client_multi);
  session_.multi_queued.store(0, std::memory_order_relaxed);
}

void connection::queue_multi(const command_spec& cmd, const std::vector<std::string_view>& args) {
  queued_command q{&cmd, {}};
  q.args.reserve(args.size());
  for (auto a : args) q.args.emplace_back(a);
  multi_queue_.push_back(std::move(q));
  session_.multi_queued.store(int(multi_queue_.size()), std::memory_order_relaxed);
  writer_.simple("QUEUED");
}

void connection::discard_multi() {
  multi_queue_.clear();
  session_.clear(client_multi);  // before unwatch_all: it takes its own locks
  session_.clear(client_dirty_exec);
  session_.multi_queued.store(-1, std::memory_order_relaxed);
  unwatch_all();
}

void connection::exec_multi() {
  if (session_.has(client_dirty_exec)) {
    discard_multi();
    writer_.error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  std::vector<queued_command> queue = std::move(multi_queue_);
  multi_queue_.clear();
  keyspace& ks = srv_.keys();
  shard_set_guard guard;
  if (ks.concurrent()) {
    shard_ids_.clear();
    bool all = false;
    for (auto& q : queue) {
      std::vector<std::string_view> args(q.args.begin(), q.args.end());
      if (!collect_shards(*q.cmd, args)) all = true;
    }
    for (auto& [db, key] : watched_) shard_ids_.push_back(ks.shard_of_key(key));
    if (all)
      guard.acquire_all(ks);
    else
      guard.acquire(ks, shard_ids_);
  }
  // A watched key that expired since WATCH is a change too: looking it up
  // expires it, which marks this client dirty.
  for (auto& [db, key] : watched_) {
    static const command_spec none{};
    std::vector<std::string_view> no_args;
    exec_context ctx(no_args, writer_, session_, ks, srv_, none, wall_clock_ms());
    ctx.lookup(ctx.key(key, db));
  }
  if (session_.has(client_dirty_cas)) {
    guard.release();
    session_.clear(client_multi);
    session_.multi_queued.store(-1, std::memory_order_relaxed);
    unwatch_all();
    writer_.null_array();
    return;
  }
  // Watches end here, under the same locks (EXEC unwatches as Redis does).
  unwatch_all();
  session_.clear(client_multi);
  session_.multi_queued.store(-1, std::memory_order_relaxed);
  writer_.array(queue.size());
  executing_multi_ = true;
  tx_ops_.clear();
  for (auto& q : queue) {
    std::vector<std::string_view> args(q.args.begin(), q.args.end());
    run_command(*q.cmd, args);
  }
  executing_multi_ = false;
  // The transaction's writes enter the journal together (MULTI/EXEC if more
  // than one), still under its shards.
  srv_.journal_log().append_ops(tx_ops_);
  tx_ops_.clear();
}

void connection::watch(int db, const std::vector<std::string_view>& keys) {
  keyspace& ks = srv_.keys();
  for (auto key : keys) {
    bool already = std::any_of(watched_.begin(), watched_.end(),
                               [&](auto& w) { return w.first == db && w.second == key; });
    if (already) continue;
    watched_.emplace_back(db, std::string(key));
    ks.shard(ks.shard_of_key(key)).watched(db)[std::string(key)].push_back(&session_);
    ks.watched_keys.fetch_add(1, std::memory_order_relaxed);
  }
}

void connection::unwatch_all() {
  session_.clear(client_dirty_cas);
  if (watched_.empty()) return;
  keyspace& ks = srv_.keys();
  // EXEC already holds these shards; otherwise take them now.
  shard_set_guard guard;
  if (ks.concurrent() && !in_multi()) {
    shard_ids_.clear();
    for (auto& [db, key] : watched_) shard_ids_.push_back(ks.shard_of_key(key));
    guard.acquire(ks, shard_ids_);
  }
  for (auto& [db, key] : watched_) {
    watch_map& m = ks.shard(ks.shard_of_key(key)).watched(db);
    auto it = m.find(key);
    if (it == m.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &session_), v.end());
    if (v.empty()) m.erase(it);
    ks.watched_keys.fetch_sub(1, std::memory_order_relaxed);
  }
  watched_.clear();
}

}  // namespace troupe
