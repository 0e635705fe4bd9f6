// Hostile input: every command of Troupe's table, with extreme and malformed
// arguments, sent to redis-server and troupe-server side by side (see
// tests/support/hostile_runner.hpp for what is checked). This is the bounded,
// seeded run of CI; tools/hostile-input runs it longer, for other seeds, and
// replays one round of a failure exactly.
#include <gtest/gtest.h>

#include <iostream>

#include "support/hostile_runner.hpp"

using namespace troupe::test;

TEST(hostile_input, every_command_survives_hostile_arguments) {
  hostile_options defaults;
  defaults.seed = 20260101;
  defaults.rounds = 40;
  defaults.commands_per_round = 60;
#if defined(__SANITIZE_ADDRESS__)
  defaults.reply_timeout_ms = 15000;  // the sanitizer build runs several times slower
#endif
  hostile_report report = run_hostile(hostile_options::from_env(defaults));
  std::cout << report.summary;
  EXPECT_GT(report.commands, 0u);
  EXPECT_FALSE(report.fatal) << "the server crashed, hung or stopped answering PING";
  for (auto& f : report.failures) ADD_FAILURE() << f;
}

// The same, every command sent as an ACL user limited to the fixture's string,
// list and hash keys: replies (-NOPERM included) as Redis's, and the other keys
// untouched after every round.
TEST(hostile_input, restricted_user_stays_inside_its_patterns) {
  hostile_options defaults;
  defaults.seed = 20260202;
  defaults.rounds = 15;
  defaults.commands_per_round = 60;
  defaults.restricted = true;
#if defined(__SANITIZE_ADDRESS__)
  defaults.reply_timeout_ms = 15000;
#endif
  hostile_report report = run_hostile(hostile_options::from_env(defaults));
  std::cout << report.summary;
  EXPECT_GT(report.commands, 0u);
  EXPECT_FALSE(report.fatal) << "the server crashed, hung or stopped answering PING";
  for (auto& f : report.failures) ADD_FAILURE() << f;
}
