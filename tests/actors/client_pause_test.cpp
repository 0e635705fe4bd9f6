// Who is told to go on when a pause ends or weakens, with a real CAF actor
// standing for the postponed connection. The dispatcher looks at the pause
// and the connection postpones a moment later; a pause that weakens in
// between (ALL to WRITE: reads run again) finds nobody to tell, so postpone
// itself must notice, or the read waits for the WRITE pause's end, which a
// FAILOVER's never has.
#include <gtest/gtest.h>

#include <chrono>

#include <caf/all.hpp>

#include "actors/runtime/messages.hpp"
#include "actors/server/client_pause.hpp"

using namespace troupe;

namespace {

constexpr int64_t far_future_ms = int64_t(1) << 50;

// A FAILOVER's WRITE pause under a CLIENT PAUSE ALL, and an actor standing
// for the connection that postpones.
class client_pause_test : public ::testing::Test {
 protected:
  client_pause_test() {
    pauses.pause(pause_purpose::failover, pause_kind::write, far_future_ms);
    pauses.pause(pause_purpose::client_command, pause_kind::all, far_future_ms);
  }
  void postpone(pause_kind seen) { pauses.postpone(caf::actor_cast<caf::actor>(conn.ptr()), seen); }
  // Whether the connection receives a resume_atom within `ms`.
  bool told_to_go_on(int ms) {
    bool told = false;
    conn->receive([&](resume_atom) { told = true; },
                  caf::after(std::chrono::milliseconds(ms)) >> [] {});
    return told;
  }

  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor conn{sys};
  client_pause pauses;
};

}  // namespace

TEST_F(client_pause_test, a_read_postponed_after_all_weakened_to_write_goes_on_at_once) {
  ASSERT_EQ(pauses.current(), pause_kind::all);
  // The dispatcher saw ALL holding a GET; before the connection postpones,
  // CLIENT UNPAUSE leaves the failover's WRITE pause.
  pauses.unpause(pause_purpose::client_command);
  ASSERT_EQ(pauses.current(), pause_kind::write);
  postpone(pause_kind::all);
  EXPECT_TRUE(told_to_go_on(5000));
}

TEST_F(client_pause_test, a_write_stays_postponed_while_a_write_pause_holds) {
  pauses.unpause(pause_purpose::client_command);
  // A write the dispatcher saw held by WRITE: still held.
  postpone(pause_kind::write);
  EXPECT_FALSE(told_to_go_on(100));
  pauses.unpause(pause_purpose::failover);
  EXPECT_TRUE(told_to_go_on(5000));
}

TEST_F(client_pause_test, postponed_reads_go_on_when_all_weakens_to_write) {
  postpone(pause_kind::all);
  EXPECT_FALSE(told_to_go_on(100));
  pauses.unpause(pause_purpose::client_command);
  EXPECT_TRUE(told_to_go_on(5000));
}
