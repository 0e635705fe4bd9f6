// Client-side caching (CLIENT TRACKING), as Redis 7.0 does it:
// - default mode: the keys a tracking client read are remembered (key -> the
//   clients that read it); when a key changes, each of them is told once
//   ("invalidate" with the key) and forgotten until it reads the key again;
// - BCAST mode: a client names prefixes and hears of every change to a key
//   under them, batched per reactor pass;
// - FLUSHALL / FLUSHDB tell every tracking client "invalidate" with nil;
// - tracking-table-max-keys: past it, remembered keys are invalidated (and
//   forgotten) at random until the table is back under the limit.
// Keys are names only, across databases (as in Redis). Plain C++ with its own
// lock: commands on any reactor remember and invalidate; the server delivers
// the messages (to the client itself, or to its REDIRECT client).
#pragma once
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace troupe {

struct tracking_options {
  uint64_t redirect = 0;  // 0: the client itself
  bool bcast = false, optin = false, optout = false, noloop = false;
  std::vector<std::string> prefixes;  // BCAST only; "" is every key
};

// One message to send: to `tracker` (or its redirect target): the keys that
// changed, or every key (a flush) when `flush` is set.
struct invalidation {
  uint64_t tracker = 0;
  uint64_t redirect = 0;  // where it goes when non-zero
  bool flush = false;
  std::vector<std::string> keys;
};

class tracking_table {
 public:
  // True while some client tracks: the write path checks this first.
  bool active() const { return trackers_.load(std::memory_order_relaxed) > 0; }

  // CLIENT TRACKING ON (again: new prefixes are added, options kept) and OFF.
  void enable(uint64_t client, const tracking_options& o);
  void disable(uint64_t client);
  // The options of a tracking client (false if it does not track).
  bool options_of(uint64_t client, tracking_options& out) const;

  // A tracking client read `key` (not in BCAST mode).
  void remember(uint64_t client, std::string_view key);
  // `key` changed, by client `modifier` (0: the server: expiry, eviction, a
  // master). Appends what to send to `out`; BCAST keys wait for take_broadcasts.
  void key_modified(std::string_view key, uint64_t modifier, std::vector<invalidation>& out);
  // Every key changed (FLUSHALL, FLUSHDB, a replica's full sync): a nil
  // invalidation for every tracking client; the table empties.
  void flushed(std::vector<invalidation>& out);
  // The BCAST messages gathered since the last call (one per client, its keys).
  void take_broadcasts(std::vector<invalidation>& out);
  // tracking-table-max-keys (0: no limit): invalidates keys past it.
  void enforce_max_keys(size_t max_keys, std::vector<invalidation>& out);

  // INFO: tracking_total_keys, tracking_total_items, tracking_total_prefixes, tracking_clients.
  size_t total_keys() const;
  size_t total_items() const;
  size_t total_prefixes() const;
  size_t clients() const { return size_t(trackers_.load(std::memory_order_relaxed)); }

 private:
  struct pending_key {
    std::string key;
    uint64_t modifier;
  };
  struct prefix_state {
    std::unordered_set<uint64_t> clients;
    std::vector<pending_key> pending;
  };
  void queue_for(uint64_t client, const tracking_options& o, std::vector<std::string> keys,
                 bool flush, std::vector<invalidation>& out) const;

  mutable std::mutex mutex_;
  std::atomic<int64_t> trackers_{0};
  std::unordered_map<uint64_t, tracking_options> clients_;
  // Default mode: key -> clients that read it (ids of clients no longer
  // tracking are skipped when the key changes).
  std::unordered_map<std::string, std::unordered_set<uint64_t>> keys_;
  size_t items_ = 0;
  std::unordered_map<std::string, prefix_state> prefixes_;
};

}  // namespace troupe
