// Differential testing: the same commands sent to a real redis-server 7.0 and
// to Troupe must get the same replies. This is how the suite pins Redis's exact
// replies and error strings without copying them into tests by hand.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server_process.hpp"

namespace troupe::test {

// Commands (full names, "cluster|migrateslots") Troupe has and Redis 7.0 has
// not: tables compared with Redis's leave them out.
bool troupe_only_command(const std::string& name);

class differential {
 public:
  // Starts both servers (Troupe with `troupe_args`, Redis with `redis_args`).
  explicit differential(std::vector<std::string> troupe_args = {},
                        std::vector<std::string> redis_args = {});
  bool ok() const { return ok_; }

  // Sends the command to both on their long-lived connections and expects the
  // same reply. Returns Troupe's reply.
  resp_value same(const std::vector<std::string>& args);
  // Sends to both without comparing (for nondeterministic replies).
  resp_value both(const std::vector<std::string>& args);

  server_process& redis() { return redis_; }
  server_process& troupe() { return troupe_; }
  resp_client& redis_client() { return rc_; }
  resp_client& troupe_client() { return tc_; }

 private:
  server_process redis_, troupe_;
  resp_client rc_, tc_;
  bool ok_ = false;
};

// A test suite whose tests share one differential pair, started once per
// suite: `class lists : public differential_suite<lists> {...};`.
template <class Suite>
class differential_suite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { d = new differential(); }
  static void TearDownTestSuite() {
    delete d;
    d = nullptr;
  }
  static inline differential* d = nullptr;
};

}  // namespace troupe::test
