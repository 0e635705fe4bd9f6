// Differential checks the command family tests share: the same keyspace
// events, the same COMMAND INFO, and the same append only file as Redis for
// the same commands.
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "support/differential.hpp"

namespace troupe::test {

using command_list = std::vector<std::vector<std::string>>;

// Runs `cmds` on both servers (replies compared) with every keyspace event on,
// and expects the same events, in the same order, on a subscriber of each.
inline void expect_same_events(differential& d, const command_list& cmds) {
  resp_client rs = d.redis().client(), ts = d.troupe().client();
  d.same({"CONFIG", "SET", "notify-keyspace-events", "KEA"});
  for (auto* c : {&rs, &ts}) c->call({"PSUBSCRIBE", "__key*__:*"});
  for (auto& c : cmds) d.same(c);
  d.same({"SET", "events-done", "1"});
  for (;;) {
    resp_value r = rs.read_reply(), t = ts.read_reply();
    EXPECT_EQ(r.to_string(), t.to_string());
    if (r.to_string().find("events-done") != std::string::npos) break;
  }
  d.same({"CONFIG", "SET", "notify-keyspace-events", ""});
}

// COMMAND INFO's name, arity, flags, first/last key, step and ACL categories
// are Redis's.
inline void expect_same_command_info(resp_client& redis, resp_client& troupe,
                                     const std::vector<std::string>& names) {
  for (auto& name : names) {
    auto r = redis.call({"COMMAND", "INFO", name});
    auto t = troupe.call({"COMMAND", "INFO", name});
    ASSERT_EQ(t.elements.size(), 1u) << name;
    for (size_t i : {0, 1, 2, 3, 4, 5, 6})
      EXPECT_EQ(r.elements[0].elements[i].to_string(), t.elements[0].elements[i].to_string())
          << name << " field " << i;
  }
}

// Runs `cmds` on a fresh redis-server and troupe-server with appendfsync
// always (replies compared) and expects the same AOF: what Troupe journals is
// what Redis propagates. `after` may look further at both servers.
inline void expect_same_aof(
    const command_list& cmds,
    const std::function<void(server_process&, server_process&)>& after = {}) {
  server_process redis({"--appendonly", "yes", "--appendfsync", "always"},
                       server_process::kind::redis);
  server_process troupe({"--appendonly", "yes", "--appendfsync", "always"});
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(troupe.start());
  resp_client rc = redis.client(), tc = troupe.client();
  for (auto& c : cmds) EXPECT_EQ(rc.call(c).to_string(), tc.call(c).to_string()) << c[0];
  auto aof = [](const server_process& s) {
    return run_command("cat " + s.dir() + "/appendonlydir/*.incr.aof");
  };
  EXPECT_EQ(aof(redis), aof(troupe));
  if (after) after(redis, troupe);
}

}  // namespace troupe::test
