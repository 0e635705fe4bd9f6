// MULTI / EXEC / DISCARD / WATCH. Queued commands run under every shard they
// touch (and the watched keys' shards), held for the whole EXEC, so a
// transaction is atomic and isolated across reactors too.
#include <algorithm>

#include "protocol/commands/command_table.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "storage/commands/exec_context.hpp"
#include "storage/dispatch/command_checks.hpp"
#include "storage/dispatch/dispatcher.hpp"
#include "storage/keyspace/keyspace.hpp"

namespace troupe {

void dispatcher::begin_transaction(session& client) {
  client.set(client_multi);
  client.multi_queued.store(0, std::memory_order_relaxed);
}

void dispatcher::discard_transaction(session& client) {
  client.tx.queue.clear();
  client.clear(client_multi);  // before unwatch_all: it takes its own locks
  client.clear(client_dirty_exec);
  client.multi_queued.store(-1, std::memory_order_relaxed);
  unwatch_all(client);
}

void dispatcher::exec_transaction(exec_context& exec) {
  session& client = exec.client;
  reply_writer& out = exec.out;
  if (client.has(client_dirty_exec)) {
    discard_transaction(client);
    out.error("EXECABORT Transaction discarded because of previous errors.");
    return;
  }
  std::vector<queued_command> queue = std::move(client.tx.queue);
  client.tx.queue.clear();
  shard_set_guard guard;
  if (ks_.concurrent()) {
    std::vector<int> shards;
    bool all = false;
    for (auto& q : queue) {
      std::vector<std::string_view> args(q.args.begin(), q.args.end());
      if (!collect_shards(*q.cmd, args, shards)) all = true;
    }
    for (auto& [db, key] : client.tx.watched) shards.push_back(ks_.shard_of_key(key));
    if (all)
      guard.acquire_all(ks_);
    else
      guard.acquire(ks_, shards);
  }
  // A watched key that expired since WATCH is a change too: looking it up
  // expires it, which marks this client dirty.
  for (auto& [db, key] : client.tx.watched) exec.lookup(exec.key(key, db));
  if (client.has(client_dirty_cas)) {
    guard.release();
    client.clear(client_multi);
    client.multi_queued.store(-1, std::memory_order_relaxed);
    unwatch_all(client);
    out.null_array();
    return;
  }
  // Watches end here, under the same locks (EXEC unwatches as Redis does).
  unwatch_all(client);
  client.clear(client_multi);
  client.multi_queued.store(-1, std::memory_order_relaxed);
  out.array(queue.size());
  client.tx.ops.clear();
  for (auto& q : queue) {
    std::vector<std::string_view> args(q.args.begin(), q.args.end());
    if (auto denied = acl_recheck_queued(*q.cmd, args, client, srv_)) {
      out.error(*denied);
      continue;
    }
    execute(*q.cmd, args, client, out, command_origin::transaction, true);
  }
  // The transaction's writes enter the journal together (MULTI/EXEC if more
  // than one), still under its shards. A replayed transaction is the journal's
  // already.
  // A master's transaction enters as the master sent it (MULTI to EXEC).
  if (exec.origin == command_origin::replication)
    journal_stream(client);
  else if (exec.origin != command_origin::replay && !client.tx.ops.empty()) {
    srv_.journal_ops(client.tx.ops);
    client.woff = srv_.journal_end();
  }
  client.tx.ops.clear();
}

void dispatcher::watch(session& client, int db, const std::vector<std::string_view>& keys) {
  auto& watched = client.tx.watched;
  for (auto key : keys) {
    bool already = std::any_of(watched.begin(), watched.end(),
                               [&](auto& w) { return w.first == db && w.second == key; });
    if (already) continue;
    watched.emplace_back(db, std::string(key));
    ks_.shard(ks_.shard_of_key(key)).watched(db)[std::string(key)].push_back(&client);
    ks_.watched_keys.fetch_add(1, std::memory_order_relaxed);
  }
}

void dispatcher::unwatch_all(session& client) {
  client.clear(client_dirty_cas);
  auto& watched = client.tx.watched;
  if (watched.empty()) return;
  // EXEC already holds these shards; otherwise take them now.
  shard_set_guard guard;
  if (ks_.concurrent() && !client.has(client_multi)) {
    std::vector<int> shards;
    for (auto& [db, key] : watched) shards.push_back(ks_.shard_of_key(key));
    guard.acquire(ks_, shards);
  }
  for (auto& [db, key] : watched) {
    watch_map& m = ks_.shard(ks_.shard_of_key(key)).watched(db);
    auto it = m.find(key);
    if (it == m.end()) continue;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), &client), v.end());
    if (v.empty()) m.erase(it);
    ks_.watched_keys.fetch_sub(1, std::memory_order_relaxed);
  }
  watched.clear();
}

}  // namespace troupe
