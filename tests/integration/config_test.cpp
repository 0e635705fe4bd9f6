// Start-up configuration and CONFIG GET/SET/REWRITE on a running server.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support/differential.hpp"
#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {
std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}
std::string server_output(const std::string& args, int* status) {
  return run_command(std::string(TROUPE_SERVER_PATH) + " " + args + " 2>&1", status);
}
}  // namespace

TEST(config_startup, bad_lines_stop_startup_with_file_line_and_reason) {
  std::string dir = temp_dir("troupe-conf");
  struct bad {
    std::string text, reason;
    int line;
  };
  for (auto& b : std::vector<bad>{
           {"port 7000\nfoo bar\n", "Bad directive or wrong number of arguments", 2},
           {"port abc\n", "argument couldn't be parsed into an integer", 1},
           {"# comment\n\nport 99999\n", "argument must be between 0 and 65535 inclusive", 3},
           {"loglevel loud\n",
            "argument(s) must be one of the following: debug, verbose, notice, warning", 1},
           {"daemonize maybe\n", "argument must be 'yes' or 'no'", 1},
           {"client-query-buffer-limit 10xb\n", "argument must be a memory value", 1},
           {"requirepass \"unterminated\n", "Unbalanced quotes in configuration line", 1},
           {"timeout 1 2\n", "wrong number of arguments", 1}}) {
    std::string path = write_file(dir, "bad.conf", b.text);
    int status = 0;
    std::string out = server_output(path, &status);
    EXPECT_NE(status, 0) << b.text;
    EXPECT_NE(out.find("FATAL CONFIG FILE ERROR"), std::string::npos) << out;
    EXPECT_NE(out.find(path + ", at line " + std::to_string(b.line)), std::string::npos) << out;
    EXPECT_NE(out.find(b.reason), std::string::npos) << out;
  }
  int status = 0;
  std::string out = server_output("--port 99999", &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("argument must be between 0 and 65535 inclusive"), std::string::npos) << out;
  out = server_output(dir + "/missing.conf", &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("can't open config file"), std::string::npos) << out;
}

TEST(config_startup, file_include_units_and_command_line_override) {
  std::string dir = temp_dir("troupe-conf");
  write_file(dir, "extra.conf", "timeout 77\n");
  std::string main = write_file(dir, "main.conf",
                                "# a comment\n"
                                "include " +
                                    dir +
                                    "/extra.conf\n"
                                    "proto-max-bulk-len 2mb\n"
                                    "client-query-buffer-limit 1GB\n"
                                    "tcp-keepalive 60\n"
                                    "requirepass \"pass word\"\n"
                                    "loglevel verbose\n"
                                    "replicaof 127.0.0.1 6390\n");
  server_process s({"--tcp-keepalive", "30", "--requirepass", ""}, server_process::kind::troupe,
                   main);
  ASSERT_TRUE(s.start());
  auto get = [&](const std::string& name) {
    auto r = s.call({"CONFIG", "GET", name});
    return r.elements.size() == 2 ? r.elements[1].str : "<missing>";
  };
  EXPECT_EQ(get("timeout"), "77");
  EXPECT_EQ(get("proto-max-bulk-len"), "2097152");
  EXPECT_EQ(get("client-query-buffer-limit"), "1073741824");
  EXPECT_EQ(get("tcp-keepalive"), "30");
  EXPECT_EQ(get("loglevel"), "verbose");
  EXPECT_EQ(get("replicaof"), "127.0.0.1 6390");
  EXPECT_EQ(get("slaveof"), "127.0.0.1 6390");
  EXPECT_EQ(get("dir"), s.dir());
}

TEST(config_runtime, get_set_all_or_nothing) {
  server_process s;
  ASSERT_TRUE(s.start());
  server_process r({}, server_process::kind::redis);
  ASSERT_TRUE(r.start());
  resp_client t = s.client(), rc = r.client();
  auto same = [&](std::vector<std::string> args) {
    auto a = rc.call(args), b = t.call(args);
    EXPECT_EQ(a.to_string(), b.to_string()) << args[1] << " " << (args.size() > 2 ? args[2] : "");
  };
  same({"CONFIG", "SET", "timeout", "10", "tcp-keepalive", "20"});
  same({"CONFIG", "GET", "timeout"});
  same({"CONFIG", "SET", "timeout", "11", "port", "99999"});
  same({"CONFIG", "GET", "timeout"});  // unchanged: all or nothing
  same({"CONFIG", "SET", "timeout", "5", "timeout", "6"});
  same({"CONFIG", "SET", "nosuch", "1"});
  same({"CONFIG", "SET", "daemonize", "yes"});
  same({"CONFIG", "SET", "databases", "3"});
  same({"CONFIG", "SET", "dir", "/tmp"});
  same({"CONFIG", "SET", "dbfilename", "x.rdb"});
  same({"CONFIG", "SET", "loglevel", "loud"});
  same({"CONFIG", "SET", "proto-max-bulk-len", "100"});
  same({"CONFIG", "SET", "proto-max-bulk-len", "64mb"});
  same({"CONFIG", "GET", "proto-max-bulk-len"});
  same({"CONFIG", "SET", "hz", "0"});
  same({"CONFIG", "GET", "hz"});
  same({"CONFIG", "SET", "hz", "10"});
  same({"CONFIG", "SET", "timeout"});
  same({"CONFIG", "SET", "maxclients", "0"});
  same({"CONFIG", "GET", "tcp-keepalive"});
  same({"CONFIG", "GET", "nosuch*"});
  // Glob patterns and several at once; order may differ, so compare as sets.
  auto m = t.call({"CONFIG", "GET", "*max-*", "port"});
  std::set<std::string> names;
  for (size_t i = 0; i < m.elements.size(); i += 2) names.insert(m.elements[i].str);
  EXPECT_TRUE(names.count("proto-max-bulk-len"));
  EXPECT_TRUE(names.count("port"));
  EXPECT_TRUE(names.count("maxclients") == 0);  // "*max-*" needs a dash after max
  // Live effect: a smaller proto-max-bulk-len applies at once.
  t.call({"CONFIG", "SET", "proto-max-bulk-len", "1mb"});
  resp_client c = s.client();
  ASSERT_TRUE(c.send_raw("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n"));  // header only
  auto e = c.read_reply();
  EXPECT_EQ(e.str, "ERR Protocol error: invalid bulk length");
}

TEST(config_runtime, reactor_spin_us_is_live_and_checked) {
  server_process s({"--reactor-spin-us", "20"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  EXPECT_EQ(c.call({"CONFIG", "GET", "reactor-spin-us"}).elements.at(1).str, "20");
  // Polling reactors still answer a pipeline in order.
  for (int i = 0; i < 1000; ++i) c.append({"INCR", "n"});
  c.flush();
  for (int i = 1; i <= 1000; ++i) ASSERT_EQ(c.read_reply().integer, i);
  EXPECT_EQ(c.call({"CONFIG", "SET", "reactor-spin-us", "0"}).str, "OK");
  EXPECT_EQ(c.call({"INCR", "n"}).integer, 1001);
  auto e = c.call({"CONFIG", "SET", "reactor-spin-us", "5000"});
  EXPECT_TRUE(e.is_error());
  EXPECT_NE(e.str.find("argument must be between 0 and 1000 inclusive"), std::string::npos)
      << e.str;
}

// reactor-coalesce-us: off by default outside proxy mode, live, bounded; a
// reactor that gathers its input still answers a pipeline in order.
TEST(config_runtime, reactor_coalesce_us_is_live_and_checked) {
  server_process s;
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  EXPECT_EQ(c.call({"CONFIG", "GET", "reactor-coalesce-us"}).elements.at(1).str, "0");
  EXPECT_EQ(c.call({"CONFIG", "SET", "reactor-coalesce-us", "1000"}).str, "OK");
  for (int i = 0; i < 1000; ++i) c.append({"INCR", "n"});
  c.flush();
  for (int i = 1; i <= 1000; ++i) ASSERT_EQ(c.read_reply().integer, i);
  auto e = c.call({"CONFIG", "SET", "reactor-coalesce-us", "1001"});
  EXPECT_TRUE(e.is_error());
  EXPECT_NE(e.str.find("argument must be between 0 and 1000 inclusive"), std::string::npos)
      << e.str;
}

TEST(config_runtime, set_port_rebinds) {
  server_process s;
  ASSERT_TRUE(s.start());
  int fresh = free_port();
  EXPECT_EQ(s.call({"CONFIG", "SET", "port", std::to_string(fresh)}).str, "OK");
  resp_client c;
  ASSERT_TRUE(c.connect("127.0.0.1", fresh));
  EXPECT_EQ(c.call({"PING"}).str, "PONG");
  resp_client old;
  EXPECT_FALSE(old.connect("127.0.0.1", s.port()));
}

TEST(config_runtime, rewrite_keeps_comments_and_order) {
  std::string dir = temp_dir("troupe-conf");
  std::string path = write_file(dir, "rw.conf",
                                "# Top comment\n"
                                "timeout 5\n"
                                "\n"
                                "# Keepalive below\n"
                                "tcp-keepalive 100\n"
                                "timeout 6\n"
                                "loglevel notice\n");
  server_process s({}, server_process::kind::troupe, path);
  ASSERT_TRUE(s.start());
  EXPECT_EQ(s.call({"CONFIG", "SET", "timeout", "42", "hz", "33"}).str, "OK");
  EXPECT_EQ(s.call({"CONFIG", "REWRITE"}).str, "OK");
  std::string text = read_file(path);
  EXPECT_EQ(text.find("# Top comment\ntimeout 42\n\n# Keepalive below\ntcp-keepalive 100\n"), 0u)
      << text;
  EXPECT_EQ(text.find("timeout 6"), std::string::npos) << text;
  EXPECT_NE(text.find("# Generated by CONFIG REWRITE\n"), std::string::npos) << text;
  EXPECT_NE(text.find("hz 33\n"), std::string::npos) << text;
  // The rewritten file starts a server with the same settings.
  s.stop();
  server_process again({}, server_process::kind::troupe, path);
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"CONFIG", "GET", "hz"}).elements[1].str, "33");
  EXPECT_EQ(again.call({"CONFIG", "GET", "timeout"}).elements[1].str, "42");
  // Without a config file REWRITE refuses, as Redis does.
  server_process nofile;
  ASSERT_TRUE(nofile.start());
  EXPECT_EQ(nofile.call({"CONFIG", "REWRITE"}).str,
            "ERR The server is running without a config file");
}

// Found by fuzz_config: an argument of a multi-argument directive holding a
// newline (a "\n" escape) was written back bare by CONFIG REWRITE, so the
// server could not restart on the file it rewrote. (Redis 7.0 writes `bind`
// bare too; Troupe quotes the arguments that need it.)
TEST(config_runtime, rewrite_quotes_arguments_of_multi_argument_directives) {
  std::string dir = temp_dir("troupe-conf");
  std::string path = write_file(dir, "rw.conf", "timeout 5\n");
  // "-" marks an address that may be unavailable: the server starts without it.
  server_process s({"--bind", "127.0.0.1", "-no\nsuch host"}, server_process::kind::troupe, path);
  ASSERT_TRUE(s.start());
  auto bind = s.call({"CONFIG", "GET", "bind"});
  ASSERT_EQ(bind.elements.size(), 2u);
  EXPECT_EQ(bind.elements[1].str, "127.0.0.1 \"-no\\nsuch host\"");
  EXPECT_EQ(s.call({"CONFIG", "REWRITE"}).str, "OK");
  std::string text = read_file(path);
  EXPECT_NE(text.find("bind 127.0.0.1 \"-no\\nsuch host\"\n"), std::string::npos) << text;
  s.stop();
  // The rewritten file starts a server (a bare newline would leave a bad line).
  server_process again({}, server_process::kind::troupe, path);
  ASSERT_TRUE(again.start()) << again.log_text();
  EXPECT_EQ(again.call({"CONFIG", "GET", "timeout"}).elements[1].str, "5");
}

TEST(config_files, default_conf_is_complete_and_starts) {
  int status = 0;
  std::string generated = server_output("--default-config", &status);
  std::string shipped = read_file(std::string(TROUPE_SOURCE_DIR) + "/conf/default.conf");
  EXPECT_EQ(generated, shipped)
      << "regenerate conf/default.conf with troupe-server --default-config";
  server_process s({}, server_process::kind::troupe,
                   std::string(TROUPE_SOURCE_DIR) + "/conf/default.conf");
  ASSERT_TRUE(s.start());
  EXPECT_EQ(s.call({"PING"}).str, "PONG");
}

// The pid and log files are named relative to dir, as Redis resolves them
// (it enters dir while it reads the config, before either file is opened).
TEST(config_startup, daemonize_writes_pidfile_and_serves) {
  std::string dir = temp_dir("troupe-daemon");
  int port = free_port();
  std::string pidfile = dir + "/troupe.pid";
  int status = 0;
  run_command(std::string(TROUPE_SERVER_PATH) + " --port " + std::to_string(port) +
                  " --bind 127.0.0.1 --daemonize yes --pidfile troupe.pid --dir " + dir +
                  " --logfile log",
              &status);
  EXPECT_EQ(status, 0);  // the parent returns at once
  resp_client c;
  bool up = false;
  for (int i = 0; i < 100 && !up; ++i) {
    up = c.connect("127.0.0.1", port, 500) && c.call({"PING"}).str == "PONG";
    if (!up) usleep(50000);
  }
  ASSERT_TRUE(up);
  std::string pid_text = read_file(pidfile);
  ASSERT_FALSE(pid_text.empty());
  pid_t pid = std::stoi(pid_text);
  auto info = c.call({"INFO", "server"}).str;
  EXPECT_NE(info.find("process_id:" + std::to_string(pid)), std::string::npos) << info;
  EXPECT_NE(read_file(dir + "/log").find("Ready to accept connections"), std::string::npos);
  c.call({"SHUTDOWN", "NOSAVE"});
  for (int i = 0; i < 100 && kill(pid, 0) == 0; ++i) usleep(50000);
  EXPECT_NE(kill(pid, 0), 0);
  EXPECT_TRUE(read_file(pidfile).empty());  // removed at exit
}

TEST(config_startup, shards_must_be_a_multiple_of_threads) {
  int status = 0;
  std::string out =
      server_output("--port " + std::to_string(free_port()) + " --threads 2 --shards 3", &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("must be a multiple of threads"), std::string::npos) << out;
}

// Found by the hostile-input tester: CONFIG SET checks every name before any
// value (the first unknown, immutable or protected one is the error), a name
// and its alias may be set together, the *-listpack-value directives are
// memory values, and ranges are checked before hz is clamped.
TEST(config_set, checks_like_redis) {
  differential d;
  ASSERT_TRUE(d.ok());
  d.same({"CONFIG", "SET", "a", "b", "c"});
  d.same({"CONFIG", "SET", "hz", "10", "hz"});
  d.same({"CONFIG", "SET", "hz", "x", "daemonize", "no"});
  d.same({"CONFIG", "SET", "daemonize", "no", "nosuch", "1"});
  d.same({"CONFIG", "SET", "nosuch", "1", "daemonize", "no"});
  d.same({"CONFIG", "SET", "lazyfree-lazy-expire", "-1", "pidfile", "notice"});
  d.same({"CONFIG", "SET", "rdbchecksum", "verbose", "rdbchecksum", "yes"});
  d.same({"CONFIG", "SET", "rdbchecksum", "yes"});
  d.same({"CONFIG", "SET", "hz", "10", "HZ", "11"});
  d.same({"CONFIG", "SET", "hash-max-ziplist-entries", "5", "hash-max-listpack-entries", "6"});
  d.same({"CONFIG", "GET", "hash-max-listpack-entries"});
  for (auto v : {"1gb", "-1", "18446744073709551616", "9223372036854775808", "mb", "", "1.5", " 1",
                 "1KB", "0x10", "64"}) {
    d.same({"CONFIG", "SET", "hash-max-listpack-value", v});
    d.same({"CONFIG", "SET", "zset-max-listpack-value", v});
    d.same({"CONFIG", "SET", "proto-max-bulk-len", v});
  }
  d.same({"CONFIG", "GET", "hash-max-listpack-value"});
  d.same({"CONFIG", "GET", "zset-max-listpack-value"});
  d.same({"CONFIG", "SET", "appendfsync", "x"});
  for (auto v : {"4294967296", "-1", "0", "2147483647", "10"}) {
    d.same({"CONFIG", "SET", "hz", v});
    d.same({"CONFIG", "GET", "hz"});
  }
  d.same({"CONFIG", "SET", std::string("a\0b", 3), "1"});
  d.same({"CONFIG", "SET", "daemonize", "no", std::string("a\0b", 3), "1"});
}
