// Fuzzes the RESP reply parser (protocol/resp/resp_value.cpp), which reads
// what peers send: a master during the replica handshake, the instances a
// Sentinel watches, a MIGRATE target. Counts and lengths are the peer's word.
//
// Oracles:
// - the input parsed at once and in growing prefixes gives the same replies
//   and ends the same way (a prefix of a reply is incomplete, never an error
//   the whole input does not also give);
// - a parsed reply consumes at least 3 bytes and never passes the end;
// - an error has a text;
// - room for elements stays near what the bytes read can fill, whatever the
//   count claims (a claimed 2^62 once threw length_error and killed the
//   server; 2^27 allocated gigabytes).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "protocol/resp/resp_value.hpp"

using namespace troupe;

namespace {

struct outcome {
  std::vector<std::string> replies;  // each as to_string()
  reply_parser::result last = reply_parser::result::incomplete;
};

size_t capacity_sum(const resp_value& v) {
  size_t n = v.elements.capacity();
  for (auto& e : v.elements) n += capacity_sum(e);
  return n;
}

outcome parse_all(const char* buf, size_t len) {
  reply_parser p;
  outcome out;
  size_t pos = 0;
  for (;;) {
    resp_value v;
    size_t before = pos;
    out.last = p.parse(buf, len, pos, v);
    if (out.last == reply_parser::result::error) FUZZ_CHECK(!p.error().empty());
    if (out.last != reply_parser::result::value) {
      FUZZ_CHECK(pos == before);
      // What an unfinished reply holds is bounded by the bytes it read.
      FUZZ_CHECK(capacity_sum(v) <= 2 * len + 65 * 1024);
      return out;
    }
    FUZZ_CHECK(pos >= before + 3 && pos <= len);
    FUZZ_CHECK(capacity_sum(v) <= 2 * (pos - before) + 65 * 1024);
    out.replies.push_back(v.to_string());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* buf = reinterpret_cast<const char*>(data);
  outcome whole = parse_all(buf, size);
  // Prefixes (a reply arriving in pieces): what they parse is a prefix of
  // what the whole parses, and they end in an error only where it does.
  for (size_t cut = 0; cut < size; cut += 1 + cut / 4) {
    outcome part = parse_all(buf, cut);
    FUZZ_CHECK(part.replies.size() <= whole.replies.size());
    for (size_t i = 0; i < part.replies.size(); ++i)
      FUZZ_CHECK(part.replies[i] == whole.replies[i]);
    if (part.last == reply_parser::result::error)
      FUZZ_CHECK(whole.last == reply_parser::result::error &&
                 whole.replies.size() == part.replies.size());
  }
  return 0;
}
