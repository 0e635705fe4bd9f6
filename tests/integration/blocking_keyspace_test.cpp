// Clients blocked on keys and commands that change the keyspace wholesale or
// move values between keys and databases: SWAPDB, FLUSHDB, FLUSHALL, MOVE,
// COPY, RENAME, RESTORE. Each scenario runs on redis-server and on Troupe and
// must end the same way: the same waiters served with the same replies, the
// same ones still waiting, the same data left.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "support/differential.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

int blocked_clients(const server_process& s) {
  std::string info = s.call({"INFO", "clients"}).str;
  size_t p = info.find("blocked_clients:");
  return p == std::string::npos ? -1 : std::stoi(info.substr(p + 16));
}

// Waits until the server counts n blocked clients (false after 5 s).
bool wait_blocked(const server_process& s, int n) {
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < until) {
    if (blocked_clients(s) == n) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

// A client that selects db and blocks with cmd.
struct waiter {
  resp_client c;
  waiter(const server_process& s, int db, const std::vector<std::string>& cmd) : c(s.client()) {
    c.call({"SELECT", std::to_string(db)});
    c.append(cmd);
    c.flush();
  }
  // The reply if one arrives within ms, else "(waiting)".
  std::string reply(int ms) {
    c.set_timeout(ms);
    resp_value v = c.read_reply();
    if (v.is_error() && v.str.rfind("IO ", 0) == 0) return "(waiting)";
    return v.to_string();
  }
};

// Runs a scenario on one server and returns what was observed, step by step.
using scenario = std::vector<std::string> (*)(const server_process&);

void expect_same(differential& d, scenario run) {
  d.same({"FLUSHALL"});
  auto r = run(d.redis());
  d.same({"FLUSHALL"});
  auto t = run(d.troupe());
  EXPECT_EQ(r, t);
  d.same({"FLUSHALL"});
}

std::string call(const server_process& s, int db, const std::vector<std::string>& cmd) {
  resp_client c = s.client();
  c.call({"SELECT", std::to_string(db)});
  return c.call(cmd).to_string();
}

}  // namespace

class blocking_keyspace : public differential_suite<blocking_keyspace> {
 protected:
  void SetUp() override { ASSERT_TRUE(d->ok()); }
};

TEST_F(blocking_keyspace, swapdb_serves_a_list_the_swap_brings_in) {
  expect_same(*d, [](const server_process& s) {
    std::vector<std::string> out;
    call(s, 1, {"RPUSH", "k", "x", "y"});
    waiter w(s, 0, {"BLPOP", "k", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    out.push_back(call(s, 0, {"SWAPDB", "0", "1"}));
    out.push_back(w.reply(2000));
    out.push_back(call(s, 0, {"LRANGE", "k", "0", "-1"}));
    out.push_back(call(s, 1, {"EXISTS", "k"}));
    out.push_back(std::to_string(blocked_clients(s)));
    return out;
  });
}

TEST_F(blocking_keyspace, swapdb_serves_waiters_of_both_databases_and_sorted_sets) {
  expect_same(*d, [](const server_process& s) {
    std::vector<std::string> out;
    call(s, 0, {"ZADD", "z", "1", "a", "2", "b"});
    call(s, 1, {"RPUSH", "l", "one"});
    waiter wz(s, 1, {"BZPOPMAX", "z", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    waiter wl(s, 0, {"BRPOP", "l", "0"});
    EXPECT_TRUE(wait_blocked(s, 2));
    waiter wm(s, 0, {"BLMOVE", "l2", "dst", "LEFT", "LEFT", "0"});
    EXPECT_TRUE(wait_blocked(s, 3));
    out.push_back(call(s, 0, {"SWAPDB", "1", "0"}));
    out.push_back(wz.reply(2000));
    out.push_back(wl.reply(2000));
    // Nothing for l2 anywhere: still waiting.
    out.push_back(wm.reply(100));
    out.push_back(std::to_string(blocked_clients(s)));
    call(s, 0, {"RPUSH", "l2", "v"});
    out.push_back(wm.reply(2000));
    out.push_back(call(s, 0, {"LRANGE", "dst", "0", "-1"}));
    return out;
  });
}

TEST_F(blocking_keyspace, swapdb_bringing_a_key_of_another_type_keeps_waiting) {
  expect_same(*d, [](const server_process& s) {
    std::vector<std::string> out;
    call(s, 1, {"SET", "k", "string"});
    waiter w(s, 0, {"BLPOP", "k", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    out.push_back(call(s, 0, {"SWAPDB", "0", "1"}));
    out.push_back(w.reply(100));
    out.push_back(std::to_string(blocked_clients(s)));
    call(s, 0, {"DEL", "k"});
    call(s, 0, {"RPUSH", "k", "now"});
    out.push_back(w.reply(2000));
    return out;
  });
}

TEST_F(blocking_keyspace, swapdb_inside_multi_serves_after_exec) {
  expect_same(*d, [](const server_process& s) {
    std::vector<std::string> out;
    call(s, 2, {"RPUSH", "k", "a"});
    waiter w(s, 0, {"BLPOP", "k", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    resp_client c = s.client();
    out.push_back(c.call({"MULTI"}).to_string());
    out.push_back(c.call({"SWAPDB", "0", "2"}).to_string());
    out.push_back(c.call({"RPUSH", "k", "b"}).to_string());
    out.push_back(c.call({"EXEC"}).to_string());
    out.push_back(w.reply(2000));
    out.push_back(call(s, 0, {"LRANGE", "k", "0", "-1"}));
    return out;
  });
}

TEST_F(blocking_keyspace, flushdb_and_flushall_leave_waiters_waiting) {
  expect_same(*d, [](const server_process& s) {
    std::vector<std::string> out;
    waiter w(s, 0, {"BLPOP", "k", "0"});
    waiter w3(s, 3, {"BZPOPMIN", "z", "0"});
    EXPECT_TRUE(wait_blocked(s, 2));
    out.push_back(call(s, 0, {"FLUSHDB"}));
    out.push_back(call(s, 0, {"FLUSHALL"}));
    out.push_back(w.reply(100));
    out.push_back(std::to_string(blocked_clients(s)));
    call(s, 0, {"RPUSH", "k", "after"});
    call(s, 3, {"ZADD", "z", "3", "m"});
    out.push_back(w.reply(2000));
    out.push_back(w3.reply(2000));
    return out;
  });
}

TEST_F(blocking_keyspace, move_copy_rename_restore_serve_waiters) {
  expect_same(*d, [](const server_process& s) {
    std::vector<std::string> out;
    // MOVE into the waiter's database.
    call(s, 0, {"RPUSH", "m", "moved"});
    waiter wm(s, 1, {"BLPOP", "m", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    out.push_back(call(s, 0, {"MOVE", "m", "1"}));
    out.push_back(wm.reply(2000));
    // COPY to a new key and COPY REPLACE over a string.
    call(s, 0, {"RPUSH", "src", "c1", "c2"});
    waiter wc(s, 2, {"BLPOP", "src", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    out.push_back(call(s, 0, {"COPY", "src", "src", "DB", "2"}));
    out.push_back(wc.reply(2000));
    waiter wr(s, 0, {"BRPOP", "str", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    call(s, 0, {"SET", "str", "plain"});
    out.push_back(wr.reply(100));
    out.push_back(call(s, 0, {"COPY", "src", "str", "REPLACE"}));
    out.push_back(wr.reply(2000));
    // RENAME to a new key and onto a string.
    waiter wn(s, 0, {"BLPOP", "{r}new", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    call(s, 0, {"RPUSH", "{r}old", "r1"});
    out.push_back(call(s, 0, {"RENAME", "{r}old", "{r}new"}));
    out.push_back(wn.reply(2000));
    waiter wo(s, 0, {"BZPOPMIN", "{r}taken", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    call(s, 0, {"SET", "{r}taken", "x"});
    call(s, 0, {"ZADD", "{r}z", "7", "seven"});
    out.push_back(call(s, 0, {"RENAME", "{r}z", "{r}taken"}));
    out.push_back(wo.reply(2000));
    // RESTORE, new and REPLACE.
    call(s, 0, {"RPUSH", "payload", "p"});
    resp_client c = s.client();
    std::string dump = c.call({"DUMP", "payload"}).str;
    waiter wp(s, 0, {"BLPOP", "restored", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    out.push_back(c.call({"RESTORE", "restored", "0", dump}).to_string());
    out.push_back(wp.reply(2000));
    waiter wq(s, 0, {"BLPOP", "restored2", "0"});
    EXPECT_TRUE(wait_blocked(s, 1));
    c.call({"SET", "restored2", "s"});
    out.push_back(c.call({"RESTORE", "restored2", "0", dump, "REPLACE"}).to_string());
    out.push_back(wq.reply(2000));
    out.push_back(std::to_string(blocked_clients(s)));
    return out;
  });
}
