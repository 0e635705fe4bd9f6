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

// Whether `self` receives a resume_atom within `ms`.
bool told_to_go_on(caf::scoped_actor& self, int ms) {
  bool told = false;
  self->receive([&](resume_atom) { told = true; },
                caf::after(std::chrono::milliseconds(ms)) >> [] {});
  return told;
}

}  // namespace

TEST(client_pause, a_read_postponed_after_all_weakened_to_write_goes_on_at_once) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor conn{sys};
  client_pause p;
  p.pause(pause_purpose::failover, pause_kind::write, far_future_ms);
  p.pause(pause_purpose::client_command, pause_kind::all, far_future_ms);
  ASSERT_EQ(p.current(), pause_kind::all);
  // The dispatcher saw ALL holding a GET; before the connection postpones,
  // CLIENT UNPAUSE leaves the failover's WRITE pause.
  p.unpause(pause_purpose::client_command);
  ASSERT_EQ(p.current(), pause_kind::write);
  p.postpone(caf::actor_cast<caf::actor>(conn.ptr()), pause_kind::all);
  EXPECT_TRUE(told_to_go_on(conn, 5000));
}

TEST(client_pause, a_write_stays_postponed_while_a_write_pause_holds) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor conn{sys};
  client_pause p;
  p.pause(pause_purpose::failover, pause_kind::write, far_future_ms);
  p.pause(pause_purpose::client_command, pause_kind::all, far_future_ms);
  p.unpause(pause_purpose::client_command);
  // A write the dispatcher saw held by WRITE: still held.
  p.postpone(caf::actor_cast<caf::actor>(conn.ptr()), pause_kind::write);
  EXPECT_FALSE(told_to_go_on(conn, 100));
  p.unpause(pause_purpose::failover);
  EXPECT_TRUE(told_to_go_on(conn, 5000));
}

TEST(client_pause, postponed_reads_go_on_when_all_weakens_to_write) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor conn{sys};
  client_pause p;
  p.pause(pause_purpose::failover, pause_kind::write, far_future_ms);
  p.pause(pause_purpose::client_command, pause_kind::all, far_future_ms);
  p.postpone(caf::actor_cast<caf::actor>(conn.ptr()), pause_kind::all);
  EXPECT_FALSE(told_to_go_on(conn, 100));
  p.unpause(pause_purpose::client_command);
  EXPECT_TRUE(told_to_go_on(conn, 5000));
}
