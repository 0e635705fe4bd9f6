// Fuzzes what a peer node can send on the cluster bus: decode_message must
// refuse garbage without crashing, and what it accepts must survive a round
// trip (encode, decode, encode gives the same bytes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "topology/cluster/bus_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace troupe::cluster;
  auto msg = decode_message(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!msg) return 0;
  std::string once = encode_message(*msg);
  auto again = decode_message(once);
  FUZZ_CHECK(again.has_value());
  FUZZ_CHECK(encode_message(*again) == once);
  return 0;
}
