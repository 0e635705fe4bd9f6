// The plain parts of ACL: SHA-256 against FIPS 180-4 vectors (lengths around
// the padding boundaries), the protected-mode decision for the addresses a
// machine without a second interface cannot test over a socket, and key
// patterns built to make a naive matcher backtrack.
#include <gtest/gtest.h>

#include <string>

#include "protocol/commands/command_table.hpp"
#include "storage/acl/acl_user.hpp"
#include "storage/acl/protected_mode.hpp"
#include "storage/acl/sha256.hpp"

using namespace troupe;

TEST(acl_sha256, known_digests) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(sha256_hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(sha256_hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(sha256_hex(std::string(1000, 'a')),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

TEST(acl_protected_mode, decision) {
  // Refused: protected mode on, no password, a remote address.
  EXPECT_TRUE(protected_mode_refuses(true, true, false, "192.0.2.7:5000"));
  EXPECT_TRUE(protected_mode_refuses(true, true, false, "2001:db8::1:5000"));
  EXPECT_TRUE(protected_mode_refuses(true, true, false, "[2001:db8::1]:5000"));
  // Local clients, a password, or protected mode off: served.
  EXPECT_FALSE(protected_mode_refuses(true, true, false, "127.0.0.1:5000"));
  EXPECT_FALSE(protected_mode_refuses(true, true, false, "127.3.4.5:5000"));
  EXPECT_FALSE(protected_mode_refuses(true, true, false, "::1:5000"));
  EXPECT_FALSE(protected_mode_refuses(true, true, false, "[::1]:5000"));
  EXPECT_FALSE(protected_mode_refuses(true, true, true, "/tmp/troupe.sock:0"));
  EXPECT_FALSE(protected_mode_refuses(true, false, false, "192.0.2.7:5000"));
  EXPECT_FALSE(protected_mode_refuses(false, true, false, "192.0.2.7:5000"));
  EXPECT_EQ(std::string(protected_mode_error).rfind("DENIED Redis is running in protected mode", 0),
            0u);
}

// A pattern of many '*' against a long key that never matches must not take
// exponential time (the check runs on every command of a restricted user): a
// backtracking matcher would not finish this test.
TEST(acl_key_patterns, backtracking_patterns_stay_fast) {
  acl_user u("u", false);
  std::string pattern = "~";
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "*b";
  ASSERT_FALSE(u.apply(pattern, false).has_value());
  ASSERT_FALSE(u.apply("+@all", false).has_value());
  command_spec get;
  get.name = "get";
  get.arity = 2;
  get.flags = cmd_readonly;
  get.first_key = get.last_key = get.key_step = 1;
  std::string key(5000, 'a');
  std::vector<std::string_view> args{"get", key};
  size_t failed = 0;
  EXPECT_EQ(u.check(get, args, failed), acl_denial::key);
  EXPECT_EQ(failed, 1u);
  key.back() = 'b';  // now it matches
  EXPECT_EQ(u.check(get, args, failed), acl_denial::none);
}
