// sentinel_config: the directives, error texts and rewrites are those of
// redis-sentinel 7.0.15 on the same files (checked by running it).
#include <gtest/gtest.h>

#include "topology/sentinel/sentinel_config.hpp"

using namespace troupe::sentinel;

namespace {

config_hooks test_hooks() {
  config_hooks h;
  h.executable = [](const std::string& p) { return p == "/bin/notify.sh"; };
  h.resolve = [](const std::string& host, bool names) -> std::optional<std::string> {
    if (host == "127.0.0.1" || host == "10.0.0.1" || host == "::1") return host;
    if (names && host == "db.local") return std::string("10.0.0.9");
    return std::nullopt;
  };
  return h;
}

std::optional<config_error> load(sentinel_conf& c, std::string_view text) {
  return apply_sentinel_lines(c, sentinel_lines_of(text), test_hooks());
}

// The error message for a file (the line after "port 26379").
std::string error_of(std::string_view body) {
  sentinel_conf c;
  auto e = load(c, "port 26379\n" + std::string(body) + "\n");
  return e ? std::to_string(e->linenum) + ": " + e->message : "ok";
}

}  // namespace

TEST(sentinel_config, reads_every_directive) {
  sentinel_conf c;
  auto e = load(c,
                "port 26379\n"
                "  sentinel   announce-ip 10.0.0.1  \n"
                "sentinel announce-port 5555\n"
                "sentinel sentinel-user su\n"
                "sentinel sentinel-pass \"p w\"\n"
                "sentinel resolve-hostnames yes\n"
                "sentinel announce-hostnames NO\n"
                "sentinel deny-scripts-reconfig no\n"
                "SENTINEL down-after-milliseconds other 5000\n"  // before its monitor line
                "sentinel monitor other 127.0.0.1 6380 1\n"
                "sentinel monitor mymaster db.local 6379 2\n"
                "sentinel auth-pass mymaster \"sec ret\"\n"
                "sentinel auth-user mymaster bob\n"
                "sentinel parallel-syncs mymaster 3\n"
                "sentinel failover-timeout mymaster 9000\n"
                "sentinel notification-script mymaster /bin/notify.sh\n"
                "sentinel client-reconfig-script mymaster /bin/notify.sh\n"
                "sentinel rename-command mymaster CONFIG GUESSME\n"
                "sentinel known-slave other 127.0.0.1 6381\n"
                "sentinel known-replica other ::1 6382\n"
                "sentinel known-sentinel other 127.0.0.1 26380 "
                "0123456789012345678901234567890123456789\n"
                "sentinel known-sentinel other 127.0.0.1 26381\n"
                "sentinel config-epoch other 7\n"
                "sentinel leader-epoch other 9\n"
                "sentinel current-epoch 3\n"
                "sentinel myid 1111111111111111111111111111111111111111\n");
  ASSERT_FALSE(e) << e->message;
  EXPECT_EQ(c.announce_ip, "10.0.0.1");
  EXPECT_EQ(c.announce_port, 5555);
  EXPECT_EQ(c.sentinel_user, "su");
  EXPECT_EQ(c.sentinel_pass, "p w");
  EXPECT_TRUE(c.resolve_hostnames);
  EXPECT_FALSE(c.announce_hostnames);
  EXPECT_FALSE(c.deny_scripts_reconfig);
  EXPECT_EQ(c.myid, "1111111111111111111111111111111111111111");
  EXPECT_EQ(c.current_epoch, 7u);  // raised by config-epoch
  ASSERT_EQ(c.masters.size(), 2u);
  const master_conf* o = c.master("other");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->down_after_ms, 5000);
  EXPECT_EQ(o->quorum, 1u);
  EXPECT_EQ(o->config_epoch, 7u);
  EXPECT_EQ(o->leader_epoch, 9u);
  ASSERT_EQ(o->known_replicas.size(), 2u);
  EXPECT_EQ(o->known_replicas[1].ip, "::1");
  ASSERT_EQ(o->known_sentinels.size(), 2u);
  EXPECT_EQ(o->known_sentinels[1].runid, "");
  const master_conf* m = c.master("mymaster");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->addr.hostname, "db.local");
  EXPECT_EQ(m->addr.ip, "10.0.0.9");
  EXPECT_EQ(m->auth_pass, "sec ret");
  EXPECT_EQ(m->auth_user, "bob");
  EXPECT_EQ(m->parallel_syncs, 3);
  EXPECT_EQ(m->failover_timeout_ms, 9000);
  EXPECT_EQ(m->down_after_ms, 30000);
  EXPECT_EQ(m->notification_script, "/bin/notify.sh");
  ASSERT_EQ(m->renamed_commands.size(), 1u);
  EXPECT_EQ(m->renamed_commands[0].to, "GUESSME");
  EXPECT_EQ(c.master("MYMASTER"), nullptr);  // names are case-sensitive
}

TEST(sentinel_config, errors_are_redis_texts_with_the_line) {
  EXPECT_EQ(error_of("sentinel monitor m 127.0.0.1 6379 0"), "2: Quorum must be 1 or greater.");
  EXPECT_EQ(error_of("sentinel monitor m 127.0.0.1 6379 -3"), "2: Quorum must be 1 or greater.");
  EXPECT_EQ(error_of("sentinel monitor m 127.0.0.1 99999 1"), "2: Invalid port number.");
  EXPECT_EQ(error_of("sentinel monitor m 127.0.0.1 abc 1"), "ok");  // atoi: port 0
  EXPECT_EQ(error_of("sentinel monitor m nosuchhost.invalid 6379 1"),
            "2: Can't resolve instance hostname.");
  EXPECT_EQ(error_of("sentinel monitor m db.local 6379 1"), "2: Can't resolve instance hostname.");
  EXPECT_EQ(error_of("sentinel monitor m 127.0.0.1 6379 1\nsentinel monitor m 127.0.0.1 6380 1"),
            "3: Duplicate master name.");
  EXPECT_EQ(error_of("sentinel monitor m 127.0.0.1 6379"),
            "2: Unrecognized sentinel configuration statement.");
  EXPECT_EQ(error_of("sentinel down-after-milliseconds x 100"),
            "2: No such master with specified name.");
  EXPECT_EQ(error_of("sentinel monitor m 127.0.0.1 6379 1\nsentinel down-after-milliseconds m 0"),
            "3: negative or zero time parameter.");
  EXPECT_EQ(error_of("sentinel monitor m 127.0.0.1 6379 1\nsentinel failover-timeout m -5"),
            "3: negative or zero time parameter.");
  EXPECT_EQ(error_of("sentinel myid abc"), "2: Malformed Sentinel id in myid option.");
  EXPECT_EQ(error_of("sentinel deny-scripts-reconfig maybe"),
            "2: Please specify yes or no for the deny-scripts-reconfig options.");
  EXPECT_EQ(error_of("sentinel resolve-hostnames maybe"),
            "2: Please specify yes or no for the resolve-hostnames option.");
  EXPECT_EQ(error_of("sentinel announce-hostnames 2"),
            "2: Please specify yes or no for the announce-hostnames option.");
  EXPECT_EQ(error_of("sentinel foo bar"), "2: Unrecognized sentinel configuration statement.");
  EXPECT_EQ(error_of("sentinel current-epoch"),
            "2: Unrecognized sentinel configuration statement.");
  EXPECT_EQ(error_of("sentinel"), "ok");  // "sentinel" alone only selects sentinel mode
}

TEST(sentinel_config, per_master_errors) {
  const std::string m = "sentinel monitor m 127.0.0.1 6379 1\n";
  EXPECT_EQ(error_of(m + "sentinel known-replica m 127.0.0.1 6380\n"
                         "sentinel known-replica m 127.0.0.1 6380"),
            "4: Duplicate hostname and port for replica.");
  EXPECT_EQ(error_of(m + "sentinel known-slave m 127.0.0.1 6380\n"
                         "sentinel known-replica m 127.0.0.1 6380"),
            "4: Duplicate hostname and port for replica.");
  EXPECT_EQ(error_of(m + "sentinel known-sentinel m 127.0.0.1 6380 aaaa\n"
                         "sentinel known-sentinel m 127.0.0.1 6381 aaaa"),
            "4: Duplicate runid for sentinel.");
  EXPECT_EQ(error_of(m + "sentinel rename-command m CONFIG A\nsentinel rename-command m config B"),
            "4: Same command renamed multiple times with rename-command.");
  EXPECT_EQ(error_of(m + "sentinel notification-script m /nonexist"),
            "3: Notification script seems non existing or non executable.");
  EXPECT_EQ(error_of(m + "sentinel client-reconfig-script m /nonexist"),
            "3: Client reconfiguration script seems non existing or non executable.");
  EXPECT_EQ(error_of(m + "sentinel known-replica m 127.0.0.1 0"), "ok");
  EXPECT_EQ(error_of(m + "sentinel known-replica m 127.0.0.1 65536"), "3: Invalid port number.");
  EXPECT_EQ(error_of(m + "sentinel parallel-syncs m abc\nsentinel known-sentinel m 127.0.0.1 6380"),
            "ok");
  EXPECT_EQ(error_of(m + "sentinel auth-pass m"),
            "3: Unrecognized sentinel configuration statement.");
  // Globals are applied before the monitor lines, whatever their place: an
  // error in a later global line is reported before an earlier monitor's.
  EXPECT_EQ(error_of("sentinel monitor m 127.0.0.1 6379 0\nsentinel myid x"),
            "3: Malformed Sentinel id in myid option.");
}

TEST(sentinel_config, fatal_error_text_is_redis_stderr) {
  config_error e{7, "sentinel foo bar", "Unrecognized sentinel configuration statement."};
  EXPECT_EQ(fatal_error_text(e),
            "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\n"
            "Reading the configuration file, at line 7\n"
            ">>> 'sentinel foo bar'\n"
            "Unrecognized sentinel configuration statement.\n");
}

TEST(sentinel_config, c_number_parsing_is_atoi_and_strtoull) {
  EXPECT_EQ(c_atoi("  42abc"), 42);
  EXPECT_EQ(c_atoi("-7"), -7);
  EXPECT_EQ(c_atoi("abc"), 0);
  EXPECT_EQ(c_atoi("4294967297"), 1);  // strtol then the low 32 bits
  EXPECT_EQ(c_atoi("99999999999999999999999"), -1);
  EXPECT_EQ(c_atoi("-99999999999999999999999"), 0);
  EXPECT_EQ(c_strtoull("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(c_strtoull("99999999999999999999999"), UINT64_MAX);
  EXPECT_EQ(c_strtoull("-1"), UINT64_MAX);
  EXPECT_EQ(c_strtoull("12x"), 12u);
}

TEST(sentinel_config, first_rewrite_is_redis_layout) {
  // redis-sentinel 7.0.15 on this file, after discovering the replica.
  const std::string file =
      "port 36711\n"
      "daemonize yes\n"
      "sentinel monitor mymaster 127.0.0.1 36701 2\n"
      "sentinel down-after-milliseconds mymaster 3000\n"
      "sentinel failover-timeout mymaster 20000\n"
      "sentinel parallel-syncs mymaster 1\n";
  sentinel_conf c;
  ASSERT_FALSE(load(c, file));
  c.myid = "a652b80455d9c07eedac27f3d7d237ed4d2b679a";
  std::string once = rewrite_config_text(file, sentinel_rewrite_plan(c));
  EXPECT_EQ(once,
            "port 36711\n"
            "daemonize yes\n"
            "sentinel monitor mymaster 127.0.0.1 36701 2\n"
            "sentinel down-after-milliseconds mymaster 3000\n"
            "sentinel failover-timeout mymaster 20000\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "sentinel myid a652b80455d9c07eedac27f3d7d237ed4d2b679a\n"
            "sentinel config-epoch mymaster 0\n"
            "sentinel leader-epoch mymaster 0\n"
            "sentinel current-epoch 0\n");
  c.masters[0].known_replicas.push_back({"127.0.0.1", "127.0.0.1", 36702});
  std::string twice = rewrite_config_text(once, sentinel_rewrite_plan(c));
  // The file's last newline gives an empty last line: appended lines come after a blank.
  EXPECT_EQ(twice, once + "\nsentinel known-replica mymaster 127.0.0.1 36702\n");
  c.masters[0].known_sentinels.push_back(
      {{"127.0.0.1", "127.0.0.1", 36713}, "d9c9ac95e6b35e500fa4a3d93fe1487973bcddd0"});
  std::string thrice = rewrite_config_text(twice, sentinel_rewrite_plan(c));
  EXPECT_EQ(thrice, twice +
                        "\nsentinel known-sentinel mymaster 127.0.0.1 36713 "
                        "d9c9ac95e6b35e500fa4a3d93fe1487973bcddd0\n");
  // Nothing new (SENTINEL FLUSHCONFIG): the same lines, and a blank at the end.
  EXPECT_EQ(rewrite_config_text(thrice, sentinel_rewrite_plan(c)), thrice + "\n");
  EXPECT_EQ(rewrite_config_text(thrice + "\n", sentinel_rewrite_plan(c)), thrice + "\n");
}

TEST(sentinel_config, rewrite_reuses_lines_by_directive_and_keeps_known_slave) {
  const std::string file =
      "port 36719\n"
      "sentinel announce-ip 127.0.0.1\n"
      "sentinel sentinel-pass \"p w\"\n"
      "sentinel deny-scripts-reconfig no\n"
      "sentinel down-after-milliseconds other 5000\n"
      "sentinel monitor other 127.0.0.1 36799 1\n"
      "sentinel monitor mymaster 127.0.0.1 36701 2\n"
      "sentinel auth-pass mymaster \"sec ret\"\n"
      "sentinel parallel-syncs mymaster 3\n"
      "sentinel known-slave other 127.0.0.1 36798\n"
      "sentinel known-sentinel other 127.0.0.1 36797 0123456789012345678901234567890123456789\n"
      "sentinel config-epoch other 7\n"
      "sentinel current-epoch 3\n"
      "sentinel myid 1111111111111111111111111111111111111111\n";
  sentinel_conf c;
  ASSERT_FALSE(load(c, file));
  // Redis's dict gave mymaster first; here the table order is the config's.
  std::swap(c.masters[0], c.masters[1]);
  std::string out = rewrite_config_text(file, sentinel_rewrite_plan(c));
  EXPECT_EQ(out,
            "port 36719\n"
            "sentinel announce-ip \"127.0.0.1\"\n"
            "sentinel sentinel-pass p w\n"  // Redis writes it unquoted
            "sentinel deny-scripts-reconfig no\n"
            "sentinel down-after-milliseconds other 5000\n"
            "sentinel monitor mymaster 127.0.0.1 36701 2\n"
            "sentinel monitor other 127.0.0.1 36799 1\n"
            "sentinel auth-pass mymaster sec ret\n"
            "sentinel parallel-syncs mymaster 3\n"
            "sentinel known-slave other 127.0.0.1 36798\n"  // kept as it was
            "sentinel known-sentinel other 127.0.0.1 36797 "
            "0123456789012345678901234567890123456789\n"
            "sentinel config-epoch mymaster 0\n"
            "sentinel current-epoch 7\n"
            "sentinel myid 1111111111111111111111111111111111111111\n"
            "\n"
            "# Generated by CONFIG REWRITE\n"
            "sentinel leader-epoch mymaster 0\n"
            "sentinel config-epoch other 7\n"
            "sentinel leader-epoch other 0\n"
            "sentinel known-replica other 127.0.0.1 36798\n");
}

TEST(sentinel_config, rewrite_of_globals_and_defaults) {
  sentinel_conf c;
  ASSERT_FALSE(load(c,
                    "sentinel monitor mm 127.0.0.1 36701 2\n"
                    "sentinel down-after-milliseconds mm 30000\n"
                    "sentinel failover-timeout mm 180000\n"))
      << "";
  c.myid = std::string(40, 'd');
  c.resolve_hostnames = true;
  c.announce_hostnames = true;
  c.announce_ip = "10.0.0.1";
  c.announce_port = 5555;
  c.sentinel_user = "su";
  c.sentinel_pass = "sp";
  c.masters[0].addr.hostname = "db.local";
  c.masters[0].renamed_commands.push_back({"CONFIG", "XCONFIG"});
  // Lines at their default values go; unparsable lines become comments.
  EXPECT_EQ(rewrite_config_text("sentinel monitor mm 127.0.0.1 36701 2\n"
                                "sentinel down-after-milliseconds mm 30000\n"
                                "sentinel failover-timeout mm 180000\n"
                                "bad \"quote\n"
                                "# Generated by CONFIG REWRITE\n"
                                "user default on nopass ~* &* +@all",
                                sentinel_rewrite_plan(c)),
            "sentinel monitor mm db.local 36701 2\n"
            "\n"
            "# ??? bad \"quote\n"
            "# Generated by CONFIG REWRITE\n"
            "user default on nopass ~* &* +@all\n"
            "sentinel myid dddddddddddddddddddddddddddddddddddddddd\n"
            "sentinel resolve-hostnames yes\n"
            "sentinel announce-hostnames yes\n"
            "sentinel config-epoch mm 0\n"
            "sentinel leader-epoch mm 0\n"
            "sentinel rename-command mm CONFIG XCONFIG\n"
            "sentinel current-epoch 0\n"
            "sentinel announce-ip \"10.0.0.1\"\n"
            "sentinel announce-port 5555\n"
            "sentinel sentinel-user su\n"
            "sentinel sentinel-pass sp\n");
  // A rewritten file reads back to the same state.
  std::string text = rewrite_config_text("", sentinel_rewrite_plan(c));
  EXPECT_EQ(text.rfind("# Generated by CONFIG REWRITE\n", 0), 0u);
  sentinel_conf back;
  config_hooks h = test_hooks();
  h.resolve = [](const std::string& host, bool) -> std::optional<std::string> {
    return host == "db.local" ? "127.0.0.1" : host;
  };
  ASSERT_FALSE(apply_sentinel_lines(back, sentinel_lines_of(text), h));
  EXPECT_EQ(sentinel_rewrite_plan(back).lines.size(), sentinel_rewrite_plan(c).lines.size());
  EXPECT_EQ(rewrite_config_text(text, sentinel_rewrite_plan(back)), text + "\n");
}

TEST(sentinel_config, hostile_files_do_not_crash) {
  std::string junk;
  for (int i = 0; i < 256; ++i) junk += static_cast<char>(i);
  for (std::string body :
       {junk, std::string("sentinel\n"), std::string("sentinel \"\n"), std::string(10000, '\n'),
        std::string("sentinel monitor ") + std::string(100000, 'x') + " 1 1 1",
        std::string("sentinel known-replica \"\" \"\" \"\""), std::string("\r\n\r\n")}) {
    sentinel_conf c;
    (void)load(c, body);
    (void)rewrite_config_text(body, sentinel_rewrite_plan(c));
  }
}
