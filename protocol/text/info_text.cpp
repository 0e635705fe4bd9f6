#include "protocol/text/info_text.hpp"

#include <cstdio>

namespace troupe {

std::string_view info_section::get(std::string_view key) const {
  for (auto& [k, v] : fields)
    if (k == key) return v;
  return {};
}

std::vector<info_section> parse_info(std::string_view text) {
  std::vector<info_section> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line[0] == '#') {
      line.remove_prefix(1);
      while (!line.empty() && line[0] == ' ') line.remove_prefix(1);
      out.push_back({std::string(line), {}});
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (out.empty()) out.push_back({"", {}});
    out.back().fields.emplace_back(std::string(line.substr(0, colon)),
                                   std::string(line.substr(colon + 1)));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> split_info_value(std::string_view v) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos <= v.size()) {
    size_t comma = v.find(',', pos);
    if (comma == std::string_view::npos) comma = v.size();
    std::string_view item = v.substr(pos, comma - pos);
    size_t eq = item.find('=');
    if (eq != std::string_view::npos)
      out.emplace_back(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
    pos = comma + 1;
  }
  return out;
}

std::string json_quote(std::string_view s) {
  std::string o = "\"";
  for (unsigned char ch : s) {
    switch (ch) {
      case '"':
        o += "\\\"";
        break;
      case '\\':
        o += "\\\\";
        break;
      case '\n':
        o += "\\n";
        break;
      case '\r':
        o += "\\r";
        break;
      case '\t':
        o += "\\t";
        break;
      default:
        if (ch < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", ch);
          o += buf;
        } else {
          o += char(ch);
        }
    }
  }
  return o + "\"";
}

namespace {

// Fields whose value is a list of key=value pairs.
bool is_compound(const std::string& section, const std::string& key) {
  if (section == "Keyspace" || section == "Commandstats" || section == "Errorstats" ||
      section == "Latencystats")
    return true;
  return section == "Replication" && key.rfind("slave", 0) == 0 && key.size() > 5 &&
         key[5] >= '0' && key[5] <= '9';
}

}  // namespace

std::string info_json(const std::vector<info_section>& sections) {
  std::string o = "{";
  bool first_section = true;
  for (auto& s : sections) {
    if (!first_section) o += ',';
    first_section = false;
    o += json_quote(s.name) + ":{";
    bool first = true;
    for (auto& [k, v] : s.fields) {
      if (!first) o += ',';
      first = false;
      o += json_quote(k) + ':';
      if (is_compound(s.name, k)) {
        o += '{';
        bool f2 = true;
        for (auto& [a, b] : split_info_value(v)) {
          if (!f2) o += ',';
          f2 = false;
          o += json_quote(a) + ':' + json_quote(b);
        }
        o += '}';
      } else {
        o += json_quote(v);
      }
    }
    o += '}';
  }
  return o + "}";
}

}  // namespace troupe
