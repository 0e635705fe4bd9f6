// Passwords never leave the server through SLOWLOG or MONITOR: the arguments
// of AUTH, HELLO's AUTH and MIGRATE's AUTH/AUTH2 read "(redacted)", as in Redis.
#pragma once
#include <string_view>
#include <vector>

namespace troupe {

std::vector<std::string_view> redact_arguments(const std::vector<std::string_view>& args);

}  // namespace troupe
