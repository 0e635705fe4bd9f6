// SHA-1 (FIPS 180-4) of script bodies, in lower-case hex: the name EVAL,
// EVALSHA and SCRIPT LOAD give a script, and redis.sha1hex. Computed here
// rather than through OpenSSL's one-shot SHA1(), which in OpenSSL 3 looks the
// algorithm up (locks and allocations) on every call: EVAL hashes its body
// every time it is not cached yet.
#pragma once
#include <string>
#include <string_view>

namespace troupe {

constexpr size_t sha1_hex_size = 40;

// Writes the 40 hex digits of SHA1(s) to out.
void sha1_hex(std::string_view s, char* out);
std::string sha1_hex(std::string_view s);

}  // namespace troupe
