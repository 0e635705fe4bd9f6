// The hostile-input differential tester: every command of Troupe's table, with
// hostile arguments, sent to redis-server and troupe-server side by side.
//
// A run is a sequence of rounds. Each round resets both servers to the same
// fixture and sends `commands_per_round` commands drawn from an RNG seeded with
// (seed, round), so `--seed S --round R` replays one round exactly. After every
// command: both answered within the reply timeout, Troupe still answers PING
// within a second, an error from Redis is the same error from Troupe, a
// non-error from Redis is not an error from Troupe, and deterministic replies
// are equal. At the end of a round both datasets are compared.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace troupe::test {

struct hostile_options {
  uint64_t seed = 1;
  int64_t rounds = 40;
  int64_t first_round = 0;
  int commands_per_round = 60;
  double minutes = 0;                // > 0: keep going (more rounds) until this much time passed
  int reply_timeout_ms = 5000;       // a command not answered by then is a hang
  int ping_timeout_ms = 1000;        // PING after every command
  size_t max_failures = 25;          // distinct failures before the run stops
  bool verbose = false;              // print every command and both replies
  bool state_every_command = false;  // compare the datasets after every command
  std::vector<std::string> only;     // fuzz only these commands ("setrange", "client|kill")
  std::vector<std::string> troupe_args;
  // Sends every fuzzed command as an ACL user limited to some of the fixture's
  // keys (restricted_user_rules): besides the comparison with Redis, the keys
  // outside its patterns must be unchanged after every round. AUTH, HELLO and
  // RESET (which change the user) are not fuzzed then.
  bool restricted = false;

  // HOSTILE_SEED, HOSTILE_ROUNDS, HOSTILE_ROUND (one round only),
  // HOSTILE_COMMANDS, HOSTILE_MINUTES, HOSTILE_ONLY (comma separated),
  // HOSTILE_VERBOSE=1, HOSTILE_STATE_EVERY_COMMAND=1, HOSTILE_REPLY_TIMEOUT_MS,
  // HOSTILE_RESTRICTED=1,
  // HOSTILE_TROUPE_ARGS (space separated) override the defaults given.
  static hostile_options from_env(hostile_options defaults);
};

struct hostile_report {
  uint64_t commands = 0;
  int64_t rounds = 0;
  bool fatal = false;                 // a crash, a hang or a PING left unanswered
  std::vector<std::string> failures;  // one message per distinct failure
  std::string summary;                // per-failure counts, commands run
};

hostile_report run_hostile(const hostile_options& options);

// The restricted user's rules: the string, list and hash keys of the fixture,
// channels ch:*, every command but the dangerous and admin ones and those that
// reveal key names outside the patterns (SCAN, RANDOMKEY, DBSIZE).
const std::vector<std::string>& restricted_user_rules();

}  // namespace troupe::test
