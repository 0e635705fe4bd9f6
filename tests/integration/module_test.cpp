// MODULE against a real redis-server 7.0: refused by default
// (enable-module-command no), and with it allowed: an empty LIST, LOAD and
// LOADEX failing as a module that cannot be loaded, UNLOAD finding nothing.
#include <gtest/gtest.h>

#include "integration/command_test_support.hpp"

using namespace troupe;
using namespace troupe::test;

namespace {
void module_commands(const std::vector<std::string>& args) {
  server_process redis(args, server_process::kind::redis), troupe(args);
  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(troupe.start());
  resp_client rc = redis.client(), tc = troupe.client();
  std::vector<std::vector<std::string>> cmds = {
      {"MODULE", "HELP"},
      {"MODULE", "LIST"},
      {"MODULE", "LOAD", "/nonexistent/module.so"},
      {"MODULE", "LOAD", "/nonexistent/module.so", "arg1", "arg2"},
      {"MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a", "b", "ARGS", "x"},
      {"MODULE", "UNLOAD", "nosuch"},
      {"MODULE", "UNLOAD"},
      {"MODULE", "LIST", "extra"},
      {"MODULE", "NOSUCH"},
      {"MODULE"},
      {"CONFIG", "GET", "enable-module-command"},
      {"CONFIG", "SET", "enable-module-command", "yes"},
      {"MULTI"},
      {"MODULE", "UNLOAD", "nosuch"},
      {"MODULE", "LIST"},
      {"EXEC"},
  };
  for (auto& c : cmds) EXPECT_EQ(rc.call(c).to_string(), tc.call(c).to_string()) << c[1];
  expect_same_command_info(
      rc, tc,
      {"module", "module|list", "module|load", "module|loadex", "module|unload", "module|help"});
}
}  // namespace

TEST(module, refused_by_default) {
  module_commands({});
}

TEST(module, allowed_by_enable_module_command) {
  module_commands({"--enable-module-command", "yes"});
  module_commands({"--enable-module-command", "local"});  // the tests connect over loopback
}
