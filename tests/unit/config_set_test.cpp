// CONFIG SET through the table: Redis's order of checks, all-or-nothing with
// the apply hooks, and CONFIG GET / CONFIG REWRITE text.
#include <gtest/gtest.h>

#include "protocol/config/server_config.hpp"

using namespace troupe;

namespace {

using pairs = std::vector<std::pair<std::string_view, std::string_view>>;

std::string set(server_config& cfg, const pairs& p, bool allow_protected = false) {
  std::string err;
  return cfg.set(p, err, allow_protected) ? "OK" : err;
}

std::string failed(const char* name, const std::string& why) {
  return std::string("CONFIG SET failed (possibly related to argument '") + name + "') - " + why;
}

}  // namespace

TEST(config_set, names_are_checked_before_any_value) {
  server_config cfg;
  EXPECT_EQ(set(cfg, {{"nosuch", "1"}}),
            "Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  // The immutable name is reported although the bad value comes first, as Redis does.
  EXPECT_EQ(set(cfg, {{"timeout", "abc"}, {"daemonize", "yes"}}),
            failed("daemonize", "can't set immutable config"));
  EXPECT_EQ(set(cfg, {{"DIR", "/tmp"}}), failed("DIR", "can't set protected config"));
  EXPECT_EQ(set(cfg, {{"timeout", "1"}, {"TIMEOUT", "2"}}),
            failed("TIMEOUT", "duplicate parameter"));
  // Value errors name the directive in lower case.
  EXPECT_EQ(set(cfg, {{"TIMEOUT", "abc"}}),
            failed("timeout", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(set(cfg, {{"hash-max-ziplist-entries", "x"}}),
            failed("hash-max-ziplist-entries", "argument couldn't be parsed into an integer"));
  EXPECT_EQ(cfg.timeout.get(), 0);
  // A name and its alias are two parameters: the last one wins.
  EXPECT_EQ(set(cfg, {{"hash-max-ziplist-entries", "1"}, {"hash-max-listpack-entries", "2"}}),
            "OK");
  EXPECT_EQ(cfg.hash_max_listpack_entries.get(), 2);
  EXPECT_EQ(set(cfg, {{"dir", "/tmp"}}, true), "OK");
}

TEST(config_set, a_bad_value_restores_the_values_set_before_it) {
  server_config cfg;
  EXPECT_EQ(set(cfg, {{"timeout", "11"}, {"save", "100 1"}, {"port", "99999"}}),
            failed("port", "argument must be between 0 and 65535 inclusive"));
  EXPECT_EQ(cfg.timeout.get(), 0);
  EXPECT_EQ(cfg.save.text(), "3600 1 300 100 60 10000");
  EXPECT_EQ(set(cfg, {{"save", "1 2 3"}}), failed("save", "Invalid save parameters"));
  EXPECT_EQ(set(cfg, {{"timeout", "11"}, {"save", "100 1"}}), "OK");
  EXPECT_EQ(cfg.timeout.get(), 11);
  EXPECT_EQ(cfg.save.text(), "100 1");
}

TEST(config_set, a_failing_hook_restores_every_value_and_reapplies_the_old_ones) {
  server_config cfg;
  std::vector<std::string> calls;
  cfg.timeout.on_apply([&](int64_t v) -> config_error {
    calls.push_back("timeout=" + std::to_string(v));
    return std::nullopt;
  });
  cfg.requirepass.on_apply([&](const std::string& v) -> config_error {
    calls.push_back("requirepass=" + v);
    return std::nullopt;
  });
  cfg.dir.on_apply([&](const std::string& v) -> config_error {
    calls.push_back("dir=" + v);
    if (v == "/nonexistent") return std::string("No such file or directory");
    return std::nullopt;
  });
  // Every value is set before the first hook runs; hooks run in order; the
  // failing one restores all three values and runs the hooks that ran again.
  EXPECT_EQ(
      set(cfg, {{"timeout", "5"}, {"requirepass", "pw"}, {"dir", "/nonexistent"}, {"hz", "20"}},
          true),
      failed("dir", "No such file or directory"));
  EXPECT_EQ(calls, (std::vector<std::string>{"timeout=5", "requirepass=pw", "dir=/nonexistent",
                                             "timeout=0", "requirepass=", "dir=./"}));
  EXPECT_EQ(cfg.timeout.get(), 0);
  EXPECT_TRUE(cfg.requirepass.empty());
  EXPECT_EQ(cfg.dir.str(), "./");
  EXPECT_EQ(cfg.hz.get(), 10);

  // A hook sees the other values of the same command already set.
  int64_t seen_timeout = -1;
  cfg.requirepass.on_apply([&](const std::string&) -> config_error {
    seen_timeout = cfg.timeout.get();
    return std::nullopt;
  });
  EXPECT_EQ(set(cfg, {{"requirepass", "x"}, {"timeout", "9"}}), "OK");
  EXPECT_EQ(seen_timeout, 9);

  // No hook runs for a value that does not change.
  calls.clear();
  EXPECT_EQ(set(cfg, {{"timeout", "9"}}), "OK");
  EXPECT_TRUE(calls.empty());
}

TEST(config_set, multi_argument_values_split_like_a_config_line) {
  server_config cfg;
  EXPECT_EQ(set(cfg, {{"save", ""}}), "OK");
  EXPECT_FALSE(cfg.save.any());
  EXPECT_EQ(set(cfg, {{"client-output-buffer-limit", "pubsub 1mb 0 0"}}), "OK");
  EXPECT_EQ(cfg.client_output_buffer_limit.get(client_class::pubsub),
            (output_limit{1 << 20, 0, 0}));
  EXPECT_EQ(set(cfg, {{"bind", "127.0.0.1 \"x"}}), failed("bind", "unbalanced quotes"));
  EXPECT_EQ(set(cfg, {{"replicaof", "no one"}}), failed("replicaof", "can't set immutable config"));
}

TEST(config_get, patterns_names_and_aliases) {
  server_config cfg;
  auto names = [&](std::vector<std::string_view> pats) {
    std::vector<std::string> out;
    for (auto& [k, v] : cfg.get_matching(pats)) out.push_back(k);
    return out;
  };
  // A plain name answers as given, a glob with the names it matches, once each.
  EXPECT_EQ(names({"TIMEOUT", "timeout"}), std::vector<std::string>{"TIMEOUT"});
  EXPECT_EQ(names({"TIME*", "TIMEOUT"}), std::vector<std::string>{"timeout"});
  EXPECT_EQ(names({"slaveof"}), std::vector<std::string>{"slaveof"});
  EXPECT_EQ(names({"hash-max-*-entries"}),
            (std::vector<std::string>{"hash-max-listpack-entries", "hash-max-ziplist-entries"}));
  EXPECT_EQ(names({"port", "port", "p?rt"}), std::vector<std::string>{"port"});
  EXPECT_TRUE(names({"nosuch*"}).empty());
  EXPECT_EQ(cfg.text_of("maxclients"), "10000");
  EXPECT_EQ(cfg.text_of("nosuch"), "");
}

TEST(config_rewrite, keeps_comments_and_order_and_appends_the_rest) {
  server_config cfg;
  std::string original =
      "# Top comment\n"
      "timeout 5\n"
      "\n"
      "# Keepalive below\n"
      "tcp-keepalive 100\n"
      "include other.conf\n"
      "timeout 6\n"
      "save 10 1\n"
      "unknown-to-troupe 1\n"
      "save 20 2\n"
      "# Generated by CONFIG REWRITE\n"
      "loglevel notice\n";
  auto empty_include = [](const std::string&, std::string& text) {
    text.clear();
    return true;
  };
  cfg.set_include_reader(empty_include);
  // (unknown-to-troupe would stop a load; rewriting leaves lines it does not know.)
  std::string known = original;
  known.erase(known.find("unknown-to-troupe 1\n"), 20);
  ASSERT_FALSE(cfg.load_text(known, "rw.conf"));
  std::string err;
  ASSERT_TRUE(cfg.set({{"timeout", "42"},
                       {"hz", "33"},
                       {"proto-max-bulk-len", "3mb"},
                       {"requirepass", "a b"},
                       {"save", "30 3 40 4"}},
                      err, false))
      << err;
  EXPECT_EQ(cfg.rewritten_text(original),
            "# Top comment\n"
            "timeout 42\n"
            "\n"
            "# Keepalive below\n"
            "tcp-keepalive 100\n"
            "include other.conf\n"
            "save 30 3\n"
            "save 40 4\n"
            "unknown-to-troupe 1\n"
            "loglevel notice\n"
            "# Generated by CONFIG REWRITE\n"
            "proto-max-bulk-len 3mb\n"
            "requirepass \"a b\"\n"
            "hz 33\n");
  // The rewritten text loads back to the same values.
  server_config again;
  again.set_include_reader(empty_include);
  std::string rewritten = cfg.rewritten_text(known);
  ASSERT_FALSE(again.load_text(rewritten, "rw.conf")) << rewritten;
  for (config_row* r : cfg.rows()) EXPECT_EQ(again.text_of(r->name()), r->text()) << r->name();
}

TEST(config_apply_all, runs_every_hook_once_with_the_start_up_value) {
  server_config cfg;
  ASSERT_FALSE(cfg.load_text("hz 50\n", "t.conf"));
  int64_t seen = 0;
  cfg.hz.on_apply([&](int64_t v) -> config_error {
    seen = v;
    return std::nullopt;
  });
  cfg.appendonly.on_apply([&](bool) -> config_error { return std::string("no disk"); });
  EXPECT_EQ(cfg.apply_all(), std::optional<std::string>("appendonly: no disk"));
  EXPECT_EQ(seen, 50);
}
