// Sentinel mode's hub inside a server (troupe-server --sentinel): the
// sentinel_state (topology/sentinel/) behind one mutex, and what its outputs
// mean for the process, as sentinel_state.hpp's header asks of the actor layer.
//
// Actors (all in the registry):
//   sentinel          on reactor 0: the 100 ms tick (sentinelTimer) and the
//                     scripts (fork/exec, a timeout, the pending list).
//   sentinel_monitor  one per monitored master, on a reactor: the links of the
//                     master's instances (master, replicas, sentinels): a
//                     command link each and, for masters and replicas, a
//                     pub/sub link subscribed to __sentinel__:hello, both
//                     actors/net/resp_link. Replies go back to the state.
//
// Threads: SENTINEL commands call in from their connection's reactor, the
// monitors from theirs, the tick from reactor 0. Each call holds the mutex
// only while the state machine runs; its output is then carried out: commands
// and link changes are messages to the monitors, events are logged and
// published on this Sentinel's own channels, scripts queued, and the config
// file rewritten (CONFIG REWRITE's text with the Sentinel lines merged in).
#pragma once
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>

#include "protocol/resp/resp_value.hpp"
#include "topology/sentinel/sentinel_state.hpp"

namespace troupe {

class server;

// Loads the `sentinel ...` lines of a config file as redis-sentinel does; on
// an error, Redis's FATAL CONFIG FILE ERROR text.
std::optional<std::string> load_sentinel_conf(const std::string& file_text,
                                              sentinel::sentinel_conf& out);

class sentinel_control {
 public:
  sentinel_control(server& srv, sentinel::sentinel_conf conf);
  ~sentinel_control();
  sentinel_control(const sentinel_control&) = delete;
  sentinel_control& operator=(const sentinel_control&) = delete;

  // With the reactors running: spawns the sentinel actor and the monitors,
  // saves the config when the state asks (a new myid).
  void start();
  void stop();

  // Runs f(state, now_ms) under the lock, then carries out what it produced.
  template <class F>
  auto command(F&& f) {
    std::unique_lock<std::mutex> g(mutex_);
    int64_t now = now_ms();
    if constexpr (std::is_void_v<decltype(f(*state_, now))>) {
      f(*state_, now);
      carry_out(g);
    } else {
      auto r = f(*state_, now);
      carry_out(g);
      return r;
    }
  }

  // -- from the actors ------------------------------------------------------------
  void tick();
  void link_up(uint64_t id, const std::string& local_ip);
  void link_down(uint64_t id);
  void reply(uint64_t id, int kind, const resp_value& v);
  void hello_received(uint64_t id, const std::string& payload);

  // -- scripts (the sentinel actor) -------------------------------------------------
  void run_scripts();
  struct script_job {
    std::vector<std::string> argv;
    pid_t pid = 0;  // 0: waiting to run
    int retries = 0;
    int64_t start_time = 0;  // running: when it started; waiting: when it may
  };
  std::vector<script_job> pending_scripts() const;
  size_t running_scripts() const;

  // The `# Sentinel` section of INFO (without its header).
  std::string info_fields();
  // SENTINEL FLUSHCONFIG: rewrites the file now; false with the reason.
  bool flush_config(std::string& err);

  // Fault injection (SENTINEL DEBUG-LINK-FILTER, a Troupe extension): while an
  // address is dropped, this Sentinel's links to it (master, replica or
  // Sentinel) are closed and not opened again, so nothing goes to it (PING,
  // INFO, hello, IS-MASTER-DOWN-BY-ADDR) and nothing comes from it on them.
  // Connections the other side opens are not filtered: a partition is a DROP
  // on each side, as DEBUG CLUSTER-LINK-FILTER.
  // False when max_link_filters addresses are dropped already.
  bool set_link_filter(const std::string& ip, int port, bool drop);
  bool link_dropped(const std::string& ip, int port) const;
  // The dropped addresses, "ip:port".
  std::vector<std::string> link_filters() const;
  static constexpr size_t max_link_filters = 4096;

  static int64_t now_ms();

 private:
  struct job {
    uint64_t target;
    int kind;
    std::string bytes;
  };
  // Takes the state's output (under the lock) and carries it out (after).
  void carry_out(std::unique_lock<std::mutex>& g, sentinel::sentinel_output* given = nullptr);
  caf::actor monitor_of(uint64_t master_id);
  std::string rewrite_text(const std::string& text, const sentinel::sentinel_conf& conf) const;
  bool save_config(const sentinel::sentinel_conf& conf, std::string& err);

  server& srv_;
  mutable std::mutex mutex_;
  std::unique_ptr<sentinel::sentinel_state> state_;
  caf::actor actor_;
  // Monitors by master id, and the master id of every instance given a link.
  std::map<uint64_t, caf::actor> monitors_;
  std::unordered_map<uint64_t, uint64_t> owner_;
  int next_reactor_ = 0;
  bool started_ = false;

  mutable std::mutex filter_mutex_;  // a leaf lock: the monitors ask under none
  std::set<std::pair<std::string, int>> dropped_;
  std::atomic<bool> any_dropped_{false};

  mutable std::mutex scripts_mutex_;
  std::vector<script_job> scripts_;
  std::mutex save_mutex_;
};

}  // namespace troupe
