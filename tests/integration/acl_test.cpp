// ACL against redis-server and Troupe side by side: every SETUSER rule and its
// errors, GETUSER / LIST / USERS / CAT / DRYRUN / LOG / WHOAMI, the -NOPERM and
// -WRONGPASS errors for commands, keys, key read/write flags, channels,
// selectors and first arguments, requirepass as the default user's password,
// HELLO AUTH, RESET, DELUSER disconnecting clients, `user` lines, aclfile with
// ACL SAVE / LOAD, rename-command, protected mode, the ACL categories of every
// command, and redis-py as a client.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "support/dataset_compare.hpp"
#include "support/differential.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {

using kind = server_process::kind;

class acl : public differential_suite<acl> {};

// A connection authenticated as `user` on both servers, for side-by-side calls.
struct pair_clients {
  resp_client r, t;
  pair_clients(differential& d, const std::string& user, const std::string& pass) {
    r = d.redis().client();
    t = d.troupe().client();
    EXPECT_EQ(r.call({"AUTH", user, pass}).to_string(), "OK");
    EXPECT_EQ(t.call({"AUTH", user, pass}).to_string(), "OK");
  }
  resp_value same(const std::vector<std::string>& args) {
    resp_value a = r.call(args), b = t.call(args);
    EXPECT_EQ(a.to_string(), b.to_string()) << "command: " << args[0] << " " << args.size();
    return b;
  }
};

TEST_F(acl, setuser_rules_and_errors_match_redis) {
  std::vector<std::vector<std::string>> cmds = {
      {"ACL", "SETUSER", "u1", "on", ">pw", "~cached:*", "+get"},
      {"ACL", "GETUSER", "u1"},
      {"ACL", "SETUSER", "u2", "%R~r:*", "%W~w:*", "%RW~rw:*", "&ch*", "+@read", "-get",
       "(~x* +set)"},
      {"ACL", "GETUSER", "u2"},
      {"ACL", "SETUSER", "u3", "reset", "nopass", "allkeys", "allchannels", "allcommands"},
      {"ACL", "GETUSER", "u3"},
      {"ACL", "SETUSER", "u3", "resetkeys", "resetchannels", "nocommands", "+config", "-config|set",
       "+select|0", "+select|1", "off"},
      {"ACL", "SETUSER", "u3", "+client", "-client|kill", "-@all", "+acl"},
      {"ACL", "GETUSER", "u3"},
      {"ACL", "SETUSER", "u4", "#" + std::string(64, 'a'), "#" + std::string(64, 'b'),
       "!" + std::string(64, 'a'), ">x", "<x", "(~a +get)", "(&c +publish)"},
      {"ACL", "GETUSER", "u4"},
      {"ACL", "SETUSER", "u4", "clearselectors", "resetpass", "skip-sanitize-payload"},
      {"ACL", "GETUSER", "u4"},
      {"ACL", "SETUSER", "u5", "+@all", "-@dangerous"},  // categories only: order is fixed
      {"ACL", "SETUSER", "u6", "-@all", "+@hash"},
      {"ACL", "GETUSER", "u6"},
      {"ACL", "SETUSER", "u1", "foo"},
      {"ACL", "SETUSER", "u1", "+nosuch"},
      {"ACL", "SETUSER", "u1", "+@nosuch"},
      {"ACL", "SETUSER", "u1", "(~x"},
      {"ACL", "SETUSER", "u1", "(~x", "+get"},
      {"ACL", "SETUSER", "u1", "#abc"},
      {"ACL", "SETUSER", "u1", "!abc"},
      {"ACL", "SETUSER", "u1", "<nopw"},
      {"ACL", "SETUSER", "u1", "%X~a"},
      {"ACL", "SETUSER", "u1", "%~a"},
      {"ACL", "SETUSER", "u1", "-config|get|x"},
      {"ACL", "SETUSER", "u1", "+config|nosuch"},
      {"ACL", "SETUSER", "u1", "-select|0"},
      {"ACL", "SETUSER", "u1", "+select|0|1"},
      {"ACL", "SETUSER", "u1", "~a", "allkeys", "~b"},
      {"ACL", "SETUSER", "u1", "&a", "allchannels", "&b"},
      {"ACL", "SETUSER", "u1", "(~x foo)"},
      {"ACL", "SETUSER", "a b"},
      {"ACL", "SETUSER"},
      {"ACL", "GETUSER", "u1"},  // unchanged by the failed SETUSERs (all or nothing)
      {"ACL", "GETUSER", "nosuch"},
      {"ACL", "DELUSER", "default"},
      {"ACL", "DELUSER", "nosuch", "u6"},
      {"ACL", "USERS"},
      {"ACL", "WHOAMI"},
      {"ACL", "CAT"},
      {"ACL", "CAT", "nosuch"},
      {"ACL", "GENPASS", "0"},
      {"ACL", "GENPASS", "5000"},
      {"ACL", "LOG", "x"},
      {"ACL", "SAVE"},
      {"ACL", "LOAD"},
      {"ACL", "HELP"},
      {"ACL", "NOSUCH"},
      {"ACL", "DRYRUN", "u1", "get", "cached:1"},
      {"ACL", "DRYRUN", "u1", "get", "other"},
      {"ACL", "DRYRUN", "u1", "set", "cached:1", "v"},
      {"ACL", "DRYRUN", "nosuch", "get", "x"},
      {"ACL", "DRYRUN", "u1", "nosuchcmd"},
      {"ACL", "DRYRUN", "u1", "get"},
      {"ACL", "DRYRUN", "u2", "publish", "other", "m"},
      {"ACL", "DRYRUN", "u2", "set", "x1", "v"},
      {"ACL", "DRYRUN", "u2", "get", "x1"},
      {"ACL", "DRYRUN", "u3", "select", "1"},
      {"ACL", "DRYRUN", "u3", "select", "2"},
      {"ACL", "DRYRUN", "u3", "config", "get", "port"},
      {"ACL", "DRYRUN", "u3", "config", "set", "port", "1"},
  };
  for (auto& c : cmds) d->same(c);
  // Single commands besides categories come in hash-table order in Redis:
  // compare those descriptions as sets of rules.
  auto words = [](const std::string& s) {
    std::multiset<std::string> w;
    size_t i = 0;
    while (i < s.size()) {
      size_t e = s.find(' ', i);
      if (e == std::string::npos) e = s.size();
      w.insert(s.substr(i, e - i));
      i = e + 1;
    }
    return w;
  };
  auto r = d->redis_client().call({"ACL", "LIST"});
  auto t = d->troupe_client().call({"ACL", "LIST"});
  ASSERT_EQ(r.elements.size(), t.elements.size()) << t.to_string();
  for (size_t i = 0; i < r.elements.size(); ++i)
    EXPECT_EQ(words(r.elements[i].str), words(t.elements[i].str)) << t.elements[i].str;
  EXPECT_EQ(d->troupe_client().call({"ACL", "GENPASS"}).str.size(), 64u);
  EXPECT_EQ(d->troupe_client().call({"ACL", "GENPASS", "5"}).str.size(), 2u);
  EXPECT_NE(d->troupe_client().call({"ACL", "GENPASS"}).str,
            d->troupe_client().call({"ACL", "GENPASS"}).str);
  // Same commands in each category (of the commands both servers have),
  // whatever the order (Redis's is its hash table's).
  auto as_set = [](const resp_value& v) {
    std::set<std::string> s;
    for (auto& e : v.elements) s.insert(e.str);
    return s;
  };
  auto cats = d->same({"ACL", "CAT"});
  std::set<std::string> troupe_commands;
  for (auto& c : cats.elements)
    for (auto& n : d->troupe_client().call({"ACL", "CAT", c.str}).elements)
      troupe_commands.insert(n.str);
  for (auto& c : cats.elements) {
    std::set<std::string> r, t = as_set(d->troupe_client().call({"ACL", "CAT", c.str}));
    std::erase_if(t, [](const std::string& n) { return troupe_only_command(n); });
    for (auto& n : as_set(d->redis_client().call({"ACL", "CAT", c.str})))
      if (troupe_commands.count(n)) r.insert(n);
    EXPECT_EQ(r, t) << c.str;
  }
}

// %R~ and %W~ go by each key's flags in Redis 7.0's key specs: read when the
// command reads the value (GET, TTL), write when it inserts, updates or deletes
// (SET, APPEND, DEL), neither for a key only looked at (EXISTS, TYPE); SET with
// GET reads too, BITFIELD writes only with SET/INCRBY, SORT's STORE writes.
TEST_F(acl, read_and_write_key_permissions_follow_key_specs) {
  d->same({"ACL", "SETUSER", "w", "reset", "on", ">w", "%W~foo*", "+@all"});
  d->same({"ACL", "SETUSER", "r", "reset", "on", ">r", "%R~foo*", "+@all"});
  d->same({"SET", "foo", "v"});
  d->same({"RPUSH", "foolist", "3", "1", "2"});
  for (const char* user : {"w", "r"}) {
    pair_clients p(*d, user, user);
    for (std::vector<std::string> c : std::vector<std::vector<std::string>>{
             {"EXISTS", "foo"},
             {"TYPE", "foo"},
             {"GET", "foo"},
             {"TTL", "foo"},
             {"OBJECT", "ENCODING", "foo"},
             {"STRLEN", "foo"},
             {"APPEND", "foo", "x"},
             {"SET", "foo", "v"},
             {"SET", "foo", "v", "GET"},
             {"GETDEL", "foo2"},
             {"DEL", "foo9"},
             {"RENAME", "foo9", "foo8"},
             {"COPY", "foo", "foo7"},
             {"BITFIELD", "foo", "GET", "u8", "0"},
             {"BITFIELD", "foo", "SET", "u8", "0", "1"},
             {"SORT", "foolist"},
             {"SORT", "foolist", "STORE", "foosorted"},
             {"LMOVE", "foolist", "foolist2", "LEFT", "LEFT"},
             {"XADD", "foostream", "1-1", "f", "v"},  // an explicit id: "*" is the clock
             {"EVAL", "return 1", "1", "foo"},
             {"MIGRATE", "127.0.0.1", "1", "foo", "0", "10"},
             {"ACL", "DRYRUN", "w", "GET", "foo"},
         })
      p.same(c);
  }
}

TEST_F(acl, permissions_enforced_as_redis) {
  d->same({"ACL",      "SETUSER",    "p",           "reset",        "on",    ">p",
           "~k*",      "%R~ro:*",    "%W~wo:*",     "&c*",          "+get",  "+set",
           "+publish", "+subscribe", "+psubscribe", "+multi",       "+exec", "+incr",
           "+lmove",   "+select|0",  "+sort",       "(~sel:* +del)"});
  d->same({"SET", "ro:1", "v"});
  pair_clients p(*d, "p", "p");
  std::vector<std::vector<std::string>> cmds = {
      {"GET", "k1"},
      {"SET", "k1", "v"},
      {"GET", "x1"},
      {"DEL", "k1"},
      {"DEL", "sel:1"},
      {"DEL", "sel:1", "k1"},
      {"GET", "ro:1"},
      {"SET", "ro:1", "v"},
      {"SET", "wo:1", "v"},
      {"GET", "wo:1"},
      {"INCR", "wo:2"},
      {"LMOVE", "k1", "wo:1", "LEFT", "LEFT"},
      {"SELECT", "0"},
      {"SELECT", "1"},
      {"PING"},
      {"PUBLISH", "c1", "m"},
      {"PUBLISH", "d", "m"},
      {"PSUBSCRIBE", "c*x"},
      {"MULTI"},
      {"GET", "x"},
      {"SET", "k", "v"},
      {"EXEC"},
      {"ACL", "WHOAMI"},
      {"AUTH", "p", "bad"},
      {"AUTH", "nouser", "x"},
      {"AUTH", "onlyone"},
      {"GET", "k1"},
  };
  for (auto& c : cmds) p.same(c);
  // The ACL LOG entries agree in everything but age and client details.
  auto strip = [](const resp_value& log) {
    std::string s;
    for (auto& e : log.elements)
      for (size_t i = 0; i + 1 < e.elements.size(); i += 2)
        if (e.elements[i].str != "age-seconds" && e.elements[i].str != "client-info")
          s += e.elements[i].str + "=" + e.elements[i + 1].to_string() + " ";
    return s;
  };
  EXPECT_EQ(strip(d->redis_client().call({"ACL", "LOG"})),
            strip(d->troupe_client().call({"ACL", "LOG"})));
  EXPECT_EQ(strip(d->redis_client().call({"ACL", "LOG", "2"})),
            strip(d->troupe_client().call({"ACL", "LOG", "2"})));
  auto log = d->troupe_client().call({"ACL", "LOG", "1"});
  ASSERT_EQ(log.elements.size(), 1u);
  EXPECT_NE(log.elements[0].to_string().find("user=p"), std::string::npos) << log.to_string();
  d->same({"ACL", "LOG", "RESET"});
  d->same({"ACL", "LOG"});
  // A subscriber's channels.
  p.same({"SUBSCRIBE", "c1", "d1"});
}

TEST_F(acl, users_changed_while_connected) {
  d->same({"ACL", "SETUSER", "live", "reset", "on", ">pw", "~*", "+get", "+set"});
  pair_clients p(*d, "live", "pw");
  p.same({"SET", "a", "1"});
  d->same({"ACL", "SETUSER", "live", "-set"});
  p.same({"SET", "a", "2"});  // the new rules apply to the next command
  d->same({"ACL", "SETUSER", "live", "off"});
  p.same({"GET", "a"});  // off: no new AUTH, the connection keeps working
  resp_client fresh = d->troupe().client();
  EXPECT_EQ(fresh.call({"AUTH", "live", "pw"}).str.rfind("WRONGPASS", 0), 0u);
  // EXEC checks the queued commands again.
  p.same({"MULTI"});
  p.same({"GET", "a"});
  d->same({"ACL", "SETUSER", "live", "-get"});
  p.same({"EXEC"});
  d->same({"ACL", "DELUSER", "live"});
  // Both servers close the connections of a deleted user.
  EXPECT_TRUE(p.t.call({"PING"}).is_error() || !p.t.connected());
  EXPECT_TRUE(p.r.call({"PING"}).is_error() || !p.r.connected());
  resp_value after = p.t.call({"PING"});
  EXPECT_TRUE(after.is_error()) << after.to_string();
}

TEST_F(acl, subscribers_of_revoked_channels_are_disconnected) {
  d->same({"ACL", "SETUSER", "sub", "reset", "on", ">pw", "&c*", "&d*", "+subscribe", "+ping"});
  pair_clients keeps(*d, "sub", "pw"), loses(*d, "sub", "pw");
  keeps.same({"SUBSCRIBE", "d1"});
  loses.same({"SUBSCRIBE", "c1"});
  d->same({"ACL", "SETUSER", "sub", "resetchannels", "&d*"});
  // Still subscribed to an allowed channel: stays (a RESP2 subscriber's PING).
  keeps.same({"PING"});
  for (resp_client* c : {&loses.r, &loses.t}) {
    resp_value v = c->call({"PING"});
    EXPECT_TRUE(v.is_error()) << v.to_string();
  }
}

TEST(acl_auth, requirepass_is_the_default_users_password) {
  for (kind k : {kind::redis, kind::troupe}) {
    SCOPED_TRACE(k == kind::redis ? "redis" : "troupe");
    server_process s({"--requirepass", "s3cret", "--save", ""}, k);
    ASSERT_TRUE(s.start());
    resp_client c = s.client();
    EXPECT_EQ(c.call({"GET", "x"}).str, "NOAUTH Authentication required.");
    EXPECT_EQ(c.call({"HELLO", "3"}).str.rfind("NOAUTH HELLO must be called", 0), 0u);
    EXPECT_EQ(c.call({"AUTH", "bad"}).str,
              "WRONGPASS invalid username-password pair or user is disabled.");
    EXPECT_EQ(c.call({"AUTH", "s3cret"}).str, "OK");
    EXPECT_EQ(c.call({"ACL", "WHOAMI"}).str, "default");
    auto lst = c.call({"ACL", "LIST"});
    ASSERT_EQ(lst.elements.size(), 1u);
    EXPECT_EQ(lst.elements[0].str.rfind("user default on #", 0), 0u) << lst.to_string();
    // CONFIG SET requirepass replaces the password; ACL SETUSER adds one.
    EXPECT_EQ(c.call({"CONFIG", "SET", "requirepass", "other"}).str, "OK");
    resp_client c2 = s.client();
    EXPECT_EQ(c2.call({"AUTH", "s3cret"}).is_error(), true);
    EXPECT_EQ(c2.call({"AUTH", "other"}).str, "OK");
    EXPECT_EQ(c.call({"ACL", "SETUSER", "default", ">third"}).str, "OK");
    resp_client c3 = s.client();
    EXPECT_EQ(c3.call({"HELLO", "2", "AUTH", "default", "third"}).is_error(), false);
    EXPECT_EQ(c3.call({"CONFIG", "GET", "requirepass"}).elements.at(1).str, "other");
    EXPECT_EQ(c3.call({"RESET"}).str, "RESET");
    EXPECT_EQ(c3.call({"GET", "x"}).str, "NOAUTH Authentication required.");
    // Without a password again, new clients need no AUTH.
    EXPECT_EQ(c.call({"CONFIG", "SET", "requirepass", ""}).str, "OK");
    resp_client c4 = s.client();
    EXPECT_TRUE(c4.call({"GET", "x"}).is_nil());
    EXPECT_EQ(c4.call({"AUTH", "x"}).str.rfind("ERR AUTH <password> called without", 0), 0u);
  }
}

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(acl_config, user_lines_and_rename_command) {
  std::string dir = temp_dir("acl-conf");
  std::string conf = write_file(dir, "users.conf",
                                "user alice on >pw ~cached:* +get\n"
                                "user default on nopass ~* &* +@all -flushall\n"
                                "rename-command CONFIG XCONFIG\n"
                                "rename-command FLUSHDB \"\"\n");
  std::map<std::string, std::string> seen;
  for (kind k : {kind::redis, kind::troupe}) {
    server_process s({"--save", ""}, k, conf);
    ASSERT_TRUE(s.start()) << s.log_text();
    resp_client c = s.client();
    std::string out;
    for (auto cmd :
         std::vector<std::vector<std::string>>{{"ACL", "LIST"},
                                               {"CONFIG", "GET", "port"},
                                               {"XCONFIG", "GET", "maxmemory"},
                                               {"FLUSHDB"},
                                               {"FLUSHALL"},
                                               {"ACL", "DRYRUN", "default", "config", "get", "x"},
                                               {"CONFIG", "GET", "user"},
                                               {"CONFIG", "SET", "user", "x"},
                                               {"CONFIG", "GET", "rename-command"},
                                               {"CONFIG", "GET", "acl-pubsub-default"},
                                               {"CONFIG", "GET", "acllog-max-len"},
                                               {"CONFIG", "GET", "protected-mode"},
                                               {"CONFIG", "GET", "aclfile"},
                                               {"AUTH", "alice", "pw"},
                                               {"GET", "cached:x"},
                                               {"GET", "y"}})
      out += c.call(cmd).to_string() + "\n";
    seen[k == kind::redis ? "redis" : "troupe"] = out;
  }
  EXPECT_EQ(seen["redis"], seen["troupe"]);
}

TEST(acl_config, aclfile_save_and_load) {
  std::string dir = temp_dir("aclfile");
  std::string file = write_file(dir, "users.acl",
                                "user default on nopass ~* &* +@all\n"
                                "user bob on >pw ~b:* resetchannels -@all +get\n");
  std::string conf = write_file(dir, "t.conf", "aclfile " + file + "\n");
  server_process s({"--save", ""}, kind::troupe, conf);
  ASSERT_TRUE(s.start()) << s.log_text();
  resp_client c = s.client();
  EXPECT_EQ(c.call({"ACL", "USERS"}).elements.size(), 2u);
  resp_client bob = s.client();
  EXPECT_EQ(bob.call({"AUTH", "bob", "pw"}).str, "OK");
  EXPECT_EQ(c.call({"ACL", "SETUSER", "carol", "on", ">x", "~c:*", "+set"}).str, "OK");
  EXPECT_EQ(c.call({"ACL", "SAVE"}).str, "OK");
  std::string saved = read_file(file);
  EXPECT_NE(saved.find("user carol on #"), std::string::npos) << saved;
  EXPECT_NE(saved.find("user bob on #"), std::string::npos) << saved;
  // A bad file changes nothing.
  write_file(dir, "users.acl", "user default on nopass ~* &* +@all\nuser x foo\n");
  auto err = c.call({"ACL", "LOAD"});
  EXPECT_TRUE(err.is_error());
  EXPECT_NE(err.str.find("WARNING: ACL errors detected"), std::string::npos) << err.str;
  EXPECT_EQ(c.call({"ACL", "USERS"}).elements.size(), 3u);
  // A good one replaces the users and disconnects the clients of the old ones.
  write_file(dir, "users.acl", saved);
  EXPECT_EQ(c.call({"ACL", "LOAD"}).str, "OK");
  EXPECT_EQ(c.call({"ACL", "USERS"}).elements.size(), 3u);
  resp_value r = bob.call({"GET", "b:1"});
  EXPECT_TRUE(r.is_error()) << r.to_string();
  EXPECT_EQ(c.call({"PING"}).str, "PONG");  // the default user's client stays
  // users in the config and an aclfile together: refused at start-up, as Redis.
  std::string both = write_file(dir, "both.conf", "aclfile " + file + "\nuser z on\n");
  server_process bad({"--save", ""}, kind::troupe, both);
  EXPECT_FALSE(bad.start());
}

// A non-loopback IPv4 address of this machine, or "".
std::string non_loopback_address() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a != nullptr && found.empty(); a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, host, sizeof host);
    if (std::string(host).rfind("127.", 0) != 0) found = host;
  }
  freeifaddrs(list);
  return found;
}

// Connects from `ip` to ip:port, sends PING and returns all that comes back.
std::string ping_from(const std::string& ip, int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  inet_pton(AF_INET, ip.c_str(), &sa.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    close(fd);
    return "connect failed";
  }
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssize_t w = send(fd, "PING\r\n", 6, MSG_NOSIGNAL);
  (void)w;
  std::string out;
  char buf[4096];
  ssize_t n;
  // One line answers (then the server closes, or waits for more).
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
    out.append(buf, size_t(n));
    if (out.find("\r\n") != std::string::npos) break;
  }
  close(fd);
  return out;
}

TEST(acl_protected_mode, non_local_clients_denied_without_password) {
  std::string ip = non_loopback_address();
  if (ip.empty()) GTEST_SKIP() << "no non-loopback IPv4 address here";
  std::map<std::string, std::string> seen;
  for (kind k : {kind::redis, kind::troupe}) {
    std::string name = k == kind::redis ? "redis" : "troupe";
    server_process s({"--bind", "127.0.0.1 " + ip, "--save", ""}, k);
    ASSERT_TRUE(s.start()) << s.log_text();
    std::string out = ping_from(ip, s.port());
    EXPECT_EQ(out.rfind("-DENIED Redis is running in protected mode", 0), 0u) << name << out;
    seen[name] = out;
    // Local clients are served; a password or protected-mode no lets others in.
    EXPECT_EQ(s.call({"PING"}).str, "PONG");
    EXPECT_EQ(s.call({"CONFIG", "SET", "protected-mode", "no"}).str, "OK");
    EXPECT_EQ(ping_from(ip, s.port()), "+PONG\r\n") << name;
    EXPECT_EQ(s.call({"CONFIG", "SET", "protected-mode", "yes"}).str, "OK");
    EXPECT_EQ(s.call({"CONFIG", "SET", "requirepass", "pw"}).str, "OK");
    EXPECT_EQ(ping_from(ip, s.port()).rfind("-NOAUTH", 0), 0u) << name;
  }
  EXPECT_EQ(seen["redis"], seen["troupe"]);
}

// The ACL categories of every command Redis also has, as COMMAND INFO shows them.
TEST_F(acl, categories_of_every_command_match_redis) {
  auto categories = [](resp_client& c) {
    std::map<std::string, std::string> out;
    resp_value all = c.call({"COMMAND"});
    std::function<void(const resp_value&)> add = [&](const resp_value& cmd) {
      if (cmd.elements.size() < 7) return;
      std::vector<std::string> cats;
      for (auto& x : cmd.elements[6].elements) cats.push_back(x.str);
      std::sort(cats.begin(), cats.end());
      std::string s;
      for (auto& x : cats) s += x + " ";
      out[cmd.elements[0].str] = s;
      if (cmd.elements.size() > 9)
        for (auto& sub : cmd.elements[9].elements) add(sub);
    };
    for (auto& cmd : all.elements) add(cmd);
    return out;
  };
  auto r = categories(d->redis_client());
  auto t = categories(d->troupe_client());
  std::string diffs;
  for (auto& [name, cats] : t)
    if (r.count(name) && r[name] != cats)
      diffs += name + ": redis {" + r[name] + "} troupe {" + cats + "}\n";
  EXPECT_EQ(diffs, "");
  EXPECT_GT(t.size(), 200u);
}

TEST_F(acl, redis_py_as_a_client) {
  d->troupe_client().call(
      {"ACL", "SETUSER", "py", "on", ">pw", "~cached:*", "+get", "+set", "+acl|whoami"});
  std::string script =
      "import redis, sys\n"
      "port = int(sys.argv[1])\n"
      "r = redis.Redis(port=port, username='py', password='pw', decode_responses=True)\n"
      "r.set('cached:a', '1')\n"
      "print('get', r.get('cached:a'))\n"
      "try:\n"
      "    r.get('other')\n"
      "    print('other allowed')\n"
      "except redis.exceptions.NoPermissionError as e:\n"
      "    print('noperm', e)\n"
      "try:\n"
      "    redis.Redis(port=port, username='py', password='bad').ping()\n"
      "except (redis.exceptions.AuthenticationError, redis.exceptions.ResponseError) as e:\n"
      "    print('auth', str(e).replace('WRONGPASS ', ''))\n"
      "print('whoami', r.acl_whoami())\n";
  std::string path = temp_dir("acl-py") + "/acl.py";
  std::ofstream(path) << script;
  int status = 0;
  std::string out =
      run_command("/usr/bin/python3 " + path + " " + std::to_string(d->troupe().port()), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_EQ(out,
            "get 1\n"
            "noperm this user has no permissions to access one of the keys used as arguments\n"
            "auth invalid username-password pair or user is disabled.\n"
            "whoami py\n");
}

}  // namespace

namespace {

// A replica (Troupe or redis-server) of a Troupe master that has ACL users
// authenticates with masteruser/masterauth as a user allowed only what
// replication needs; a user without PSYNC gets no link.
TEST(acl_replication, replica_authenticates_as_a_limited_user) {
  for (kind replica_kind : {kind::troupe, kind::redis}) {
    SCOPED_TRACE(replica_kind == kind::redis ? "redis replica" : "troupe replica");
    server_process master({"--save", "", "--requirepass", "masterpw"});
    ASSERT_TRUE(master.start());
    resp_client m = master.client();
    ASSERT_EQ(m.call({"AUTH", "masterpw"}).str, "OK");
    ASSERT_EQ(m.call({"ACL", "SETUSER", "repl", "on", ">rpw", "+psync", "+replconf", "+ping"}).str,
              "OK");
    ASSERT_EQ(m.call({"ACL", "SETUSER", "nopsync", "on", ">npw", "+replconf", "+ping"}).str, "OK");
    ASSERT_EQ(m.call({"SET", "k", "v"}).str, "OK");
    std::string port = std::to_string(master.port());
    server_process replica({"--save", "", "--replicaof", "127.0.0.1", port, "--masteruser", "repl",
                            "--masterauth", "rpw"},
                           replica_kind);
    ASSERT_TRUE(replica.start());
    EXPECT_TRUE(wait_for(
        [&] {
          return replica.call({"GET", "k"}).str == "v";
        },
        20000))
        << replica.log_text();
    EXPECT_EQ(m.call({"SET", "k2", "v2"}).str, "OK");
    EXPECT_TRUE(wait_for([&] { return replica.call({"GET", "k2"}).str == "v2"; }, 20000));
    // The replica's connection on the master runs as repl.
    std::string clients = m.call({"CLIENT", "LIST"}).str;
    EXPECT_NE(clients.find("user=repl"), std::string::npos) << clients;

    server_process refused({"--save", "", "--replicaof", "127.0.0.1", port, "--masteruser",
                            "nopsync", "--masterauth", "npw"},
                           replica_kind);
    ASSERT_TRUE(refused.start());
    EXPECT_TRUE(wait_for(
        [&] {
          auto log = m.call({"ACL", "LOG"});
          return log.to_string().find("psync") != std::string::npos;
        },
        20000))
        << m.call({"ACL", "LOG"}).to_string();
    EXPECT_NE(info_field(refused, "replication", "master_link_status"), "up");
    EXPECT_TRUE(refused.call({"GET", "k"}).is_nil());
  }
}

}  // namespace
