// Fuzzes glob_match (KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET, CLIENT KILL)
// against a reference matcher (glob_reference.hpp): any difference is a bug.
// Time must stay bounded: a match may cost at most 100 ms of CPU time (a
// polynomial matcher needs well under a millisecond for these sizes, even with
// sanitizers), and libFuzzer's -timeout catches anything slower still. CPU
// time, not wall time, so a busy machine does not make it fail.
//
// Input: byte 0 holds flags (bit 0: case-insensitive), byte 1 the pattern's
// length (cut to what is there), then the pattern, then the text.
#include <time.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "glob_reference.hpp"
#include "protocol/text/glob.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  bool nocase = data[0] & 1;
  size_t plen = data[1];
  std::string_view rest(reinterpret_cast<const char*>(data) + 2, size - 2);
  if (plen > rest.size()) plen = rest.size();
  std::string_view pattern = rest.substr(0, plen), text = rest.substr(plen);
  auto cpu_ms = [] {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
  };
  double start = cpu_ms();
  bool got = troupe::glob_match(pattern, text, nocase);
  double spent = cpu_ms() - start;
  if (spent > 100)
    fprintf(stderr, "glob_match took %.0f ms of CPU for a %zu-byte pattern and %zu-byte text\n",
            spent, pattern.size(), text.size());
  FUZZ_CHECK(spent <= 100);
  bool want = troupe::fuzz::glob_reference(pattern, text, nocase);
  if (got != want) {
    fprintf(stderr, "glob_match(%s, %s, nocase=%d) = %d, reference says %d\n",
            std::string(pattern).c_str(), std::string(text).c_str(), int(nocase), int(got),
            int(want));
  }
  FUZZ_CHECK(got == want);
  return 0;
}
