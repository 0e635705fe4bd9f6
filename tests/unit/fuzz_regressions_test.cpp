// Inputs the fuzzers (tests/fuzz/) found to crash, hang, exhaust memory or break
// an oracle, fed byte for byte to the code that failed, with the behaviour now
// required. The same bytes are in tests/fuzz/regressions/<target>/, which
// fuzz_replay_tests runs through each target's full oracle.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>
#include <vector>

#include "protocol/config/server_config.hpp"
#include "protocol/resp/split_args.hpp"
#include "protocol/text/glob.hpp"
#include "storage/aof/aof_manifest.hpp"
#include "storage/aof/aof_reader.hpp"
#include "storage/encodings/crc64.hpp"
#include "storage/rdb/rdb_dump.hpp"
#include "storage/types/hash_type.hpp"
#include "storage/types/zset_type.hpp"

using namespace troupe;

namespace {

std::string bytes(std::initializer_list<unsigned char> b) {
  return std::string(b.begin(), b.end());
}

// A DUMP payload: the value, RDB version 10 and the CRC64 of both.
std::string with_footer(std::string body) {
  body += bytes({10, 0});
  uint64_t crc = crc64(0, body.data(), body.size());
  for (int i = 0; i < 8; ++i) body.push_back(char(crc >> (8 * i)));
  return body;
}

struct aof_read {
  std::vector<std::vector<std::string>> commands;
  aof_reader::result last;
  int64_t valid;
};

aof_read read_aof(const std::string& file) {
  aof_read out;
  FILE* f = fmemopen(const_cast<char*>(file.data()), file.size(), "rb");
  EXPECT_NE(f, nullptr);
  aof_reader r(f, 0);
  std::vector<std::string> args;
  while ((out.last = r.next(args)) == aof_reader::result::command) out.commands.push_back(args);
  out.valid = r.valid_offset();
  fclose(f);
  return out;
}

#ifndef __SANITIZE_ADDRESS__  // ASan reserves terabytes of address space
// In a child process with the address space capped at 512 MB: exits 0 when the
// read ends cleanly as truncated.
[[noreturn]] void read_with_capped_memory(const std::string& file) {
  rlimit lim{512u << 20, 512u << 20};
  setrlimit(RLIMIT_AS, &lim);
  aof_read capped = read_aof(file);
  exit(capped.last == aof_reader::result::truncated ? 0 : 1);
}
#endif

}  // namespace

// fuzz_config: a multi-argument directive whose argument held a newline (from
// a "\n" escape) was written back unquoted by CONFIG REWRITE, so the rewritten
// file's next line was garbage and the server could not restart on it.
TEST(fuzz_regressions, config_rewrite_quotes_multi_argument_values) {
  for (std::string text : {std::string("bind 127.0.0.1 \"a\\nb\"\nport 7000\n"),
                           std::string("replicaof \"my host\" 6379\nbind \"\" \"a b\" -::1\n")}) {
    server_config reg;
    ASSERT_FALSE(reg.load_text(text, "t.conf")) << text;
    std::string rewritten = reg.rewritten_text(text);
    server_config again;
    auto err = again.load_text(rewritten, "rewritten.conf");
    ASSERT_FALSE(err) << err->format() << rewritten;
    for (auto& d : reg.rows())
      EXPECT_EQ(again.text_of(d->name()), reg.text_of(d->name())) << d->name();
  }
  // The addresses split back exactly as given (the listener splits `bind`).
  server_config reg;
  ASSERT_FALSE(reg.load_text("bind 127.0.0.1 \"-a\\nb\" \"x y\"\n", "t.conf"));
  EXPECT_EQ(split_args(reg.text_of("bind")).value(),
            (std::vector<std::string>{"127.0.0.1", "-a\nb", "x y"}));
  // Plain values read as before.
  ASSERT_FALSE(reg.load_text("bind 127.0.0.1 -::1\nreplicaof 10.0.0.1 6380\n", "t.conf"));
  EXPECT_EQ(reg.text_of("bind"), "127.0.0.1 -::1");
  EXPECT_EQ(reg.text_of("replicaof"), "10.0.0.1 6380");
}

// fuzz_aof: "$2281578922" in a torn AOF made the reader allocate (and zero)
// 2.2 GB before finding that the file holds 20 more bytes.
TEST(fuzz_regressions, aof_huge_bulk_length_in_torn_file) {
  std::string file =
      "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n*5\r\n$2281578922\r\n*4\r\n$4\r\n3\r\nSET\r\n$1\r";
  file += bytes({0xf5, 0x87, '\r', '\n'});
  aof_read r = read_aof(file);
  ASSERT_EQ(r.commands.size(), 1u);
  EXPECT_EQ(r.commands[0], (std::vector<std::string>{"SELECT", "2"}));
  EXPECT_EQ(r.last, aof_reader::result::truncated);
  EXPECT_EQ(r.valid, 23);
#ifndef __SANITIZE_ADDRESS__
  // With the address space capped at 512 MB the read still ends cleanly.
  testing::FLAGS_gtest_death_test_style = "threadsafe";
  EXPECT_EXIT(read_with_capped_memory(file), testing::ExitedWithCode(0), "");
#endif
}

// fuzz_restore: a listpack holding a canonical integer as a text entry ("123"
// where Redis writes the integer 123) was adopted as it was; Troupe's lookups
// compare integers with integer entries only, so the field or member was never
// found again (HGET, ZSCORE), though Redis finds it.
TEST(fuzz_regressions, restore_listpack_with_integer_as_text) {
  rdb_load_limits lim;
  std::string err;
  kv_entry* h = load_dump_payload(with_footer(bytes({0x10, 0x0f, 0x0f, 0, 0, 0, 2, 0, 0x83, '1',
                                                     '2', '3', 4, 0x81, 'v', 2, 0xff})),
                                  "h", false, lim, &err);
  ASSERT_NE(h, nullptr) << err;
  std::string_view v;
  char buf[24];
  EXPECT_TRUE(hash_ref(h).get("123", v, buf));
  EXPECT_EQ(v, "v");
  destroy_entry(h);
  kv_entry* z = load_dump_payload(
      with_footer(bytes({0x11, 0x0c, 0x0c, 0, 0, 0, 2, 0, 0x81, '5', 2, 0x01, 1, 0xff})), "z",
      false, lim, &err);
  ASSERT_NE(z, nullptr) << err;
  double score = 0;
  EXPECT_TRUE(zset_ref(z).score("5", score));
  EXPECT_EQ(score, 1.0);
  destroy_entry(z);
}

// fuzz_aof (UBSan): a manifest seq of INT64_MAX overflowed when the next file's
// seq (highest + 1) was computed. Such a seq is now refused when the manifest
// is read; the highest accepted still leaves 2^62 rewrites.
TEST(fuzz_regressions, aof_manifest_seq_that_cannot_be_incremented) {
  std::string err;
  EXPECT_FALSE(aof_manifest::parse("file a seq 9223372036854775807 type i\n", err));
  EXPECT_EQ(err, "Invalid AOF manifest seq at line 1");
  EXPECT_FALSE(aof_manifest::parse("file a seq -1 type i\n", err));
  auto m = aof_manifest::parse("file a seq 4611686018427387904 type i\n", err);
  ASSERT_TRUE(m) << err;
  EXPECT_EQ(m->next_incr_seq(), 4611686018427387905);
  EXPECT_EQ(m->next_base_seq(), 1);
}

// fuzz_restore: a sorted-set listpack naming member "c" twice (at -inf and at
// 2.5) was adopted; ZSCORE found c at its first score only, and the same
// payload was refused under other encoding limits. Now it is bad data always.
TEST(fuzz_regressions, restore_zset_listpack_with_duplicate_member) {
  std::string body = bytes({0x11, 0x1d, 0x1d, 0,   0,   0,    6,    0,    0x81, 'c', 2,    0x84,
                            '-',  'i',  'n',  'f', 5,   0x81, 'a',  2,    0x01, 1,   0x81, 'c',
                            2,    0x83, '2',  '.', '5', 4,    0xff, 0x0a, 0x1f, '2', '='});
  for (size_t entries : {size_t(1), size_t(128), size_t(1) << 20}) {
    rdb_load_limits lim;
    lim.zset.max_entries = entries;
    std::string err;
    EXPECT_EQ(load_dump_payload(with_footer(body), "z", false, lim, &err), nullptr);
    EXPECT_EQ(err, "duplicate zset members detected") << entries;
  }
}

// fuzz_glob, against the matcher before the bounded rewrite: each input
// disagreed with the reference matcher (Redis's answer) or ran exponentially.
// Flags byte, pattern length, pattern, text: as in tests/fuzz/regressions/glob.
TEST(fuzz_regressions, glob_differences_from_redis) {
  EXPECT_FALSE(glob_match("*", "", false));  // Redis matches "" with "" only
  EXPECT_FALSE(glob_match("**", "", true));
  EXPECT_FALSE(glob_match("[\\P]ort", "port", true));  // class escapes keep their case
  EXPECT_TRUE(glob_match("[P]ort", "port", true));
  EXPECT_FALSE(glob_match("[a-Z]", "m", true));  // swapped to Z-a, then folded to z-a
  EXPECT_TRUE(glob_match("[a-Z]", "_", false));
  std::string pattern;
  for (int i = 0; i < 20; ++i) pattern += "a*";
  EXPECT_FALSE(glob_match(pattern + "b", std::string(40, 'a'), false));  // issue 8
  EXPECT_TRUE(glob_match(pattern, std::string(40, 'a'), false));
}
