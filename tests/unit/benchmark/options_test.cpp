// Option parsing of troupe-benchmark: redis-benchmark's options and Troupe's.
#include <gtest/gtest.h>

#include "tools/benchmark/options.hpp"

using namespace troupe::bench;

namespace {
parse_result parse(std::vector<std::string> args) {
  return parse_options(args);
}
}  // namespace

TEST(benchmark_options, defaults_match_redis_benchmark) {
  auto r = parse({});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.opts.host, "127.0.0.1");
  EXPECT_EQ(r.opts.port, 6379);
  EXPECT_EQ(r.opts.clients, 50);
  EXPECT_EQ(r.opts.requests, 100000);
  EXPECT_EQ(r.opts.data_size, 3);
  EXPECT_EQ(r.opts.pipeline, 1);
  EXPECT_EQ(r.opts.precision, 3);
  EXPECT_TRUE(r.opts.keep_alive);
  EXPECT_FALSE(r.opts.random_keys);
  EXPECT_FALSE(r.opts.tests.has_value());
  EXPECT_TRUE(r.opts.command.empty());
}

TEST(benchmark_options, all_redis_benchmark_options) {
  auto r = parse({"-h",    "10.0.0.1", "-p",      "7000",    "-a",        "pw", "--user",
                  "bob",   "-c",       "8",       "-n",      "1234",      "-d", "16",
                  "-k",    "0",        "-r",      "1000",    "-P",        "16", "-q",
                  "--csv", "-l",       "-t",      "SET,Get", "--threads", "2",  "--precision",
                  "2",     "-e",       "--dbnum", "3",       "--seed",    "42", "-3"});
  ASSERT_TRUE(r.ok()) << r.error;
  const options& o = r.opts;
  EXPECT_EQ(o.host, "10.0.0.1");
  EXPECT_EQ(o.port, 7000);
  EXPECT_EQ(o.password, "pw");
  EXPECT_EQ(o.user, "bob");
  EXPECT_EQ(o.clients, 8);
  EXPECT_EQ(o.requests, 1234);
  EXPECT_EQ(o.data_size, 16);
  EXPECT_FALSE(o.keep_alive);
  EXPECT_TRUE(o.random_keys);
  EXPECT_EQ(o.keyspace, 1000);
  EXPECT_EQ(o.pipeline, 16);
  EXPECT_TRUE(o.quiet);
  EXPECT_TRUE(o.csv);
  EXPECT_TRUE(o.loop);
  EXPECT_EQ(o.tests, "set,get");
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.precision, 2);
  EXPECT_TRUE(o.show_errors);
  EXPECT_EQ(o.dbnum, 3);
  EXPECT_EQ(o.seed, 42u);
  EXPECT_TRUE(o.resp3);
  // -k 0 warns about TIME_WAIT sockets, as redis-benchmark does.
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("Keepalive disabled"), std::string::npos);
}

TEST(benchmark_options, unix_socket_and_uri) {
  auto r = parse({"-s", "/tmp/redis.sock"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.opts.socket_path, "/tmp/redis.sock");

  r = parse({"-u", "redis://alice:secret@example.org:6380/2"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.opts.user, "alice");
  EXPECT_EQ(r.opts.password, "secret");
  EXPECT_EQ(r.opts.host, "example.org");
  EXPECT_EQ(r.opts.port, 6380);
  EXPECT_EQ(r.opts.dbnum, 2);

  r = parse({"-u", "redis://:pw@localhost"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(r.opts.user.has_value());
  EXPECT_EQ(r.opts.password, "pw");
  EXPECT_EQ(r.opts.host, "localhost");
  EXPECT_EQ(r.opts.port, 6379);

  EXPECT_FALSE(parse({"-u", "http://x"}).ok());
  EXPECT_FALSE(parse({"-u", "rediss://x"}).ok());
}

TEST(benchmark_options, custom_command_after_double_dash) {
  auto r = parse({"-n", "100000", "-r", "1000", "--", "SET", "key:__rand_int__", "__data__"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.opts.requests, 100000);
  EXPECT_EQ(r.opts.command, (std::vector<std::string>{"SET", "key:__rand_int__", "__data__"}));
}

TEST(benchmark_options, custom_command_without_double_dash) {
  // As redis-benchmark: the first argument that is not an option starts it,
  // and later arguments are the command's even if they look like options.
  auto r = parse({"-q", "lpush", "mylist", "-x"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(r.opts.quiet);
  EXPECT_FALSE(r.opts.stdin_arg);
  EXPECT_EQ(r.opts.command, (std::vector<std::string>{"lpush", "mylist", "-x"}));
  // After "--", even a dash-led first word is the command.
  r = parse({"--", "-weird"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.opts.command, std::vector<std::string>{"-weird"});
}

TEST(benchmark_options, t_is_ignored_with_a_custom_command) {
  auto r = parse({"-t", "set", "ping"});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "WARNING: Option -t is ignored.");
}

TEST(benchmark_options, errors_name_the_option) {
  auto r = parse({"-c"});
  EXPECT_EQ(r.error, "Invalid option \"-c\" or option argument missing");
  r = parse({"--bogus"});
  EXPECT_EQ(r.error, "Invalid option \"--bogus\" or option argument missing");
  r = parse({"-n", "ten"});
  EXPECT_EQ(r.error, "Invalid value \"ten\" for option -n");
  r = parse({"-n", "0"});
  EXPECT_FALSE(r.ok());
  r = parse({"-c", "-5"});
  EXPECT_FALSE(r.ok());
  r = parse({"-p", "70000"});
  EXPECT_FALSE(r.ok());
  r = parse({"--cluster"});
  EXPECT_NE(r.error.find("not supported"), std::string::npos);
  r = parse({"--user", "bob"});
  EXPECT_NE(r.error.find("needs -a"), std::string::npos);
}

TEST(benchmark_options, clamps_like_redis_benchmark) {
  auto r = parse({"-P", "0", "-d", "0", "-r", "-5", "--precision", "9", "--threads", "900"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.opts.pipeline, 1);
  EXPECT_EQ(r.opts.data_size, 1);
  EXPECT_EQ(r.opts.keyspace, 0);
  EXPECT_TRUE(r.opts.random_keys);
  EXPECT_EQ(r.opts.precision, 4);
  EXPECT_EQ(r.opts.threads, 500);
  r = parse({"--precision", "-1"});
  EXPECT_EQ(r.opts.precision, 3);
}

TEST(benchmark_options, troupe_extensions) {
  auto r =
      parse({"-r", "1000000", "--zipf", "0.99", "--ratio", "1:10", "--duration", "2.5", "--json"});
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_DOUBLE_EQ(r.opts.zipf, 0.99);
  ASSERT_TRUE(r.opts.ratio.has_value());
  EXPECT_EQ(r.opts.ratio->first, 1);
  EXPECT_EQ(r.opts.ratio->second, 10);
  EXPECT_DOUBLE_EQ(r.opts.duration, 2.5);
  EXPECT_TRUE(r.opts.json);

  EXPECT_FALSE(parse({"--zipf", "1.1"}).ok()) << "--zipf needs a keyspace";
  EXPECT_FALSE(parse({"-r", "10", "--zipf", "0"}).ok());
  EXPECT_FALSE(parse({"--ratio", "1"}).ok());
  EXPECT_FALSE(parse({"--ratio", "0:0"}).ok());
  EXPECT_FALSE(parse({"--ratio", "a:b"}).ok());
  EXPECT_FALSE(parse({"--ratio", "1:2", "GET", "x"}).ok());
  EXPECT_FALSE(parse({"--duration", "-1"}).ok());
  EXPECT_TRUE(parse({"--ratio", "0:1"}).ok());
}

TEST(benchmark_options, test_selection_is_by_whole_name) {
  auto o = parse({"-t", "lrange_100,SET"}).opts;
  EXPECT_TRUE(test_selected(o, "set"));
  EXPECT_TRUE(test_selected(o, "lrange_100"));
  EXPECT_FALSE(test_selected(o, "lrange"));
  EXPECT_FALSE(test_selected(o, "get"));
  EXPECT_FALSE(test_selected(o, "se"));
  options all;
  EXPECT_TRUE(test_selected(all, "anything"));
}

TEST(benchmark_options, help_and_version) {
  EXPECT_TRUE(parse({"--help"}).opts.help);
  EXPECT_TRUE(parse({"--version"}).opts.version);
  const std::string usage = usage_text();
  for (const char* opt : {"-h <hostname>",
                          "-p <port>",
                          "-s <socket>",
                          "-a <password>",
                          "--user",
                          "-c <clients>",
                          "-n <requests>",
                          "-d <size>",
                          "-k <boolean>",
                          "-r <keyspacelen>",
                          "-P <numreq>",
                          "-q",
                          "--csv",
                          "-l",
                          "-t <tests>",
                          "-I",
                          "--threads",
                          "--precision",
                          "-e",
                          "--dbnum",
                          "--seed",
                          "--zipf",
                          "--ratio",
                          "--duration",
                          "--json"}) {
    EXPECT_NE(usage.find(opt), std::string::npos) << opt;
  }
}
