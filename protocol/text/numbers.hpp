// Number parsing and formatting with Redis's exact rules (strict integers,
// human-friendly long doubles), shared by commands, config and the parser.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace troupe {

// Strict signed 64-bit parse: no spaces, no '+', no leading zeros, "-0" rejected.
std::optional<int64_t> parse_int64(std::string_view s);
// Like parse_int64 but for unsigned values.
std::optional<uint64_t> parse_uint64(std::string_view s);
// A SCAN cursor as Redis reads it (strtoul, base 10): the text up to its first
// NUL byte, no leading space, an optional sign ("-1" wraps to 2^64-1), the
// empty text is 0; nullopt when Redis answers "invalid cursor".
std::optional<uint64_t> parse_cursor(std::string_view s);
// C's atoi as Redis (on glibc) applies it to numkeys when COMMAND GETKEYS
// finds keys: leading spaces, a sign and digits, the rest ignored; a value
// past 64 bits saturates and the result keeps its low 32 bits.
int redis_atoi(std::string_view s);
// A long double as INCRBYFLOAT accepts it: no spaces, not NaN; inf allowed (caller checks).
std::optional<long double> parse_long_double(std::string_view s);
// A double as ZADD / timeouts accept it ("inf", "-inf", "+inf" allowed, NaN rejected).
std::optional<double> parse_double(std::string_view s);

// Appends the decimal form of v to out; returns the number of chars written.
size_t format_int64(int64_t v, char* out);
std::string int64_to_string(int64_t v);
// Redis's ld2string in human-friendly mode: "%.17Lf" with trailing zeros removed.
std::string long_double_to_string(long double v);
// Redis's double reply formatting ("%.17g", inf / -inf).
std::string double_to_string(double v);

// Parses a memory amount such as "100mb", "1gb", "512k" exactly as Redis's
// memtoull: a value past 2^63 comes back negative, for the range check to refuse.
std::optional<int64_t> parse_memory(std::string_view s);

}  // namespace troupe
