// FAILOVER [TO host port [FORCE]] [TIMEOUT ms] | FAILOVER ABORT, as Redis 7.0
// runs it on a master: the request is checked, writes are paused, and once a
// replica (the named one, or the first) has acknowledged every byte of the
// stream the master turns into its replica and asks it, with `PSYNC replid
// offset FAILOVER`, to become the master. No acknowledged write is lost: the
// new master had them all when the roles switched.
//
// A pure state machine: the command, the ACKs and the cron feed it what they
// see and it says what to do; actors/replication/failover.cpp does it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace troupe {

struct failover_request {
  bool abort = false;
  bool has_target = false;
  std::string host;
  int64_t port = 0;
  bool force = false;
  int64_t timeout_ms = 0;  // 0: none
};

// FAILOVER's arguments (without the command name): the request, or the error
// reply Redis gives (without the leading '-').
std::variant<failover_request, std::string> parse_failover(
    const std::vector<std::string_view>& args);

// A replica as the failover sees it.
struct failover_candidate {
  std::string host;  // announced address (REPLCONF ip-address) or the peer's
  int port = 0;      // REPLCONF listening-port
  bool online = false;
  int64_t acked = 0;  // REPLCONF ACK offset
};

class failover_plan {
 public:
  enum class phase { none, waiting_for_sync, in_progress };

  // Starts a failover (or, for ABORT, checks one is on): nothing, or the
  // error reply. `replicas`: those attached now.
  std::optional<std::string> begin(const failover_request& req, bool is_replica,
                                   const std::vector<failover_candidate>& replicas, int64_t now_ms);

  struct decision {
    enum class kind { keep_waiting, switch_roles, abort } what = kind::keep_waiting;
    std::string reason;   // for abort, in Redis's log words
    bool forced = false;  // a switch because TIMEOUT passed with FORCE
  };
  // While waiting for a replica to catch up: a replica acknowledged the whole
  // stream (switch to it, now the target), the time ran out (switch anyway
  // with FORCE, else abort), or nothing yet.
  decision check(int64_t now_ms, int64_t master_offset,
                 const std::vector<failover_candidate>& replicas);
  // After the switch: the target did not accept in time (abort).
  bool switch_timed_out(int64_t now_ms) const;
  // The switch began at `now_ms` (in_progress from now).
  void switched(int64_t now_ms);
  void clear();

  phase state() const { return phase_; }
  // INFO's master_failover_state.
  const char* state_name() const;
  bool has_target() const { return !target_host_.empty(); }
  const std::string& target_host() const { return target_host_; }
  int target_port() const { return target_port_; }

 private:
  phase phase_ = phase::none;
  std::string target_host_;
  int target_port_ = 0;
  bool force_ = false;
  int64_t end_ms_ = 0;          // the TIMEOUT's end, 0: none
  int64_t switched_at_ms_ = 0;  // when in_progress began
};

// How long a switch may wait for the target's answer when no TIMEOUT was given.
constexpr int64_t failover_switch_grace_ms = 10000;

}  // namespace troupe
