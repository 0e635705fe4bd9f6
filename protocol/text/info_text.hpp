// INFO's text parsed back into sections and fields, for the admin endpoint's
// /info (JSON) and /metrics (Prometheus): one source of truth for every figure,
// whichever way it is read.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace troupe {

struct info_section {
  std::string name;  // "Server", "Keyspace", ...
  std::vector<std::pair<std::string, std::string>> fields;
  // The value of a field, or "" when absent.
  std::string_view get(std::string_view key) const;
};

std::vector<info_section> parse_info(std::string_view text);

// "keys=3,expires=1,avg_ttl=0" -> {{"keys","3"}, ...}
std::vector<std::pair<std::string, std::string>> split_info_value(std::string_view v);

// {"Server": {"redis_version": "7.0.15", ...}, ...}: numbers stay strings, as
// INFO prints them, except that the sub-fields of keyspace, commandstats,
// errorstats, latencystats and replicas become objects.
std::string info_json(const std::vector<info_section>& sections);

// A JSON string literal for s (quotes, backslashes and control bytes escaped).
std::string json_quote(std::string_view s);

}  // namespace troupe
