// Fuzzes RESTORE's decoding of DUMP payloads (storage/rdb_dump.cpp and the value
// decoders of storage/rdb_value.cpp: strings, LZF, lists, quicklists, ziplists,
// listpacks, intsets, zipmaps, hashes, sets, sorted sets).
//
// An input that already is a valid payload (the seeds are real DUMP output of
// redis-server 7.0) is used as it is; any other input is taken as a value and
// given a correct footer (RDB version 10 and CRC64), so the fuzzer's mutations
// reach the decoders instead of stopping at the checksum.
//
// Oracles, for each of three encoding limit settings:
// - a decoded value is walked through its own lookups (value_checks.hpp);
// - the three settings agree on whether the payload decodes and on the value's
//   contents (only the encodings may differ);
// - DUMP of the decoded value (with and without LZF) verifies and decodes to
//   the same value and encoding;
// - a payload whose checksum or version is damaged is refused;
// - LZF (which DUMP and SAVE apply to user data) compresses the raw input and
//   decompresses it back exactly.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "fuzz_check.hpp"
#include "protocol/resp/split_args.hpp"
#include "storage/encodings/crc64.hpp"
#include "storage/encodings/lzf.hpp"
#include "storage/rdb/rdb_dump.hpp"
#include "storage/rdb/rdb_format.hpp"
#include "value_checks.hpp"

using namespace troupe;

namespace {

std::string with_footer(std::string body) {
  body.push_back(char(rdb::version & 0xff));
  body.push_back(char(rdb::version >> 8));
  uint64_t crc = crc64(0, body.data(), body.size());
  for (int i = 0; i < 8; ++i) body.push_back(char(crc >> (8 * i)));
  return body;
}

void check_footer_is_checked(const std::string& payload) {
  std::string bad = payload;
  bad.back() ^= 0x20;  // checksum
  FUZZ_CHECK(!verify_dump_payload(bad));
  bad = payload;
  bad[bad.size() - 10] = char(rdb::max_version + 1);  // version
  FUZZ_CHECK(!verify_dump_payload(bad));
}

// Decodes with `lim`; returns the contents, or nullopt if refused.
std::optional<std::string> restore(const std::string& payload, const rdb_load_limits& lim) {
  std::string err;
  kv_entry* e = load_dump_payload(payload, "key", false, lim, &err);
  if (e == nullptr) {
    FUZZ_CHECK(!err.empty());
    return std::nullopt;
  }
  FUZZ_CHECK(e->key() == "key");
  fuzz::walk_value(e);
  std::string described = rdb_test::describe(e);
  for (bool compress : {true, false}) {
    std::string again = make_dump_payload(e, compress);
    FUZZ_CHECK(verify_dump_payload(again));
    std::string err2;
    kv_entry* back = load_dump_payload(again, "key2", true, lim, &err2);
    if (back == nullptr) fprintf(stderr, "re-dumped value refused: %s\n", err2.c_str());
    FUZZ_CHECK(back != nullptr);
    FUZZ_CHECK(back->has_expire());
    if (rdb_test::describe(back) != described)
      fprintf(stderr, "round trip changed the value:\n  %s\n  %s\n", repr_string(described).c_str(),
              repr_string(rdb_test::describe(back)).c_str());
    FUZZ_CHECK(rdb_test::describe(back) == described);
    destroy_entry(back);
  }
  std::string c = fuzz::contents(e);
  destroy_entry(e);
  return c;
}

void check_lzf(const std::string& input) {
  if (input.empty()) return;
  std::string packed(input.size() + input.size() / 16 + 64, '\0');
  size_t n = lzf_compress(input.data(), input.size(), packed.data(), packed.size());
  FUZZ_CHECK(n > 0 && n <= packed.size());
  std::string back(input.size(), '\0');
  FUZZ_CHECK(lzf_decompress(packed.data(), n, back.data(), back.size()) == input.size());
  FUZZ_CHECK(back == input);
  // Less room than needed: refused (or, as the match table keeps entries from
  // earlier calls, a shorter valid encoding), never overrun (ASan watches).
  if (n > 1) {
    std::string tight(n - 1, '\0');
    size_t m = lzf_compress(input.data(), input.size(), tight.data(), tight.size());
    if (m > 0) {
      FUZZ_CHECK(m <= tight.size());
      FUZZ_CHECK(lzf_decompress(tight.data(), m, back.data(), back.size()) == input.size());
      FUZZ_CHECK(back == input);
    }
  }
  std::string short_out(input.size() - 1, '\0');
  FUZZ_CHECK(lzf_decompress(packed.data(), n, short_out.data(), short_out.size()) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  check_lzf(input);
  std::string payload = verify_dump_payload(input) ? input : with_footer(input);
  FUZZ_CHECK(verify_dump_payload(payload));
  check_footer_is_checked(payload);
  std::optional<std::optional<std::string>> first;
  for (const auto& lim : fuzz::limit_variants()) {
    std::optional<std::string> c = restore(payload, lim);
    if (!first) {
      first = c;
    } else {
      if (*first != c)
        fprintf(stderr, "limits change the outcome: %s vs %s\n",
                repr_string(first->value_or("(refused)")).c_str(),
                repr_string(c.value_or("(refused)")).c_str());
      FUZZ_CHECK(*first == c);
    }
  }
  return 0;
}
