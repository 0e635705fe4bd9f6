// The dispatcher on a replica: the master's stream (origin replication) runs
// without checks and is journaled as the master's own bytes, a transaction at
// its EXEC; clients meet READONLY, MASTERDOWN and LOADING as Redis's do; keys
// are not expired on a replica except by its master.
#include <gtest/gtest.h>

#include <unistd.h>

#include "harness/command_harness.hpp"
#include "protocol/resp/reply_writer.hpp"
#include "storage/dispatch/dispatcher.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// Dispatches a master's command with `raw` as its bytes (as the master link
// does); returns the bytes the dispatcher left unjournaled.
std::string from_master(command_harness& h, session& master, const std::vector<std::string>& args,
                        const std::string& raw) {
  std::string bytes;
  reply_writer out(bytes);
  std::vector<std::string_view> views(args.begin(), args.end());
  master.stream_pending = raw;
  h.engine().dispatch(master, views, out, command_origin::replication);
  std::string left(master.stream_pending);
  master.stream_pending = {};  // `raw` goes away
  return left;
}

}  // namespace

TEST(replica_dispatch, master_commands_journal_their_own_bytes) {
  command_harness h;
  h.services().replica = true;
  session master;
  master.id = 9;
  master.set(client_master);
  // The bytes are the master's, whatever they are (here deliberately not a
  // re-encoding of the command): they are relayed, never rebuilt.
  from_master(h, master, {"SET", "k", "v"}, "<set k v>");
  ASSERT_EQ(h.services().raw_log.size(), 1u);
  EXPECT_EQ(h.services().raw_log[0].first, "<set k v>");
  EXPECT_TRUE(h.services().journal_log.empty());
  // A transaction is journaled once, at its EXEC, with everything since MULTI.
  EXPECT_EQ(from_master(h, master, {"MULTI"}, "<multi>"), "<multi>");
  EXPECT_EQ(from_master(h, master, {"INCR", "n"}, "<multi><incr>"), "<multi><incr>");
  EXPECT_EQ(h.services().raw_log.size(), 1u);
  from_master(h, master, {"INCR", "n"}, "<multi><incr><incr>");
  from_master(h, master, {"EXEC"}, "<multi><incr><incr><exec>");
  ASSERT_EQ(h.services().raw_log.size(), 2u);
  EXPECT_EQ(h.services().raw_log[1].first, "<multi><incr><incr><exec>");
  EXPECT_EQ(h.run({"GET", "k"}).str, "v");
  EXPECT_EQ(h.run({"GET", "n"}).str, "2");
  // The journal learns the database the stream leaves selected.
  master.db.store(3);
  from_master(h, master, {"SET", "k3", "v"}, "<set k3 v>");
  ASSERT_EQ(h.services().raw_log.size(), 3u);
  EXPECT_EQ(h.services().raw_log[2].second, 3);
  // A command the dispatcher refuses (unknown) is left for the link to journal.
  EXPECT_EQ(from_master(h, master, {"NOSUCHCOMMAND"}, "<nope>"), "<nope>");
  EXPECT_EQ(h.services().raw_log.size(), 3u);
}

TEST(replica_dispatch, clients_meet_readonly_masterdown_and_loading) {
  command_harness h;
  auto& srv = h.services();
  srv.replica = true;
  EXPECT_EQ(h.run({"SET", "k", "v"}).str, "READONLY You can't write against a read only replica.");
  // Inside MULTI the write is refused when queued: EXEC aborts.
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");
  EXPECT_TRUE(h.run({"SET", "k", "v"}).is_error());
  EXPECT_EQ(h.run({"EXEC"}).str.rfind("EXECABORT", 0), 0u);
  srv.config().replica_read_only.set_internal(false);
  EXPECT_EQ(h.run({"SET", "k", "v"}).str, "OK");

  srv.link_up = false;
  EXPECT_EQ(h.run({"GET", "k"}).str, "v");  // replica-serve-stale-data yes
  srv.config().replica_serve_stale_data.set_internal(false);
  EXPECT_EQ(h.run({"GET", "k"}).str,
            "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.");
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");  // flagged stale
  EXPECT_EQ(h.run({"DISCARD"}).str, "OK");
  srv.link_up = true;

  srv.loading_state = dataset_loading::blocking;
  EXPECT_EQ(h.run({"GET", "k"}).str, "LOADING Redis is loading the dataset in memory");
  EXPECT_EQ(h.run({"MULTI"}).str, "OK");  // flagged loading
  EXPECT_EQ(h.run({"DISCARD"}).str, "OK");
  srv.loading_state = dataset_loading::async;
  EXPECT_EQ(h.run({"GET", "k"}).str, "v");  // the old data is served
  srv.loading_state = dataset_loading::none;
  // A master answers as before.
  srv.replica = false;
  srv.link_up = false;
  EXPECT_EQ(h.run({"GET", "k"}).str, "v");
}

TEST(replica_dispatch, expired_keys_stay_until_the_master_deletes_them) {
  command_harness h;
  EXPECT_EQ(h.run({"SET", "k", "v", "PX", "1"}).str, "OK");
  EXPECT_EQ(h.run({"SET", "n", "1", "PX", "1"}).str, "OK");
  h.services().replica = true;
  h.services().journal_log.clear();
  usleep(5000);
  // A client sees nothing, and nothing is deleted (nor journaled).
  EXPECT_TRUE(h.run({"GET", "k"}).is_nil());
  EXPECT_EQ(h.run({"EXISTS", "k"}).integer, 0);
  EXPECT_EQ(h.keys().db_size(0), 2u);
  EXPECT_TRUE(h.services().journal_log.empty());
  // The master's own commands still see the key: its view wins.
  session master;
  master.set(client_master);
  from_master(h, master, {"INCR", "n"}, "<incr>");
  EXPECT_EQ(h.keys().db_size(0), 2u);
  from_master(h, master, {"DEL", "k"}, "<del>");
  EXPECT_EQ(h.keys().db_size(0), 1u);
}
