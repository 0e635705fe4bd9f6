// The key -> server map of one twemproxy pool, placing every key where
// nutcracker 0.5.0 places it: the hash tag, the key hash, and the ketama,
// modula or random distribution over the servers that are live, with
// nutcracker's auto_eject_hosts bookkeeping (failure counts, ejection for
// server_retry_timeout, rebuilds without the ejected servers and with them
// again once their retry time has passed). Plain state: no clock, no sockets;
// the caller passes the time in milliseconds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "topology/proxy/pool_config.hpp"

namespace troupe::proxy {

class proxy_ring {
 public:
  static constexpr size_t npos = std::numeric_limits<size_t>::max();

  // One point of the ketama continuum (for modula and random: one entry per
  // live server in nutcracker's order, value unused).
  struct point {
    uint32_t value = 0;
    size_t server = 0;  // index into the pool's servers (the file's order)
  };

  proxy_ring() = default;
  explicit proxy_ring(const pool_config& cfg) { build(cfg); }
  // Takes the pool's servers, hash and distribution; every server live.
  void build(const pool_config& cfg);

  size_t server_count() const { return servers_.size(); }
  size_t live_count() const { return live_; }

  // The server (index into cfg.servers) that holds `key`; npos when no server
  // is live (nutcracker answers such requests with an error). With the
  // `random` distribution each call picks a live server at random, weights
  // ignored (as nutcracker does).
  size_t server_for(std::string_view key) const;
  // The hash the distribution sees for `key` (the hash tag applied; 0 when the
  // pool has a single server, as in nutcracker).
  uint32_t key_hash(std::string_view key) const;
  // The part of `key` that is hashed: with a two-character tag such as "{}",
  // the bytes between the first opening character and the first closing one
  // after it, when that is not empty; else the whole key.
  static std::string_view hash_tag_key(std::string_view key, std::string_view tag);

  // A failed request or connection to server i at now_ms. With
  // auto_eject_hosts, the server_failure_limit-th consecutive failure ejects
  // it for server_retry_timeout ms; true when that changed the ring.
  bool record_failure(size_t i, int64_t now_ms);
  // A reply from server i: clears its failure count (and a pending retry time,
  // as nutcracker does only when the count was not 0). Never changes the ring
  // by itself: an ejected server comes back through maybe_restore. Returns false.
  bool record_success(size_t i);
  // Called before routing (nutcracker does it for every request): once the
  // earliest retry time has passed, rebuilds the ring with every server whose
  // retry time has passed. True when the ring changed.
  bool maybe_restore(int64_t now_ms);

  bool is_ejected(size_t i) const { return i < servers_.size() && !servers_[i].live; }
  uint32_t failure_count(size_t i) const {
    return i < servers_.size() ? servers_[i].failure_count : 0;
  }
  // When server i may come back (ms), 0 when it is not ejected.
  int64_t next_retry(size_t i) const { return i < servers_.size() ? servers_[i].next_retry : 0; }
  // The earliest retry time of the ejected servers, 0 when none is ejected.
  int64_t next_rebuild() const { return next_rebuild_; }

  const std::vector<point>& continuum() const { return continuum_; }
  // The servers in nutcracker's internal order (by name: shorter names first,
  // then bytewise), which modula and ties on the ketama continuum follow.
  const std::vector<size_t>& internal_order() const { return order_; }

 private:
  struct server_state {
    std::string name;
    uint32_t weight = 1;
    uint32_t failure_count = 0;
    int64_t next_retry = 0;
    bool live = true;
  };

  // Recomputes which servers are live at now_ms and the continuum; true when
  // the set of live servers changed.
  bool rebuild(int64_t now_ms);
  void build_ketama();
  // Modula: `weight` slots per live server; random: one each.
  void build_modula(bool one_slot_each);

  std::vector<server_state> servers_;
  std::vector<size_t> order_;
  std::vector<point> continuum_;
  std::vector<uint64_t> modula_end_;  // modula/random: cumulative slot counts
  hash_kind hash_ = hash_kind::fnv1a_64;
  distribution_kind dist_ = distribution_kind::ketama;
  std::string hash_tag_;
  bool auto_eject_ = false;
  uint32_t failure_limit_ = 2;
  int64_t retry_timeout_ms_ = 30000;
  int64_t next_rebuild_ = 0;
  size_t live_ = 0;
};

}  // namespace troupe::proxy
