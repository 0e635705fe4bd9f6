// The append only file: what is written, reloading after restarts and kill -9,
// fsync policies, truncated and corrupt files.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "support/server_process.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {
std::string incr_path(const server_process& s) {
  return s.dir() + "/appendonlydir/appendonly.aof.1.incr.aof";
}
}  // namespace

TEST(aof, layout_and_reload) {
  server_process s({"--appendonly", "yes"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  c.call({"SET", "a", "1"});
  c.call({"SET", "t", "v", "EX", "1000"});
  c.call({"INCRBYFLOAT", "f", "1.5"});
  c.call({"RPUSH", "l", "x", "y"});
  c.call({"SELECT", "3"});
  c.call({"SET", "in3", "yes"});
  c.call({"MULTI"});
  c.call({"INCR", "n"});
  c.call({"INCR", "n"});
  c.call({"EXEC"});
  c.call({"EXPIRE", "in3", "500"});
  c.call({"DEL", "nope"});  // no change: not journaled
  std::string manifest = read_file(s.dir() + "/appendonlydir/appendonly.aof.manifest");
  EXPECT_EQ(manifest, "file appendonly.aof.1.incr.aof seq 1 type i\n");
  std::string aof = read_file(incr_path(s));
  EXPECT_NE(aof.find("PXAT"), std::string::npos) << aof;  // relative TTL made absolute
  EXPECT_NE(aof.find("KEEPTTL"), std::string::npos) << aof;
  EXPECT_NE(aof.find("MULTI"), std::string::npos) << aof;
  EXPECT_NE(aof.find("PEXPIREAT"), std::string::npos) << aof;
  EXPECT_EQ(aof.find("nope"), std::string::npos) << aof;
  s.stop();
  server_process again({"--appendonly", "yes", "--dir", s.dir()});
  ASSERT_TRUE(again.start());
  resp_client d = again.client();
  EXPECT_EQ(d.call({"GET", "a"}).str, "1");
  EXPECT_GT(d.call({"TTL", "t"}).integer, 900);
  EXPECT_EQ(d.call({"GET", "f"}).str, "1.5");
  EXPECT_EQ(d.call({"LRANGE", "l", "0", "-1"}).to_string(), "[\"x\", \"y\"]");
  d.call({"SELECT", "3"});
  EXPECT_EQ(d.call({"GET", "in3"}).str, "yes");
  EXPECT_EQ(d.call({"GET", "n"}).str, "2");
  EXPECT_GT(d.call({"TTL", "in3"}).integer, 400);
  // Appends continue in the same file after a restart.
  d.call({"SELECT", "0"});
  d.call({"SET", "after", "restart"});
  again.stop();
  server_process third({"--appendonly", "yes", "--dir", s.dir()});
  ASSERT_TRUE(third.start());
  EXPECT_EQ(third.call({"GET", "after"}).str, "restart");
  EXPECT_EQ(third.call({"GET", "a"}).str, "1");
}

// With appendfsync always, every acknowledged write survives kill -9.
TEST(aof, always_loses_no_acknowledged_write_on_kill9) {
  server_process s({"--appendonly", "yes", "--appendfsync", "always"});
  ASSERT_TRUE(s.start());
  std::atomic<bool> stop{false};
  std::vector<std::atomic<int64_t>> acked(8);
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      resp_client c = s.client();
      for (int64_t i = 1; !stop; ++i) {
        auto r = c.call({"SET", "w" + std::to_string(w), std::to_string(i)});
        if (r.str != "OK") return;
        acked[size_t(w)] = i;
        c.call({"RPUSH", "log" + std::to_string(w), std::to_string(i)});
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  s.kill_now();
  stop = true;
  for (auto& t : writers) t.join();
  server_process again({"--appendonly", "yes", "--dir", s.dir()});
  ASSERT_TRUE(again.start());
  for (int w = 0; w < 8; ++w) {
    auto v = again.call({"GET", "w" + std::to_string(w)});
    ASSERT_FALSE(v.is_nil());
    EXPECT_GE(std::stoll(v.str), acked[size_t(w)].load()) << "writer " << w;
    EXPECT_GT(acked[size_t(w)].load(), 10);
  }
}

TEST(aof, everysec_and_no_policies_reload) {
  for (auto policy : {"everysec", "no"}) {
    server_process s({"--appendonly", "yes", "--appendfsync", policy});
    ASSERT_TRUE(s.start());
    resp_client c = s.client();
    for (int i = 0; i < 1000; ++i) c.append({"SET", "k" + std::to_string(i), std::to_string(i)});
    c.flush();
    for (int i = 0; i < 1000; ++i) c.read_reply();
    EXPECT_EQ(c.call({"CONFIG", "GET", "appendfsync"}).elements[1].str, policy);
    s.stop();
    server_process again({"--appendonly", "yes", "--dir", s.dir()});
    ASSERT_TRUE(again.start());
    EXPECT_EQ(again.call({"DBSIZE"}).integer, 1000) << policy;
  }
}

TEST(aof, truncated_last_command) {
  server_process s({"--appendonly", "yes"});
  ASSERT_TRUE(s.start());
  s.call({"SET", "kept", "1"});
  s.call({"SET", "also", "2"});
  s.stop();
  // Tear the file in the middle of a last command.
  std::string path = incr_path(s);
  std::string text = read_file(path);
  std::ofstream(path, std::ios::app) << "*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$5\r\nab";
  {
    server_process refuse({"--appendonly", "yes", "--aof-load-truncated", "no", "--dir", s.dir()});
    EXPECT_FALSE(refuse.start());
    EXPECT_NE(refuse.log_text().find("Unexpected end of file"), std::string::npos)
        << refuse.log_text();
  }
  server_process loads({"--appendonly", "yes", "--aof-load-truncated", "yes", "--dir", s.dir()});
  ASSERT_TRUE(loads.start());
  EXPECT_EQ(loads.call({"GET", "kept"}).str, "1");
  EXPECT_EQ(loads.call({"GET", "also"}).str, "2");
  EXPECT_TRUE(loads.call({"GET", "torn"}).is_nil());
  EXPECT_NE(loads.log_text().find("short read while loading the AOF"), std::string::npos);
  // The torn tail was cut off: the file is valid again and appends follow.
  EXPECT_EQ(read_file(path), text);
  loads.call({"SET", "next", "3"});
  loads.stop();
  server_process third({"--appendonly", "yes", "--aof-load-truncated", "no", "--dir", s.dir()});
  ASSERT_TRUE(third.start());
  EXPECT_EQ(third.call({"GET", "next"}).str, "3");
}

// Found by fuzz_aof: a torn last command whose bulk claims 2 GB made Troupe
// allocate and zero 2 GB before it found the file's end. Redis and Troupe both
// cut the torn command off and start; Troupe's memory never peaks.
TEST(aof, torn_command_claiming_gigabytes_is_cut_like_redis) {
  for (auto kind : {server_process::kind::redis, server_process::kind::troupe}) {
    SCOPED_TRACE(kind == server_process::kind::redis ? "redis" : "troupe");
    server_process s({"--appendonly", "yes"}, kind);
    ASSERT_TRUE(s.start());
    s.call({"SET", "kept", "1"});
    s.stop();
    std::string path = incr_path(s);
    std::string text = read_file(path);
    ASSERT_NE(text.find("kept"), std::string::npos);
    std::ofstream(path, std::ios::app) << "*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$2000000000\r\nab";
    server_process loads({"--appendonly", "yes", "--aof-load-truncated", "yes", "--dir", s.dir()},
                         kind);
    ASSERT_TRUE(loads.start());
    EXPECT_EQ(loads.call({"GET", "kept"}).str, "1");
    EXPECT_TRUE(loads.call({"GET", "torn"}).is_nil());
    EXPECT_EQ(read_file(path), text);
    if (kind == server_process::kind::troupe) {
      // Peak resident memory of the whole start-up, from the kernel.
      std::string status = read_file("/proc/" + std::to_string(loads.pid()) + "/status");
      size_t at = status.find("VmHWM:");
      ASSERT_NE(at, std::string::npos);
      long peak_kb = strtol(status.c_str() + at + 6, nullptr, 10);
      EXPECT_LT(peak_kb, 1024 * 1024) << status;
    }
  }
}

// Found by fuzz_aof (UBSan): a manifest seq of INT64_MAX overflowed when the
// next file's number was computed. Start-up refuses such a manifest.
TEST(aof, manifest_seq_beyond_range_stops_startup) {
  server_process s({"--appendonly", "yes"});
  ASSERT_TRUE(s.start());
  s.call({"SET", "a", "1"});
  s.stop();
  std::string manifest = s.dir() + "/appendonlydir/appendonly.aof.manifest";
  std::string text = read_file(manifest);
  size_t at = text.find("seq 1 type i");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, 5, "seq 9223372036854775807");
  std::ofstream(manifest, std::ios::trunc) << text;
  server_process refuse({"--appendonly", "yes", "--dir", s.dir()});
  EXPECT_FALSE(refuse.start());
  EXPECT_NE(refuse.log_text().find("Invalid AOF manifest seq"), std::string::npos)
      << refuse.log_text();
}

TEST(aof, unfinished_transaction_is_not_applied) {
  server_process s({"--appendonly", "yes"});
  ASSERT_TRUE(s.start());
  s.call({"SET", "base", "1"});
  s.stop();
  std::ofstream(incr_path(s), std::ios::app)
      << "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$1\r\n1\r\n";
  server_process loads({"--appendonly", "yes", "--dir", s.dir()});
  ASSERT_TRUE(loads.start());
  EXPECT_EQ(loads.call({"GET", "base"}).str, "1");
  EXPECT_TRUE(loads.call({"GET", "half"}).is_nil());
}

TEST(aof, corrupt_middle_stops_startup) {
  server_process s({"--appendonly", "yes"});
  ASSERT_TRUE(s.start());
  s.call({"SET", "a", "1"});
  s.call({"SET", "b", "2"});
  s.stop();
  std::string path = incr_path(s);
  std::string text = read_file(path);
  size_t pos = text.find("$1\r\nb");
  ASSERT_NE(pos, std::string::npos);
  text[pos] = '#';
  std::ofstream(path, std::ios::trunc) << text;
  server_process refuse({"--appendonly", "yes", "--dir", s.dir()});
  EXPECT_FALSE(refuse.start());
  EXPECT_NE(refuse.log_text().find("Bad file format reading the append only file"),
            std::string::npos)
      << refuse.log_text();
}

TEST(aof, expiry_and_blocking_pops_are_journaled_as_plain_commands) {
  server_process s({"--appendonly", "yes", "--hz", "100"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  c.call({"SET", "short", "v", "PX", "20"});
  resp_client waiter = s.client();
  waiter.append({"BLPOP", "q", "0"});
  waiter.flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  c.call({"RPUSH", "q", "a", "b"});
  EXPECT_EQ(waiter.read_reply().to_string(), "[\"q\", \"a\"]");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::string aof = read_file(incr_path(s));
  EXPECT_NE(aof.find("$3\r\nDEL\r\n$5\r\nshort"), std::string::npos) << aof;
  EXPECT_NE(aof.find("$4\r\nLPOP\r\n$1\r\nq"), std::string::npos) << aof;
  EXPECT_EQ(aof.find("BLPOP"), std::string::npos) << aof;
  s.stop();
  server_process again({"--appendonly", "yes", "--dir", s.dir()});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"LRANGE", "q", "0", "-1"}).to_string(), "[\"b\"]");
}
// Turning the AOF on at run time is covered in snapshot_test (it starts with a rewrite).

#ifdef TROUPE_CHECK_AOF_PATH
TEST(aof, check_aof_reports_and_fixes) {
  server_process s({"--appendonly", "yes"});
  ASSERT_TRUE(s.start());
  s.call({"SET", "a", "1"});
  s.call({"SET", "b", "2"});
  s.stop();
  std::string manifest = s.dir() + "/appendonlydir/appendonly.aof.manifest";
  std::string tool = TROUPE_CHECK_AOF_PATH;
  int status = 0;
  std::string out = run_command(tool + " " + manifest + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("All AOF files and manifest are valid"), std::string::npos) << out;
  std::string incr = incr_path(s);
  std::ofstream(incr, std::ios::app) << "*2\r\n$3\r\nDEL\r\n$1";
  out = run_command(tool + " " + manifest + " 2>&1", &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("is not valid. Use the --fix option"), std::string::npos) << out;
  out = run_command("echo y | " + tool + " --fix " + manifest + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("Successfully truncated AOF"), std::string::npos) << out;
  out = run_command(tool + " " + manifest + " 2>&1", &status);
  EXPECT_EQ(status, 0) << out;
  server_process again({"--appendonly", "yes", "--aof-load-truncated", "no", "--dir", s.dir()});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(again.call({"GET", "b"}).str, "2");
}
#endif

namespace {
// Everything a server holds in db 0, as text, to compare two servers.
std::map<std::string, std::string> dataset(server_process& s) {
  std::map<std::string, std::string> out;
  resp_client c = s.client();
  for (auto& k : c.call({"KEYS", "*"}).elements) {
    std::string type = c.call({"TYPE", k.str}).str;
    std::vector<std::string> get;
    if (type == "string") get = {"GET", k.str};
    if (type == "list") get = {"LRANGE", k.str, "0", "-1"};
    if (type == "hash") get = {"HGETALL", k.str};
    if (type == "set") get = {"SMEMBERS", k.str};
    if (type == "zset") get = {"ZRANGE", k.str, "0", "-1", "WITHSCORES"};
    auto v = c.call(get);
    std::vector<std::string> items;
    for (auto& e : v.elements) items.push_back(e.str);
    if (type == "hash" || type == "set") std::sort(items.begin(), items.end());
    std::string text = type + ":" + (v.elements.empty() ? v.str : "");
    for (auto& i : items) text += i + ",";
    text += " ttl>0:" + std::to_string(c.call({"PTTL", k.str}).integer > 0);
    out[k.str] = text;
  }
  return out;
}
}  // namespace

// Random and float writes are journaled in a form that replays to the same data.
TEST(aof, reload_reproduces_random_and_float_writes) {
  server_process s({"--appendonly", "yes"});
  ASSERT_TRUE(s.start());
  resp_client c = s.client();
  for (int i = 0; i < 200; ++i) c.call({"SADD", "set", "m" + std::to_string(i)});
  c.call({"SPOP", "set"});
  c.call({"SPOP", "set", "50"});
  c.call({"SADD", "small", "a", "b"});
  c.call({"SPOP", "small", "10"});
  c.call({"HINCRBYFLOAT", "h", "f", "0.1"});
  c.call({"HINCRBYFLOAT", "h", "f", "1e-5"});
  c.call({"INCRBYFLOAT", "fl", "3.3333333333333"});
  c.call({"ZADD", "z", "INCR", "1.5", "m"});
  c.call({"RPUSH", "l", "a", "b", "c", "d"});
  c.call({"LMPOP", "1", "l", "LEFT", "COUNT", "2"});
  c.call({"SET", "t", "v", "PX", "100000"});
  c.call({"GETEX", "t", "EX", "500"});
  c.call({"SETEX", "se", "300", "v"});
  c.call({"RPUSH", "q", "x"});
  c.call({"BLMOVE", "q", "q2", "LEFT", "LEFT", "0"});
  c.call({"RESTORE", "restored", "100000", c.call({"DUMP", "l"}).str});
  auto before = dataset(s);
  s.stop();
  server_process again({"--appendonly", "yes", "--dir", s.dir()});
  ASSERT_TRUE(again.start());
  EXPECT_EQ(dataset(again), before);
}
