// The reactor's timers on a running loop thread: a cancelled periodic timer
// stops firing (a proxy router cancels its cron when it closes, and the cron
// must not run on the closed router), also when it cancels itself.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <caf/all.hpp>

#include "actors/runtime/reactor.hpp"
#include "tests/actors/eventually.hpp"

using namespace troupe;
using troupe::test::eventually;

TEST(reactor_timers, a_cancelled_periodic_timer_stops_firing) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  reactor r(sys, 0);
  r.start();
  std::atomic<int> fired{0}, at_first_mark{-1}, at_second_mark{-1};
  std::atomic<uint64_t> id{0};
  r.post([&] { id = r.every(1, [&] { ++fired; }); });
  ASSERT_TRUE(eventually([&] { return fired.load() >= 3; }));
  // Cancelled, then two marks 30 ms apart on the same loop: a 1 ms timer
  // still listed would fire between them.
  r.post([&] {
    r.cancel(id);
    r.after(5, [&] { at_first_mark = fired.load(); });
    r.after(35, [&] { at_second_mark = fired.load(); });
  });
  ASSERT_TRUE(eventually([&] { return at_second_mark.load() >= 0; }));
  EXPECT_EQ(at_first_mark.load(), at_second_mark.load());
  r.stop();
}

TEST(reactor_timers, a_periodic_timer_may_cancel_itself) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  reactor r(sys, 0);
  r.start();
  std::atomic<int> fired{0}, at_mark{-1};
  r.post([&] {
    auto self_id = std::make_shared<uint64_t>(0);
    *self_id = r.every(1, [&r, &fired, self_id] {
      if (++fired == 2) r.cancel(*self_id);
    });
    r.after(40, [&] { at_mark = fired.load(); });
  });
  ASSERT_TRUE(eventually([&] { return at_mark.load() >= 0; }));
  EXPECT_EQ(at_mark.load(), 2);
  r.stop();
}
