// Config rows: parsing, bounds, units and printing of each row type, and the
// table's loading (includes, accumulating lines, command-line overrides).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "protocol/config/server_config.hpp"
#include "protocol/resp/split_args.hpp"

using namespace troupe;

namespace {

// Stages and commits one value as a config file line would; the error if any.
std::string set_line(config_row& r, const std::vector<std::string>& args) {
  if (auto e = r.stage(args, false)) return *e;
  r.commit();
  return "";
}

}  // namespace

TEST(config_rows, integers_parse_strictly_and_check_bounds) {
  server_config cfg;
  EXPECT_EQ(cfg.timeout.get(), 0);
  EXPECT_EQ(set_line(cfg.timeout, {"300"}), "");
  EXPECT_EQ(cfg.timeout.get(), 300);
  EXPECT_EQ(cfg.timeout.text(), "300");
  for (const char* bad : {"abc", "1k", " 1", "+1", "01", "1.5", ""})
    EXPECT_EQ(set_line(cfg.timeout, {bad}), "argument couldn't be parsed into an integer") << bad;
  EXPECT_EQ(set_line(cfg.port, {"65536"}), "argument must be between 0 and 65535 inclusive");
  EXPECT_EQ(set_line(cfg.tcp_keepalive, {"-1"}),
            "argument must be between 0 and 2147483647 inclusive");
  EXPECT_EQ(set_line(cfg.list_max_listpack_size, {"-5"}), "");
  EXPECT_EQ(cfg.list_max_listpack_size.get(), -5);
  EXPECT_EQ(cfg.timeout.get(), 300);  // failed lines changed nothing
  EXPECT_EQ(set_line(cfg.timeout, {"1", "2"}), "wrong number of arguments");
}

TEST(config_rows, hz_is_clamped_after_the_bounds_check) {
  server_config cfg;
  EXPECT_EQ(set_line(cfg.hz, {"0"}), "");
  EXPECT_EQ(cfg.hz.get(), 1);
  EXPECT_EQ(set_line(cfg.hz, {"1000"}), "");
  EXPECT_EQ(cfg.hz.get(), 500);
  EXPECT_EQ(cfg.hz.text(), "500");
  EXPECT_EQ(set_line(cfg.hz, {"-1"}), "argument must be between 0 and 2147483647 inclusive");
  EXPECT_EQ(cfg.hz.get(), 500);
}

TEST(config_rows, memory_amounts_take_units_and_rewrite_with_them) {
  server_config cfg;
  struct amount {
    const char* text;
    int64_t bytes;
  };
  for (auto [text, bytes] : std::vector<amount>{{"2097152", 2097152},
                                                {"2mb", 2 << 20},
                                                {"2MB", 2 << 20},
                                                {"2m", 2000000},
                                                {"1100k", 1100000},
                                                {"1100kb", 1100 * 1024},
                                                {"1gb", 1LL << 30},
                                                {"3g", 3000000000LL}}) {
    EXPECT_EQ(set_line(cfg.proto_max_bulk_len, {text}), "") << text;
    EXPECT_EQ(cfg.proto_max_bulk_len.get(), bytes) << text;
    EXPECT_EQ(cfg.proto_max_bulk_len.text(), std::to_string(bytes)) << text;  // CONFIG GET
  }
  for (const char* bad : {"-1", "-1mb", "10xb", "1.5mb"})
    EXPECT_EQ(set_line(cfg.proto_max_bulk_len, {bad}), "argument must be a memory value") << bad;
  // As Redis's memtoull: no digits at all reads as 0, which the bounds refuse.
  for (const char* zero : {"mb", ""})
    EXPECT_EQ(set_line(cfg.proto_max_bulk_len, {zero}),
              "argument must be between 1048576 and 9223372036854775807 inclusive")
        << zero;
  EXPECT_EQ(set_line(cfg.proto_max_bulk_len, {"1023"}),
            "argument must be between 1048576 and 9223372036854775807 inclusive");
  // CONFIG REWRITE writes units where the amount divides, as Redis does.
  EXPECT_EQ(format_memory(3LL << 20), "3mb");
  EXPECT_EQ(format_memory(1LL << 30), "1gb");
  EXPECT_EQ(format_memory(4096), "4kb");
  EXPECT_EQ(format_memory(1048577), "1048577");
  EXPECT_EQ(format_memory(0), "0");
  set_line(cfg.client_query_buffer_limit, {"1048577"});
  EXPECT_EQ(cfg.client_query_buffer_limit.lines(),
            std::vector<std::string>{"client-query-buffer-limit 1048577"});
  set_line(cfg.client_query_buffer_limit, {"3mb"});
  EXPECT_EQ(cfg.client_query_buffer_limit.lines(),
            std::vector<std::string>{"client-query-buffer-limit 3mb"});
}

TEST(config_rows, booleans_and_enumerations) {
  server_config cfg;
  EXPECT_TRUE(cfg.rdbcompression.get());
  EXPECT_EQ(set_line(cfg.rdbcompression, {"NO"}), "");
  EXPECT_FALSE(cfg.rdbcompression.get());
  EXPECT_EQ(cfg.rdbcompression.text(), "no");
  EXPECT_EQ(set_line(cfg.rdbcompression, {"maybe"}), "argument must be 'yes' or 'no'");
  EXPECT_EQ(set_line(cfg.rdbcompression, {"1"}), "argument must be 'yes' or 'no'");

  EXPECT_EQ(cfg.appendfsync.get(), appendfsync_mode::everysec);
  EXPECT_EQ(set_line(cfg.appendfsync, {"Always"}), "");
  EXPECT_EQ(cfg.appendfsync.get(), appendfsync_mode::always);
  EXPECT_EQ(cfg.appendfsync.text(), "always");
  EXPECT_EQ(set_line(cfg.loglevel, {"loud"}),
            "argument(s) must be one of the following: debug, verbose, notice, warning");
  EXPECT_EQ(cfg.loglevel.get(), log_verbosity::notice);
}

TEST(config_rows, strings_keep_a_lock_free_emptiness_flag) {
  server_config cfg;
  EXPECT_TRUE(cfg.requirepass.empty());
  EXPECT_EQ(set_line(cfg.requirepass, {"pass word"}), "");
  EXPECT_FALSE(cfg.requirepass.empty());
  EXPECT_EQ(*cfg.requirepass.get(), "pass word");
  EXPECT_EQ(cfg.requirepass.lines(), std::vector<std::string>{"requirepass \"pass word\""});
  cfg.requirepass.keep();
  EXPECT_EQ(set_line(cfg.requirepass, {""}), "");
  EXPECT_TRUE(cfg.requirepass.empty());
  EXPECT_EQ(cfg.requirepass.lines(), std::vector<std::string>{"requirepass \"\""});
  cfg.requirepass.restore();
  EXPECT_FALSE(cfg.requirepass.empty());
  EXPECT_EQ(cfg.requirepass.str(), "pass word");
  EXPECT_EQ(set_line(cfg.dbfilename, {"a/b.rdb"}), "dbfilename can't be a path, just a filename");
  EXPECT_EQ(set_line(cfg.dir, {""}), "No such file or directory");
  EXPECT_EQ(set_line(cfg.unixsocketperm, {"700"}), "");
  EXPECT_EQ(cfg.unixsocketperm.get(), 0700);
  EXPECT_EQ(cfg.unixsocketperm.text(), "700");
  EXPECT_EQ(set_line(cfg.unixsocketperm, {"800"}),
            "argument must be an octal number between 0 and 0777");
}

// A reader on another thread always sees a whole value, old or new, while a
// writer swaps them (run under ASan by the sanitizer build).
TEST(config_rows, snapshots_are_read_without_a_lock_while_they_change) {
  server_config cfg;
  std::atomic<bool> stop{false};
  std::atomic<int64_t> reads{0};
  std::thread reader([&] {
    while (!stop.load()) {
      auto v = cfg.requirepass.get();
      ASSERT_TRUE(v->empty() || v->size() == 64) << *v;
      ASSERT_TRUE(v->empty() || v->find_first_not_of(v->front()) == std::string::npos) << *v;
      reads.fetch_add(1);
    }
  });
  for (int i = 0; i < 20000 || reads.load() < 1000; ++i)
    set_line(cfg.requirepass, {std::string(64, char('a' + i % 26))});
  stop = true;
  reader.join();
}

TEST(config_rows, save_points_accumulate_in_a_file) {
  server_config cfg;
  EXPECT_EQ(cfg.save.text(), "3600 1 300 100 60 10000");
  EXPECT_TRUE(cfg.save.any());
  // The first line replaces the defaults, later lines add.
  ASSERT_FALSE(cfg.load_text("save 900 1\nsave 300 10\n", "t.conf"));
  EXPECT_EQ(cfg.save.text(), "900 1 300 10");
  EXPECT_EQ(cfg.save.lines(), (std::vector<std::string>{"save 900 1", "save 300 10"}));
  ASSERT_FALSE(cfg.load_text("save \"\"\n", "t.conf"));
  EXPECT_FALSE(cfg.save.any());
  EXPECT_EQ(cfg.save.text(), "");
  EXPECT_EQ(cfg.save.lines(), std::vector<std::string>{"save \"\""});
  EXPECT_EQ(set_line(cfg.save, {"100", "1", "200"}), "Invalid save parameters");
  EXPECT_EQ(set_line(cfg.save, {"a", "b"}), "Invalid save parameters");
  EXPECT_EQ(set_line(cfg.save, {"-1", "2"}), "Invalid save parameters");

  // The command line continues the file, as in Redis: its `save` lines add up.
  server_config c2;
  ASSERT_FALSE(c2.load("", {{"save", "10", "1"}, {"save", "20 2"}}));
  EXPECT_EQ(c2.save.text(), "10 1 20 2");
  server_config c3;
  c3.set_include_reader([](const std::string&, std::string& text) {
    text = "save 900 1\n";
    return true;
  });
  ASSERT_FALSE(c3.load("", {{"include", "file.conf"}, {"save", "60", "5"}}));
  EXPECT_EQ(c3.save.text(), "900 1 60 5");
  server_config c4;
  ASSERT_FALSE(c4.load("", {{"save", ""}}));
  EXPECT_FALSE(c4.save.any());
}

TEST(config_rows, output_buffer_limits_by_class) {
  server_config cfg;
  auto& row = cfg.client_output_buffer_limit;
  EXPECT_EQ(row.text(), "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  // Classes not named keep their limits; "replica" is "slave"; k is 1000, kb 1024.
  EXPECT_EQ(set_line(row, {"replica", "1mb", "2k", "3", "PUBSUB", "0", "0", "0"}), "");
  EXPECT_EQ(row.text(), "normal 0 0 0 slave 1048576 2000 3 pubsub 0 0 0");
  EXPECT_EQ(row.get(client_class::replica), (output_limit{1 << 20, 2000, 3}));
  EXPECT_EQ(row.lines(), (std::vector<std::string>{
                             "client-output-buffer-limit normal 0 0 0",
                             "client-output-buffer-limit slave 1mb 2000 3",
                             "client-output-buffer-limit pubsub 0 0 0",
                         }));
  EXPECT_EQ(set_line(row, {"normal", "1", "2"}),
            "Wrong number of arguments in buffer limit configuration.");
  EXPECT_EQ(set_line(row, {"foo", "1", "2", "3"}),
            "Invalid client class specified in buffer limit configuration.");
  EXPECT_EQ(set_line(row, {"normal", "a", "2", "3"}),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
  EXPECT_EQ(set_line(row, {"normal", "-1", "2", "3"}),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
}

TEST(config_rows, notify_events_replicaof_and_bind) {
  server_config cfg;
  EXPECT_EQ(set_line(cfg.notify_keyspace_events, {"KEA"}), "");
  EXPECT_EQ(cfg.notify_keyspace_events.text(), "AKE");
  EXPECT_EQ(cfg.notify_keyspace_events.get() & notify_expired, notify_expired);
  EXPECT_EQ(set_line(cfg.notify_keyspace_events, {"Ex"}), "");
  EXPECT_EQ(cfg.notify_keyspace_events.text(), "xE");
  EXPECT_EQ(set_line(cfg.notify_keyspace_events, {"Q"}),
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");

  EXPECT_EQ(cfg.replicaof.text(), "");
  EXPECT_TRUE(cfg.replicaof.lines().empty());
  EXPECT_EQ(set_line(cfg.replicaof, {"10.0.0.1", "6380"}), "");
  EXPECT_EQ(cfg.replicaof.get()->port, 6380);
  EXPECT_EQ(cfg.replicaof.text(), "10.0.0.1 6380");
  EXPECT_EQ(set_line(cfg.replicaof, {"my host", "6380"}), "");
  EXPECT_EQ(cfg.replicaof.text(), "\"my host\" 6380");
  EXPECT_EQ(set_line(cfg.replicaof, {"h", "99999"}), "Invalid master port");
  EXPECT_EQ(set_line(cfg.replicaof, {"NO", "one"}), "");
  EXPECT_EQ(cfg.replicaof.get()->host, "");

  // bind's arguments print so that they split back exactly (the listener and
  // CONFIG REWRITE rely on it).
  EXPECT_EQ(set_line(cfg.bind, {"127.0.0.1", "-a\nb", "x y"}), "");
  EXPECT_EQ(cfg.bind.text(), "127.0.0.1 \"-a\\nb\" \"x y\"");
  EXPECT_EQ(split_args(cfg.bind.text()).value(), *cfg.bind.get());
  EXPECT_EQ(set_line(cfg.bind, {""}), "Too many bind addresses specified.");
  EXPECT_EQ(set_line(cfg.bind, std::vector<std::string>(17, "::1")),
            "Too many bind addresses specified.");
}

TEST(config_table, loads_files_with_includes_quotes_and_units) {
  server_config cfg;
  cfg.set_include_reader([](const std::string& path, std::string& text) {
    if (path == "extra.conf") {
      text = "timeout 77\nsave 60 5\n";
      return true;
    }
    if (path == "loop.conf") {
      text = "include loop.conf\n";
      return true;
    }
    return false;
  });
  ASSERT_FALSE(
      cfg.load_text("# comment\n\n  include extra.conf\nPROTO-MAX-BULK-LEN 2mb\n"
                    "requirepass 'it\\'s'\nhash-max-ziplist-entries 7\nsave 30 1\n",
                    "main.conf"));
  EXPECT_EQ(cfg.timeout.get(), 77);
  EXPECT_EQ(cfg.proto_max_bulk_len.get(), 2 << 20);
  EXPECT_EQ(cfg.requirepass.str(), "it's");
  EXPECT_EQ(cfg.hash_max_listpack_entries.get(), 7);  // through its alias
  EXPECT_EQ(cfg.save.text(), "60 5 30 1");            // an included line counts as the file's
  auto err = cfg.load_text("port 1\ninclude nosuch.conf\n", "main.conf");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->line, 2);
  EXPECT_EQ(err->reason, "Fatal error, can't open config file 'nosuch.conf'");
  err = cfg.load_text("include loop.conf\n", "main.conf");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->reason, "include nesting is too deep");
  err = cfg.load_text("requirepass \"open\n", "main.conf");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->reason, "Unbalanced quotes in configuration line");
  err = cfg.load_text("nosuch 1\n", "main.conf");
  ASSERT_TRUE(err);
  EXPECT_EQ(err->reason, "Bad directive or wrong number of arguments");
  EXPECT_NE(err->format().find("Reading the configuration file main.conf, at line 1"),
            std::string::npos);
}

TEST(config_table, default_conf_lists_every_row_and_loads_back) {
  std::string text = server_config::default_conf_text();
  server_config cfg;
  for (config_row* r : cfg.rows())
    EXPECT_TRUE(text.find("\n" + r->name() + " ") != std::string::npos ||
                text.find("\n# " + r->name() + " ") != std::string::npos)
        << r->name();
  EXPECT_NE(text.find("\nbind 127.0.0.1 -::1\n"), std::string::npos);  // the sample
  ASSERT_FALSE(cfg.load_text(text, "default.conf"));
  for (config_row* r : cfg.rows()) EXPECT_TRUE(r->at_default() || r->name() == "bind") << r->name();
}
