// Rows of the directives that take several arguments or a syntax of their own:
// save points, client-output-buffer-limit, notify-keyspace-events, replicaof.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/config/config_row.hpp"

namespace troupe {

// -- save <seconds> <changes> [<seconds> <changes> ...] ------------------------------
struct save_point {
  int64_t seconds = 0, changes = 0;
  bool operator==(const save_point&) const = default;
};

class save_row : public snapshot_row<std::vector<save_point>> {
 public:
  save_row(config_table& t, std::string name, std::vector<save_point> def, std::string comment,
           row_options o = {})
      : snapshot_row(t, std::move(name), def, std::move(comment), std::move(o)),
        any_(!def.empty()) {}

  // Lock-free: whether any save point is set (writes check it after a failed BGSAVE).
  bool any() const { return any_.load(std::memory_order_relaxed); }

  bool multi_arg() const override { return true; }
  bool accumulates() const override { return true; }
  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override;
  std::vector<std::string> lines() const override;

 private:
  void stored(const std::vector<save_point>& v) override {
    any_.store(!v.empty(), std::memory_order_relaxed);
  }
  std::atomic<bool> any_;
};

// -- client-output-buffer-limit <class> <hard> <soft> <soft seconds> ... ----------
enum class client_class { normal = 0, replica = 1, pubsub = 2 };

// The limits of one client class; 0 is no limit.
struct output_limit {
  int64_t hard = 0, soft = 0, soft_seconds = 0;
  bool operator==(const output_limit&) const = default;
};

using output_limits = std::array<output_limit, 3>;  // indexed by client_class

// Read on every message written to a subscriber, so the nine numbers are atomics
// rather than a snapshot: a reader may see one class's new hard limit with its
// old soft limit during a CONFIG SET, which is harmless.
class output_limits_row : public config_row {
 public:
  output_limits_row(config_table& t, std::string name, output_limits def, std::string comment,
                    row_options o = {});

  output_limit get(client_class c) const;
  output_limits all() const;
  void on_apply(std::function<config_error(const output_limits&)> h) { hook_ = std::move(h); }

  bool multi_arg() const override { return true; }
  config_error stage(const std::vector<std::string>& args, bool add) override;
  bool commit() override;
  void keep() override { backup_ = all(); }
  void restore() override { store(backup_); }
  config_error apply() override { return hook_ ? hook_(all()) : std::nullopt; }
  bool has_hook() const override { return bool(hook_); }
  std::string text() const override;
  bool at_default() const override { return all() == default_; }
  std::vector<std::string> lines() const override;

 private:
  void store(const output_limits& v);
  std::array<std::atomic<int64_t>, 9> cells_;
  output_limits default_, staged_, backup_;
  std::function<config_error(const output_limits&)> hook_;
};

// -- notify-keyspace-events --------------------------------------------------------
std::optional<uint32_t> parse_notify_flags(std::string_view s);
std::string notify_flags_to_string(uint32_t flags);

// Keyspace notification classes, Redis's letters K E g $ l s h z x e t m d n.
enum notify_class : uint32_t {
  notify_keyspace = 1u << 0,   // K
  notify_keyevent = 1u << 1,   // E
  notify_generic = 1u << 2,    // g
  notify_string = 1u << 3,     // $
  notify_list = 1u << 4,       // l
  notify_set = 1u << 5,        // s
  notify_hash = 1u << 6,       // h
  notify_zset = 1u << 7,       // z
  notify_expired = 1u << 8,    // x
  notify_evicted = 1u << 9,    // e
  notify_stream = 1u << 10,    // t
  notify_key_miss = 1u << 11,  // m
  notify_module = 1u << 12,    // d
  notify_new = 1u << 13,       // n
  notify_all = notify_generic | notify_string | notify_list | notify_set | notify_hash |
               notify_zset | notify_expired | notify_evicted | notify_stream | notify_module,
};

// The classes as bits (notify_class); CONFIG GET prints them in Redis's order.
class notify_events_row : public value_row<uint32_t> {
 public:
  notify_events_row(config_table& t, std::string name, std::string comment, row_options o = {})
      : value_row(t, std::move(name), 0, std::move(comment), std::move(o)) {}
  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override { return notify_flags_to_string(get()); }
};

// -- shutdown-on-sigterm / shutdown-on-sigint: "default" or save|nosave|now|force --
enum shutdown_flag : uint32_t {
  shutdown_save = 1u << 0,
  shutdown_nosave = 1u << 1,
  shutdown_now = 1u << 2,
  shutdown_force = 1u << 3,
};

class shutdown_flags_row : public value_row<uint32_t> {
 public:
  shutdown_flags_row(config_table& t, std::string name, std::string comment, row_options o = {})
      : value_row(t, std::move(name), 0, std::move(comment), std::move(o)) {}
  bool multi_arg() const override { return true; }
  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override;
};

// -- replicaof <host> <port> | replicaof no one --------------------------------------
struct replica_target {
  std::string host;  // empty: not a replica
  int port = 0;
  bool operator==(const replica_target&) const = default;
};

class replicaof_row : public snapshot_row<replica_target> {
 public:
  replicaof_row(config_table& t, std::string name, std::string comment, row_options o = {})
      : snapshot_row(t, std::move(name), {}, std::move(comment), std::move(o)) {}
  bool multi_arg() const override { return true; }
  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override;
  std::vector<std::string> lines() const override;  // none when not a replica
};

// -- latency-tracking-info-percentiles <p> [<p> ...] -------------------------------
// Percentiles (0 to 100) INFO latencystats prints; shown as "%f" without its
// trailing zeros ("50", "99.9"), as Redis shows them.
class percentiles_row : public snapshot_row<std::vector<double>> {
 public:
  percentiles_row(config_table& t, std::string name, std::vector<double> def, std::string comment,
                  row_options o = {})
      : snapshot_row(t, std::move(name), std::move(def), std::move(comment), std::move(o)) {}

  bool multi_arg() const override { return true; }
  config_error stage(const std::vector<std::string>& args, bool add) override;
  std::string text() const override;
  std::vector<std::string> lines() const override;
};

// A percentile as Redis prints it: "%f" with the trailing zeros (and dot) cut.
std::string percentile_text(double p);

}  // namespace troupe
