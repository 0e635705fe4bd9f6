// A request encoded once, with the byte offsets of its __rand_int__
// placeholders so each send only overwrites 12 digits in place.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace troupe::bench {

inline constexpr std::string_view rand_placeholder = "__rand_int__";
inline constexpr std::string_view data_placeholder = "__data__";

struct command_template {
  std::string bytes;                   // the encoded request
  std::vector<uint32_t> rand_offsets;  // where each "__rand_int__" starts in bytes
};

// Encodes args as a RESP multi-bulk request. Each "__data__" inside an
// argument is replaced by `data` first.
command_template make_command(const std::vector<std::string>& args, const std::string& data = "");
// A raw (inline) request such as "PING\r\n".
command_template make_inline(std::string raw);

// Writes v (mod 10^12) as 12 zero-padded decimal digits at p.
inline void write_12_digits(char* p, uint64_t v) {
  for (int i = 11; i >= 0; --i) {
    p[i] = char('0' + v % 10);
    v /= 10;
  }
}

// The value redis-benchmark fills -d bytes with: a fixed pseudo-random
// sequence of printable characters, the same in every run, so both tools
// store the same bytes.
std::string make_payload(size_t size);

}  // namespace troupe::bench
