// Splits a line into arguments the way Redis does for inline commands and
// redis.conf lines: whitespace separated, "double quotes" with \n \r \t \b \a \\ \"
// and \xHH escapes, 'single quotes' with only \' escaped. A closing quote must be
// followed by whitespace or the end of the line.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace troupe {
// Returns nullopt on unbalanced quotes.
std::optional<std::vector<std::string>> split_args(std::string_view line);
// Quotes a string so that split_args gives it back (used by CONFIG REWRITE, CLIENT LIST...).
std::string quote_arg(std::string_view s);
// Redis's "repr" of a string as MONITOR and slowlog print it: "..." with escapes.
std::string repr_string(std::string_view s);
}  // namespace troupe
