// Client-side caching (CLIENT TRACKING) against redis-server 7.0, side by
// side: the same script on both servers must produce the same replies and
// the same invalidation messages in the same places of each connection's
// stream (RESP3 pushes after the reply of the command that caused them,
// RESP2 pub/sub messages to a REDIRECT client, nil on FLUSHALL, BCAST
// prefixes batched, OPTIN/OPTOUT with CLIENT CACHING, NOLOOP, a broken
// redirect), with Redis's error texts for every bad combination. Then what
// only Troupe can show: delivery across reactors, expiry, the table's limit.
#include <gtest/gtest.h>

#include <functional>

#include "support/dataset_compare.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

// A value with its RESP type, so a push never passes for an array, nor a
// RESP2 $-1 for a RESP3 _.
std::string describe(const resp_value& v) {
  using k = resp_value::kind;
  std::string tag;
  switch (v.type) {
    case k::simple:
      return "+" + v.str;
    case k::error:
      return "-" + v.str;
    case k::integer:
      return ":" + std::to_string(v.integer);
    case k::bulk:
      return "$" + v.str;
    case k::nil:
      return "nil";
    case k::dbl:
      return "," + v.str;
    case k::boolean:
      return "#" + std::to_string(v.integer);
    case k::verbatim:
      return "=" + v.str;
    case k::bignum:
      return "(" + v.str;
    case k::array:
      tag = "*";
      break;
    case k::map:
      tag = "%";
      break;
    case k::set:
      tag = "~";
      break;
    case k::push:
      tag = ">";
      break;
  }
  std::string out = tag + "[";
  for (size_t i = 0; i < v.elements.size(); ++i) out += (i ? " " : "") + describe(v.elements[i]);
  return out + "]";
}

bool is_pong(const resp_value& v) {
  if (v.type == resp_value::kind::simple) return v.str == "PONG";
  // A RESP2 subscriber's PING: ["pong", ""].
  return v.type == resp_value::kind::array && v.elements.size() == 2 && v.elements[0].str == "pong";
}

// Sends `args` then PING, and returns everything the connection received up
// to the PONG: the reply and any invalidation that came with it. Inside MULTI
// a PING would be queued too: there the one reply is all.
std::vector<std::string> exchange(resp_client& c, const std::vector<std::string>& args,
                                  bool queued = false) {
  if (queued) return {describe(c.call(args))};
  c.append(args);
  c.append({"PING"});
  c.flush();
  std::vector<std::string> got;
  for (int i = 0; i < 100; ++i) {
    resp_value v = c.read_reply();
    if (is_pong(v)) return got;
    got.push_back(describe(v));
    if (v.is_error() && v.str.rfind("IO ", 0) == 0) return got;  // timeout, closed
  }
  got.push_back("(no PONG)");
  return got;
}

// Only what arrives before a PING's answer (a fence) on a connection that
// sends nothing else.
std::vector<std::string> pending(resp_client& c) {
  auto got = exchange(c, {"ECHO", "fence"});
  if (!got.empty() && got.back() == "$fence") got.pop_back();
  return got;
}

// One connection per server, driven in step.
struct pair_of_clients {
  resp_client t, r;
  bool in_multi = false;
  pair_of_clients(const server_process& troupe, const server_process& redis, int resp) {
    t = troupe.client();
    r = redis.client();
    if (resp == 3) {
      t.call({"HELLO", "3"});
      r.call({"HELLO", "3"});
    }
  }
  // Both get `args`; their streams must match.
  void same(const std::vector<std::string>& args) {
    bool queued = in_multi || args[0] == "MULTI";
    if (args[0] == "MULTI") in_multi = true;
    if (args[0] == "EXEC" || args[0] == "DISCARD") in_multi = queued = false;
    auto a = exchange(t, args, queued), b = exchange(r, args, queued);
    EXPECT_EQ(a, b) << "after " << args[0] << (args.size() > 1 ? " " + args[1] : "");
  }
  void same_pending() { EXPECT_EQ(pending(t), pending(r)); }
  int64_t id_t() { return t.call({"CLIENT", "ID"}).integer; }
  int64_t id_r() { return r.call({"CLIENT", "ID"}).integer; }
};

class tracking : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(troupe.start());
    ASSERT_TRUE(redis.start());
  }
  server_process troupe{{}};
  server_process redis{{}, server_process::kind::redis};
};

}  // namespace

TEST_F(tracking, default_mode_in_resp3_invalidates_after_the_reply) {
  pair_of_clients c(troupe, redis, 3);
  for (auto cmd : std::vector<std::vector<std::string>>{
           {"CLIENT", "TRACKING", "ON"},
           {"GET", "k"},
           {"SET", "k", "v"},  // its own write: the reply, then the push
           {"SET", "k", "w"},  // forgotten until read again: no push
           {"MGET", "k", "k2"},
           {"MSET", "k", "1", "k2", "2"},
           {"GET", "k"},
           {"MULTI"},
           {"GET", "k"},
           {"SET", "k", "x"},
           {"EXEC"},  // the EXEC reply whole, then the push
           {"HSET", "h", "f", "v"},
           {"HGET", "h", "f"},
           {"DEL", "h"},
           {"GET", "k"},
           {"FLUSHALL"},  // nil: drop everything
           {"CLIENT", "TRACKINGINFO"},
           {"CLIENT", "GETREDIR"},
           {"CLIENT", "TRACKING", "OFF"},
           {"CLIENT", "TRACKINGINFO"},
           {"CLIENT", "GETREDIR"},
           {"GET", "k"},
           {"SET", "k", "y"},
       })
    c.same(cmd);
}

TEST_F(tracking, another_clients_write_reaches_the_reader) {
  pair_of_clients reader(troupe, redis, 3), writer(troupe, redis, 3);
  reader.same({"CLIENT", "TRACKING", "ON"});
  reader.same({"GET", "a"});
  reader.same({"GET", "b"});
  writer.same({"SET", "a", "1"});  // the writer does not track: no push to it
  reader.same_pending();
  writer.same({"DEL", "a", "b"});
  reader.same_pending();
  writer.same({"SET", "b", "2"});  // b was forgotten with the DEL
  reader.same_pending();
  // NOLOOP: its own writes are not sent back to it.
  reader.same({"CLIENT", "TRACKING", "ON", "NOLOOP"});
  reader.same({"GET", "c"});
  reader.same({"SET", "c", "1"});
  reader.same({"CLIENT", "TRACKINGINFO"});
}

TEST_F(tracking, optin_and_optout_follow_client_caching) {
  pair_of_clients c(troupe, redis, 3), w(troupe, redis, 3);
  c.same({"CLIENT", "CACHING", "YES"});  // not tracking
  c.same({"CLIENT", "TRACKING", "ON", "OPTIN"});
  c.same({"CLIENT", "CACHING", "NO"});
  c.same({"GET", "not-cached"});
  c.same({"CLIENT", "CACHING", "YES"});
  c.same({"CLIENT", "TRACKINGINFO"});
  c.same({"GET", "cached"});
  c.same({"CLIENT", "TRACKINGINFO"});  // the yes lasted one command
  w.same({"MSET", "cached", "1", "not-cached", "1"});
  c.same_pending();
  c.same({"CLIENT", "CACHING", "YES"});
  c.same({"MULTI"});
  c.same({"GET", "x1"});
  c.same({"GET", "x2"});
  c.same({"EXEC"});  // CACHING YES covers the whole transaction
  w.same({"MSET", "x1", "1", "x2", "2"});
  c.same_pending();
  c.same({"CLIENT", "TRACKING", "ON", "OPTOUT"});  // cannot switch
  c.same({"CLIENT", "TRACKING", "OFF"});
  c.same({"CLIENT", "TRACKING", "ON", "OPTOUT"});
  c.same({"CLIENT", "CACHING", "YES"});
  c.same({"CLIENT", "CACHING", "NO"});
  c.same({"GET", "skipped"});
  c.same({"GET", "kept"});
  w.same({"MSET", "skipped", "1", "kept", "1"});
  c.same_pending();
}

TEST_F(tracking, bcast_prefixes_and_the_errors_of_bad_options) {
  pair_of_clients c(troupe, redis, 3), w(troupe, redis, 2);
  for (auto cmd : std::vector<std::vector<std::string>>{
           {"CLIENT", "TRACKING", "ON", "PREFIX", "a"},
           {"CLIENT", "TRACKING", "ON", "BCAST", "OPTIN"},
           {"CLIENT", "TRACKING", "ON", "OPTIN", "OPTOUT"},
           {"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab", "PREFIX", "a"},
           {"CLIENT", "TRACKING", "ON", "REDIRECT", "999999"},
           {"CLIENT", "TRACKING", "ON", "REDIRECT", "x"},
           {"CLIENT", "TRACKING", "ON", "NOPE"},
           {"CLIENT", "TRACKING", "MAYBE"},
           {"CLIENT", "TRACKING", "ON", "PREFIX"},
           {"CLIENT", "CACHING", "MAYBE"},
           {"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "cart:"},
           {"CLIENT", "TRACKING", "ON"},
           {"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:1"},
           {"CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "order:"},
           {"CLIENT", "TRACKINGINFO"},
       })
    c.same(cmd);
  w.same({"MSET", "user:1", "a", "cart:9", "b", "other", "c"});
  c.same_pending();
  w.same({"SET", "order:7", "x"});
  c.same_pending();
  w.same({"SET", "other", "y"});
  c.same_pending();
  c.same({"SET", "user:2", "mine"});  // BCAST without NOLOOP: its own too
}

TEST_F(tracking, resp2_redirect_to_a_subscriber_and_a_broken_redirect) {
  pair_of_clients sink(troupe, redis, 2), reader(troupe, redis, 3), writer(troupe, redis, 2);
  // (Its id first: a RESP2 subscriber may not run CLIENT ID.)
  std::string sink_t = std::to_string(sink.id_t()), sink_r = std::to_string(sink.id_r());
  sink.same({"SUBSCRIBE", "__redis__:invalidate"});
  auto rt = reader.t.call({"CLIENT", "TRACKING", "ON", "REDIRECT", sink_t});
  auto rr = reader.r.call({"CLIENT", "TRACKING", "ON", "REDIRECT", sink_r});
  EXPECT_EQ(describe(rt), describe(rr));
  reader.same({"GET", "k"});
  writer.same({"SET", "k", "1"});
  sink.same_pending();
  reader.same({"GET", "k"});
  writer.same({"FLUSHALL"});
  sink.same_pending();
  EXPECT_EQ(reader.t.call({"CLIENT", "GETREDIR"}).integer, std::stoll(sink_t));
  // The sink goes: the reader is told once, as a RESP3 push, and says so.
  sink.t.close();
  sink.r.close();
  ASSERT_TRUE(wait_for([&] {
    return troupe.call({"CLIENT", "LIST"}).str.find("id=" + sink_t + " ") == std::string::npos;
  }));
  ASSERT_TRUE(wait_for([&] {
    return redis.call({"CLIENT", "LIST"}).str.find("id=" + sink_r + " ") == std::string::npos;
  }));
  reader.same({"GET", "k"});
  writer.same({"SET", "k", "2"});
  auto pt = pending(reader.t), pr = pending(reader.r);
  ASSERT_EQ(pt.size(), 1u);
  ASSERT_EQ(pr.size(), 1u);
  EXPECT_EQ(pt[0], ">[$tracking-redir-broken :" + sink_t + "]");
  EXPECT_EQ(pr[0], ">[$tracking-redir-broken :" + sink_r + "]");
  // The flags say broken_redirect on both; the redirect ids differ by server.
  EXPECT_EQ(describe(reader.t.call({"CLIENT", "TRACKINGINFO"})),
            "%[$flags ~[$on $broken_redirect] $redirect :" + sink_t + " $prefixes *[]]");
  EXPECT_EQ(describe(reader.r.call({"CLIENT", "TRACKINGINFO"})),
            "%[$flags ~[$on $broken_redirect] $redirect :" + sink_r + " $prefixes *[]]");
}

TEST_F(tracking, client_list_and_info_show_tracking) {
  pair_of_clients c(troupe, redis, 3);
  c.same({"CLIENT", "TRACKING", "ON", "BCAST"});
  auto flags = [](resp_client& cl) {
    std::string line = cl.call({"CLIENT", "INFO"}).str;
    size_t at = line.find(" flags=");
    return line.substr(at, line.find(' ', at + 1) - at) + " " +
           line.substr(line.find(" redir="),
                       line.find(' ', line.find(" redir=") + 1) - line.find(" redir="));
  };
  EXPECT_EQ(flags(c.t), flags(c.r));
  c.same({"GET", "k"});
  for (auto field : {"tracking_total_keys", "tracking_total_items", "tracking_total_prefixes"})
    EXPECT_EQ(info_field(troupe, "stats", field), info_field(redis, "stats", field)) << field;
  EXPECT_EQ(info_field(troupe, "clients", "tracking_clients"),
            info_field(redis, "clients", "tracking_clients"));
  c.same({"RESET"});
  c.same({"CLIENT", "TRACKINGINFO"});
  EXPECT_EQ(info_field(troupe, "clients", "tracking_clients"), "0");
}

// -- Troupe only ------------------------------------------------------------------------

TEST(tracking_troupe, invalidations_cross_reactors_expiry_and_the_table_limit) {
  server_process s({"--threads", "2", "--shards", "4", "--tracking-table-max-keys", "3"});
  ASSERT_TRUE(s.start());
  // Connections go to the reactors in turn: four make both reactors serve both roles.
  std::vector<resp_client> readers;
  for (int i = 0; i < 2; ++i) {
    readers.push_back(s.client());
    readers.back().call({"HELLO", "3"});
    readers.back().call({"CLIENT", "TRACKING", "ON"});
    readers.back().call({"GET", "shared"});
  }
  resp_client writer = s.client(), writer2 = s.client();
  writer.call({"SET", "shared", "1"});
  for (auto& r : readers)
    EXPECT_EQ(pending(r), std::vector<std::string>{">[$invalidate *[$shared]]"});
  // Expiry is a change too (the server's own).
  readers[0].call({"SET", "soon", "x", "PX", "30"});
  readers[0].call({"GET", "soon"});
  resp_value v = readers[0].read_reply();  // waits for the push
  EXPECT_EQ(describe(v), ">[$invalidate *[$soon]]");
  // Past tracking-table-max-keys, keys are invalidated (and forgotten).
  resp_client& r = readers[1];
  for (auto k : {"k1", "k2", "k3", "k4", "k5"}) r.call({"GET", k});
  auto evicted = pending(r);
  EXPECT_EQ(evicted.size(), 2u);
  EXPECT_EQ(info_field(s, "stats", "tracking_total_keys"), "3");
  writer2.call({"FLUSHALL"});
  EXPECT_EQ(pending(r), std::vector<std::string>{">[$invalidate nil]"});
}
