// The dispatcher in-process: lookup, the check chain, MULTI/EXEC, journaling,
// blocked clients and statistics, without sockets (tests/unit/harness).
#include <gtest/gtest.h>

#include "harness/command_harness.hpp"
#include "protocol/commands/command_table.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "storage/dispatch/dispatcher.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {
std::vector<std::string> journaled(command_harness& h) {
  std::vector<std::string> out;
  for (auto& [db, args] : h.services().journal_log) {
    std::string line = std::to_string(db) + ":";
    for (auto& a : args) line += " " + a;
    out.push_back(line);
  }
  return out;
}

const command_stats& stats_of(command_harness& h, const char* name) {
  return h.stats().per_command[size_t(command_table::instance().find(name)->id)];
}
}  // namespace

TEST(dispatcher, runs_commands_and_answers_lookup_errors) {
  command_harness h;
  EXPECT_EQ(h.run({"SET", "k", "v"}).str, "OK");
  EXPECT_EQ(h.run({"GET", "k"}).str, "v");
  EXPECT_EQ(h.run({"NOSUCH", "a"}).str,
            "ERR unknown command 'NOSUCH', with args beginning with: 'a' ");
  EXPECT_EQ(h.run({"GET"}).str, "ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(h.run({"OBJECT", "NOPE"}).str, "ERR unknown subcommand 'NOPE'. Try OBJECT HELP.");
  EXPECT_EQ(stats_of(h, "get").calls.get(), 1u);
  EXPECT_EQ(stats_of(h, "get").rejected_calls.get(), 1u);
}

TEST(dispatcher, checks_follow_flags) {
  command_harness h;
  h.services().require_auth = true;
  h.client().authenticated = false;
  EXPECT_EQ(h.run({"GET", "k"}).str, "NOAUTH Authentication required.");
  h.client().authenticated = true;
  h.services().refuse_writes = true;
  EXPECT_EQ(h.run({"SET", "k", "v"}).str.substr(0, 7), "MISCONF");
  EXPECT_TRUE(h.run({"GET", "k"}).is_nil());  // reads still work
  h.services().refuse_writes = false;
  // A RESP2 subscriber may only manage subscriptions.
  h.client().set(client_pubsub);
  EXPECT_EQ(h.run({"GET", "k"}).str.substr(0, 23), "ERR Can't execute 'get'");
  h.client().clear(client_pubsub);
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");
  EXPECT_EQ(h.run({"WATCH", "k"}).str, "ERR WATCH inside MULTI is not allowed");
}

TEST(dispatcher, transactions_queue_and_journal_together) {
  command_harness h;
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");
  EXPECT_EQ(h.run({"SET", "a", "1"}).str, "QUEUED");
  EXPECT_EQ(h.run({"INCR", "a"}).str, "QUEUED");
  EXPECT_EQ(h.run({"EXPIRE", "a", "100"}).str, "QUEUED");
  resp_value r = h.run({"EXEC"});
  ASSERT_EQ(r.elements.size(), 3u);
  EXPECT_EQ(r.elements[1].integer, 2);
  auto j = journaled(h);
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0], "0: SET a 1");
  EXPECT_EQ(j[1], "0: INCR a");
  // Relative TTLs are journaled as absolute ones.
  EXPECT_EQ(j[2].substr(0, 15), "0: PEXPIREAT a ");
}

TEST(dispatcher, a_rejected_queued_command_aborts_exec) {
  command_harness h;
  h.run({"MULTI"});
  EXPECT_EQ(h.run({"SET", "a"}).str, "ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(h.run({"EXEC"}).str, "EXECABORT Transaction discarded because of previous errors.");
  EXPECT_TRUE(h.run({"GET", "a"}).is_nil());
  EXPECT_TRUE(h.services().journal_log.empty());
}

TEST(dispatcher, watch_fails_exec_after_a_change) {
  command_harness h;
  h.run({"SET", "w", "1"});
  EXPECT_EQ(h.run({"WATCH", "w"}).str, "OK");
  h.run({"SET", "w", "2"});  // the watcher's own write counts too
  h.run({"MULTI"});
  h.run({"SET", "w", "3"});
  EXPECT_TRUE(h.run({"EXEC"}).is_nil());
  EXPECT_EQ(h.run({"GET", "w"}).str, "2");
}

TEST(dispatcher, blocked_client_is_served_through_the_dispatcher) {
  command_harness h;
  h.run({"BLPOP", "q", "0"});
  EXPECT_TRUE(h.client().has(client_blocked));
  // Another client (same harness session is blocked; use a second session).
  session pusher;
  pusher.id = 2;
  std::string bytes;
  reply_writer out(bytes);
  std::vector<std::string_view> push = {"RPUSH", "q", "job"};
  h.engine().dispatch(pusher, push, out);
  EXPECT_EQ(bytes, ":1\r\n");
  auto late = h.take_late_replies();
  ASSERT_EQ(late.size(), 1u);
  ASSERT_EQ(late[0].elements.size(), 2u);
  EXPECT_EQ(late[0].elements[1].str, "job");
  // The served pop is journaled as its non-blocking form, after the push.
  auto j = journaled(h);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0], "0: RPUSH q job");
  EXPECT_EQ(j[1].substr(0, 7), "0: LPOP");
}

TEST(dispatcher, replays_are_not_journaled_again) {
  command_harness h;
  std::string bytes;
  reply_writer out(bytes);
  std::vector<std::string_view> set = {"SET", "r", "1"};
  EXPECT_TRUE(h.engine().dispatch(h.client(), set, out, command_origin::replay));
  std::vector<std::string_view> bad = {"NOPE"};
  EXPECT_FALSE(h.engine().dispatch(h.client(), bad, out, command_origin::replay));
  EXPECT_EQ(h.run({"GET", "r"}).str, "1");
  EXPECT_TRUE(h.services().journal_log.empty());
}
