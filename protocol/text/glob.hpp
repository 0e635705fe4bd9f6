// Glob-style matching with Redis's rules (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE):
// '*', '?', '[...]' with ranges and '^' negation, '\' escapes; optionally case-insensitive.
#pragma once
#include <string_view>

namespace troupe {
bool glob_match(std::string_view pattern, std::string_view text, bool nocase = false);
}
