// The actor registry and the spawn helper, in-process with a real CAF actor
// system: an actor is listed from the moment it is spawned with its type,
// label, parent, peers and placement, counts the messages it handles and what
// waits in its mailbox, and leaves the registry when it terminates.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <caf/all.hpp>

#include "actors/runtime/messages.hpp"
#include "actors/runtime/spawn.hpp"
#include "tests/actors/eventually.hpp"

using namespace troupe;
using troupe::test::eventually;

namespace {

caf::actor_system_config& test_config() {
  static caf::actor_system_config cfg = [] {
    caf::actor_system_config c;
    c.set("scheduler.max-threads", 2);
    c.set("scheduler.policy", caf::atom("sharing"));
    register_message_types(c);
    return c;
  }();
  return cfg;
}

std::optional<actor_info> find(actor_registry& reg, uint64_t id) {
  for (auto& a : reg.snapshot())
    if (a.id == id) return a;
  return std::nullopt;
}

// A hosted actor that records the reactor it runs on.
class probe_on_reactor : public hosted_actor {
 public:
  probe_on_reactor(caf::actor_config& cfg, reactor& home, std::atomic<reactor*>& ran_on)
      : hosted_actor(cfg, home), ran_on_(ran_on) {}
  const char* name() const override { return "probe"; }
  caf::behavior make_behavior() override {
    return {
        [this](tick_atom) { ran_on_ = current_reactor(); },
        [this](close_atom) { quit(); },
    };
  }

 private:
  std::atomic<reactor*>& ran_on_;
};

}  // namespace

TEST(actor_registry, lists_a_scheduler_actor_counts_messages_and_forgets_it_on_exit) {
  caf::actor_system sys{test_config()};
  actor_registry reg(sys);
  std::atomic<int> ticks{0};
  caf::actor a =
      spawn_actor<function_actor>(reg, placement::scheduler(), {"a probe", 7, {3, 4}}, "probe",
                                  [&ticks](function_actor* self) -> caf::behavior {
                                    return {
                                        [&ticks](tick_atom) { ++ticks; },
                                        [self](close_atom) { self->quit(); },
                                    };
                                  });
  auto info = find(reg, a.id());
  ASSERT_TRUE(info);  // listed before it ran anything
  EXPECT_EQ(info->type, "probe");
  EXPECT_EQ(info->label, "a probe");
  EXPECT_EQ(info->parent, 7u);
  EXPECT_EQ(info->peers, (std::vector<uint64_t>{3, 4}));
  EXPECT_EQ(info->placement, on_scheduler);
  EXPECT_EQ(reg.count("probe"), 1u);

  for (int i = 0; i < 3; ++i) caf::anon_send(a, tick_atom::value);
  EXPECT_TRUE(eventually([&] { return find(reg, a.id())->handled == 3; }));
  EXPECT_EQ(ticks, 3);
  EXPECT_EQ(find(reg, a.id())->mailbox, 0u);
  reg.add_peer(a.id(), 9);
  reg.add_peer(a.id(), 9);  // once only
  EXPECT_EQ(find(reg, a.id())->peers, (std::vector<uint64_t>{3, 4, 9}));

  caf::anon_send(a, close_atom::value);
  EXPECT_TRUE(eventually([&] { return reg.size() == 0; }));
  reg.add_peer(a.id(), 10);  // gone: a no-op
  EXPECT_EQ(reg.size(), 0u);
}

TEST(actor_registry, mailbox_depth_is_what_waits) {
  caf::actor_system sys{test_config()};
  actor_registry reg(sys);
  std::mutex m;
  std::condition_variable cv;
  bool release = false, entered = false;
  caf::actor a = spawn_actor<function_actor>(reg, placement::scheduler(), {"blocker"}, "blocker",
                                             [&](function_actor*) -> caf::behavior {
                                               return {[&](tick_atom) {
                                                 std::unique_lock<std::mutex> lk(m);
                                                 entered = true;
                                                 cv.notify_all();
                                                 cv.wait(lk, [&] { return release; });
                                               }};
                                             });
  caf::anon_send(a, tick_atom::value);
  {
    std::unique_lock<std::mutex> lk(m);
    cv.wait(lk, [&] { return entered; });
  }
  for (int i = 0; i < 4; ++i) caf::anon_send(a, tick_atom::value);
  // The one being handled and the four behind it.
  EXPECT_EQ(find(reg, a.id())->mailbox, 5u);
  EXPECT_EQ(find(reg, a.id())->handled, 0u);
  {
    std::lock_guard<std::mutex> lk(m);
    release = true;
  }
  cv.notify_all();
  EXPECT_TRUE(eventually([&] { return find(reg, a.id())->handled == 5; }));
  EXPECT_EQ(find(reg, a.id())->mailbox, 0u);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  EXPECT_TRUE(eventually([&] { return reg.size() == 0; }));
}

TEST(actor_registry, hosted_actor_runs_on_its_reactor_and_is_listed_there) {
  caf::actor_system sys{test_config()};
  actor_registry reg(sys);
  reactor r0(sys, 0), r1(sys, 1);
  r0.start();
  r1.start();
  std::atomic<reactor*> ran_on{nullptr};
  caf::actor a = spawn_actor<probe_on_reactor>(reg, placement::on(r1), {"on r1"}, ran_on);
  EXPECT_EQ(find(reg, a.id())->placement, 1);
  caf::anon_send(a, tick_atom::value);
  EXPECT_TRUE(eventually([&] { return ran_on.load() != nullptr; }));
  EXPECT_EQ(ran_on.load(), &r1);
  EXPECT_TRUE(eventually([&] { return find(reg, a.id())->handled == 1; }));
  caf::anon_send(a, close_atom::value);
  EXPECT_TRUE(eventually([&] { return reg.size() == 0; }));
  a = nullptr;
  r0.stop();
  r1.stop();
}

TEST(actor_registry, an_actor_may_outlive_the_registry) {
  caf::actor_system sys{test_config()};
  caf::actor a;
  {
    actor_registry reg(sys);
    a = spawn_actor<function_actor>(
        reg, placement::scheduler(), {"x"}, "x",
        [](function_actor*) -> caf::behavior { return {[](tick_atom) {}}; });
  }
  caf::anon_send(a, tick_atom::value);
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);  // leaves a registry that is gone
}
