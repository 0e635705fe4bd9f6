// Fuzzes the RESP request parser (multi-bulk and inline commands) the way a
// connection drives it: bytes arrive in pieces, complete commands are taken,
// the unparsed rest moves to the front of the buffer.
//
// Oracles, for each of three limit settings (Redis's defaults, a tiny
// proto-max-bulk-len, an unauthenticated client):
// - the input fed at once, in 1-byte pieces and in uneven pieces gives the same
//   commands and ends in the same state (same error text, or incomplete);
// - every argument lies inside the buffer (or the parser's own inline storage),
//   consumed() never passes the buffer's end, and bytes_needed() asks for more
//   than is buffered;
// - the limits hold: no bulk longer than proto-max-bulk-len, and an
//   unauthenticated client gets no more than 10 arguments of 16 KB each from a
//   multi-bulk command.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "protocol/resp/request_parser.hpp"

using troupe::request_parser;

namespace {

struct outcome {
  std::vector<std::vector<std::string>> commands;
  std::vector<bool> multibulk;  // per command: multi-bulk (true) or inline
  request_parser::result last = request_parser::result::incomplete;
  std::string error;
  bool operator==(const outcome& o) const {
    return commands == o.commands && last == o.last && error == o.error;
  }
};

// Feeds data in pieces whose sizes cycle through `pieces` (empty: all at once).
outcome run(const uint8_t* data, size_t size, const request_parser::limits& lim,
            const std::vector<size_t>& pieces) {
  request_parser p;
  outcome out;
  std::string buf;
  size_t fed = 0, piece = 0;
  while (true) {
    size_t n = pieces.empty() ? size - fed : std::min(pieces[piece++ % pieces.size()], size - fed);
    buf.append(reinterpret_cast<const char*>(data) + fed, n);
    fed += n;
    for (;;) {
      auto r = p.parse(buf.data(), buf.size(), lim);
      FUZZ_CHECK(p.consumed() <= buf.size());
      if (r == request_parser::result::command) {
        FUZZ_CHECK(!p.args().empty());
        // Multi-bulk arguments are views into the caller's buffer; inline ones
        // live in the parser (they may carry escapes).
        bool mb = true;
        std::vector<std::string> cmd;
        for (auto a : p.args()) {
          mb = mb && a.data() >= buf.data() && a.data() + a.size() <= buf.data() + buf.size();
          cmd.emplace_back(a);
        }
        out.commands.push_back(std::move(cmd));
        out.multibulk.push_back(mb);
        continue;
      }
      out.last = r;
      if (r == request_parser::result::error) {
        FUZZ_CHECK(!p.error().empty());
        out.error = p.error();
        return out;
      }
      FUZZ_CHECK(p.bytes_needed() == 0 || p.bytes_needed() > buf.size());
      break;
    }
    size_t c = p.consumed();
    buf.erase(0, c);
    p.shift(c);
    if (fed == size) return out;
  }
}

void check_limits(const outcome& o, const request_parser::limits& lim) {
  for (size_t i = 0; i < o.commands.size(); ++i) {
    if (!o.multibulk[i]) continue;
    for (auto& a : o.commands[i]) FUZZ_CHECK(int64_t(a.size()) <= lim.max_bulk_len);
    if (lim.unauthenticated) {
      FUZZ_CHECK(o.commands[i].size() <= 10);
      for (auto& a : o.commands[i]) FUZZ_CHECK(a.size() <= 16384);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  request_parser::limits defaults, tiny, unauth;
  tiny.max_bulk_len = 5;
  unauth.unauthenticated = true;
  // Past 64 KB the inline and header size limits depend on how the bytes were
  // split (as in Redis); the oracle compares splits only below that.
  bool compare_splits = size < 60000;
  // Uneven pieces derived from the input itself.
  std::vector<size_t> uneven;
  for (size_t i = 0; i < 8 && i < size; ++i) uneven.push_back(1 + data[size - 1 - i] % 17);
  for (const auto* lim : {&defaults, &tiny, &unauth}) {
    outcome whole = run(data, size, *lim, {});
    check_limits(whole, *lim);
    if (!compare_splits) continue;
    outcome bytewise = run(data, size, *lim, {1});
    FUZZ_CHECK(bytewise == whole);
    if (!uneven.empty()) {
      outcome pieces = run(data, size, *lim, uneven);
      FUZZ_CHECK(pieces == whole);
    }
  }
  return 0;
}
